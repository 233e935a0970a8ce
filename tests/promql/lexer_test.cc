#include "promql/lexer.h"

#include "gtest/gtest.h"

namespace sundial::promql {
namespace {

std::vector<Tok> Kinds(std::string_view q) {
  std::vector<Tok> out;
  for (const Token& t : Lex(q).tokens) out.push_back(t.kind);
  return out;
}

TEST(LexerTest, KeywordsAreCaseInsensitiveAndContextual) {
  EXPECT_EQ(Kinds("SUM by(a)"), (std::vector<Tok>{Tok::kSum, Tok::kBy, Tok::kLeftParen,
                                                  Tok::kIdentifier, Tok::kRightParen, Tok::kEOF}));
  // Inside braces everything is an identifier; fill is a keyword only before '('.
  EXPECT_EQ(Kinds("{sum=\"x\"}")[1], Tok::kIdentifier);
  EXPECT_EQ(Kinds("fill + fill(1)")[0], Tok::kIdentifier);
  EXPECT_EQ(Kinds("fill + fill(1)")[2], Tok::kFill);
  EXPECT_EQ(Kinds("a:b")[0], Tok::kMetricIdentifier);
  EXPECT_EQ(Kinds("Inf NaN")[1], Tok::kNumber);
}

TEST(LexerTest, NumbersDurationsAndBrackets) {
  EXPECT_EQ(Kinds("0x1f 1e-3 .5 5m 1h30m"),
            (std::vector<Tok>{Tok::kNumber, Tok::kNumber, Tok::kNumber, Tok::kDuration,
                              Tok::kDuration, Tok::kEOF}));
  EXPECT_EQ(Kinds("x[5m:step()]"),
            (std::vector<Tok>{Tok::kIdentifier, Tok::kLeftBracket, Tok::kDuration, Tok::kColon,
                              Tok::kStep, Tok::kLeftParen, Tok::kRightParen, Tok::kRightBracket,
                              Tok::kEOF}));
  LexResult r = Lex("x[5m");
  EXPECT_EQ(r.tokens.back().kind, Tok::kError);
  EXPECT_EQ(r.error_message, "unclosed left bracket");
}

TEST(LexerTest, CommentsAreDropped) {
  EXPECT_EQ(Kinds("a # comment\n+ b"),
            (std::vector<Tok>{Tok::kIdentifier, Tok::kAdd, Tok::kIdentifier, Tok::kEOF}));
}

TEST(LexerTest, UnquoteFollowsGoEscapes) {
  EXPECT_EQ(Unquote(R"("a\n\"\\")"), "a\n\"\\");
  EXPECT_EQ(Unquote(R"('\x41\101\u00e9\U0001F600')"), "AAé😀");
  EXPECT_EQ(Unquote("`\\n`"), "\\n");
}

TEST(LexerTest, DescribeTokenUsesPrometheusWording) {
  auto first = [](std::string_view q) { return DescribeToken(Lex(q).tokens[0]); };
  EXPECT_EQ(first("foo"), "identifier \"foo\"");
  EXPECT_EQ(first("+"), "<op:+>");
  EXPECT_EQ(first("sum"), "<aggr:sum>");
  EXPECT_EQ(first("by"), "<by>");
  EXPECT_EQ(first("("), "\"(\"");
  EXPECT_EQ(first(""), "end of input");
}

}  // namespace
}  // namespace sundial::promql
