// Binary format of cohort.definition: version check, then the text parser.
#include "core/binary_format.hpp"

#include "core/canonical.hpp"
#include "core/errors.hpp"

namespace cohort {

Node decode_binary(std::string_view bytes) {
  if (bytes.empty())
    throw CohortError(ErrorKind::InvalidBinary, "cohort.definition binary value is empty",
                      "A version byte is expected.");
  unsigned version = static_cast<unsigned char>(bytes[0]);
  if (version != kDefinitionBinaryVersion)
    throw CohortError(ErrorKind::InvalidBinary,
                      "unsupported cohort.definition binary version " + std::to_string(version),
                      "Version " + std::to_string(kDefinitionBinaryVersion) + " is expected.");
  return parse_definition(bytes.substr(1));
}

std::string encode_binary(const Node& node) {
  std::string out(1, static_cast<char>(kDefinitionBinaryVersion));
  out += write_canonical(node);
  return out;
}

}  // namespace cohort
