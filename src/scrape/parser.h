// The pull-style exposition parser interface shared by the Prometheus text (0.0.4) and
// OpenMetrics (1.0) parsers, modelled on Prometheus' textparse.Parser.
//
//   TextParser p(body);
//   for (;;) {
//     ASSIGN_OR_RETURN(Entry e, p.Next());
//     if (e == Entry::kEof) break;
//     if (e != Entry::kSeries) continue;
//     auto it = cache.find(p.Series());          // raw series bytes key the scrape cache
//     if (it == cache.end()) p.Labels(&builder);  // decode labels only on a miss
//     Append(..., p.Timestamp().value_or(now), p.Value());
//   }
//
// Lifetimes: every string_view returned points into the body passed to the constructor (or into
// the parser's own scratch space) and stays valid only until the next call to Next(). The body
// must outlive the parser. A parser allocates nothing per sample once its scratch buffers have
// grown to the widest line. Parsers are not thread-safe. Any byte sequence is accepted as input:
// bad input yields an error status, never a crash or a hang. After an error, stop calling Next().
#ifndef SUNDIAL_SCRAPE_PARSER_H_
#define SUNDIAL_SCRAPE_PARSER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/labels.h"
#include "model/metric_type.h"

namespace sundial::scrape {

enum class Entry { kSeries, kHelp, kType, kUnit, kComment, kEof };

struct Exemplar {
  sundial::Labels labels;
  double value = 0;
  std::optional<int64_t> timestamp_ms;
};

class Parser {
 public:
  virtual ~Parser() = default;

  // Advances to the next entry. Returns kEof at the end of the body; errors use Prometheus'
  // wording (e.g. `expected equal, got "INVALID"`).
  virtual absl::StatusOr<Entry> Next() = 0;

  // REQUIRES: the last Next() returned kSeries.
  // The raw series text (metric name and label set exactly as written): a cache key.
  std::string_view Series() const { return series_; }
  double Value() const { return value_; }
  // Milliseconds since the epoch, when the line carries a timestamp.
  std::optional<int64_t> Timestamp() const { return timestamp_ms_; }
  // Resets *builder to the decoded labels of the current series, __name__ included.
  // REQUIRES: !SeriesExpected().
  void Labels(LabelsBuilder* builder);

  // A hint for the next series line (kept across other entries): the raw text of the series the
  // caller expects there, e.g. the key of the same line in the last scrape; empty for none. It
  // must stay valid until that line is parsed. When the line's series text is exactly it, a
  // parser may skip decoding its labels (it parsed without error before, and the same bytes
  // parse the same way) and then SeriesExpected() is true. Nothing else changes: values,
  // timestamps, errors.
  void ExpectSeries(std::string_view series) { expected_ = series; }
  // REQUIRES: the last Next() returned kSeries. Its series was the ExpectSeries() hint and its
  // labels were not decoded.
  bool SeriesExpected() const { return series_expected_; }
  // Fills *e and returns true iff the current series carries an exemplar.
  virtual bool Exemplar(scrape::Exemplar* e) { return false; }
  // The created timestamp of the current series in ms, when the format has one and the parser
  // was asked to track them.
  virtual std::optional<int64_t> CreatedTimestamp() { return std::nullopt; }

  // REQUIRES: the last Next() returned kHelp, kType or kUnit.
  std::string_view MetadataName() const { return metadata_name_; }
  // REQUIRES: kHelp. The help text with escapes resolved.
  std::string_view Help() const { return text_; }
  // REQUIRES: kType.
  MetricType Type() const { return type_; }
  // REQUIRES: kUnit.
  std::string_view Unit() const { return text_; }
  // REQUIRES: kComment. The whole comment line, '#' included, newline excluded.
  std::string_view Comment() const { return text_; }

 protected:
  struct LabelSpan {
    std::string_view name;
    std::string_view raw_value;  // still escaped, quotes stripped
  };

  std::string_view series_;
  std::string_view metric_name_;
  std::vector<LabelSpan> labels_;
  double value_ = 0;
  std::optional<int64_t> timestamp_ms_;
  std::string_view expected_;  // ExpectSeries
  bool series_expected_ = false;

  std::string_view metadata_name_;
  std::string_view text_;
  MetricType type_ = MetricType::kUnknown;
  std::string text_scratch_;  // backs text_ when escapes had to be resolved

 private:
  std::string value_scratch_;
};

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_PARSER_H_
