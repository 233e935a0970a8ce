// StrCat/StrAppend that take std::string_view. Debian's Abseil is built with its own
// absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW == 0), so absl::StrCat, absl::StrSplit and
// friends do not accept std::string_view; use these, and AsStd/AsAbsl at the few seams.
//
//   std::string s = StrCat("scrape timeout ", d, " greater than interval ", name);
//
// Integers print in decimal, floating point in the shortest form that round-trips.
#ifndef SUNDIAL_BASE_STR_CAT_H_
#define SUNDIAL_BASE_STR_CAT_H_

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace sundial {

inline std::string_view AsStd(absl::string_view s) { return {s.data(), s.size()}; }
inline absl::string_view AsAbsl(std::string_view s) { return {s.data(), s.size()}; }

namespace str_cat_internal {

inline void Append(std::string* out, std::string_view s) { out->append(s); }
inline void Append(std::string* out, absl::string_view s) { out->append(s.data(), s.size()); }
inline void Append(std::string* out, const std::string& s) { out->append(s); }
inline void Append(std::string* out, const char* s) { out->append(s); }
inline void Append(std::string* out, char c) { out->push_back(c); }

template <typename T>
requires(std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>) ||
    std::floating_point<T> void Append(std::string* out, T v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, res.ptr);
}

}  // namespace str_cat_internal

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (str_cat_internal::Append(out, args), ...);
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  StrAppend(&out, args...);
  return out;
}

}  // namespace sundial

#endif  // SUNDIAL_BASE_STR_CAT_H_
