// The binary (send/recv) format of cohort.definition: one version byte, then the JSON text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/definition.hpp"

namespace cohort {

// The only version of the binary format written and read.
constexpr std::uint8_t kDefinitionBinaryVersion = 1;

// Decodes binary input: checks the version byte (InvalidBinary otherwise, or for no bytes) and
// parses and validates the text after it exactly as text input does (any CohortError).
// The glue hands it the text already converted from the client encoding.
Node decode_binary(std::string_view bytes);

// Encodes a definition: the version byte, then its canonical text.
std::string encode_binary(const Node& node);

}  // namespace cohort
