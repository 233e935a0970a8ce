// /api/v1/parse_query (Prometheus 3.x, used by the UI's tree view): the syntax tree of `query`
// as JSON, node by node as Prometheus' translateAST writes it. Objects come from Go maps, so
// their keys are in sorted order; absent children are null.
#include <string>

#include "base/str_cat.h"
#include "promql/ast.h"
#include "promql/functions.h"
#include "promql/parser.h"
#include "web/api/api_internal.h"
#include "web/api/json.h"
#include "web/api/params.h"

namespace sundial::web::api {
namespace {

using promql::Expr;

void AppendAst(std::string* out, const Expr* e);

void Key(std::string* out, std::string_view key) {
  out->push_back(',');
  AppendJsonString(out, key);
  out->push_back(':');
}

void AppendStrings(std::string* out, const std::vector<std::string>& list) {
  out->push_back('[');
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, list[i]);
  }
  out->push_back(']');
}

void AppendBool(std::string* out, bool b) { out->append(b ? "true" : "false"); }

std::string_view DurationOpString(promql::DurationExpr::Op op) {
  using Op = promql::DurationExpr::Op;
  switch (op) {
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kMod:
      return "%";
    case Op::kPow:
      return "^";
    case Op::kStep:
      return "step";
    case Op::kRange:
      return "range";
    case Op::kMinOf:
      return "min";
    case Op::kMaxOf:
      return "max";
  }
  return "";
}

// translateDurationExpr: duration arithmetic, and number literals with their `duration` flag.
void AppendDurationExpr(std::string* out, const Expr* e) {
  if (e == nullptr) {
    out->append("null");
    return;
  }
  if (e->kind == promql::Kind::kDuration) {
    const auto& d = static_cast<const promql::DurationExpr&>(*e);
    out->append(R"({"lhs":)");
    AppendDurationExpr(out, d.lhs.get());
    Key(out, "op");
    AppendJsonString(out, DurationOpString(d.op));
    Key(out, "rhs");
    AppendDurationExpr(out, d.rhs.get());
    out->append(R"(,"type":"durationExpr","wrapped":)");
    AppendBool(out, d.wrapped);
    out->push_back('}');
    return;
  }
  if (e->kind == promql::Kind::kNumber) {
    const auto& n = static_cast<const promql::NumberLiteral&>(*e);
    out->append(R"({"duration":)");
    AppendBool(out, n.duration);
    out->append(R"(,"type":"numberLiteral","val":")");
    AppendFloatF(out, n.value);
    out->append("\"}");
    return;
  }
  AppendAst(out, e);
}

void AppendMatchers(std::string* out, const std::vector<Matcher>& matchers) {
  out->push_back('[');
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(R"({"name":)");
    AppendJsonString(out, matchers[i].name());
    out->append(R"(,"type":)");
    AppendJsonString(out, MatchTypeString(matchers[i].type()));
    out->append(R"(,"value":)");
    AppendJsonString(out, matchers[i].value());
    out->push_back('}');
  }
  out->push_back(']');
}

void AppendAtTimestamp(std::string* out, const promql::TimeModifiers& m) {
  if (m.timestamp_ms) {
    StrAppend(out, *m.timestamp_ms);
  } else {
    out->append("null");
  }
}

void AppendStartOrEnd(std::string* out, const promql::TimeModifiers& m) {
  switch (m.at) {
    case promql::AtModifier::kStart:
      out->append(R"("start")");
      break;
    case promql::AtModifier::kEnd:
      out->append(R"("end")");
      break;
    case promql::AtModifier::kNone:
      out->append("null");
      break;
  }
}

std::string_view CardString(promql::VectorMatching::Card c) {
  switch (c) {
    case promql::VectorMatching::Card::kOneToOne:
      return "one-to-one";
    case promql::VectorMatching::Card::kManyToOne:
      return "many-to-one";
    case promql::VectorMatching::Card::kOneToMany:
      return "one-to-many";
    case promql::VectorMatching::Card::kManyToMany:
      return "many-to-many";
  }
  return "";
}

void AppendOptionalNumber(std::string* out, const std::optional<double>& v) {
  if (v) {
    AppendGoJsonNumber(out, *v);
  } else {
    out->append("null");
  }
}

void AppendAst(std::string* out, const Expr* e) {
  if (e == nullptr) {
    out->append("null");
    return;
  }
  switch (e->kind) {
    case promql::Kind::kAggregate: {
      const auto& a = static_cast<const promql::AggregateExpr&>(*e);
      out->append(R"({"expr":)");
      AppendAst(out, a.expr.get());
      Key(out, "grouping");
      AppendStrings(out, a.grouping);
      Key(out, "op");
      AppendJsonString(out, promql::AggregateOpString(a.op));
      Key(out, "param");
      AppendAst(out, a.param.get());
      out->append(R"(,"type":"aggregation","without":)");
      AppendBool(out, a.without);
      out->push_back('}');
      return;
    }
    case promql::Kind::kBinary: {
      const auto& b = static_cast<const promql::BinaryExpr&>(*e);
      out->append(R"({"bool":)");
      AppendBool(out, b.return_bool);
      Key(out, "lhs");
      AppendAst(out, b.lhs.get());
      Key(out, "matching");
      if (b.matching) {
        const promql::VectorMatching& m = *b.matching;
        out->append(R"({"card":)");
        AppendJsonString(out, CardString(m.card));
        out->append(R"(,"fillValues":{"lhs":)");
        AppendOptionalNumber(out, m.fill_lhs);
        out->append(R"(,"rhs":)");
        AppendOptionalNumber(out, m.fill_rhs);
        out->append(R"(},"include":)");
        AppendStrings(out, m.include);
        Key(out, "labels");
        AppendStrings(out, m.labels);
        Key(out, "on");
        AppendBool(out, m.on);
        out->push_back('}');
      } else {
        out->append("null");
      }
      Key(out, "op");
      AppendJsonString(out, promql::BinaryOpString(b.op));
      Key(out, "rhs");
      AppendAst(out, b.rhs.get());
      out->append(R"(,"type":"binaryExpr"})");
      return;
    }
    case promql::Kind::kCall: {
      const auto& c = static_cast<const promql::Call&>(*e);
      out->append(R"({"args":[)");
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendAst(out, c.args[i].get());
      }
      out->append(R"(],"func":{"argTypes":[)");
      for (size_t i = 0; i < c.func->arg_types.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonString(out, promql::ValueTypeName(c.func->arg_types[i]));
      }
      out->append(R"(],"name":)");
      AppendJsonString(out, c.func->name);
      out->append(R"(,"returnType":)");
      AppendJsonString(out, promql::ValueTypeName(c.func->return_type));
      StrAppend(out, R"(,"variadic":)", c.func->variadic, R"(},"type":"call"})");
      return;
    }
    case promql::Kind::kMatrixSelector: {
      const auto& m = static_cast<const promql::MatrixSelector&>(*e);
      const promql::VectorSelector& vs = m.vector_selector();
      out->append(R"({"anchored":)");
      AppendBool(out, vs.anchored);
      Key(out, "matchers");
      AppendMatchers(out, vs.matchers);
      Key(out, "name");
      AppendJsonString(out, vs.name);
      StrAppend(out, R"(,"offset":)", vs.mods.offset_ms, R"(,"offsetExpr":)");
      AppendDurationExpr(out, vs.mods.offset_expr.get());
      StrAppend(out, R"(,"range":)", m.range_ms, R"(,"rangeExpr":)");
      AppendDurationExpr(out, m.range_expr.get());
      Key(out, "smoothed");
      AppendBool(out, vs.smoothed);
      Key(out, "startOrEnd");
      AppendStartOrEnd(out, vs.mods);
      Key(out, "timestamp");
      AppendAtTimestamp(out, vs.mods);
      out->append(R"(,"type":"matrixSelector"})");
      return;
    }
    case promql::Kind::kSubquery: {
      const auto& s = static_cast<const promql::SubqueryExpr&>(*e);
      out->append(R"({"expr":)");
      AppendAst(out, s.expr.get());
      StrAppend(out, R"(,"offset":)", s.mods.offset_ms, R"(,"offsetExpr":)");
      AppendDurationExpr(out, s.mods.offset_expr.get());
      StrAppend(out, R"(,"range":)", s.range_ms, R"(,"rangeExpr":)");
      AppendDurationExpr(out, s.range_expr.get());
      Key(out, "startOrEnd");
      AppendStartOrEnd(out, s.mods);
      StrAppend(out, R"(,"step":)", s.step_ms, R"(,"stepExpr":)");
      AppendDurationExpr(out, s.step_expr.get());
      Key(out, "timestamp");
      AppendAtTimestamp(out, s.mods);
      out->append(R"(,"type":"subquery"})");
      return;
    }
    case promql::Kind::kDuration:
      AppendDurationExpr(out, e);
      return;
    case promql::Kind::kNumber: {
      out->append(R"({"type":"numberLiteral","val":")");
      AppendFloatF(out, static_cast<const promql::NumberLiteral&>(*e).value);
      out->append("\"}");
      return;
    }
    case promql::Kind::kParen:
      out->append(R"({"expr":)");
      AppendAst(out, static_cast<const promql::ParenExpr&>(*e).expr.get());
      out->append(R"(,"type":"parenExpr"})");
      return;
    case promql::Kind::kString:
      out->append(R"({"type":"stringLiteral","val":)");
      AppendJsonString(out, static_cast<const promql::StringLiteral&>(*e).value);
      out->push_back('}');
      return;
    case promql::Kind::kUnary: {
      const auto& u = static_cast<const promql::UnaryExpr&>(*e);
      out->append(R"({"expr":)");
      AppendAst(out, u.expr.get());
      out->append(u.negate ? R"(,"op":"-")" : R"(,"op":"+")");
      out->append(R"(,"type":"unaryExpr"})");
      return;
    }
    case promql::Kind::kVectorSelector: {
      const auto& vs = static_cast<const promql::VectorSelector&>(*e);
      out->append(R"({"anchored":)");
      AppendBool(out, vs.anchored);
      Key(out, "matchers");
      AppendMatchers(out, vs.matchers);
      Key(out, "name");
      AppendJsonString(out, vs.name);
      StrAppend(out, R"(,"offset":)", vs.mods.offset_ms, R"(,"offsetExpr":)");
      AppendDurationExpr(out, vs.mods.offset_expr.get());
      Key(out, "smoothed");
      AppendBool(out, vs.smoothed);
      Key(out, "startOrEnd");
      AppendStartOrEnd(out, vs.mods);
      Key(out, "timestamp");
      AppendAtTimestamp(out, vs.mods);
      out->append(R"(,"type":"vectorSelector"})");
      return;
    }
  }
  out->append("null");
}

}  // namespace

void Api::Impl::ParseQuery(const HttpRequest& req, std::shared_ptr<Responder> resp) {
  absl::StatusOr<promql::ExprPtr> e =
      promql::Parse(req.Param("query"), options.engine_options.parse_options);
  if (!e.ok()) {
    SendError(resp.get(), ApiError::BadData(InvalidParam("query", AsStd(e.status().message()))));
    return;
  }
  std::string data;
  AppendAst(&data, e->get());
  SendSuccess(resp.get(), data);
}

}  // namespace sundial::web::api
