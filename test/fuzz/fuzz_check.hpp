// Shared helpers of the fuzz targets: a property check that stops the run with a message.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace cohort_fuzz {

// Reports a broken property and aborts, which libFuzzer (and the replay driver) treat as a crash.
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Aborts with `what` unless `ok`.
inline void check(bool ok, const std::string& what) {
  if (!ok) fail(what);
}

}  // namespace cohort_fuzz
