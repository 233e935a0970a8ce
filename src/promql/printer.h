// AST -> PromQL text.
//
//   ToString(*Parse("sum(rate(x[5m]))by(job)").value()) == "sum by (job) (rate(x[5m]))"
//
// ToString prints the canonical one-line form of Prometheus' String(); Prettify the multi-line
// form of Prometheus' Pretty()/format_query (lines split when longer than 100 characters, two
// spaces of indentation per level).
#ifndef SUNDIAL_PROMQL_PRINTER_H_
#define SUNDIAL_PROMQL_PRINTER_H_

#include <string>

#include "promql/ast.h"

namespace sundial::promql {

std::string ToString(const Expr& e);
void AppendString(std::string* out, const Expr& e);

std::string Prettify(const Expr& e);

// Parts of the one-line form the pretty printer reuses.
namespace printer_internal {
// "sum by (job) " / "sum without () " / "sum": an aggregation without its arguments.
std::string AggregateHead(const AggregateExpr& a);
// " bool on (a) group_left (b) fill (0)": what follows a binary operator.
std::string BinaryModifiers(const BinaryExpr& b);
// "[5m:1m] @ 100.000 offset 1m".
std::string SubquerySuffix(const SubqueryExpr& s);
}  // namespace printer_internal

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_PRINTER_H_
