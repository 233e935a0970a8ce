#include "tsdb/wal/corruption.h"

#include <charconv>

#include "absl/strings/cord.h"
#include "base/str_cat.h"

namespace sundial::tsdb::wal {
namespace {

constexpr absl::string_view kPayloadUrl = "type.sundial.dev/sundial.tsdb.wal.Corruption";

// Payload: "<segment> <offset> <dir size> <dir><reason>".
std::string EncodePayload(const Corruption& c) {
  return StrCat(c.segment, " ", c.offset, " ", c.dir.size(), " ", c.dir, c.reason);
}

template <typename T>
bool ParseNumber(std::string_view* s, T* out) {
  auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), *out);
  if (ec != std::errc() || ptr == s->data() + s->size() || *ptr != ' ') return false;
  s->remove_prefix(static_cast<size_t>(ptr - s->data()) + 1);
  return true;
}

}  // namespace

absl::Status CorruptionError(const Corruption& c) {
  absl::Status s =
      absl::DataLossError(AsAbsl(StrCat("corruption in WAL ", c.dir, " segment ", c.segment,
                                        " at offset ", c.offset, ": ", c.reason)));
  s.SetPayload(kPayloadUrl, absl::Cord(AsAbsl(EncodePayload(c))));
  return s;
}

absl::Status CorruptionError(std::string_view dir, int segment, int64_t offset,
                             std::string_view reason) {
  return CorruptionError(Corruption{std::string(dir), segment, offset, std::string(reason)});
}

bool IsCorruptionError(const absl::Status& status) {
  return absl::IsDataLoss(status) && status.GetPayload(kPayloadUrl).has_value();
}

std::optional<Corruption> GetCorruption(const absl::Status& status) {
  if (!absl::IsDataLoss(status)) return std::nullopt;
  auto payload = status.GetPayload(kPayloadUrl);  // absl::optional in this Abseil
  if (!payload) return std::nullopt;
  std::string text(*payload);
  std::string_view rest = text;
  Corruption c;
  size_t dir_size = 0;
  if (!ParseNumber(&rest, &c.segment) || !ParseNumber(&rest, &c.offset) ||
      !ParseNumber(&rest, &dir_size) || dir_size > rest.size()) {
    return std::nullopt;
  }
  c.dir = std::string(rest.substr(0, dir_size));
  c.reason = std::string(rest.substr(dir_size));
  return c;
}

}  // namespace sundial::tsdb::wal
