#include "tsdb/db/wal_head_log.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/str_cat.h"
#include "tsdb/wal/records.h"

namespace sundial::tsdb {

void WalHeadLog::Attach(wal::Writer* writer, uint64_t wal_ref_base, EntryMap replayed,
                        AliasMap aliases) {
  absl::MutexLock lock(&mu_);
  writer_ = writer;
  wal_ref_base_ = wal_ref_base;
  for (const auto& [ref, entry] : replayed) entries_.TryEmplace(ref, entry);
  aliases_ = std::move(aliases);
}

absl::Status WalHeadLog::LogSeries(std::span<const RefSeries> series) {
  std::vector<wal::RefSeries> records;
  records.reserve(series.size());
  wal::Writer* writer;
  {
    absl::MutexLock lock(&mu_);
    if (writer_ == nullptr) return absl::OkStatus();
    writer = writer_;
    for (const RefSeries& s : series) {
      const uint64_t wal_ref = wal_ref_base_ + s.ref;
      records.push_back({wal_ref, *s.labels});
      entries_.TryEmplace(s.ref, Entry{wal_ref, INT64_MIN});
    }
  }
  std::string rec;
  wal::EncodeSeries(records, &rec);
  // If the write fails the entry stays without a record on disk. That is safe because a failed
  // Writer fails every later Log too, so no sample can be acknowledged under this ref.
  return writer->Log(rec);
}

absl::Status WalHeadLog::LogSamples(std::span<const RefSample> samples) {
  absl::MutexLock lock(&mu_);
  if (writer_ == nullptr) return absl::OkStatus();
  sample_records_.clear();
  for (const RefSample& s : samples) {
    const Entry* e = entries_.Find(s.ref);
    if (e == nullptr) {
      return absl::FailedPreconditionError(
          StrCat("series ", s.ref, " has no series record in the WAL yet; retry the commit"));
    }
    sample_records_.push_back({e->wal_ref, s.t, s.v});
  }
  rec_.clear();
  wal::EncodeSamples(sample_records_, &rec_);
  absl::Status status = writer_->Log(rec_);
  if (!status.ok()) return status;
  // Only once the record is written, so a failed batch leaves max_t untouched.
  for (const RefSample& s : samples) {
    Entry* e = entries_.Find(s.ref);
    e->max_t = std::max(e->max_t, s.t);
  }
  samples_logged_.fetch_add(samples.size(), std::memory_order_relaxed);
  return status;
}

absl::Status WalHeadLog::LogExemplars(std::span<const RefExemplar> exemplars) {
  std::vector<wal::RefExemplar> records;
  wal::Writer* writer;
  {
    absl::MutexLock lock(&mu_);
    if (writer_ == nullptr) return absl::OkStatus();
    writer = writer_;
    for (const RefExemplar& e : exemplars) {
      const Entry* entry = entries_.Find(e.ref);
      if (entry == nullptr) continue;
      records.push_back({entry->wal_ref, e.exemplar->ts, e.exemplar->value, e.exemplar->labels});
    }
  }
  if (records.empty()) return absl::OkStatus();
  std::string rec;
  wal::EncodeExemplars(records, &rec);
  return writer->Log(rec);
}

absl::Status WalHeadLog::LogTombstones(std::span<const Stone> stones) {
  std::vector<wal::Stone> records;
  wal::Writer* writer;
  {
    absl::MutexLock lock(&mu_);
    if (writer_ == nullptr) return absl::OkStatus();
    writer = writer_;
    for (const Stone& s : stones) {
      const Entry* e = entries_.Find(s.ref);
      if (e == nullptr) continue;
      records.push_back({e->wal_ref, {{s.mint, s.maxt}}});
    }
  }
  if (records.empty()) return absl::OkStatus();
  std::string rec;
  wal::EncodeTombstones(records, &rec);
  return writer->Log(rec);
}

absl::flat_hash_set<uint64_t> WalHeadLog::RetainLive(
    Timestamp mint, absl::FunctionRef<bool(SeriesRef)> has_samples) {
  absl::MutexLock lock(&mu_);
  absl::flat_hash_set<uint64_t> live;
  live.reserve(entries_.size() + aliases_.size());
  entries_.EraseIf([&](SeriesRef ref, const Entry& e) {
    if (e.max_t < mint && !has_samples(ref)) return true;
    live.insert(e.wal_ref);
    return false;
  });
  for (auto it = aliases_.begin(); it != aliases_.end();) {
    if (!entries_.Contains(it->second)) {
      aliases_.erase(it++);
      continue;
    }
    live.insert(it->first);
    ++it;
  }
  return live;
}

}  // namespace sundial::tsdb
