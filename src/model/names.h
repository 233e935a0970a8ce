// Validity of metric and label names.
#ifndef SUNDIAL_MODEL_NAMES_H_
#define SUNDIAL_MODEL_NAMES_H_

#include <string_view>

namespace sundial {

// [a-zA-Z_][a-zA-Z0-9_]* — the legacy (2.x) label name charset.
bool IsLegacyLabelName(std::string_view name);
// [a-zA-Z_:][a-zA-Z0-9_:]* — the legacy metric name charset.
bool IsLegacyMetricName(std::string_view name);
// Under the UTF-8 validation scheme (3.x default) any non-empty valid UTF-8 string is a name.
bool IsUtf8Name(std::string_view name);

}  // namespace sundial

#endif  // SUNDIAL_MODEL_NAMES_H_
