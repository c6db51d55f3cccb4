// The exception-to-ereport shim used by every SQL-callable function.
#include <cstring>
#include <new>

#include "core/errors.hpp"
#include "pg/guard.hpp"

namespace cohort::pg {
namespace {

// SQLSTATE for a core error kind.
int sqlstate_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::MalformedJson: return ERRCODE_INVALID_TEXT_REPRESENTATION;
    case ErrorKind::InvalidParameter: return ERRCODE_INVALID_PARAMETER_VALUE;
    case ErrorKind::ProgramLimit: return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
    case ErrorKind::InvalidBinary: return ERRCODE_INVALID_BINARY_REPRESENTATION;
  }
  return ERRCODE_INTERNAL_ERROR;
}

// Copies a C++ message into a fixed buffer (no allocation inside a catch block).
void copy_text(char* dst, std::size_t size, const char* src) {
  std::strncpy(dst, src, size - 1);
  dst[size - 1] = '\0';
}

// An SQL-callable body and its call, for run_guarded().
struct FunctionCall {
  Datum (*body)(FunctionCallInfo);
  FunctionCallInfo fcinfo;
};

Datum call_function(void* call) {
  auto* c = static_cast<FunctionCall*>(call);
  return c->body(c->fcinfo);
}

}  // namespace

Datum invoke(Datum (*body)(FunctionCallInfo), FunctionCallInfo fcinfo) {
  FunctionCall call{body, fcinfo};
  return run_guarded(call_function, &call);
}

Datum run_guarded(Datum (*body)(void*), void* arg) {
  static char message[2048];
  static char detail[2048];
  static char hint[2048];
  ErrorData* pg_error = nullptr;
  int sqlstate = ERRCODE_INTERNAL_ERROR;
  bool out_of_memory = false;
  message[0] = detail[0] = hint[0] = '\0';
  try {
    return body(arg);
  } catch (const PgError& e) {
    pg_error = e.data;
  } catch (const SqlError& e) {
    sqlstate = e.sqlstate;
    copy_text(message, sizeof message, e.message.c_str());
    copy_text(detail, sizeof detail, e.detail.c_str());
    copy_text(hint, sizeof hint, e.hint.c_str());
  } catch (const CohortError& e) {
    sqlstate = sqlstate_for(e.kind());
    copy_text(message, sizeof message, e.what());
    copy_text(detail, sizeof detail, e.detail().c_str());
  } catch (const std::bad_alloc&) {
    out_of_memory = true;
  } catch (const std::exception& e) {
    copy_text(message, sizeof message, e.what());
  } catch (...) {
    copy_text(message, sizeof message, "unknown C++ exception");
  }
  // Only here, with every C++ frame and exception object gone, do we raise.
  if (pg_error != nullptr) ReThrowError(pg_error);
  if (out_of_memory)
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory in cohort"),
                    errhint("Raise work_mem or evaluate over fewer users.")));
  if (sqlstate == ERRCODE_INTERNAL_ERROR) elog(ERROR, "cohort internal error: %s", message);
  ereport(ERROR, (errcode(sqlstate), errmsg("%s", message),
                  detail[0] ? errdetail("%s", detail) : 0, hint[0] ? errhint("%s", hint) : 0));
  return (Datum)0;
}

}  // namespace cohort::pg
