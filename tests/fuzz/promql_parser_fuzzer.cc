// libFuzzer target: any input must parse or fail cleanly, and what parses must print to text
// that parses back to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "promql/parser.h"
#include "promql/printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto opts = sundial::promql::ParseOptions::AllEnabled();
  auto e = sundial::promql::Parse(input, opts);
  if (!e.ok()) return 0;
  std::string printed = sundial::promql::ToString(**e);
  auto again = sundial::promql::Parse(printed, opts);
  if (!again.ok() || sundial::promql::ToString(**again) != printed) std::abort();
  (void)sundial::promql::Prettify(**e);
  return 0;
}
