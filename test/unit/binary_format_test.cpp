// Binary format of cohort.definition: version byte, then text validated like text input.
#include "test_util.hpp"

#include "core/binary_format.hpp"

using cohort::CohortError;
using cohort::ErrorKind;

namespace {

// The kind of the CohortError decode_binary throws for `bytes`.
ErrorKind decode_error(std::string_view bytes) {
  try {
    cohort::decode_binary(bytes);
  } catch (const CohortError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "decoded without error";
  return ErrorKind::MalformedJson;
}

}  // namespace

TEST(BinaryFormat, RoundTrip) {
  cohort::Node n = cohort::parse_definition(R"({"min_age": 25, "engagement_level": "high"})");
  std::string bytes = cohort::encode_binary(n);
  ASSERT_EQ(bytes[0], '\x01');
  EXPECT_EQ(bytes.substr(1), cohort::write_canonical(n));
  EXPECT_EQ(cohort::encode_binary(cohort::decode_binary(bytes)), bytes);
}

TEST(BinaryFormat, AcceptsAnyTextForm) {
  std::string bytes = std::string("\x01") + R"([{"action":"a","condition":">=","value":1}])";
  EXPECT_EQ(cohort::write_canonical(cohort::decode_binary(bytes)),
            R"({"performed":{"event":"a","aggregate":"count","op":">=","value":1}})");
}

TEST(BinaryFormat, RejectsBadVersionAndEmpty) {
  EXPECT_EQ(decode_error(""), ErrorKind::InvalidBinary);
  EXPECT_EQ(decode_error(std::string("\x00{}", 3)), ErrorKind::InvalidBinary);
  EXPECT_EQ(decode_error("\x02{}"), ErrorKind::InvalidBinary);
  try {
    cohort::decode_binary("\xff{}");
  } catch (const CohortError& e) {
    EXPECT_STREQ(e.what(), "unsupported cohort.definition binary version 255");
  }
}

TEST(BinaryFormat, TextErrorsAsTextInput) {
  EXPECT_EQ(decode_error("\x01"), ErrorKind::MalformedJson);
  EXPECT_EQ(decode_error("\x01{\"all\":["), ErrorKind::MalformedJson);
  EXPECT_EQ(decode_error("\x01{\"min_age\":5,\"max_age\":4}"), ErrorKind::InvalidParameter);
}
