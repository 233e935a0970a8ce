#include "base/json.h"

#include <charconv>

#include "base/str_cat.h"

namespace sundial {

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : s_(text) {}

  absl::StatusOr<Json> ParseDocument() {
    Json v;
    if (!Value(&v, 0)) return Error();
    SkipSpace();
    if (pos_ != s_.size()) return Error("invalid character after top-level value");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 512;

  absl::Status Error(std::string_view what = {}) const {
    if (!what.empty()) return absl::InvalidArgumentError(StrCat(what, " at offset ", pos_));
    if (!error_.empty()) return absl::InvalidArgumentError(error_);
    return absl::InvalidArgumentError(pos_ >= s_.size()
                                          ? std::string("unexpected end of JSON input")
                                          : StrCat("invalid character at offset ", pos_));
  }
  bool Fail(std::string_view what) {
    if (error_.empty()) error_ = StrCat(what, " at offset ", pos_);
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return Fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool Value(Json* out, int depth) {
    if (depth > kMaxDepth) return Fail("exceeded max depth");
    SkipSpace();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    switch (c) {
      case 'n':
        out->type_ = Json::Type::kNull;
        return Literal("null");
      case 't':
        out->type_ = Json::Type::kBool;
        out->bool_ = true;
        return Literal("true");
      case 'f':
        out->type_ = Json::Type::kBool;
        out->bool_ = false;
        return Literal("false");
      case '"':
        out->type_ = Json::Type::kString;
        return String(&out->text_);
      case '[':
        return Array(out, depth);
      case '{':
        return Object(out, depth);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return Number(out);
        return Fail("invalid character");
    }
  }

  bool Number(Json* out) {
    const size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    auto digits = [&] {
      const size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ > d;
    };
    if (!digits()) return Fail("invalid number");
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (!digits()) return Fail("invalid number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!digits()) return Fail("invalid number");
    }
    out->type_ = Json::Type::kNumber;
    out->text_ = std::string(s_.substr(start, pos_ - start));
    return true;
  }

  static void AppendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool Hex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return Fail("invalid escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Fail("invalid escape");
      }
    }
    *out = v;
    return true;
  }

  bool String(std::string* out) {
    ++pos_;  // opening quote
    out->clear();
    for (;;) {
      if (pos_ >= s_.size()) return false;
      const char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return Fail("invalid control character in string");
      if (c != '\\') {
        const size_t end = s_.find_first_of("\"\\", pos_);
        const size_t stop = end == std::string_view::npos ? s_.size() : end;
        for (size_t i = pos_; i < stop; ++i) {
          if (static_cast<unsigned char>(s_[i]) < 0x20) {
            pos_ = i;
            return Fail("invalid control character in string");
          }
        }
        out->append(s_.substr(pos_, stop - pos_));
        pos_ = stop;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(pos_, 2) == "\\u") {
            const size_t save = pos_;
            pos_ += 2;
            uint32_t low = 0;
            if (!Hex4(&low)) return false;
            if (low >= 0xDC00 && low < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              pos_ = save;
              cp = 0xFFFD;
            }
          } else if (cp >= 0xD800 && cp < 0xE000) {
            cp = 0xFFFD;
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          return Fail("invalid escape");
      }
    }
  }

  bool Array(Json* out, int depth) {
    ++pos_;
    auto items = std::make_shared<std::vector<Json>>();
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
    } else {
      for (;;) {
        Json v;
        if (!Value(&v, depth + 1)) return false;
        items->push_back(std::move(v));
        SkipSpace();
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_] == ']') {
          ++pos_;
          break;
        }
        return Fail("invalid character in array");
      }
    }
    out->type_ = Json::Type::kArray;
    out->items_ = std::move(items);
    return true;
  }

  bool Object(Json* out, int depth) {
    ++pos_;
    auto members = std::make_shared<std::vector<std::pair<std::string, Json>>>();
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
    } else {
      for (;;) {
        SkipSpace();
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] != '"') return Fail("invalid character looking for object key");
        std::string key;
        if (!String(&key)) return false;
        SkipSpace();
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] != ':') return Fail("invalid character after object key");
        ++pos_;
        Json v;
        if (!Value(&v, depth + 1)) return false;
        members->emplace_back(std::move(key), std::move(v));
        SkipSpace();
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_] == '}') {
          ++pos_;
          break;
        }
        return Fail("invalid character in object");
      }
    }
    out->type_ = Json::Type::kObject;
    out->members_ = std::move(members);
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

absl::StatusOr<Json> Json::Parse(std::string_view text) { return JsonParser(text).ParseDocument(); }

const std::string& Json::Empty() {
  static const std::string* empty = new std::string();
  return *empty;
}

const Json& Json::operator[](std::string_view key) const {
  static const Json* null = new Json();
  if (type_ != Type::kObject) return *null;
  // Later duplicates win, as in Go's decoder.
  for (auto it = members_->rbegin(); it != members_->rend(); ++it) {
    if (it->first == key) return it->second;
  }
  return *null;
}

bool Json::Has(std::string_view key) const {
  if (type_ != Type::kObject) return false;
  for (const auto& m : *members_) {
    if (m.first == key) return true;
  }
  return false;
}

int64_t Json::integer() const {
  if (type_ != Type::kNumber) return 0;
  int64_t v = 0;
  std::from_chars(text_.data(), text_.data() + text_.size(), v);
  return v;
}

double Json::number() const {
  if (type_ != Type::kNumber) return 0;
  double v = 0;
  std::from_chars(text_.data(), text_.data() + text_.size(), v);
  return v;
}

const std::vector<Json>& Json::items() const {
  static const std::vector<Json>* empty = new std::vector<Json>();
  return type_ == Type::kArray ? *items_ : *empty;
}

const std::vector<std::pair<std::string, Json>>& Json::members() const {
  static const auto* empty = new std::vector<std::pair<std::string, Json>>();
  return type_ == Type::kObject ? *members_ : *empty;
}

}  // namespace sundial
