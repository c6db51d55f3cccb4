// Module magic block and settings: marks cohort.so as a PostgreSQL 15 extension library.
#include "pg/postgres_headers.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace {

bool direct_scan = true;
int state_memory_limit_kb = -1;

}  // namespace

namespace cohort::pg {

bool direct_scan_enabled() { return direct_scan; }

std::size_t state_memory_limit_bytes() {
  long kb = state_memory_limit_kb >= 0 ? state_memory_limit_kb : 64L * work_mem;
  return static_cast<std::size_t>(kb) * 1024;
}

}  // namespace cohort::pg

// Defines the cohort.* settings.
void _PG_init(void) {
  DefineCustomBoolVariable(
      "cohort.direct_scan",
      "Read source tables directly, page by page, when no row-level security applies to the caller.",
      "When off, or for views, partitioned and foreign tables and tables with row-level security, "
      "sources are read through the executor.",
      &direct_scan, true, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "cohort.state_memory_limit",
      "Memory an evaluation's per-user state may use; -1 means 64 times work_mem.",
      nullptr, &state_memory_limit_kb, -1, -1, MAX_KILOBYTES, PGC_USERSET, GUC_UNIT_KB, nullptr, nullptr,
      nullptr);
  MarkGUCPrefixReserved("cohort");
}
