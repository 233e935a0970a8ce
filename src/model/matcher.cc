#include "model/matcher.h"

#include <algorithm>

#include "absl/strings/str_split.h"
#include "base/str_cat.h"
#include "base/strings.h"
#include "re2/re2.h"

namespace sundial {
namespace {

bool HasRegexMeta(std::string_view s) {
  return s.find_first_of("\\.+*?()|[]{}^$") != std::string_view::npos;
}

}  // namespace

std::string_view MatchTypeString(MatchType t) {
  switch (t) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexp:
      return "=~";
    case MatchType::kNotRegexp:
      return "!~";
  }
  return "=";
}

absl::StatusOr<Matcher> Matcher::Create(MatchType type, std::string_view name,
                                        std::string_view value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::string(name);
  m.value_ = std::string(value);
  if (type != MatchType::kRegexp && type != MatchType::kNotRegexp) return m;

  RE2::Options opts;
  opts.set_dot_nl(true);
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(StrCat("^(?:", value, ")$"), opts);
  if (!re->ok()) {
    return absl::InvalidArgumentError(
        StrCat("invalid regular expression ", GoQuote(value), ": ", re->error()));
  }
  m.re_ = std::move(re);

  if (value == ".*") {
    m.kind_ = RegexKind::kAny;
  } else if (value == ".+") {
    m.kind_ = RegexKind::kNonEmpty;
  } else if (value.find_first_of("\\.+*?()[]{}^$") == std::string_view::npos) {
    // No metacharacter but '|': a literal or an alternation of literals.
    m.kind_ = RegexKind::kLiteralSet;
    for (absl::string_view part : absl::StrSplit(AsAbsl(value), '|')) m.set_.emplace_back(part);
    std::sort(m.set_.begin(), m.set_.end());
    m.set_.erase(std::unique(m.set_.begin(), m.set_.end()), m.set_.end());
  } else if (value.size() > 2 && value.ends_with(".*") &&
             !HasRegexMeta(value.substr(0, value.size() - 2))) {
    m.kind_ = RegexKind::kPrefix;
    m.prefix_ = std::string(value.substr(0, value.size() - 2));
  }
  return m;
}

bool Matcher::RegexMatches(std::string_view v) const {
  switch (kind_) {
    case RegexKind::kAny:
      return true;
    case RegexKind::kNonEmpty:
      return !v.empty();
    case RegexKind::kLiteralSet:
      return std::binary_search(set_.begin(), set_.end(), v);
    case RegexKind::kPrefix:
      return v.starts_with(prefix_);
    case RegexKind::kGeneral:
      return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_);
  }
  return false;
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual:
      return v == value_;
    case MatchType::kNotEqual:
      return v != value_;
    case MatchType::kRegexp:
      return RegexMatches(v);
    case MatchType::kNotRegexp:
      return !RegexMatches(v);
  }
  return false;
}

std::string Matcher::ToString() const {
  return StrCat(name_, MatchTypeString(type_), GoQuote(value_));
}

}  // namespace sundial
