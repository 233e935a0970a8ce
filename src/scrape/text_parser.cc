// Prometheus text format 0.0.4. The token names in error messages ("INVALID", "EQUAL", ...) are
// those of Prometheus' promlex so that errors read the same.
#include "scrape/text_parser.h"

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "scrape/internal/lex.h"

namespace sundial::scrape {
namespace {

using internal::TokenError;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The promlex token starting with c inside a label set.
std::string_view LabelSetToken(char c) {
  if (c == '}') return "BCLOSE";
  if (c == '=') return "EQUAL";
  if (c == ',') return "COMMA";
  if (internal::IsLabelNameStart(c)) return "LNAME";
  return "INVALID";
}

}  // namespace

void TextParser::SkipBlanks() {
  while (pos_ < body_.size() && IsBlank(body_[pos_])) ++pos_;
}

std::string_view TextParser::RestOfLine() {
  size_t begin = std::min(pos_, body_.size());
  size_t eol = body_.find('\n', begin);
  if (eol == std::string_view::npos) eol = body_.size();
  pos_ = eol + 1;
  return body_.substr(begin, eol - begin);
}

absl::StatusOr<Entry> TextParser::Next() {
  for (;;) {
    SkipBlanks();
    if (pos_ > body_.size()) return Entry::kEof;
    char c = At(pos_);
    if (c == '\n') {
      ++pos_;
      continue;
    }
    if (c == '\0') {
      pos_ = body_.size() + 1;
      return Entry::kEof;
    }
    if (c == '#') return ParseHashLine();
    if (internal::IsMetricNameStart(c)) return ParseSeries();
    return absl::InvalidArgumentError(StrCat(GoQuote("INVALID"), " is not a valid start token"));
  }
}

absl::StatusOr<Entry> TextParser::ParseHashLine() {
  const size_t line_start = pos_;
  size_t p = pos_ + 1;
  bool help = false, type = false;
  if (IsBlank(At(p))) {
    while (IsBlank(At(p))) ++p;
    std::string_view word = body_.substr(std::min(p, body_.size()), 4);
    if ((word == "HELP" || word == "TYPE") && IsBlank(At(p + 4))) {
      help = word == "HELP";
      type = !help;
      p += 4;
    }
  }
  if (!help && !type) {
    pos_ = line_start;
    text_ = RestOfLine();
    return Entry::kComment;
  }
  while (IsBlank(At(p))) ++p;
  if (!internal::IsMetricNameStart(At(p))) {
    return TokenError(help ? "expected metric name after HELP" : "expected metric name after TYPE",
                      "INVALID");
  }
  size_t name_end = p + 1;
  while (internal::IsMetricNameChar(At(name_end))) ++name_end;
  metadata_name_ = body_.substr(p, name_end - p);
  pos_ = name_end;
  std::string_view rest = RestOfLine();
  // The first character after the name separates it from the text and is not part of it.
  std::string_view text = rest.size() > 1 ? rest.substr(1) : std::string_view();
  if (type) {
    if (text == "counter") {
      type_ = MetricType::kCounter;
    } else if (text == "gauge") {
      type_ = MetricType::kGauge;
    } else if (text == "histogram") {
      type_ = MetricType::kHistogram;
    } else if (text == "summary") {
      type_ = MetricType::kSummary;
    } else if (text == "untyped") {
      type_ = MetricType::kUnknown;
    } else {
      return absl::InvalidArgumentError(StrCat("invalid metric type ", GoQuote(text)));
    }
    return Entry::kType;
  }
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError("help text is not a valid utf8 string");
  }
  text_ = internal::UnescapeHelp(text, &text_scratch_);
  return Entry::kHelp;
}

bool TextParser::SkipExpectedSeries() {
  const size_t start = pos_;
  if (expected_.empty() || !body_.substr(start).starts_with(expected_)) return false;
  size_t end = start + expected_.size();
  // A series text ends with the '}' of its label set, or is a bare metric name that the next
  // character must end and that no label set may follow.
  if (expected_.back() != '}') {
    if (internal::IsMetricNameChar(At(end))) return false;
    size_t p = end;
    while (IsBlank(At(p))) ++p;
    if (At(p) == '{') return false;
  }
  series_ = body_.substr(start, expected_.size());
  pos_ = end;
  return true;
}

absl::StatusOr<Entry> TextParser::ParseSeries() {
  series_expected_ = SkipExpectedSeries();
  if (series_expected_) {
    SkipBlanks();
  } else {
    const size_t start = pos_;
    size_t name_end = pos_ + 1;
    while (internal::IsMetricNameChar(At(name_end))) ++name_end;
    metric_name_ = body_.substr(start, name_end - start);
    series_ = metric_name_;
    labels_.clear();
    pos_ = name_end;
    SkipBlanks();
    if (At(pos_) == '{') {
      ++pos_;
      RETURN_IF_ERROR(ParseLabels());
      series_ = body_.substr(start, pos_ - start);
      SkipBlanks();
    }
  }

  const size_t value_start = pos_;
  while (pos_ < body_.size()) {
    char c = body_[pos_];
    if (c == '{' || c == ' ' || c == '\t' || c == '\n' || c == '\0') break;
    ++pos_;
  }
  if (pos_ == value_start) {
    return TokenError("expected value after metric", At(pos_) == '{' ? "BOPEN" : "INVALID");
  }
  ASSIGN_OR_RETURN(value_, internal::ParseGoFloat(body_.substr(value_start, pos_ - value_start)));

  timestamp_ms_.reset();
  SkipBlanks();
  if (At(pos_) == '\n') {
    ++pos_;
    return Entry::kSeries;
  }
  if (!IsDigit(At(pos_))) return TokenError("expected timestamp or new record", "INVALID");
  const size_t ts_start = pos_;
  while (IsDigit(At(pos_))) ++pos_;
  ASSIGN_OR_RETURN(timestamp_ms_, internal::ParseGoInt(body_.substr(ts_start, pos_ - ts_start)));
  SkipBlanks();
  if (At(pos_) != '\n') {
    return TokenError("expected next entry after timestamp",
                      IsDigit(At(pos_)) ? "TIMESTAMP" : "INVALID");
  }
  ++pos_;
  return Entry::kSeries;
}

absl::Status TextParser::ParseLabels() {
  SkipBlanks();
  for (;;) {
    char c = At(pos_);
    if (c == '}') {
      ++pos_;
      return absl::OkStatus();
    }
    if (!internal::IsLabelNameStart(c)) return TokenError("expected label name", LabelSetToken(c));
    const size_t name_start = pos_;
    while (internal::IsLabelNameChar(At(pos_))) ++pos_;
    std::string_view name = body_.substr(name_start, pos_ - name_start);
    SkipBlanks();
    if (At(pos_) != '=') return TokenError("expected equal", LabelSetToken(At(pos_)));
    ++pos_;
    SkipBlanks();
    if (At(pos_) != '"') return TokenError("expected label value", "INVALID");
    // "(\\.|[^\\"])*" where '.' is anything but a newline.
    size_t i = pos_ + 1;
    unsigned char all_bits = 0;  // any byte >= 0x80 leaves the high bit set: not all ASCII
    for (;;) {
      if (i >= body_.size()) return TokenError("expected label value", "INVALID");
      char v = body_[i];
      all_bits |= static_cast<unsigned char>(v);
      if (v == '"') break;
      if (v == '\\') {
        if (i + 1 >= body_.size() || body_[i + 1] == '\n') {
          return TokenError("expected label value", "INVALID");
        }
        all_bits |= static_cast<unsigned char>(body_[i + 1]);
        i += 2;
      } else {
        ++i;
      }
    }
    std::string_view raw = body_.substr(pos_ + 1, i - pos_ - 1);
    if ((all_bits & 0x80) != 0 && !IsValidUtf8(raw)) {
      return absl::InvalidArgumentError("invalid UTF-8 label value");
    }
    labels_.push_back({name, raw});
    pos_ = i + 1;
    SkipBlanks();
    if (At(pos_) == ',') {
      ++pos_;
      SkipBlanks();
    }
  }
}

}  // namespace sundial::scrape
