// Parts of row-level security quals that are the same for every row of one statement (a tenant
// policy's current_setting(), current_user, a stable function of them): computed the first time
// an evaluation reaches them, then kept, instead of on every row.
#pragma once

#include "pg/guard.hpp"

namespace cohort::pg {

// `quals` planned (expression_planner(), as ExecPrepareQual() plans them; compile the result with
// ExecInitQual(), not ExecPrepareQual()) with each largest subexpression whose value cannot change
// within the statement (no column, parameter, subquery, domain coercion or volatile function; not
// already a constant) replaced by an external parameter of `params`; nothing is replaced where the
// quals call any volatile function. Set `params` as the ecxt_param_list_info of the ExprContext the
// quals run in: its fetch hook computes a parameter in a context of `estate` the first time an
// evaluation reaches it, where the row-by-row evaluation would have computed that subexpression
// (so the same errors at the same row, and nothing computed that it would have skipped), and
// keeps the value in `estate`'s query memory. `params` is nullptr where nothing was replaced.
// Call inside pg_call, with `estate`'s query context current.
List* defer_scan_constants(List* quals, EState* estate, ParamListInfo& params);

}  // namespace cohort::pg
