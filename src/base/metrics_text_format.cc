#include "base/metrics_text_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <numeric>

namespace sundial::metrics {
namespace {

// Backslash and newline always; the double quote only inside label values.
void AppendEscaped(std::string* out, std::string_view s, bool escape_quote) {
  for (char c : s) {
    if (c == '\\') {
      out->append("\\\\");
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '"' && escape_quote) {
      out->append("\\\"");
    } else {
      out->push_back(c);
    }
  }
}

// One sample line: name+suffix{labels in `order`, extra="..."} value (extra: le or quantile)
void AppendSample(std::string* out, const FamilySnapshot& family, const std::vector<size_t>& order,
                  const MetricSnapshot& metric, std::string_view suffix,
                  std::string_view extra_name, double extra_value, double value) {
  out->append(family.name);
  out->append(suffix);
  if (!order.empty() || !extra_name.empty()) {
    out->push_back('{');
    bool first = true;
    for (size_t i : order) {
      if (!first) out->push_back(',');
      first = false;
      out->append(family.label_names[i]);
      out->append("=\"");
      if (i < metric.label_values.size()) AppendEscaped(out, metric.label_values[i], true);
      out->push_back('"');
    }
    if (!extra_name.empty()) {
      if (!first) out->push_back(',');
      out->append(extra_name);
      out->append("=\"");
      AppendFloat(out, extra_value);
      out->push_back('"');
    }
    out->push_back('}');
  }
  out->push_back(' ');
  AppendFloat(out, value);
  out->push_back('\n');
}

void AppendFamily(FamilySnapshot* family, std::string* out) {
  std::vector<size_t> order(family->label_names.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return family->label_names[a] < family->label_names[b]; });
  auto value_at = [](const MetricSnapshot& m, size_t i) -> std::string_view {
    return i < m.label_values.size() ? std::string_view(m.label_values[i]) : std::string_view();
  };
  std::stable_sort(family->metrics.begin(), family->metrics.end(),
                   [&](const MetricSnapshot& a, const MetricSnapshot& b) {
                     for (size_t i : order) {
                       int c = value_at(a, i).compare(value_at(b, i));
                       if (c != 0) return c < 0;
                     }
                     return false;
                   });

  out->append("# HELP ");
  out->append(family->name);
  out->push_back(' ');
  AppendEscaped(out, family->help, false);
  out->append("\n# TYPE ");
  out->append(family->name);
  out->push_back(' ');
  out->append(MetricTypeName(family->type));
  out->push_back('\n');

  for (const MetricSnapshot& m : family->metrics) {
    if (family->type == MetricType::kSummary) {
      for (const SummaryQuantile& q : m.quantiles) {
        AppendSample(out, *family, order, m, "", "quantile", q.quantile, q.value);
      }
      AppendSample(out, *family, order, m, "_sum", "", 0, m.sum);
      AppendSample(out, *family, order, m, "_count", "", 0, static_cast<double>(m.count));
      continue;
    }
    if (family->type != MetricType::kHistogram) {
      AppendSample(out, *family, order, m, "", "", 0, m.value);
      continue;
    }
    bool inf_seen = false;
    for (const HistogramBucket& b : m.buckets) {
      AppendSample(out, *family, order, m, "_bucket", "le", b.upper_bound,
                   static_cast<double>(b.cumulative_count));
      if (std::isinf(b.upper_bound) && b.upper_bound > 0) inf_seen = true;
    }
    if (!inf_seen) {
      AppendSample(out, *family, order, m, "_bucket", "le", INFINITY, static_cast<double>(m.count));
    }
    AppendSample(out, *family, order, m, "_sum", "", 0, m.sum);
    AppendSample(out, *family, order, m, "_count", "", 0, static_cast<double>(m.count));
  }
}

}  // namespace

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kUntyped:
      break;
  }
  return "untyped";
}

void AppendFloat(std::string* out, double v) {
  if (v == 0) {  // also -0, as expfmt's writeFloat
    out->push_back('0');
    return;
  }
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  // Shortest round-trip digits in exponent form: "d.ddde+XX" (at least two exponent digits,
  // like Go). Its exponent decides between that and the plain form, as Go's 'g' with
  // precision -1 does (eprec 6).
  char buf[64];
  char* end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific).ptr;
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  size_t e = sci.rfind('e');
  int exp = 0;
  std::from_chars(sci.data() + e + 2, sci.data() + sci.size(), exp);
  if (sci[e + 1] == '-') exp = -exp;
  if (exp < -4 || exp >= 6) {
    out->append(sci);
    return;
  }
  end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed).ptr;
  out->append(buf, end);
}

std::string FormatFloat(double v) {
  std::string out;
  AppendFloat(&out, v);
  return out;
}

void AppendTextFormat(std::vector<FamilySnapshot>* families, std::string* out) {
  std::stable_sort(
      families->begin(), families->end(),
      [](const FamilySnapshot& a, const FamilySnapshot& b) { return a.name < b.name; });
  for (FamilySnapshot& family : *families) {
    if (!family.metrics.empty()) AppendFamily(&family, out);
  }
}

}  // namespace sundial::metrics
