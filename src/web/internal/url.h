// URL helpers for the server: percent-decoding and query/form parsing with Go's net/url rules.
#ifndef SUNDIAL_WEB_INTERNAL_URL_H_
#define SUNDIAL_WEB_INTERNAL_URL_H_

#include <optional>
#include <string>
#include <string_view>

#include "web/http_request.h"

namespace sundial::web::internal {

// Decodes %XX escapes; with plus_is_space, '+' becomes ' ' (query strings and forms, not paths).
// Returns nullopt on a malformed escape ("%", "%4", "%zz"), as Go's url.QueryUnescape errors.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space);

// Adds each key=value pair of a query string or urlencoded form to *out, in order. Pairs are
// separated by '&'; a pair without '=' has an empty value; empty pairs are skipped. Like Go's
// url.ParseQuery, a pair that fails to decode or contains ';' is skipped; the return value is
// false iff any pair was skipped.
bool ParseQueryInto(std::string_view query, ParamMap* out);

bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace sundial::web::internal

#endif  // SUNDIAL_WEB_INTERNAL_URL_H_
