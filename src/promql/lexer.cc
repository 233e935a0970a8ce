#include "promql/lexer.h"

#include <cctype>
#include <cstdio>

#include "base/str_cat.h"
#include "base/strings.h"

namespace sundial::promql {
namespace {

constexpr int32_t kEofRune = -1;
constexpr int32_t kRuneError = 0xFFFD;

struct Keyword {
  std::string_view word;
  Tok tok;
};

// Lower-case spellings; matched case-insensitively.
constexpr Keyword kKeywords[] = {
    {"and", Tok::kLand},
    {"or", Tok::kLor},
    {"unless", Tok::kLunless},
    {"atan2", Tok::kAtan2},
    {"sum", Tok::kSum},
    {"avg", Tok::kAvg},
    {"count", Tok::kCount},
    {"min", Tok::kMin},
    {"max", Tok::kMax},
    {"group", Tok::kGroup},
    {"stddev", Tok::kStddev},
    {"stdvar", Tok::kStdvar},
    {"topk", Tok::kTopk},
    {"bottomk", Tok::kBottomk},
    {"count_values", Tok::kCountValues},
    {"quantile", Tok::kQuantile},
    {"limitk", Tok::kLimitk},
    {"limit_ratio", Tok::kLimitRatio},
    {"offset", Tok::kOffset},
    {"smoothed", Tok::kSmoothed},
    {"anchored", Tok::kAnchored},
    {"by", Tok::kBy},
    {"without", Tok::kWithout},
    {"on", Tok::kOn},
    {"ignoring", Tok::kIgnoring},
    {"group_left", Tok::kGroupLeft},
    {"group_right", Tok::kGroupRight},
    {"fill", Tok::kFill},
    {"fill_left", Tok::kFillLeft},
    {"fill_right", Tok::kFillRight},
    {"bool", Tok::kBool},
    {"start", Tok::kStart},
    {"end", Tok::kEnd},
    {"step", Tok::kStep},
    {"range", Tok::kRange},
    {"max_of", Tok::kMaxOf},
    {"min_of", Tok::kMinOf},
    {"inf", Tok::kNumber},
    {"nan", Tok::kNumber},
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

bool LookupKeyword(std::string_view word, Tok* tok) {
  for (const Keyword& k : kKeywords) {
    if (EqualsIgnoreCase(word, k.word)) {
      *tok = k.tok;
      return true;
    }
  }
  return false;
}

bool IsSpace(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsDigit(int32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(int32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(int32_t r) { return IsAlpha(r) || IsDigit(r); }

void AppendUtf8(std::string* out, uint32_t r) {
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

// Decodes one rune at s[i]; invalid UTF-8 yields kRuneError with width 1.
int32_t DecodeRune(std::string_view s, size_t i, int* width) {
  unsigned char c = s[i];
  if (c < 0x80) {
    *width = 1;
    return c;
  }
  int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || i + n > s.size() || !IsValidUtf8(s.substr(i, n))) {
    *width = 1;
    return kRuneError;
  }
  *width = n;
  uint32_t r = c & (0x7F >> n);
  for (int k = 1; k < n; ++k) r = (r << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return static_cast<int32_t>(r);
}

// Go's %q for a rune.
std::string QuoteRune(int32_t r) {
  std::string out = "'";
  switch (r) {
    case '\a':
      out += "\\a";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\v':
      out += "\\v";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\'':
      out += "\\'";
      break;
    default:
      if (r < 0) {
        out += "\\x-1";
      } else if (r < 0x20 || r == 0x7F) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", r);
        out += buf;
      } else {
        AppendUtf8(&out, static_cast<uint32_t>(r));
      }
  }
  out += "'";
  return out;
}

// Go's %#U.
std::string UnicodeDescription(int32_t r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r < 0 ? 0xFFFD : r));
  std::string out = buf;
  if (r >= 0x20 && r != 0x7F) StrAppend(&out, " ", QuoteRune(r));
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  LexResult Run() {
    // One token per two bytes or fewer in typical queries: the vector rarely grows.
    result_.tokens.reserve(input_.size() / 2 + 2);
    State state = State::kStatements;
    while (!done_) {
      switch (state) {
        case State::kStatements:
          state = Statements();
          break;
        case State::kInsideBraces:
          state = InsideBraces();
          break;
        case State::kDurationExpr:
          state = DurationExpr();
          break;
      }
    }
    return std::move(result_);
  }

 private:
  enum class State { kStatements, kInsideBraces, kDurationExpr };

  int32_t Next() {
    if (pos_ >= input_.size()) {
      width_ = 0;
      return kEofRune;
    }
    int w;
    int32_t r = DecodeRune(input_, pos_, &w);
    width_ = w;
    pos_ += w;
    return r;
  }
  int32_t Peek() {
    size_t save = pos_;
    int save_w = width_;
    int32_t r = Next();
    pos_ = save;
    width_ = save_w;
    return r;
  }
  void Backup() { pos_ -= width_; }
  bool Accept(std::string_view valid) {
    int32_t r = Next();
    if (r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
      return true;
    }
    Backup();
    return false;
  }
  bool Is(std::string_view valid) {
    int32_t r = Peek();
    return r >= 0 && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos;
  }
  void AcceptRun(std::string_view valid) {
    while (Accept(valid)) {
    }
  }
  void Emit(Tok t) {
    result_.tokens.push_back(
        {t, static_cast<int32_t>(start_), input_.substr(start_, pos_ - start_)});
    start_ = pos_;
  }
  void Ignore() { start_ = pos_; }
  template <typename... Args>
  State Error(const Args&... args) {
    if (!done_) {
      result_.error_message = StrCat(args...);
      result_.tokens.push_back({Tok::kError, static_cast<int32_t>(start_), {}});
      done_ = true;
    }
    return State::kStatements;
  }

  State Statements();
  State InsideBraces();
  State DurationExpr();
  State String(int32_t quote);
  bool Escape(int32_t quote);
  State RawString();
  State NumberOrDuration();
  bool ScanNumber();
  bool AcceptRemainingDuration();
  bool ScanDurationKeyword();
  State KeywordOrIdentifier();
  void SkipSpaces() {
    while (IsSpace(Peek())) Next();
    Ignore();
  }
  void LineComment() {
    for (int32_t r = Next(); r != '\n' && r != '\r' && r != kEofRune; r = Next()) {
    }
    if (width_ > 0) Backup();
    Ignore();  // comments never reach the parser
  }
  bool PeekFollowedByLeftParen() const {
    for (size_t p = pos_; p < input_.size(); ++p) {
      if (!IsSpace(static_cast<unsigned char>(input_[p]))) return input_[p] == '(';
    }
    return false;
  }

  std::string_view input_;
  size_t pos_ = 0;
  size_t start_ = 0;
  int width_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  bool got_duration_ = false;
  bool done_ = false;
  LexResult result_;
};

Lexer::State Lexer::Statements() {
  if (brace_open_) return State::kInsideBraces;
  if (input_.substr(pos_).starts_with("#")) {
    LineComment();
    return State::kStatements;
  }
  int32_t r = Next();
  switch (r) {
    case kEofRune:
      if (paren_depth_ != 0) return Error("unclosed left parenthesis");
      if (bracket_open_) return Error("unclosed left bracket");
      Emit(Tok::kEOF);
      done_ = true;
      return State::kStatements;
    case ',':
      Emit(Tok::kComma);
      break;
    case '*':
      Emit(Tok::kMul);
      break;
    case '/':
      Emit(Tok::kDiv);
      break;
    case '%':
      Emit(Tok::kMod);
      break;
    case '+':
      Emit(Tok::kAdd);
      break;
    case '-':
      Emit(Tok::kSub);
      break;
    case '^':
      Emit(Tok::kPow);
      break;
    case '@':
      Emit(Tok::kAt);
      break;
    case '=': {
      int32_t t = Peek();
      if (t == '=') {
        Next();
        Emit(Tok::kEqlc);
      } else if (t == '~') {
        return Error("unexpected character after '=': ", QuoteRune(t));
      } else {
        Emit(Tok::kEql);
      }
      break;
    }
    case '!': {
      int32_t t = Next();
      if (t != '=') return Error("unexpected character after '!': ", QuoteRune(t));
      Emit(Tok::kNeq);
      break;
    }
    case '<':
      if (Peek() == '=') {
        Next();
        Emit(Tok::kLte);
      } else if (Peek() == '/') {
        Next();
        Emit(Tok::kTrimUpper);
      } else {
        Emit(Tok::kLss);
      }
      break;
    case '>':
      if (Peek() == '=') {
        Next();
        Emit(Tok::kGte);
      } else if (Peek() == '/') {
        Next();
        Emit(Tok::kTrimLower);
      } else {
        Emit(Tok::kGtr);
      }
      break;
    case '"':
    case '\'':
      return String(r);
    case '`':
      return RawString();
    case '(':
      Emit(Tok::kLeftParen);
      ++paren_depth_;
      break;
    case ')':
      if (--paren_depth_ < 0) {
        Ignore();  // the error replaces the parenthesis, positioned after it
        return Error("unexpected right parenthesis ')'");
      }
      Emit(Tok::kRightParen);
      break;
    case '{':
      Emit(Tok::kLeftBrace);
      brace_open_ = true;
      return State::kInsideBraces;
    case '[':
      if (bracket_open_) return Error("unexpected left bracket '['");
      got_colon_ = false;
      Emit(Tok::kLeftBracket);
      SkipSpaces();
      bracket_open_ = true;
      return State::kDurationExpr;
    case ']':
      if (!bracket_open_) return Error("unexpected right bracket ']'");
      Emit(Tok::kRightBracket);
      bracket_open_ = false;
      break;
    default:
      if (IsSpace(r)) {
        SkipSpaces();
      } else if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
        Backup();
        return NumberOrDuration();
      } else if (IsAlpha(r) || r == ':') {
        if (!bracket_open_) {
          Backup();
          return KeywordOrIdentifier();
        }
        if (r == ':') {
          if (got_colon_) return Error("unexpected colon ':'");
          Emit(Tok::kColon);
          got_colon_ = true;
          return State::kStatements;
        }
        if (ScanDurationKeyword()) return State::kStatements;
        return Error("unexpected character: ", QuoteRune(r), ", expected ':'");
      } else {
        return Error("unexpected character: ", QuoteRune(r));
      }
  }
  return State::kStatements;
}

Lexer::State Lexer::InsideBraces() {
  if (input_.substr(pos_).starts_with("#")) {
    LineComment();
    return State::kInsideBraces;
  }
  int32_t r = Next();
  switch (r) {
    case kEofRune:
      return Error("unexpected end of input inside braces");
    case ',':
      Emit(Tok::kComma);
      break;
    case '"':
    case '\'':
      return String(r);
    case '`':
      return RawString();
    case '=':
      if (Next() == '~') {
        Emit(Tok::kEqlRegex);
      } else {
        Backup();
        Emit(Tok::kEql);
      }
      break;
    case '!': {
      int32_t nr = Next();
      if (nr == '~') {
        Emit(Tok::kNeqRegex);
      } else if (nr == '=') {
        Emit(Tok::kNeq);
      } else {
        return Error("unexpected character after '!' inside braces: ", QuoteRune(nr));
      }
      break;
    }
    case '{':
      return Error("unexpected left brace '{'");
    case '}':
      Emit(Tok::kRightBrace);
      brace_open_ = false;
      return State::kStatements;
    default:
      if (IsSpace(r)) {
        SkipSpaces();
      } else if (IsAlpha(r)) {
        while (IsAlphaNumeric(Next())) {
        }
        if (width_ > 0) Backup();
        Emit(Tok::kIdentifier);
      } else {
        return Error("unexpected character inside braces: ", QuoteRune(r));
      }
  }
  return State::kInsideBraces;
}

Lexer::State Lexer::DurationExpr() {
  int32_t r = Next();
  switch (r) {
    case kEofRune:
      return Error("unexpected end of input in duration expression");
    case ']':
      Emit(Tok::kRightBracket);
      bracket_open_ = false;
      got_colon_ = false;
      return State::kStatements;
    case ':':
      if (!got_duration_ || got_colon_) {
        Ignore();  // the error replaces the colon, positioned after it
        return Error(got_colon_ ? "unexpected repeated colon in duration expression"
                                : "unexpected colon before duration in duration expression");
      }
      Emit(Tok::kColon);
      got_colon_ = true;
      break;
    case '(':
      Emit(Tok::kLeftParen);
      ++paren_depth_;
      break;
    case ')':
      if (--paren_depth_ < 0) {
        Ignore();  // the error replaces the parenthesis, positioned after it
        return Error("unexpected right parenthesis ')'");
      }
      Emit(Tok::kRightParen);
      break;
    case '+':
      Emit(Tok::kAdd);
      break;
    case '-':
      Emit(Tok::kSub);
      break;
    case '*':
      Emit(Tok::kMul);
      break;
    case '/':
      Emit(Tok::kDiv);
      break;
    case '%':
      Emit(Tok::kMod);
      break;
    case '^':
      Emit(Tok::kPow);
      break;
    case ',':
      Emit(Tok::kComma);
      break;
    default:
      if (IsSpace(r)) {
        SkipSpaces();
      } else if (r < 0x80 &&
                 std::string_view("srmSRM").find(static_cast<char>(r)) != std::string_view::npos) {
        if (!ScanDurationKeyword()) {
          return Error("unexpected character in duration expression: ", QuoteRune(r));
        }
      } else if (IsDigit(r) || (r == '.' && IsDigit(Peek()))) {
        Backup();
        got_duration_ = true;
        return NumberOrDuration();
      } else {
        return Error("unexpected character in duration expression: ", QuoteRune(r));
      }
  }
  return State::kDurationExpr;
}

bool Lexer::ScanDurationKeyword() {
  while (IsAlpha(Next())) {
  }
  if (width_ > 0) Backup();
  std::string_view word = input_.substr(start_, pos_ - start_);
  for (auto [kw, tok] : {std::pair{"step", Tok::kStep}, std::pair{"range", Tok::kRange},
                         std::pair{"max_of", Tok::kMaxOf}, std::pair{"min_of", Tok::kMinOf}}) {
    if (EqualsIgnoreCase(word, kw)) {
      Emit(tok);
      return true;
    }
  }
  return false;
}

Lexer::State Lexer::String(int32_t quote) {
  while (true) {
    int32_t r = Next();
    if (r == '\\') {
      if (!Escape(quote)) return State::kStatements;
    } else if (r == kRuneError) {
      return Error("invalid UTF-8 rune");
    } else if (r == kEofRune || r == '\n') {
      return Error("unterminated quoted string");
    } else if (r == quote) {
      break;
    }
  }
  Emit(Tok::kString);
  return State::kStatements;
}

bool Lexer::Escape(int32_t quote) {
  int32_t ch = Next();
  int n;
  uint32_t base, max;
  switch (ch) {
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
      return true;
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
      n = 3, base = 8, max = 255;
      break;
    case 'x':
      ch = Next();
      n = 2, base = 16, max = 255;
      break;
    case 'u':
      ch = Next();
      n = 4, base = 16, max = 0x10FFFF;
      break;
    case 'U':
      ch = Next();
      n = 8, base = 16, max = 0x10FFFF;
      break;
    case kEofRune:
      Error("escape sequence not terminated");
      return false;
    default:
      if (ch == quote) return true;
      Error("unknown escape sequence ", UnicodeDescription(ch));
      return false;
  }
  uint32_t x = 0;
  while (n > 0) {
    uint32_t d = 16;
    if (ch >= '0' && ch <= '9') d = ch - '0';
    if (ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
    if (d >= base) {
      if (ch == kEofRune) {
        Error("escape sequence not terminated");
      } else {
        Error("illegal character ", UnicodeDescription(ch), " in escape sequence");
      }
      return false;
    }
    x = x * base + d;
    if (--n > 0) ch = Next();
  }
  if (x > max || (x >= 0xD800 && x < 0xE000)) {
    Error("escape sequence is an invalid Unicode code point");
    return false;
  }
  return true;
}

Lexer::State Lexer::RawString() {
  while (true) {
    int32_t r = Next();
    if (r == kRuneError) return Error("invalid UTF-8 rune");
    if (r == kEofRune) return Error("unterminated raw string");
    if (r == '`') break;
  }
  Emit(Tok::kString);
  return State::kStatements;
}

Lexer::State Lexer::NumberOrDuration() {
  if (ScanNumber()) {
    Emit(Tok::kNumber);
    return State::kStatements;
  }
  if (AcceptRemainingDuration()) {
    Backup();
    Emit(Tok::kDuration);
    return State::kStatements;
  }
  return Error("bad number or duration syntax: ", GoQuote(input_.substr(start_, pos_ - start_)));
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  Accept("s");
  while (Accept("0123456789")) {
    AcceptRun("0123456789");
    if (!Accept("smhdw")) return false;
    Accept("s");
  }
  return !IsAlphaNumeric(Next());
}

bool Lexer::ScanNumber() {
  size_t initial = pos_;
  std::string_view digits = "0123456789";
  if (Accept("0")) {
    if (Accept("xX")) {
      Accept("_");
      digits = "0123456789abcdefABCDEF";
    }
  }
  const bool hex = digits.size() > 10;
  Accept(".");
  Accept(digits);
  bool dot = false, exponent = false;
  while (Is(digits) || Is(".") || Is("_") || Is("eE")) {
    if (Is(".") && dot) {
      Accept(".");
      return false;
    }
    if (Is("eE") && exponent) {
      Accept("eE");
      return false;
    }
    if (Accept(".")) {
      dot = true;
      if (Accept("_.")) return false;
      if (hex) return false;
      continue;
    }
    if (Accept("eE")) {
      exponent = true;
      Accept("+-");
      if (Accept("._eE") || Peek() == kEofRune) return false;
      continue;
    }
    if (Accept("_")) {
      if (Accept("._eE") || Peek() == kEofRune) return false;
      continue;
    }
    AcceptRun(digits);
  }
  if (pos_ == initial) return false;
  return !IsAlphaNumeric(Peek());
}

Lexer::State Lexer::KeywordOrIdentifier() {
  while (true) {
    int32_t r = Next();
    if (IsAlphaNumeric(r) || r == ':') continue;
    if (width_ > 0) Backup();
    break;
  }
  std::string_view word = input_.substr(start_, pos_ - start_);
  Tok kw;
  if (LookupKeyword(word, &kw)) {
    if ((kw == Tok::kFill || kw == Tok::kFillLeft || kw == Tok::kFillRight) &&
        !PeekFollowedByLeftParen()) {
      Emit(Tok::kIdentifier);
    } else {
      Emit(kw);
    }
  } else if (word.find(':') == std::string_view::npos) {
    Emit(Tok::kIdentifier);
  } else {
    Emit(Tok::kMetricIdentifier);
  }
  return State::kStatements;
}

// Go's %.10q: the first 10 runes, quoted.
std::string QuoteTruncated(std::string_view s) {
  size_t i = 0;
  for (int runes = 0; i < s.size() && runes < 10; ++runes) {
    int w;
    DecodeRune(s, i, &w);
    i += w;
  }
  return GoQuote(s.substr(0, i));
}

}  // namespace

LexResult Lex(std::string_view input) { return Lexer(input).Run(); }

std::string DescribeToken(const Token& t) {
  switch (t.kind) {
    case Tok::kEOF:
      return "end of input";
    case Tok::kError:
      return "error";
    case Tok::kIdentifier:
      return StrCat("identifier ", GoQuote(t.text));
    case Tok::kMetricIdentifier:
      return StrCat("metric identifier ", GoQuote(t.text));
    case Tok::kString:
      return StrCat("string ",
                    t.text.size() > 10 ? StrCat(QuoteTruncated(t.text), "...") : GoQuote(t.text));
    case Tok::kNumber:
      return StrCat("number ",
                    t.text.size() > 10 ? StrCat(QuoteTruncated(t.text), "...") : GoQuote(t.text));
    case Tok::kDuration:
      return StrCat("duration ",
                    t.text.size() > 10 ? StrCat(QuoteTruncated(t.text), "...") : GoQuote(t.text));
    default:
      break;
  }
  if (IsKeywordTok(t.kind)) return StrCat("<", t.text, ">");
  if (IsOperatorTok(t.kind)) return StrCat("<op:", t.text, ">");
  if (IsAggregatorTok(t.kind)) return StrCat("<aggr:", t.text, ">");
  return GoQuote(t.text);
}

std::string Unquote(std::string_view q) {
  if (q.size() < 2) return std::string(q);
  char quote = q.front();
  std::string_view body = q.substr(1, q.size() - 2);
  if (quote == '`') return std::string(body);
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out.push_back(c);
      continue;
    }
    char e = body[++i];
    auto hex = [&](int n) {
      uint32_t v = 0;
      for (int k = 0; k < n && i + 1 < body.size(); ++k) {
        char h = body[++i];
        v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
      }
      return v;
    };
    switch (e) {
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case 'x':
        out.push_back(static_cast<char>(hex(2)));
        break;
      case 'u':
        AppendUtf8(&out, hex(4));
        break;
      case 'U':
        AppendUtf8(&out, hex(8));
        break;
      default:
        if (e >= '0' && e <= '7') {
          uint32_t v = e - '0';
          for (int k = 0; k < 2 && i + 1 < body.size(); ++k) v = v * 8 + (body[++i] - '0');
          out.push_back(static_cast<char>(v));
        } else {
          out.push_back(e);  // \\, \' or \"
        }
    }
  }
  return out;
}

}  // namespace sundial::promql
