#include "cli/flag_set.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "base/str_cat.h"

namespace sundial::cli {
namespace {

absl::StatusOr<bool> ParseBool(std::string_view v) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return absl::InvalidArgumentError(StrCat("unexpected ", v));
}

std::string FormatFloat(double v) { return StrCat(v); }

}  // namespace

FlagSet::FlagSet(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

void FlagSet::Add(std::string name, std::string help, std::string default_text, bool is_bool,
                  Setter setter, std::function<std::string()> value) {
  Flag flag;
  flag.value = std::move(value);
  flag.name = std::move(name);
  flag.help = std::move(help);
  flag.default_text = std::move(default_text);
  flag.is_bool = is_bool;
  flag.setter = std::move(setter);
  flags_.push_back(std::move(flag));
}

void FlagSet::String(std::string name, std::string* dst, std::string help) {
  Add(
      std::move(name), std::move(help), StrCat("\"", *dst, "\""), false,
      [dst](std::string_view v) {
        dst->assign(v);
        return absl::OkStatus();
      },
      [dst] { return *dst; });
}

void FlagSet::Bool(std::string name, bool* dst, std::string help) {
  Add(
      std::move(name), std::move(help), *dst ? "true" : "", true,
      [dst](std::string_view v) -> absl::Status {
        absl::StatusOr<bool> b = ParseBool(v);
        if (!b.ok()) return b.status();
        *dst = *b;
        return absl::OkStatus();
      },
      [dst] { return std::string(*dst ? "true" : "false"); });
}

void FlagSet::Int(std::string name, int64_t* dst, std::string help) {
  Add(
      std::move(name), std::move(help), StrCat(*dst), false,
      [dst](std::string_view v) -> absl::Status {
        int64_t out;
        auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
        if (ec != std::errc() || ptr != v.data() + v.size()) {
          return absl::InvalidArgumentError(StrCat("not an integer: \"", v, "\""));
        }
        *dst = out;
        return absl::OkStatus();
      },
      [dst] { return StrCat(*dst); });
}

void FlagSet::Float(std::string name, double* dst, std::string help) {
  Add(
      std::move(name), std::move(help), FormatFloat(*dst), false,
      [dst](std::string_view v) -> absl::Status {
        std::string s(v);
        char* end = nullptr;
        double out = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) {
          return absl::InvalidArgumentError(StrCat("not a number: \"", v, "\""));
        }
        *dst = out;
        return absl::OkStatus();
      },
      [dst] { return FormatFloat(*dst); });
}

void FlagSet::Duration(std::string name, sundial::Duration* dst, std::string help) {
  Add(
      std::move(name), std::move(help), FormatDuration(*dst), false,
      [dst](std::string_view v) -> absl::Status {
        absl::StatusOr<sundial::Duration> d = ParseDuration(v);
        if (!d.ok()) return d.status();
        *dst = *d;
        return absl::OkStatus();
      },
      [dst] { return FormatDuration(*dst); });
}

void FlagSet::Strings(std::string name, std::vector<std::string>* dst, std::string help,
                      bool split_commas) {
  Add(
      std::move(name), std::move(help), "", false,
      [dst, split_commas](std::string_view v) {
        if (!split_commas) {
          dst->emplace_back(v);
          return absl::OkStatus();
        }
        size_t start = 0;
        while (start <= v.size()) {
          size_t comma = v.find(',', start);
          if (comma == std::string_view::npos) comma = v.size();
          if (comma > start) dst->emplace_back(v.substr(start, comma - start));
          start = comma + 1;
        }
        return absl::OkStatus();
      },
      [dst] {
        std::string out;
        for (const std::string& s : *dst) {
          if (!out.empty()) out.push_back(',');
          out.append(s);
        }
        return out;
      });
}

void FlagSet::Custom(std::string name, Setter setter, std::string default_text, std::string help,
                     std::function<std::string()> unset_value) {
  Add(std::move(name), std::move(help), std::move(default_text), false, std::move(setter),
      std::move(unset_value));
  flags_.back().custom = true;
}

void FlagSet::Hide(std::string_view name) {
  if (Flag* f = Find(name)) f->hidden = true;
}

FlagSet::Flag* FlagSet::Find(std::string_view name) {
  for (Flag& f : flags_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool FlagSet::IsSet(std::string_view name) const {
  for (const Flag& f : flags_) {
    if (f.name == name) return f.set;
  }
  return false;
}

absl::StatusOr<std::vector<std::string>> FlagSet::Parse(char* const* begin, char* const* end) {
  std::vector<std::string> positional;
  for (char* const* it = begin; it != end; ++it) {
    std::string_view arg = *it;
    if (arg == "--") {
      for (++it; it != end; ++it) positional.emplace_back(*it);
      break;
    }
    if (!arg.starts_with("--")) {
      if (arg.size() > 1 && arg[0] == '-') {
        return absl::InvalidArgumentError(StrCat("unknown short flag '", arg, "'"));
      }
      positional.emplace_back(arg);
      continue;
    }
    std::string_view body = arg.substr(2);
    std::string_view name = body;
    std::string_view value;
    bool has_value = false;
    if (size_t eq = body.find('='); eq != std::string_view::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    Flag* flag = Find(name);
    bool negated = false;
    if (flag == nullptr && name.starts_with("no-")) {
      flag = Find(name.substr(3));
      negated = flag != nullptr && flag->is_bool;
      if (!negated) flag = nullptr;
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(StrCat("unknown long flag '--", name, "'"));
    }
    if (flag->is_bool && !has_value) {
      value = negated ? "false" : "true";
    } else if (negated) {
      return absl::InvalidArgumentError(StrCat("unexpected value for flag '--", name, "'"));
    } else if (!has_value) {
      if (it + 1 == end) {
        return absl::InvalidArgumentError(StrCat("expected argument for flag '--", name, "'"));
      }
      value = *++it;
    }
    absl::Status s = flag->setter(value);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          StrCat("invalid value \"", value, "\" for flag '--", flag->name, "': ", s.message()));
    }
    flag->set = true;
    flag->raw.assign(value);
  }
  return positional;
}

std::string FlagSet::Usage() const {
  std::string out = StrCat("usage: ", program_, " [<flags>]\n\n", description_, "\n\nFlags:\n");
  out.append("  -h, --help  Show context-sensitive help.\n");
  out.append("      --version  Show application version.\n");
  for (const Flag& f : flags_) {
    if (f.hidden) continue;
    std::string head = StrCat("      --", f.name);
    if (!f.is_bool) StrAppend(&head, "=", f.default_text.empty() ? "<value>" : f.default_text);
    StrAppend(&out, head, "\n          ", f.help, "\n");
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> FlagSet::Values() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(flags_.size());
  for (const Flag& f : flags_) {
    std::string v;
    if (f.custom && f.set) {
      v = f.raw;
    } else {
      v = f.value ? f.value() : f.default_text;
    }
    out.emplace_back(f.name, std::move(v));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sundial::cli
