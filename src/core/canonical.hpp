// Public entry points: text to normalized definition, and definition to canonical text.
#pragma once

#include <string>
#include <string_view>

#include "core/definition.hpp"

namespace cohort {

// Parses any accepted JSON form and returns the normalized tree; throws CohortError.
Node parse_definition(std::string_view json_text);

// Brings a tree to normal form: double negation removed, groups flattened, sorted, deduplicated.
Node normalize(Node node);

// Writes the canonical JSON text of a (normalized) tree; deterministic.
std::string write_canonical(const Node& node);

}  // namespace cohort
