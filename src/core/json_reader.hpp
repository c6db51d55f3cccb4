// Reads JSON text into a document, enforcing size, depth and duplicate-key rules.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace cohort {

using Json = nlohmann::json;

// Parses `text` as one JSON value; throws CohortError (22P02, 22023 or 54000).
Json read_json(std::string_view text);

}  // namespace cohort
