// Statement constants of quals, replaced by parameters computed on first use.
#include "pg/scan_constants.hpp"

namespace cohort::pg {
namespace {

// expression_tree_walker callback: whether `node` holds anything whose value may differ from row
// to row or that cannot be computed on its own (a placeholder filled in by an enclosing node).
bool depends_on_row(Node* node, void* context) {
  if (node == nullptr) return false;
  switch (nodeTag(node)) {
    case T_Var:
    case T_Param:
    case T_SubLink:
    case T_SubPlan:
    case T_AlternativeSubPlan:
    case T_Aggref:
    case T_WindowFunc:
    case T_GroupingFunc:
    case T_CaseTestExpr:
    case T_CoerceToDomain:  // its CHECK constraints may be volatile, which nothing here looks at
    case T_CoerceToDomainValue:
    case T_CurrentOfExpr:
    case T_PlaceHolderVar:
      return true;
    default:
      return expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(depends_on_row)),
                                    context);
  }
}

// Whether `node` is an expression that computes a value (not a constant, a column, a list or a
// CASE arm).
bool computes(Node* node) {
  switch (nodeTag(node)) {
    case T_FuncExpr:
    case T_OpExpr:
    case T_DistinctExpr:
    case T_NullIfExpr:
    case T_ScalarArrayOpExpr:
    case T_BoolExpr:
    case T_RelabelType:
    case T_CoerceViaIO:
    case T_ArrayCoerceExpr:
    case T_ConvertRowtypeExpr:
    case T_CollateExpr:
    case T_CaseExpr:
    case T_ArrayExpr:
    case T_RowExpr:
    case T_RowCompareExpr:
    case T_CoalesceExpr:
    case T_MinMaxExpr:
    case T_SQLValueFunction:
    case T_XmlExpr:
    case T_NullTest:
    case T_BooleanTest:
    case T_FieldSelect:
    case T_FieldStore:
    case T_SubscriptingRef:
      return true;
    default:
      return false;
  }
}

// Whether `node` computes one value for the whole statement (in quals without volatile
// functions: defer_scan_constants() defers nothing in the others).
bool statement_constant(Node* node) {
  return computes(node) && !depends_on_row(node, nullptr) && !expression_returns_set(node);
}

// The deferred subexpressions of one set of quals: the fetch hook's argument.
struct Deferred {
  ExprContext* econtext;  // where they are computed (not the quals' own: that one is mid-row)
  MemoryContext memory;   // where their values are kept
  ExprState** states;     // by parameter number - 1
  int16* typlen;
  bool* typbyval;
};

// ParamFetchHook: parameter `paramid`, computed the first time it is asked for.
ParamExternData* fetch_constant(ParamListInfo params, int paramid, bool speculative, ParamExternData* workspace) {
  ParamExternData* prm = &params->params[paramid - 1];
  if (OidIsValid(prm->ptype) || speculative) return prm;  // computed, or only peeked at (invalid: unknown)
  auto* deferred = static_cast<Deferred*>(params->paramFetchArg);
  const int i = paramid - 1;
  bool isnull = false;
  Datum value = ExecEvalExprSwitchContext(deferred->states[i], deferred->econtext, &isnull);
  MemoryContext old = MemoryContextSwitchTo(deferred->memory);
  if (!isnull) {
    // A copy of its own, flattened and detoasted, as the planner's evaluate_expr() keeps one.
    value = deferred->typlen[i] == -1 ? PointerGetDatum(PG_DETOAST_DATUM_COPY(value))
                                      : datumCopy(value, deferred->typbyval[i], deferred->typlen[i]);
  }
  MemoryContextSwitchTo(old);
  ResetExprContext(deferred->econtext);
  prm->value = value;
  prm->isnull = isnull;
  prm->pflags = PARAM_FLAG_CONST;
  prm->ptype = exprType(reinterpret_cast<Node*>(deferred->states[i]->expr));
  return prm;
}

// expression_tree_mutator callback: `node` with its statement constants replaced by parameters
// numbered after those already in `*found` (to which their expressions are appended).
Node* defer(Node* node, List** found) {
  if (node == nullptr) return nullptr;
  if (statement_constant(node)) {
    *found = lappend(*found, node);
    Param* param = makeNode(Param);
    param->paramkind = PARAM_EXTERN;
    param->paramid = list_length(*found);
    param->paramtype = exprType(node);
    param->paramtypmod = exprTypmod(node);
    param->paramcollid = exprCollation(node);
    param->location = -1;
    return reinterpret_cast<Node*>(param);
  }
  return expression_tree_mutator(node, reinterpret_cast<Node* (*)()>(reinterpret_cast<void (*)()>(defer)), found);
}

}  // namespace

List* defer_scan_constants(List* quals, EState* estate, ParamListInfo& params) {
  params = nullptr;
  // Planned once, as ExecPrepareQual() plans quals (immutable parts folded, SQL functions inlined
  // as the executor path's plan inlines them): the caller compiles the result without planning it
  // again, which could inline a function around a parameter the executor path would have computed.
  List* planned = reinterpret_cast<List*>(expression_planner(reinterpret_cast<Expr*>(quals)));
  // A volatile function anywhere (a set_config() before a current_setting() of the same name) may
  // change what a stable one returns within the statement: nothing is deferred then.
  if (contain_volatile_functions(reinterpret_cast<Node*>(planned))) return planned;
  List* found = NIL;
  List* out = reinterpret_cast<List*>(defer(reinterpret_cast<Node*>(planned), &found));
  const int count = list_length(found);
  if (count == 0) return out;
  auto* deferred = static_cast<Deferred*>(palloc0(sizeof(Deferred)));
  deferred->econtext = CreateExprContext(estate);
  deferred->memory = CurrentMemoryContext;
  deferred->states = static_cast<ExprState**>(palloc(sizeof(ExprState*) * count));
  deferred->typlen = static_cast<int16*>(palloc(sizeof(int16) * count));
  deferred->typbyval = static_cast<bool*>(palloc(sizeof(bool) * count));
  for (int i = 0; i < count; ++i) {
    Expr* expr = static_cast<Expr*>(list_nth(found, i));
    deferred->states[i] = ExecInitExpr(expr, nullptr);
    get_typlenbyval(exprType(reinterpret_cast<Node*>(expr)), &deferred->typlen[i], &deferred->typbyval[i]);
  }
  params = makeParamList(count);
  for (int i = 0; i < count; ++i) {  // not computed yet (makeParamList() leaves them unset)
    params->params[i].value = (Datum)0;
    params->params[i].isnull = true;
    params->params[i].pflags = 0;
    params->params[i].ptype = InvalidOid;
  }
  params->paramFetch = fetch_constant;
  params->paramFetchArg = deferred;
  return out;
}

}  // namespace cohort::pg
