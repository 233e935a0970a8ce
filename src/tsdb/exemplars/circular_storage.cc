#include "tsdb/exemplars/circular_storage.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "base/str_cat.h"

namespace sundial::tsdb {
namespace {

// UTF-8 characters of s: every byte that does not continue a multi-byte sequence. An invalid
// sequence counts its bytes, close to Go's RuneCountInString (one rune per invalid byte).
int64_t CountUtf8(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool MatchesSomeSet(const Labels& labels, std::span<const std::vector<Matcher>> sets) {
  for (const std::vector<Matcher>& set : sets) {
    if (std::all_of(set.begin(), set.end(),
                    [&](const Matcher& m) { return m.Matches(labels.Get(m.name())); })) {
      return true;
    }
  }
  return false;
}

}  // namespace

CircularExemplarStorage::CircularExemplarStorage(int64_t max_exemplars)
    : ring_(static_cast<size_t>(std::max<int64_t>(max_exemplars, 0))) {}

bool CircularExemplarStorage::enabled() const {
  absl::ReaderMutexLock lock(&mu_);
  return !ring_.empty();
}

absl::Status CircularExemplarStorage::ValidateLocked(const SeriesEntry* series,
                                                     const Exemplar& e) const {
  if (ring_.empty()) return ExemplarsDisabledError();
  int64_t length = 0;
  for (const Label& l : e.labels) {
    length += CountUtf8(l.name) + CountUtf8(l.value);
    if (length > kExemplarMaxLabelSetLength) return ExemplarLabelLengthError();
  }
  if (series == nullptr) return absl::OkStatus();
  const Exemplar& newest = ring_[series->newest].exemplar;
  if (newest.Equals(e)) return DuplicateExemplarError();
  if (e.ts <= newest.ts) return OutOfOrderExemplarError();
  return absl::OkStatus();
}

absl::Status CircularExemplarStorage::Validate(const Labels& series_labels,
                                               const Exemplar& e) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = index_.find(AsAbsl(series_labels.Bytes()));
  return ValidateLocked(it == index_.end() ? nullptr : it->second.get(), e);
}

absl::Status CircularExemplarStorage::Add(const Labels& series_labels, const Exemplar& e) {
  absl::MutexLock lock(&mu_);
  auto it = index_.find(AsAbsl(series_labels.Bytes()));
  absl::Status status = ValidateLocked(it == index_.end() ? nullptr : it->second.get(), e);
  if (IsDuplicateExemplar(status)) return absl::OkStatus();
  if (IsOutOfOrderExemplar(status)) ++out_of_order_;
  if (!status.ok()) return status;
  AddLocked(series_labels, e);
  ++appended_;
  return absl::OkStatus();
}

void CircularExemplarStorage::AddLocked(const Labels& series_labels, const Exemplar& e) {
  const std::string key(series_labels.Bytes());
  // Evict the slot's current exemplar first: it may be the last one of this very series.
  Slot& slot = ring_[next_];
  if (slot.series != nullptr) {
    if (slot.next == kNone) {
      index_.erase(std::string(slot.series->series_labels.Bytes()));
    } else {
      slot.series->oldest = slot.next;
    }
  }
  auto [it, inserted] = index_.try_emplace(key);
  if (inserted) {
    it->second = std::make_unique<SeriesEntry>();
    it->second->series_labels = series_labels;
    it->second->oldest = next_;
  } else {
    ring_[it->second->newest].next = next_;
  }
  SeriesEntry* series = it->second.get();
  slot.exemplar = e;
  slot.next = kNone;
  slot.series = series;
  series->newest = next_;
  next_ = (next_ + 1) % static_cast<int64_t>(ring_.size());
}

std::vector<ExemplarQueryResult> CircularExemplarStorage::Select(
    int64_t start, int64_t end, std::span<const std::vector<Matcher>> matcher_sets) const {
  std::vector<ExemplarQueryResult> results;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [key, series] : index_) {
    if (ring_[series->oldest].exemplar.ts > end || ring_[series->newest].exemplar.ts < start) {
      continue;
    }
    if (!MatchesSomeSet(series->series_labels, matcher_sets)) continue;
    ExemplarQueryResult result;
    for (int64_t i = series->oldest; i != kNone; i = ring_[i].next) {
      const Exemplar& e = ring_[i].exemplar;
      if (e.ts > end) break;
      if (e.ts >= start) result.exemplars.push_back(e);
    }
    if (result.exemplars.empty()) continue;
    result.series_labels = series->series_labels;
    results.push_back(std::move(result));
  }
  std::sort(results.begin(), results.end(),
            [](const ExemplarQueryResult& a, const ExemplarQueryResult& b) {
              return a.series_labels < b.series_labels;
            });
  return results;
}

int64_t CircularExemplarStorage::Resize(int64_t max_exemplars) {
  max_exemplars = std::max<int64_t>(max_exemplars, 0);
  absl::MutexLock lock(&mu_);
  const int64_t old_size = static_cast<int64_t>(ring_.size());
  if (max_exemplars == old_size) return 0;
  std::vector<Slot> old = std::move(ring_);
  // The old slots point into the old index: keep it alive until they are copied.
  absl::flat_hash_map<std::string, std::unique_ptr<SeriesEntry>> old_index = std::move(index_);
  const int64_t old_next = next_;
  ring_ = std::vector<Slot>(static_cast<size_t>(max_exemplars));
  index_.clear();
  next_ = 0;
  int64_t kept = 0;
  if (max_exemplars > 0 && old_size > 0) {
    // Walk the newest min(old, new) entries oldest first, so none is added only to be evicted.
    const int64_t count = std::min(old_size, max_exemplars);
    const int64_t first = (old_next - count + old_size) % old_size;
    for (int64_t i = 0; i < count; ++i) {
      const Slot& s = old[(first + i) % old_size];
      if (s.series == nullptr) continue;
      AddLocked(s.series->series_labels, s.exemplar);
      ++kept;
    }
  }
  return kept;
}

ExemplarStats CircularExemplarStorage::Stats() const {
  absl::ReaderMutexLock lock(&mu_);
  ExemplarStats stats;
  stats.max_exemplars = static_cast<int64_t>(ring_.size());
  stats.series_with_exemplars = static_cast<int64_t>(index_.size());
  stats.appended_total = appended_;
  stats.out_of_order_total = out_of_order_;
  if (ring_.empty()) return stats;
  // Once the ring is full the slot written next holds the oldest exemplar; before that, slot 0.
  const Slot& next = ring_[next_];
  if (next.series != nullptr) {
    stats.exemplars_in_storage = stats.max_exemplars;
    stats.oldest_timestamp_seconds = static_cast<double>(next.exemplar.ts) / 1000;
  } else {
    stats.exemplars_in_storage = next_;
    if (ring_[0].series != nullptr) {
      stats.oldest_timestamp_seconds = static_cast<double>(ring_[0].exemplar.ts) / 1000;
    }
  }
  return stats;
}

}  // namespace sundial::tsdb
