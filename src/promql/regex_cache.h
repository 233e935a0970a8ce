// Compiled regular expressions of label_replace, shared by all queries: a dashboard sends the
// same few patterns with every refresh, and compiling one costs more than the rest of a small
// query. Thread-safe; bounded (the cache starts over when full).
#ifndef SUNDIAL_PROMQL_REGEX_CACHE_H_
#define SUNDIAL_PROMQL_REGEX_CACHE_H_

#include <memory>
#include <string_view>

#include "re2/re2.h"

namespace sundial::promql {

// `pattern` compiled as label_replace compiles it: fully anchored, `.` matching newlines. The
// result may be !ok(); it is never null.
std::shared_ptr<const RE2> LabelReplaceRegex(std::string_view pattern);

}  // namespace sundial::promql

#endif  // SUNDIAL_PROMQL_REGEX_CACHE_H_
