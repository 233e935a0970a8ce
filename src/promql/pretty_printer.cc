// Prometheus' Pretty(): a node that prints longer than 100 characters on one line is split,
// its children indented by two spaces per level.
#include <string>

#include "promql/functions.h"
#include "promql/printer.h"

namespace sundial::promql {
namespace {

constexpr size_t kMaxLineLength = 100;

std::string Indent(int level) { return std::string(2 * level, ' '); }

bool NeedsSplit(const Expr& e) { return ToString(e).size() > kMaxLineLength; }

std::string Pretty(const Expr& e, int level) {
  switch (e.kind) {
    case Kind::kAggregate: {
      const auto& a = static_cast<const AggregateExpr&>(e);
      if (!NeedsSplit(e)) return Indent(level) + ToString(e);
      std::string s = Indent(level) + printer_internal::AggregateHead(a) + "(\n";
      if (a.param) s += Pretty(*a.param, level + 1) + ",\n";
      return s + Pretty(*a.expr, level + 1) + "\n" + Indent(level) + ")";
    }
    case Kind::kBinary: {
      const auto& b = static_cast<const BinaryExpr&>(e);
      if (!NeedsSplit(e)) return Indent(level) + ToString(e);
      return Pretty(*b.lhs, level + 1) + "\n" + Indent(level) + std::string(BinaryOpString(b.op)) +
             printer_internal::BinaryModifiers(b) + "\n" + Pretty(*b.rhs, level + 1);
    }
    case Kind::kCall: {
      const auto& c = static_cast<const Call&>(e);
      if (!NeedsSplit(e)) return Indent(level) + ToString(e);
      std::string s = Indent(level) + std::string(c.func->name) + "(\n";
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) s += ",\n";
        s += Pretty(*c.args[i], level + 1);
      }
      return s + "\n" + Indent(level) + ")";
    }
    case Kind::kParen: {
      if (!NeedsSplit(e)) return Indent(level) + ToString(e);
      return Indent(level) + "(\n" + Pretty(*static_cast<const ParenExpr&>(e).expr, level + 1) +
             "\n" + Indent(level) + ")";
    }
    case Kind::kSubquery: {
      // As in Prometheus, a subquery that fits is not indented.
      const auto& s = static_cast<const SubqueryExpr&>(e);
      if (!NeedsSplit(e)) return ToString(e);
      return Pretty(*s.expr, level) + printer_internal::SubquerySuffix(s);
    }
    case Kind::kUnary: {
      const auto& u = static_cast<const UnaryExpr&>(e);
      std::string child = Pretty(*u.expr, level);
      size_t first = child.find_first_not_of(" \t\n\r");
      size_t last = child.find_last_not_of(" \t\n\r");
      child = first == std::string::npos ? "" : child.substr(first, last - first + 1);
      return Indent(level) + (u.negate ? "-" : "+") + child;
    }
    default:
      return Indent(level) + ToString(e);
  }
}

}  // namespace

std::string Prettify(const Expr& e) { return Pretty(e, 0); }

}  // namespace sundial::promql
