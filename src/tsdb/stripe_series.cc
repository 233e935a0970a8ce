#include "tsdb/stripe_series.h"

#include <algorithm>
#include <utility>

#include "tsdb/pinned_series.h"

namespace sundial::tsdb {

StripeSeries::StripeSeries()
    : ref_stripes_(new RefStripe[kStripes]), hash_stripes_(new HashStripe[kStripes]) {}

MemSeries* StripeSeries::PinByRef(SeriesRef ref) {
  RefStripe& stripe = ref_stripe(ref);
  absl::ReaderMutexLock lock(&stripe.mu);
  auto it = stripe.series.find(ref);
  if (it == stripe.series.end()) return nullptr;
  MemSeries* s = it->second.get();
  s->Pin();
  return s;
}

MemSeries* StripeSeries::FindAndPin(const HashStripe& stripe, uint64_t hash, const Labels& labels) {
  auto it = stripe.series.find(hash);
  if (it == stripe.series.end()) return nullptr;
  for (MemSeries* s : it->second) {
    if (s->labels() == labels) {
      s->Pin();
      return s;
    }
  }
  return nullptr;
}

MemSeries* StripeSeries::PinByLabels(const Labels& labels) {
  const uint64_t hash = labels.Hash();
  HashStripe& stripe = hash_stripes_[hash & (kStripes - 1)];
  absl::ReaderMutexLock lock(&stripe.mu);
  return FindAndPin(stripe, hash, labels);
}

MemSeries* StripeSeries::PinOrCreate(const Labels& labels, bool* created) {
  const uint64_t hash = labels.Hash();
  HashStripe& stripe = hash_stripes_[hash & (kStripes - 1)];
  *created = false;
  {
    absl::ReaderMutexLock lock(&stripe.mu);
    if (MemSeries* s = FindAndPin(stripe, hash, labels)) return s;
  }
  absl::MutexLock lock(&stripe.mu);
  if (MemSeries* s = FindAndPin(stripe, hash, labels)) return s;
  *created = true;
  return Create(stripe, hash, labels, ReserveRef());
}

MemSeries* StripeSeries::CreateOrPin(Labels labels, bool* created) {
  const uint64_t hash = labels.Hash();
  HashStripe& stripe = hash_stripes_[hash & (kStripes - 1)];
  absl::MutexLock lock(&stripe.mu);
  if (MemSeries* s = FindAndPin(stripe, hash, labels)) {
    *created = false;
    return s;
  }
  *created = true;
  return Create(stripe, hash, std::move(labels), ReserveRef());
}

MemSeries* StripeSeries::CreateWithRef(SeriesRef ref, Labels labels, uint64_t hash) {
  HashStripe& stripe = hash_stripes_[hash & (kStripes - 1)];
  absl::MutexLock lock(&stripe.mu);
  return Create(stripe, hash, std::move(labels), ref);
}

MemSeries* StripeSeries::Create(HashStripe& stripe, uint64_t hash, Labels labels, SeriesRef ref) {
  auto owned = std::make_unique<MemSeries>(ref, std::move(labels));
  MemSeries* s = owned.get();
  if (const int64_t base = chunk_ref_base_.load(std::memory_order_acquire); base >= 0) {
    absl::MutexLock series_lock(&s->mu());
    s->set_chunk_series_ref(static_cast<uint64_t>(base) + ref);
  }
  s->Pin();
  stripe.series[hash].push_back(s);
  RefStripe& rs = ref_stripe(ref);
  absl::MutexLock ref_lock(&rs.mu);
  rs.series.emplace(ref, std::move(owned));
  size_.fetch_add(1, std::memory_order_relaxed);
  return s;
}

bool StripeSeries::WithSeries(SeriesRef ref, absl::FunctionRef<void(const MemSeries&)> f) const {
  // The same locking as WithMutableSeries; f only gets const access.
  return const_cast<StripeSeries*>(this)->WithMutableSeries(ref, [&](MemSeries& s) { f(s); });
}

bool StripeSeries::WithMutableSeries(SeriesRef ref, absl::FunctionRef<void(MemSeries&)> f) {
  RefStripe& stripe = ref_stripe(ref);
  absl::ReaderMutexLock lock(&stripe.mu);
  auto it = stripe.series.find(ref);
  if (it == stripe.series.end()) return false;
  absl::MutexLock series_lock(&it->second->mu());
  f(*it->second);
  return true;
}

std::vector<std::pair<SeriesRef, Labels>> StripeSeries::TruncateAndCollect(
    Timestamp mint, uint64_t* chunks_removed) {
  std::vector<std::pair<SeriesRef, Labels>> removed;
  for (size_t i = 0; i < kStripes; ++i) {
    HashStripe& stripe = hash_stripes_[i];
    absl::MutexLock lock(&stripe.mu);
    for (auto it = stripe.series.begin(); it != stripe.series.end();) {
      auto& list = it->second;
      for (size_t j = 0; j < list.size();) {
        MemSeries* s = list[j];
        // Held from the check to the removal, so nobody can pin s in between.
        RefStripe& rs = ref_stripe(s->ref());
        absl::MutexLock ref_lock(&rs.mu);
        bool remove;
        {
          absl::MutexLock series_lock(&s->mu());
          const size_t dropped = s->TruncateBefore(mint);
          if (chunks_removed) *chunks_removed += dropped;
          remove = s->Empty() && !s->pinned();
        }
        if (!remove) {
          ++j;
          continue;
        }
        // Unreachable once out of both maps: pinning needs one of the stripe locks we hold.
        list.erase(list.begin() + static_cast<ptrdiff_t>(j));
        removed.emplace_back(s->ref(), s->labels());
        rs.series.erase(s->ref());  // deletes s
        size_.fetch_sub(1, std::memory_order_relaxed);
      }
      if (list.empty()) {
        stripe.series.erase(it++);
      } else {
        ++it;
      }
    }
  }
  return removed;
}

void PinnedSeries::Reset() {
  if (s_ != nullptr) std::exchange(s_, nullptr)->Unpin();
}

}  // namespace sundial::tsdb
