// The extension's GUC settings (cohort.*), defined in _PG_init.
#pragma once

#include <cstddef>

namespace cohort::pg {

// cohort.direct_scan: read plain tables page by page when no row-level security applies.
bool direct_scan_enabled();

// Bytes an evaluation's per-user state may take: cohort.state_memory_limit, or 64 × work_mem.
std::size_t state_memory_limit_bytes();

}  // namespace cohort::pg
