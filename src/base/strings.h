// String helpers shared across modules.
#ifndef SUNDIAL_BASE_STRINGS_H_
#define SUNDIAL_BASE_STRINGS_H_

#include <string>
#include <string_view>

namespace sundial {

// Go's strconv.Quote: double-quoted, with \a \b \f \n \r \t \v \\ \" escapes, \xNN for bytes that
// are not valid UTF-8 or are ASCII control characters, \u00NN for C1 controls.
std::string GoQuote(std::string_view s);
void AppendGoQuoted(std::string* out, std::string_view s);

// True iff s is valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace sundial

#endif  // SUNDIAL_BASE_STRINGS_H_
