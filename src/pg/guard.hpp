// The C++/PostgreSQL boundary: PostgreSQL errors become C++ exceptions and back.
//
// Rules (see README "Error handling at the boundary"):
//  * Every SQL-callable function is declared with COHORT_FUNCTION: its body is C++ and may throw;
//    the shim catches everything and raises the PostgreSQL error only after leaving the catch.
//  * From C++, a PostgreSQL call that may ereport() goes through pg_call(), which turns the error
//    into PgError. The lambda passed to pg_call() must not throw and must not own objects with
//    destructors: a longjmp out of it would skip them.
#pragma once

#include <exception>
#include <string>
#include <utility>

#include "pg/postgres_headers.hpp"

namespace cohort::pg {

// A PostgreSQL error caught by pg_call(), carried up to the shim as a C++ exception.
struct PgError {
  ErrorData* data;
};

// An error the glue raises itself, with its SQLSTATE (an ERRCODE_ value).
struct SqlError : std::exception {
  SqlError(int code, std::string msg, std::string det = {}, std::string hnt = {})
      : sqlstate(code), message(std::move(msg)), detail(std::move(det)), hint(std::move(hnt)) {}
  const char* what() const noexcept override { return message.c_str(); }
  int sqlstate;
  std::string message, detail, hint;
};

// Runs `f` (PostgreSQL calls only) and converts an ereport(ERROR) into a thrown PgError.
template <typename F>
void pg_call(F&& f) {
  MemoryContext caller_context = CurrentMemoryContext;
  ErrorData* volatile caught = nullptr;
  PG_TRY();
  {
    f();
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(caller_context);
    caught = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();
  if (caught != nullptr) throw PgError{caught};
}

// Runs body(arg), translating every exception into a PostgreSQL error raised after the catch.
Datum run_guarded(Datum (*body)(void*), void* arg);

// Runs a C++ function body, translating every exception into a PostgreSQL error.
Datum invoke(Datum (*body)(FunctionCallInfo), FunctionCallInfo fcinfo);

}  // namespace cohort::pg

// Declares an SQL-callable function whose body is ordinary C++ that may throw.
#define COHORT_FUNCTION(name)                                                         \
  extern "C" {                                                                        \
  PG_FUNCTION_INFO_V1(name);                                                          \
  }                                                                                   \
  static Datum name##_body(FunctionCallInfo fcinfo);                                  \
  extern "C" Datum name(PG_FUNCTION_ARGS) { return cohort::pg::invoke(name##_body, fcinfo); } \
  static Datum name##_body(FunctionCallInfo fcinfo)
