// The string form of an OTLP attribute value, as the OpenTelemetry Collector's pdata
// (pcommon.Value.AsString) gives it and Prometheus therefore stores it as a label value:
// strings as they are, booleans "true"/"false", integers in decimal, doubles in the JSON
// (ECMAScript) number format, bytes in standard base64, arrays and maps as compact JSON (map keys
// sorted), an unset value as "".
#ifndef SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_ANY_VALUE_H_
#define SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_ANY_VALUE_H_

#include <string>

#include "remotewrite/otlp/metrics.pb.h"

namespace sundial::remotewrite::otlp {

// Appends the string form of value to *out.
void AppendAnyValue(const sundial::otlp::AnyValue& value, std::string* out);

// Doubles as JavaScript prints them (shortest round trip, exponent below 1e-6 and from 1e21).
void AppendJsonDouble(double v, std::string* out);

}  // namespace sundial::remotewrite::otlp

#endif  // SUNDIAL_REMOTEWRITE_OTLP_INTERNAL_ANY_VALUE_H_
