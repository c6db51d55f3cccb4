// Fuzz target: binary input of cohort.definition (cohort::decode_binary, what definition_recv
// does with the message bytes). Any bytes decode or throw CohortError; a decoded definition
// encodes to bytes that decode to the same definition, and encoding is then a fixed point.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/binary_format.hpp"
#include "core/canonical.hpp"
#include "core/errors.hpp"
#include "fuzz_check.hpp"

using cohort_fuzz::check;
using cohort_fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  cohort::Node node;
  try {
    node = cohort::decode_binary(bytes);
  } catch (const cohort::CohortError& e) {
    if (size == 0 || data[0] != cohort::kDefinitionBinaryVersion)
      check(e.kind() == cohort::ErrorKind::InvalidBinary, "a bad version byte must be 22P03");
    return 0;
  } catch (const std::exception& e) {
    fail(std::string("decode_binary threw a non-CohortError: ") + e.what());
  }
  check(size > 0 && data[0] == cohort::kDefinitionBinaryVersion, "decoded a value with a wrong version byte");
  std::string encoded;
  std::string again;
  try {
    encoded = cohort::encode_binary(node);
    again = cohort::encode_binary(cohort::decode_binary(encoded));
  } catch (const std::exception& e) {
    fail(std::string("encoded value does not decode: ") + e.what());
  }
  check(again == encoded, "binary encoding is not a fixed point");
  check(encoded.substr(1) == cohort::write_canonical(node), "binary encoding is not version + canonical text");
  return 0;
}
