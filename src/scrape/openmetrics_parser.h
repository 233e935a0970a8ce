// Parser for OpenMetrics 1.0 text (Content-Type application/openmetrics-text), with the syntax
// rules of Prometheus' openmetricsparse: single spaces between tokens, no blank lines or free
// comments, `# EOF` required as the last line, timestamps in (float) seconds, exemplars after
// ` # ` on _total and _bucket lines. Stricter than Prometheus where the spec says MUST: a metric
// family may appear only once, its metadata precedes its samples, each metadata line at most once.
// See parser.h for the calling contract.
#ifndef SUNDIAL_SCRAPE_OPENMETRICS_PARSER_H_
#define SUNDIAL_SCRAPE_OPENMETRICS_PARSER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "scrape/parser.h"

namespace sundial::scrape {

class OpenMetricsParser final : public Parser {
 public:
  struct Options {
    // When true, `<family>_created` samples of counters, histograms and summaries are not
    // returned by Next(); CreatedTimestamp() reports them on the family's other series.
    bool created_timestamps = false;
  };

  // body must outlive the parser.
  explicit OpenMetricsParser(std::string_view body) : OpenMetricsParser(body, Options()) {}
  OpenMetricsParser(std::string_view body, Options options) : body_(body), options_(options) {}
  // The parser keeps views into body: a temporary would dangle.
  explicit OpenMetricsParser(std::string&&) = delete;
  OpenMetricsParser(std::string&&, Options) = delete;

  absl::StatusOr<Entry> Next() override;
  bool Exemplar(scrape::Exemplar* e) override;
  // With Options::created_timestamps: the value of the first later `_created` line of the current
  // family whose labels equal the current series' labels apart from `le` and `quantile`, in ms.
  // Labels are compared in the order written.
  std::optional<int64_t> CreatedTimestamp() override;

 private:
  bool AtEnd(size_t i) const { return i >= body_.size(); }
  char At(size_t i) const { return i < body_.size() ? body_[i] : '\0'; }
  // The promlex token starting at i in the given lexer state, for error messages.
  std::string_view LabelSetToken(size_t i) const;
  std::string_view SpaceToken(size_t i, std::string_view token) const;
  // At " # {": the start of an exemplar.
  bool AtExemplar(size_t i) const;

  absl::StatusOr<Entry> ParseMetadata(size_t p);
  absl::StatusOr<Entry> ParseSeries();
  absl::Status ParseLabels(std::vector<LabelSpan>* out);
  // Reads `{S}[^ \n]+` at pos_ and returns the text after the space, or "" when absent.
  std::string_view ReadSpacedToken();
  absl::Status ParseLineEnd();
  absl::Status ParseExemplar();

  absl::Status EnterFamily(std::string_view name);
  bool InFamily(std::string_view metric_name) const;
  bool IsCreatedSeries() const;
  // The current series' labels without le/quantile, as a comparable key.
  void CreatedKey(std::string* key) const;

  std::string_view body_;
  Options options_;
  size_t pos_ = 0;
  bool done_ = false;

  // Exemplar of the current series.
  bool has_exemplar_ = false;
  std::vector<LabelSpan> exemplar_labels_;
  double exemplar_value_ = 0;
  std::optional<int64_t> exemplar_ts_;

  // Metric family tracking.
  std::string_view family_;
  MetricType family_type_ = MetricType::kUnknown;
  uint32_t family_serial_ = 0;
  bool family_has_samples_ = false, family_has_type_ = false, family_has_help_ = false,
       family_has_unit_ = false;
  absl::flat_hash_set<std::string_view> families_seen_;  // views into body_

  // CreatedTimestamp() cache: one lookahead per family and label set.
  uint32_t ct_serial_ = 0;
  std::string ct_key_, ct_scratch_;
  std::optional<int64_t> ct_value_;
};

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_OPENMETRICS_PARSER_H_
