// Readable tags for a definition, as the cohort cards of the customers app show them.
#pragma once

#include <string>
#include <vector>

#include "core/definition.hpp"

namespace cohort {

// One tag per top-level condition ("engagement: high", "age 25–65",
// "sum(price) of payment_successful ≥ 10000 in 365 days"); `unicode` false writes >=, <=, != and -.
std::vector<std::string> describe_tags(const Node& root, bool unicode);

// One tag for any node (groups are written "all of (...)", "any of (...)", "not (...)").
std::string describe_node(const Node& node, bool unicode);

}  // namespace cohort
