#include "base/metrics_fatal.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "base/str_cat.h"

namespace sundial::metrics::internal {

void Fatal(std::string_view message) {
  std::string line = StrCat("metrics: ", message, "\n");
  // Best effort: we abort whatever write(2) returns.
  [[maybe_unused]] ssize_t n = write(STDERR_FILENO, line.data(), line.size());
  std::abort();
}

}  // namespace sundial::metrics::internal
