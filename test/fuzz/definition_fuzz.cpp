// Fuzz target: the definition parser and canonical writer. Any bytes either parse or throw
// CohortError (no other exception, no crash); the canonical text of a parsed definition parses
// again to the same canonical text (idempotence), and describing and compiling it do not crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/canonical.hpp"
#include "core/describe.hpp"
#include "core/errors.hpp"
#include "core/program.hpp"
#include "fuzz_check.hpp"

using cohort_fuzz::check;
using cohort_fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  cohort::Node node;
  try {
    node = cohort::parse_definition(text);
  } catch (const cohort::CohortError&) {
    return 0;
  } catch (const std::exception& e) {
    fail(std::string("parse_definition threw a non-CohortError: ") + e.what());
  }
  std::string canonical;
  std::string again;
  try {
    canonical = cohort::write_canonical(node);
    again = cohort::write_canonical(cohort::parse_definition(canonical));
  } catch (const std::exception& e) {
    fail(std::string("canonical text does not parse again: ") + e.what());
  }
  check(again == canonical, "canonical form is not idempotent:\n  first:  " + canonical + "\n  second: " + again);
  try {
    cohort::describe_tags(node, true);
    cohort::describe_tags(node, false);
    cohort::Program::compile(node);
  } catch (const cohort::CohortError&) {
  } catch (const std::exception& e) {
    fail(std::string("describe/compile threw a non-CohortError: ") + e.what());
  }
  return 0;
}
