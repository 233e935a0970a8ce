// Command-line flags of the bench drivers, written `--name=value`.
#ifndef SUNDIAL_BENCH_FLAG_VALUE_H_
#define SUNDIAL_BENCH_FLAG_VALUE_H_

#include <string_view>

namespace sundial::bench {

// The value of arg if it is `<name>=value` (name with its dashes), else nullptr.
inline const char* FlagValue(const char* arg, std::string_view name) {
  std::string_view a = arg;
  if (a.size() <= name.size() || !a.starts_with(name) || a[name.size()] != '=') return nullptr;
  return arg + name.size() + 1;
}

}  // namespace sundial::bench

#endif  // SUNDIAL_BENCH_FLAG_VALUE_H_
