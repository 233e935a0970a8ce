// Relabeling, following Prometheus' model/relabel/relabel.go.
#include "scrape/relabel.h"

#include <openssl/evp.h>

#include <vector>

#include "base/str_cat.h"
#include "model/names.h"
#include "re2/re2.h"

namespace sundial::scrape {
namespace {

using config::RelabelAction;

re2::StringPiece Piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

bool FullMatch(const config::RelabelRegex& regex, std::string_view s) {
  // The regex is anchored as ^(?s:...)$ already.
  return regex.re().Match(Piece(s), 0, s.size(), re2::RE2::UNANCHORED, nullptr, 0);
}

// Runs the regex on s, filling groups (size NumberOfCapturingGroups()+1). False if no match.
bool Submatches(const config::RelabelRegex& regex, std::string_view s,
                std::vector<re2::StringPiece>* pieces, std::vector<std::string_view>* groups) {
  const int n = regex.re().NumberOfCapturingGroups() + 1;
  pieces->assign(n, re2::StringPiece());
  if (!regex.re().Match(Piece(s), 0, s.size(), re2::RE2::UNANCHORED, pieces->data(), n)) {
    return false;
  }
  groups->clear();
  for (const re2::StringPiece& p : *pieces) {
    groups->push_back(p.data() == nullptr ? std::string_view()
                                          : std::string_view(p.data(), p.size()));
  }
  return true;
}

bool IsNameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

uint64_t HashMod(std::string_view s, uint64_t modulus) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(s.data(), s.size(), md, &md_len, EVP_md5(), nullptr);
  uint64_t v = 0;
  for (int i = 8; i < 16; ++i) v = (v << 8) | md[i];
  return modulus == 0 ? 0 : v % modulus;
}

std::string CaseMapped(std::string_view s, bool upper) {
  std::string out(s);
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

void ExpandTemplate(const config::RelabelRegex& regex, std::string_view tmpl,
                    std::span<const std::string_view> groups, std::string* out) {
  while (!tmpl.empty()) {
    size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out->append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out->push_back('$');
      tmpl.remove_prefix(1);
      continue;
    }
    // extract(): a name of letters, digits and '_', optionally in braces.
    bool brace = !tmpl.empty() && tmpl[0] == '{';
    size_t i = brace ? 1 : 0;
    size_t name_start = i;
    while (i < tmpl.size() && IsNameByte(tmpl[i])) ++i;
    std::string_view name = tmpl.substr(name_start, i - name_start);
    if (name.empty() || (brace && (i >= tmpl.size() || tmpl[i] != '}'))) {
      out->push_back('$');  // malformed: the '$' is literal text
      continue;
    }
    if (brace) ++i;
    tmpl.remove_prefix(i);
    // A number (no leading zeros, below 1e8) refers to a group index, anything else to a name.
    int num = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name[0] == '0' && name.size() > 1) num = -1;
    if (num < 0) {
      const auto& named = regex.re().NamedCapturingGroups();
      auto it = named.find(std::string(name));
      num = it == named.end() ? -1 : it->second;
    }
    if (num >= 0 && static_cast<size_t>(num) < groups.size()) out->append(groups[num]);
  }
  out->append(tmpl);
}

bool Relabel(std::span<const config::RelabelConfig> rules, LabelsBuilder* labels) {
  std::string joined, target, value;
  std::vector<re2::StringPiece> pieces;
  std::vector<std::string_view> groups;
  for (const config::RelabelConfig& rule : rules) {
    joined.clear();
    for (size_t i = 0; i < rule.source_labels.size(); ++i) {
      if (i > 0) joined.append(rule.separator);
      joined.append(labels->Get(rule.source_labels[i]));
    }
    switch (rule.action) {
      case RelabelAction::kDrop:
        if (FullMatch(rule.regex, joined)) return false;
        break;
      case RelabelAction::kKeep:
        if (!FullMatch(rule.regex, joined)) return false;
        break;
      case RelabelAction::kDropEqual:
        if (labels->Get(rule.target_label) == joined) return false;
        break;
      case RelabelAction::kKeepEqual:
        if (labels->Get(rule.target_label) != joined) return false;
        break;
      case RelabelAction::kReplace: {
        if (!Submatches(rule.regex, joined, &pieces, &groups)) break;
        target.clear();
        ExpandTemplate(rule.regex, rule.target_label, groups, &target);
        if (!IsLegacyLabelName(target)) break;
        value.clear();
        ExpandTemplate(rule.regex, rule.replacement, groups, &value);
        labels->Set(target, value);  // an empty value deletes
        break;
      }
      case RelabelAction::kLowercase:
        labels->Set(rule.target_label, CaseMapped(joined, false));
        break;
      case RelabelAction::kUppercase:
        labels->Set(rule.target_label, CaseMapped(joined, true));
        break;
      case RelabelAction::kHashMod:
        labels->Set(rule.target_label, StrCat(HashMod(joined, rule.modulus)));
        break;
      case RelabelAction::kLabelMap:
      case RelabelAction::kLabelDrop:
      case RelabelAction::kLabelKeep: {
        const Labels snapshot = labels->Build();
        for (const Label& l : snapshot) {
          if (rule.action == RelabelAction::kLabelMap) {
            if (!Submatches(rule.regex, l.name, &pieces, &groups)) continue;
            target.clear();
            ExpandTemplate(rule.regex, rule.replacement, groups, &target);
            labels->Set(target, l.value);
          } else if (FullMatch(rule.regex, l.name) == (rule.action == RelabelAction::kLabelDrop)) {
            labels->Del(l.name);
          }
        }
        break;
      }
    }
  }
  return true;
}

}  // namespace sundial::scrape
