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
  entries_ = std::move(replayed);
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
      entries_.try_emplace(s.ref, Entry{wal_ref, INT64_MIN});
    }
  }
  std::string rec;
  wal::EncodeSeries(records, &rec);
  // If the write fails the entry stays without a record on disk. That is safe because a failed
  // Writer fails every later Log too, so no sample can be acknowledged under this ref.
  return writer->Log(rec);
}

absl::Status WalHeadLog::LogSamples(std::span<const RefSample> samples) {
  std::vector<wal::RefSample> records;
  records.reserve(samples.size());
  std::vector<Entry*> entries;  // stable: nothing is inserted while mu_ is held here
  entries.reserve(samples.size());
  wal::Writer* writer;
  {
    absl::MutexLock lock(&mu_);
    if (writer_ == nullptr) return absl::OkStatus();
    writer = writer_;
    for (const RefSample& s : samples) {
      auto it = entries_.find(s.ref);
      if (it == entries_.end()) {
        return absl::FailedPreconditionError(
            StrCat("series ", s.ref, " has no series record in the WAL yet; retry the commit"));
      }
      records.push_back({it->second.wal_ref, s.t, s.v});
      entries.push_back(&it->second);
    }
    // Only after every ref resolved, so a failed batch leaves max_t untouched.
    for (size_t i = 0; i < samples.size(); ++i) {
      entries[i]->max_t = std::max(entries[i]->max_t, samples[i].t);
    }
  }
  std::string rec;
  wal::EncodeSamples(records, &rec);
  absl::Status status = writer->Log(rec);
  if (status.ok()) samples_logged_.fetch_add(samples.size(), std::memory_order_relaxed);
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
      auto it = entries_.find(e.ref);
      if (it == entries_.end()) continue;
      records.push_back(
          {it->second.wal_ref, e.exemplar->ts, e.exemplar->value, e.exemplar->labels});
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
      auto it = entries_.find(s.ref);
      if (it == entries_.end()) continue;
      records.push_back({it->second.wal_ref, {{s.mint, s.maxt}}});
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
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.max_t < mint && !has_samples(it->first)) {
      entries_.erase(it++);
      continue;
    }
    live.insert(it->second.wal_ref);
    ++it;
  }
  for (auto it = aliases_.begin(); it != aliases_.end();) {
    if (!entries_.contains(it->second)) {
      aliases_.erase(it++);
      continue;
    }
    live.insert(it->first);
    ++it;
  }
  return live;
}

}  // namespace sundial::tsdb
