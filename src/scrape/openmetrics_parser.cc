// OpenMetrics 1.0 text. Token names in error messages ("INVALID", "BCLOSE", ...) are those of
// Prometheus' openmetrics lexer so that errors read the same.
#include "scrape/openmetrics_parser.h"

#include <cmath>

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "scrape/internal/lex.h"

namespace sundial::scrape {
namespace {

using internal::TokenError;

constexpr char kEofError[] = "data does not end with # EOF";

// Go's string(byte): bytes >= 0x80 become the UTF-8 encoding of U+0080..U+00FF.
std::string GoByteString(std::string_view body, size_t i) {
  if (i >= body.size()) return "";
  unsigned char c = static_cast<unsigned char>(body[i]);
  if (c < 0x80) return std::string(1, static_cast<char>(c));
  return {static_cast<char>(0xc0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3f))};
}

bool HasSuffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Seconds as a float to milliseconds; false when the result does not fit.
bool SecondsToMillis(double seconds, int64_t* ms) {
  if (std::isnan(seconds) || std::isinf(seconds)) return false;
  double v = seconds * 1000;
  if (!(v > -9.2233720368547758e18 && v < 9.2233720368547758e18)) return false;
  *ms = static_cast<int64_t>(v);
  return true;
}

}  // namespace

std::string_view OpenMetricsParser::LabelSetToken(size_t i) const {
  if (AtEnd(i)) return "EOF";
  char c = body_[i];
  if (c == '}') return "BCLOSE";
  if (c == '=') return "EQUAL";
  if (c == ',') return "COMMA";
  if (internal::IsLabelNameStart(c)) return "LNAME";
  return "INVALID";
}

std::string_view OpenMetricsParser::SpaceToken(size_t i, std::string_view token) const {
  if (AtEnd(i)) return "EOF";
  if (body_[i] == '\n') return "LINEBREAK";
  if (body_[i] == ' ' && !AtEnd(i + 1) && body_[i + 1] != ' ' && body_[i + 1] != '\n') {
    return token;
  }
  return "INVALID";
}

bool OpenMetricsParser::AtExemplar(size_t i) const { return body_.substr(i, 4) == " # {"; }

absl::StatusOr<Entry> OpenMetricsParser::Next() {
  for (;;) {
    if (done_) return Entry::kEof;
    if (AtEnd(pos_)) return absl::InvalidArgumentError(kEofError);
    char c = body_[pos_];
    if (internal::IsMetricNameStart(c)) {
      ASSIGN_OR_RETURN(Entry e, ParseSeries());
      if (options_.created_timestamps && IsCreatedSeries()) continue;
      return e;
    }
    size_t fail = pos_;
    if (c == '#') {
      fail = pos_ + 1;
      if (At(pos_ + 1) == ' ') {
        const size_t p = pos_ + 2;
        std::string_view rest = body_.substr(p);
        if (rest.starts_with("HELP ") || rest.starts_with("TYPE ") || rest.starts_with("UNIT ")) {
          return ParseMetadata(p);
        }
        if (rest.starts_with("EOF")) {
          size_t end = p + 3;
          if (At(end) == '\n') ++end;
          if (!AtEnd(end)) return absl::InvalidArgumentError("unexpected data after # EOF");
          pos_ = end;
          done_ = true;
          return Entry::kEof;
        }
        // The lexer fails at the first byte that no keyword continues with.
        size_t longest = 0;
        for (std::string_view word : {"HELP ", "TYPE ", "UNIT ", "EOF"}) {
          size_t n = 0;
          while (n < word.size() && n < rest.size() && rest[n] == word[n]) ++n;
          longest = std::max(longest, n);
        }
        fail = p + longest;
      }
    }
    return absl::InvalidArgumentError(StrCat(GoQuote("INVALID"), " ",
                                             GoQuote(GoByteString(body_, fail)),
                                             " is not a valid start token"));
  }
}

absl::StatusOr<Entry> OpenMetricsParser::ParseMetadata(size_t p) {
  const std::string_view keyword = body_.substr(p, 4);
  p += 5;
  if (!internal::IsMetricNameStart(At(p)) || AtEnd(p)) {
    return TokenError(StrCat("expected metric name after ", keyword), AtEnd(p) ? "EOF" : "INVALID");
  }
  size_t name_end = p + 1;
  while (!AtEnd(name_end) && internal::IsMetricNameChar(body_[name_end])) ++name_end;
  metadata_name_ = body_.substr(p, name_end - p);
  size_t eol = body_.find('\n', name_end);
  if (At(name_end) != ' ' || eol == std::string_view::npos) {
    return absl::InvalidArgumentError(StrCat("expected text in ", keyword));
  }
  std::string_view text = body_.substr(name_end + 1, eol - name_end - 1);
  pos_ = eol + 1;

  RETURN_IF_ERROR(EnterFamily(metadata_name_));
  bool* seen = keyword == "HELP"   ? &family_has_help_
               : keyword == "TYPE" ? &family_has_type_
                                   : &family_has_unit_;
  if (*seen || family_has_samples_) {
    return absl::InvalidArgumentError(StrCat(*seen ? "duplicate " : "", keyword,
                                             " line for metric family ", GoQuote(metadata_name_),
                                             family_has_samples_ ? " after its samples" : ""));
  }
  *seen = true;

  if (keyword == "TYPE") {
    static constexpr MetricType kTypes[] = {MetricType::kCounter,   MetricType::kGauge,
                                            MetricType::kHistogram, MetricType::kGaugeHistogram,
                                            MetricType::kSummary,   MetricType::kInfo,
                                            MetricType::kStateset,  MetricType::kUnknown};
    for (MetricType t : kTypes) {
      if (text == MetricTypeName(t)) {
        type_ = family_type_ = t;
        return Entry::kType;
      }
    }
    return absl::InvalidArgumentError(StrCat("invalid metric type ", GoQuote(text)));
  }
  if (keyword == "HELP") {
    if (!IsValidUtf8(text)) {
      return absl::InvalidArgumentError("help text is not a valid utf8 string");
    }
    text_ = internal::UnescapeLabelValue(text, &text_scratch_);
    return Entry::kHelp;
  }
  if (!text.empty() && !HasSuffix(metadata_name_, StrCat("_", text))) {
    return absl::InvalidArgumentError(
        StrCat("unit not a suffix of metric ", GoQuote(metadata_name_)));
  }
  text_ = text;
  return Entry::kUnit;
}

absl::StatusOr<Entry> OpenMetricsParser::ParseSeries() {
  const size_t start = pos_;
  size_t name_end = pos_ + 1;
  while (!AtEnd(name_end) && internal::IsMetricNameChar(body_[name_end])) ++name_end;
  metric_name_ = body_.substr(start, name_end - start);
  series_ = metric_name_;
  labels_.clear();
  has_exemplar_ = false;
  timestamp_ms_.reset();
  pos_ = name_end;
  if (At(pos_) == '{' && !AtEnd(pos_)) {
    ++pos_;
    RETURN_IF_ERROR(ParseLabels(&labels_));
    series_ = body_.substr(start, pos_ - start);
  }
  if (!InFamily(metric_name_)) RETURN_IF_ERROR(EnterFamily(metric_name_));
  family_has_samples_ = true;

  std::string_view value = ReadSpacedToken();
  if (value.empty()) {
    return TokenError("expected value after metric",
                      At(pos_) == '{' && !AtEnd(pos_) ? "BOPEN" : SpaceToken(pos_, "VALUE"));
  }
  ASSIGN_OR_RETURN(value_, internal::ParseGoFloat(value));
  RETURN_IF_ERROR(ParseLineEnd());
  return Entry::kSeries;
}

std::string_view OpenMetricsParser::ReadSpacedToken() {
  if (SpaceToken(pos_, "X") != "X") return {};
  size_t end = pos_ + 1;
  while (!AtEnd(end) && body_[end] != ' ' && body_[end] != '\n') ++end;
  std::string_view token = body_.substr(pos_ + 1, end - pos_ - 1);
  pos_ = end;
  return token;
}

absl::Status OpenMetricsParser::ParseLineEnd() {
  if (AtEnd(pos_)) return absl::InvalidArgumentError(kEofError);
  if (body_[pos_] == '\n') {
    ++pos_;
    return absl::OkStatus();
  }
  if (AtExemplar(pos_)) return ParseExemplar();
  std::string_view ts = ReadSpacedToken();
  if (ts.empty())
    return TokenError("expected timestamp or # symbol", SpaceToken(pos_, "TIMESTAMP"));
  ASSIGN_OR_RETURN(double seconds, internal::ParseGoFloat(ts));
  int64_t ms = 0;
  if (!SecondsToMillis(seconds, &ms)) return absl::InvalidArgumentError("invalid timestamp");
  timestamp_ms_ = ms;
  if (At(pos_) == '\n' && !AtEnd(pos_)) {
    ++pos_;
    return absl::OkStatus();
  }
  if (!AtEnd(pos_) && AtExemplar(pos_)) return ParseExemplar();
  return TokenError("expected next entry after timestamp", SpaceToken(pos_, "TIMESTAMP"));
}

absl::Status OpenMetricsParser::ParseExemplar() {
  if (!HasSuffix(metric_name_, "_total") && !HasSuffix(metric_name_, "_bucket")) {
    return absl::InvalidArgumentError(
        StrCat("metric name ", metric_name_, " does not support exemplars"));
  }
  pos_ += 4;  // " # {"
  exemplar_labels_.clear();
  RETURN_IF_ERROR(ParseLabels(&exemplar_labels_));
  std::string_view value = ReadSpacedToken();
  if (value.empty()) {
    return TokenError("expected value after exemplar labels", SpaceToken(pos_, "VALUE"));
  }
  ASSIGN_OR_RETURN(exemplar_value_, internal::ParseGoFloat(value));
  exemplar_ts_.reset();
  if (AtEnd(pos_)) return absl::InvalidArgumentError(kEofError);
  if (body_[pos_] != '\n') {
    std::string_view ts = ReadSpacedToken();
    if (ts.empty())
      return TokenError("expected timestamp or comment", SpaceToken(pos_, "TIMESTAMP"));
    ASSIGN_OR_RETURN(double seconds, internal::ParseGoFloat(ts));
    int64_t ms = 0;
    if (!SecondsToMillis(seconds, &ms)) {
      return absl::InvalidArgumentError("invalid exemplar timestamp");
    }
    exemplar_ts_ = ms;
    if (AtEnd(pos_) || body_[pos_] != '\n') {
      return TokenError("expected next entry after exemplar timestamp",
                        SpaceToken(pos_, "TIMESTAMP"));
    }
  }
  ++pos_;
  has_exemplar_ = true;
  return absl::OkStatus();
}

absl::Status OpenMetricsParser::ParseLabels(std::vector<LabelSpan>* out) {
  for (bool first = true;; first = false) {
    std::string_view token = LabelSetToken(pos_);
    if (token == "BCLOSE") {
      ++pos_;
      return absl::OkStatus();
    }
    if (token == "COMMA") {
      if (first) return TokenError("expected label name or left brace", token);
      ++pos_;
      if (LabelSetToken(pos_) != "LNAME") {
        return TokenError("expected label name", LabelSetToken(pos_));
      }
    } else if (token == "LNAME") {
      if (!first) return TokenError("expected comma", token);
    } else {
      return TokenError(
          first ? "expected label name or left brace" : "expected comma or left brace", token);
    }
    const size_t name_start = pos_;
    while (!AtEnd(pos_) && internal::IsLabelNameChar(body_[pos_])) ++pos_;
    std::string_view name = body_.substr(name_start, pos_ - name_start);
    if (At(pos_) != '=' || AtEnd(pos_)) return TokenError("expected equal", LabelSetToken(pos_));
    ++pos_;
    if (AtEnd(pos_)) return TokenError("expected label value", "EOF");
    if (body_[pos_] != '"') return TokenError("expected label value", "INVALID");
    // "(\\.|[^\\"\n])*"
    size_t i = pos_ + 1;
    for (;;) {
      if (AtEnd(i) || body_[i] == '\n') return TokenError("expected label value", "INVALID");
      if (body_[i] == '"') break;
      if (body_[i] == '\\') {
        if (AtEnd(i + 1) || body_[i + 1] == '\n') {
          return TokenError("expected label value", "INVALID");
        }
        i += 2;
      } else {
        ++i;
      }
    }
    std::string_view raw = body_.substr(pos_ + 1, i - pos_ - 1);
    if (!IsValidUtf8(raw)) return absl::InvalidArgumentError("invalid UTF-8 label value");
    out->push_back({name, raw});
    pos_ = i + 1;
  }
}

absl::Status OpenMetricsParser::EnterFamily(std::string_view name) {
  if (name == family_) return absl::OkStatus();
  if (!families_seen_.insert(name).second) {
    return absl::InvalidArgumentError(
        StrCat("metric family ", GoQuote(name), " appears more than once"));
  }
  family_ = name;
  family_type_ = MetricType::kUnknown;
  ++family_serial_;
  family_has_samples_ = family_has_type_ = family_has_help_ = family_has_unit_ = false;
  return absl::OkStatus();
}

bool OpenMetricsParser::InFamily(std::string_view metric_name) const {
  if (family_.empty() || !metric_name.starts_with(family_)) return false;
  std::string_view suffix = metric_name.substr(family_.size());
  if (suffix.empty()) return true;
  auto any_of = [suffix](std::initializer_list<std::string_view> allowed) {
    for (std::string_view a : allowed) {
      if (suffix == a) return true;
    }
    return false;
  };
  switch (family_type_) {
    case MetricType::kCounter:
      return any_of({"_total", "_created"});
    case MetricType::kHistogram:
      return any_of({"_bucket", "_count", "_sum", "_created"});
    case MetricType::kGaugeHistogram:
      return any_of({"_bucket", "_gcount", "_gsum"});
    case MetricType::kSummary:
      return any_of({"_count", "_sum", "_created"});
    case MetricType::kInfo:
      return suffix == "_info";
    default:
      return false;
  }
}

bool OpenMetricsParser::IsCreatedSeries() const {
  return (family_type_ == MetricType::kCounter || family_type_ == MetricType::kHistogram ||
          family_type_ == MetricType::kSummary) &&
         metric_name_.size() == family_.size() + 8 && metric_name_.ends_with("_created");
}

void OpenMetricsParser::CreatedKey(std::string* key) const {
  key->clear();
  for (const LabelSpan& l : labels_) {
    if (l.name == "le" || l.name == "quantile") continue;
    StrAppend(key, l.name, '\xff', l.raw_value, '\xff');
  }
}

std::optional<int64_t> OpenMetricsParser::CreatedTimestamp() {
  if (!options_.created_timestamps || IsCreatedSeries() ||
      !(family_type_ == MetricType::kCounter || family_type_ == MetricType::kHistogram ||
        family_type_ == MetricType::kSummary)) {
    return std::nullopt;
  }
  CreatedKey(&ct_scratch_);
  if (ct_serial_ == family_serial_ && ct_scratch_ == ct_key_) return ct_value_;
  ct_serial_ = family_serial_;
  ct_key_.swap(ct_scratch_);
  ct_value_.reset();

  OpenMetricsParser ahead(body_.substr(pos_));
  ahead.family_ = family_;
  ahead.family_type_ = family_type_;
  for (;;) {
    absl::StatusOr<Entry> e = ahead.Next();
    if (!e.ok() || *e != Entry::kSeries || !InFamily(ahead.metric_name_)) break;
    if (!ahead.IsCreatedSeries()) continue;
    ahead.CreatedKey(&ct_scratch_);
    int64_t ms = 0;
    if (ct_scratch_ == ct_key_ && SecondsToMillis(ahead.value_, &ms)) {
      ct_value_ = ms;
      break;
    }
  }
  return ct_value_;
}

bool OpenMetricsParser::Exemplar(scrape::Exemplar* e) {
  if (!has_exemplar_) return false;
  LabelsBuilder b;
  std::string scratch;
  for (const LabelSpan& l : exemplar_labels_) {
    b.Set(l.name, internal::UnescapeLabelValue(l.raw_value, &scratch));
  }
  e->labels = b.Build();
  e->value = exemplar_value_;
  e->timestamp_ms = exemplar_ts_;
  return true;
}

}  // namespace sundial::scrape
