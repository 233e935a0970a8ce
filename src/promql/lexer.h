// The PromQL lexer (internal to the parser). It turns a query into tokens with the same
// state rules as Prometheus' lexer: label matchers inside braces, duration arithmetic inside
// brackets, keywords recognised case-insensitively, `inf`/`nan` lexed as numbers.
#ifndef SUNDIAL_PROMQL_LEXER_H_
#define SUNDIAL_PROMQL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sundial::promql {

enum class Tok : uint8_t {
  kEOF,
  kError,
  kIdentifier,
  kMetricIdentifier,
  kNumber,
  kDuration,
  kString,
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kEql,
  kColon,
  // Operators.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlc,
  kNeq,
  kLss,
  kLte,
  kGtr,
  kGte,
  kTrimUpper,
  kTrimLower,
  kEqlRegex,
  kNeqRegex,
  kLand,
  kLor,
  kLunless,
  kAtan2,
  kAt,
  // Aggregators.
  kAvg,
  kBottomk,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopk,
  kLimitk,
  kLimitRatio,
  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kFill,
  kFillLeft,
  kFillRight,
  kIgnoring,
  kOffset,
  kSmoothed,
  kAnchored,
  kOn,
  kWithout,
  // Preprocessors (keywords that can also be function names).
  kStart,
  kEnd,
  kStep,
  kRange,
  kMaxOf,
  kMinOf,
};

inline bool IsOperatorTok(Tok t) { return t >= Tok::kAdd && t <= Tok::kAt; }
inline bool IsAggregatorTok(Tok t) { return t >= Tok::kAvg && t <= Tok::kLimitRatio; }
inline bool IsKeywordTok(Tok t) { return t >= Tok::kBool && t <= Tok::kWithout; }
inline bool IsPreprocessorTok(Tok t) { return t >= Tok::kStart && t <= Tok::kMinOf; }

struct Token {
  Tok kind;
  int32_t pos;            // byte offset of the first character
  std::string_view text;  // the source text (for kError: the error message)
  int32_t end() const { return pos + static_cast<int32_t>(text.size()); }
};

struct LexResult {
  // Comments are dropped. The last token is kEOF, or kError whose text is error_message.
  std::vector<Token> tokens;
  std::string error_message;
};

// REQUIRES: input outlives the result (tokens point into it).
LexResult Lex(std::string_view input);

// "unexpected <what>" wording for a token, as Prometheus words it: `identifier "foo"`,
// `<op:+>`, `<aggr:sum>`, `<by>`, `"("`, `end of input`.
std::string DescribeToken(const Token& t);

// Decodes a string token (quotes included) that Lex() accepted: Go escapes for '...' and "...",
// none for `...`.
std::string Unquote(std::string_view quoted);

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_LEXER_H_
