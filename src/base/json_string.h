// JSON string literals spelled exactly as Go's encoding/json writes them, so documents that
// Prometheus writes with it (API responses, a block's meta.json) compare byte for byte.
#ifndef SUNDIAL_BASE_JSON_STRING_H_
#define SUNDIAL_BASE_JSON_STRING_H_

#include <string>
#include <string_view>

namespace sundial {

// Appends s as a quoted JSON string: `"` and `\` escaped, \n \r \t short, other control
// characters as \u00XX, `<` `>` `&` as \u003c \u003e \u0026 (Go's HTML-safe default), U+2028
// and U+2029 escaped, each byte of invalid UTF-8 replaced by \ufffd.
void AppendJsonString(std::string* out, std::string_view s);

// Whether s is printable ASCII without `"` `\` `<` `>` `&`: then AppendJsonString writes it
// unchanged between the quotes.
bool IsPlainJsonString(std::string_view s);

}  // namespace sundial

#endif  // SUNDIAL_BASE_JSON_STRING_H_
