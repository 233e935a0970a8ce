#include "promql/printer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/duration.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "model/labels.h"
#include "model/names.h"
#include "promql/functions.h"

namespace sundial::promql {
namespace {

void AppendLabelList(std::string* out, const std::vector<std::string>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->append(", ");
    if (IsLegacyLabelName(labels[i])) {
      out->append(labels[i]);
    } else {
      AppendGoQuoted(out, labels[i]);
    }
  }
}

// Go's strconv.FormatFloat(v, 'f', -1, 64).
void AppendNumber(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
  } else {
    char buf[400];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    out->append(buf, res.ptr);
  }
}

// Prometheus' model.Duration(seconds * 1e9).String(): millisecond precision, truncated.
void AppendSecondsAsDuration(std::string* out, double seconds) {
  double ns = std::clamp(seconds * 1e9, -9.2e18, 9.2e18);
  out->append(FormatDuration(Duration(static_cast<int64_t>(ns) / 1000000)));
}

void AppendMs(std::string* out, int64_t ms) { out->append(FormatDuration(Duration(ms))); }

void AppendDurationExpr(std::string* out, const DurationExpr& d);

void AppendDurationOperand(std::string* out, const Expr& e) {
  if (e.kind == Kind::kDuration) {
    AppendDurationExpr(out, static_cast<const DurationExpr&>(e));
  } else {
    AppendString(out, e);
  }
}

void AppendDurationExpr(std::string* out, const DurationExpr& d) {
  if (d.wrapped) out->push_back('(');
  switch (d.op) {
    case DurationExpr::Op::kStep:
      out->append("step()");
      break;
    case DurationExpr::Op::kRange:
      out->append("range()");
      break;
    case DurationExpr::Op::kMinOf:
    case DurationExpr::Op::kMaxOf:
      out->append(d.op == DurationExpr::Op::kMinOf ? "min_of(" : "max_of(");
      AppendDurationOperand(out, *d.lhs);
      out->append(", ");
      AppendDurationOperand(out, *d.rhs);
      out->push_back(')');
      break;
    default: {
      static constexpr std::string_view kOps[] = {"+", "-", "*", "/", "%", "^"};
      std::string_view op = kOps[static_cast<int>(d.op)];
      if (d.lhs == nullptr) {
        if (d.op == DurationExpr::Op::kSub) out->append(op);
        AppendDurationOperand(out, *d.rhs);
      } else {
        AppendDurationOperand(out, *d.lhs);
        StrAppend(out, " ", op, " ");
        AppendDurationOperand(out, *d.rhs);
      }
    }
  }
  if (d.wrapped) out->push_back(')');
}

void AppendOffset(std::string* out, const TimeModifiers& m) {
  if (m.offset_expr) {
    out->append(" offset ");
    AppendDurationExpr(out, *m.offset_expr);
  } else if (m.offset_ms > 0) {
    out->append(" offset ");
    AppendMs(out, m.offset_ms);
  } else if (m.offset_ms < 0) {
    out->append(" offset -");
    AppendMs(out, -m.offset_ms);
  }
}

void AppendAt(std::string* out, const TimeModifiers& m) {
  if (m.timestamp_ms) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " @ %.3f", static_cast<double>(*m.timestamp_ms) / 1000.0);
    out->append(buf);
  } else if (m.at == AtModifier::kStart) {
    out->append(" @ start()");
  } else if (m.at == AtModifier::kEnd) {
    out->append(" @ end()");
  }
}

// The selector without its time modifiers: name{matchers}.
void AppendSelectorBody(std::string* out, const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const Matcher& m : vs.matchers) {
    if (m.name() == kMetricNameLabel && m.type() == MatchType::kEqual && m.value() == vs.name &&
        !m.value().empty()) {
      continue;
    }
    std::string s;
    if (IsLegacyLabelName(m.name())) {
      s = m.name();
    } else {
      AppendGoQuoted(&s, m.name());
    }
    StrAppend(&s, MatchTypeString(m.type()));
    AppendGoQuoted(&s, m.value());
    parts.push_back(std::move(s));
  }
  out->append(vs.name);
  // Prometheus prints nothing for a bare `{}` (info()'s second argument); we keep the braces so
  // that the output parses back.
  if (parts.empty() && vs.name.empty()) out->append("{}");
  if (parts.empty()) return;
  std::sort(parts.begin(), parts.end());
  out->push_back('{');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(parts[i]);
  }
  out->push_back('}');
}

void AppendRange(std::string* out, int64_t ms, const DurationExpr* expr) {
  if (expr) {
    AppendDurationExpr(out, *expr);
  } else {
    AppendMs(out, ms);
  }
}

}  // namespace

namespace printer_internal {

std::string AggregateHead(const AggregateExpr& a) {
  std::string out(AggregateOpString(a.op));
  if (a.without || !a.grouping.empty()) {
    out.append(a.without ? " without (" : " by (");
    AppendLabelList(&out, a.grouping);
    out.append(") ");
  }
  return out;
}

std::string BinaryModifiers(const BinaryExpr& b) {
  std::string out;
  if (b.return_bool) out.append(" bool");
  if (!b.matching) return out;
  const VectorMatching& vm = *b.matching;
  const bool grouped =
      vm.card == VectorMatching::Card::kManyToOne || vm.card == VectorMatching::Card::kOneToMany;
  if (!vm.labels.empty() || vm.on || grouped) {
    out.append(vm.on ? " on (" : " ignoring (");
    AppendLabelList(&out, vm.labels);
    out.push_back(')');
  }
  if (grouped) {
    out.append(vm.card == VectorMatching::Card::kManyToOne ? " group_left (" : " group_right (");
    AppendLabelList(&out, vm.include);
    out.push_back(')');
  }
  if (vm.fill_lhs && vm.fill_rhs && *vm.fill_lhs == *vm.fill_rhs) {
    out.append(" fill (");
    AppendNumber(&out, *vm.fill_lhs);
    out.push_back(')');
  } else {
    if (vm.fill_lhs) {
      out.append(" fill_left (");
      AppendNumber(&out, *vm.fill_lhs);
      out.push_back(')');
    }
    if (vm.fill_rhs) {
      out.append(" fill_right (");
      AppendNumber(&out, *vm.fill_rhs);
      out.push_back(')');
    }
  }
  return out;
}

std::string SubquerySuffix(const SubqueryExpr& s) {
  std::string out = "[";
  AppendRange(&out, s.range_ms, s.range_expr.get());
  out.push_back(':');
  if (s.step_ms != 0) {
    AppendMs(&out, s.step_ms);
  } else if (s.step_expr) {
    AppendDurationExpr(&out, *s.step_expr);
  }
  out.push_back(']');
  AppendAt(&out, s.mods);
  AppendOffset(&out, s.mods);
  return out;
}

}  // namespace printer_internal

void AppendString(std::string* out, const Expr& e) {
  switch (e.kind) {
    case Kind::kNumber: {
      const auto& n = static_cast<const NumberLiteral&>(e);
      if (!n.duration) {
        AppendNumber(out, n.value);
      } else if (n.value < 0) {
        out->push_back('-');
        AppendSecondsAsDuration(out, -n.value);
      } else {
        AppendSecondsAsDuration(out, n.value);
      }
      return;
    }
    case Kind::kString:
      AppendGoQuoted(out, static_cast<const StringLiteral&>(e).value);
      return;
    case Kind::kDuration:
      AppendDurationExpr(out, static_cast<const DurationExpr&>(e));
      return;
    case Kind::kVectorSelector: {
      const auto& vs = static_cast<const VectorSelector&>(e);
      AppendSelectorBody(out, vs);
      AppendAt(out, vs.mods);
      if (vs.anchored) out->append(" anchored");
      if (vs.smoothed) out->append(" smoothed");
      AppendOffset(out, vs.mods);
      return;
    }
    case Kind::kMatrixSelector: {
      const auto& ms = static_cast<const MatrixSelector&>(e);
      const VectorSelector& vs = ms.vector_selector();
      AppendSelectorBody(out, vs);
      out->push_back('[');
      AppendRange(out, ms.range_ms, ms.range_expr.get());
      out->push_back(']');
      if (vs.anchored) out->append(" anchored");
      if (vs.smoothed) out->append(" smoothed");
      AppendAt(out, vs.mods);
      AppendOffset(out, vs.mods);
      return;
    }
    case Kind::kSubquery: {
      const auto& s = static_cast<const SubqueryExpr&>(e);
      AppendString(out, *s.expr);
      out->append(printer_internal::SubquerySuffix(s));
      return;
    }
    case Kind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      out->append(printer_internal::AggregateHead(a));
      out->push_back('(');
      if (a.param) {
        AppendString(out, *a.param);
        out->append(", ");
      }
      AppendString(out, *a.expr);
      out->push_back(')');
      return;
    }
    case Kind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      AppendString(out, *b.lhs);
      StrAppend(out, " ", BinaryOpString(b.op), printer_internal::BinaryModifiers(b), " ");
      AppendString(out, *b.rhs);
      return;
    }
    case Kind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      out->push_back(u.negate ? '-' : '+');
      AppendString(out, *u.expr);
      return;
    }
    case Kind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      StrAppend(out, c.func->name, "(");
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out->append(", ");
        AppendString(out, *c.args[i]);
      }
      out->push_back(')');
      return;
    }
    case Kind::kParen:
      out->push_back('(');
      AppendString(out, *static_cast<const ParenExpr&>(e).expr);
      out->push_back(')');
      return;
  }
}

std::string ToString(const Expr& e) {
  std::string out;
  AppendString(&out, e);
  return out;
}

}  // namespace sundial::promql
