// Parser for the Prometheus text exposition format 0.0.4 (Content-Type text/plain;version=0.0.4),
// with the leniency of Prometheus' promparse: blank lines, free whitespace around tokens,
// trailing commas and missing commas in label sets, comments anywhere, optional integer
// millisecond timestamps, no final newline required. See parser.h for the calling contract.
#ifndef SUNDIAL_SCRAPE_TEXT_PARSER_H_
#define SUNDIAL_SCRAPE_TEXT_PARSER_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "scrape/parser.h"

namespace sundial::scrape {

class TextParser final : public Parser {
 public:
  // body must outlive the parser.
  explicit TextParser(std::string_view body) : body_(body) {}
  // The parser keeps views into body: a temporary would dangle.
  explicit TextParser(std::string&&) = delete;

  absl::StatusOr<Entry> Next() override;

 private:
  // The body as Prometheus sees it: with one '\n' appended.
  char At(size_t i) const { return i < body_.size() ? body_[i] : '\n'; }
  void SkipBlanks();
  // Consumes the rest of the line; returns it without the newline.
  std::string_view RestOfLine();
  absl::StatusOr<Entry> ParseHashLine();
  absl::StatusOr<Entry> ParseSeries();
  // Consumes the series text at pos_ if it is the ExpectSeries() hint (without decoding it).
  bool SkipExpectedSeries();
  absl::Status ParseLabels();

  std::string_view body_;
  size_t pos_ = 0;  // in [0, body_.size() + 1]; past the virtual newline means EOF
};

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_TEXT_PARSER_H_
