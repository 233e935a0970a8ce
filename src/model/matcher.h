// Label matchers with Prometheus semantics: =, !=, =~, !~. Regexes are RE2, fully anchored, and
// '.' matches newlines (as in Prometheus 3.x). A matcher is cheap to copy; the compiled regex is
// shared and immutable.
//
//   ASSIGN_OR_RETURN(Matcher m, Matcher::Create(MatchType::kRegexp, "job", "api|web"));
//   m.Matches("api");        // true
//   m.SetMatches();          // {"api", "web"}: postings can be looked up directly
#ifndef SUNDIAL_MODEL_MATCHER_H_
#define SUNDIAL_MODEL_MATCHER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace re2 {
class RE2;
}

namespace sundial {

enum class MatchType { kEqual, kNotEqual, kRegexp, kNotRegexp };

// "=", "!=", "=~", "!~"
std::string_view MatchTypeString(MatchType t);

class Matcher {
 public:
  // Fails with `invalid regular expression ...` for a regex RE2 rejects.
  static absl::StatusOr<Matcher> Create(MatchType type, std::string_view name,
                                        std::string_view value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  bool Matches(std::string_view v) const;
  // Whether a series without this label (value "") is selected.
  bool MatchesEmpty() const { return Matches({}); }

  // For =~ / !~ whose regex is a plain alternation of literals ("a|b|c" or a single literal):
  // the literals. Empty otherwise.
  const std::vector<std::string>& SetMatches() const { return set_; }
  // For =~ / !~ of the form "prefix.*": the literal prefix (kind() == kPrefix).
  const std::string& Prefix() const { return prefix_; }

  // How the regex matches, for the fast paths of postings lookups.
  enum class RegexKind { kGeneral, kLiteralSet, kPrefix, kAny, kNonEmpty };
  RegexKind regex_kind() const { return kind_; }

  // name="value" (name op Go-quoted value), as PromQL prints it.
  std::string ToString() const;

  friend bool operator==(const Matcher& a, const Matcher& b) {
    return a.type_ == b.type_ && a.name_ == b.name_ && a.value_ == b.value_;
  }

 private:
  Matcher() = default;
  bool RegexMatches(std::string_view v) const;

  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  RegexKind kind_ = RegexKind::kGeneral;
  std::vector<std::string> set_;
  std::string prefix_;
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace sundial

#endif  // SUNDIAL_MODEL_MATCHER_H_
