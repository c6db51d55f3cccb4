// Errors the core raises; the glue maps each kind to a SQLSTATE.
#pragma once

#include <stdexcept>
#include <string>

namespace cohort {

// What went wrong, coarse enough to pick a SQLSTATE from.
enum class ErrorKind {
  MalformedJson,     // 22P02 invalid_text_representation
  InvalidParameter,  // 22023 invalid_parameter_value
  ProgramLimit,      // 54000 program_limit_exceeded
  InvalidBinary,     // 22P03 invalid_binary_representation
};

// An error from the core, with a user-facing message and an optional detail line.
class CohortError : public std::runtime_error {
 public:
  CohortError(ErrorKind kind, const std::string& message, std::string detail = {})
      : std::runtime_error(message), kind_(kind), detail_(std::move(detail)) {}

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  ErrorKind kind_;
  std::string detail_;
};

}  // namespace cohort
