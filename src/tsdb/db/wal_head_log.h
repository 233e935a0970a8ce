// WalHeadLog: the head's commit log (tsdb/head_log.h) written to a Prometheus-compatible WAL.
// Each LogSeries / LogSamples call encodes its batch as one record (tsdb/wal/records.h) and
// hands it to the wal::Writer in one Log() call, so a batch is never split by a crash.
//
//   WalHeadLog log;                        // inert: logs nothing while the WAL is replayed
//   Head head(HeadOptions{.log = &log});
//   ... replay into head ...
//   log.Attach(writer.get(), max_wal_ref, std::move(replayed));
//
// Series refs. The head assigns its own refs; the WAL keeps the refs it was written with. A
// series replayed from the WAL keeps logging under its WAL ref; a series created in this
// process is logged as base + head ref, where base is the highest WAL ref seen at replay, so
// refs of this process never collide with refs already in the log.
//
// Durability (as Prometheus): a commit returns once its records were written to the OS
// (write(2)), not fsynced. The WAL fsyncs a segment when it is completed, and on DB::Sync() and
// DB::Close(). Therefore:
//  - kill -9 of the process loses nothing that was acknowledged (the data is in the page cache);
//  - a power loss or kernel crash loses at most the commits since the last fsync: the tail of
//    the open segment (the replay cuts a torn tail off and keeps everything before it).
//
// Thread-safe: the head calls it from concurrent committing appenders.
#ifndef SUNDIAL_TSDB_DB_WAL_HEAD_LOG_H_
#define SUNDIAL_TSDB_DB_WAL_HEAD_LOG_H_

#include <atomic>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "tsdb/db/ref_table.h"
#include "tsdb/head_log.h"
#include "tsdb/wal/records.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb {

class WalHeadLog : public HeadLog {
 public:
  // What the log knows about one head series.
  struct Entry {
    uint64_t wal_ref = 0;         // the ref its samples are logged under
    Timestamp max_t = INT64_MIN;  // newest sample logged (or replayed) for it
  };
  using EntryMap = absl::flat_hash_map<SeriesRef, Entry>;  // by head ref
  // Older WAL refs of a head series that was logged under several refs (Prometheus writes
  // such duplicates), by WAL ref. Kept so a checkpoint keeps their series records while their
  // samples may still be in it.
  using AliasMap = absl::flat_hash_map<uint64_t, SeriesRef>;

  WalHeadLog() = default;
  WalHeadLog(const WalHeadLog&) = delete;
  WalHeadLog& operator=(const WalHeadLog&) = delete;

  // Starts logging to writer (not owned; must outlive every later Log call). Before Attach the
  // Log calls do nothing. REQUIRES: called once, before any appender commits.
  void Attach(wal::Writer* writer, uint64_t wal_ref_base, EntryMap replayed, AliasMap aliases);

  // One series record. Fails (and the commit with it) if the writer failed.
  absl::Status LogSeries(std::span<const RefSeries> series) override;
  // One samples record. Fails with FailedPrecondition, logging nothing, if a sample's series has
  // no series record in the log: it was created by another appender that has not committed yet,
  // or it was dropped from a checkpoint while this appender held it. The caller may retry.
  absl::Status LogSamples(std::span<const RefSample> samples) override;

  // One exemplars record. Exemplars of series without a series record in the log are left out
  // (exemplars are best effort, as in Prometheus). Fails if the writer failed.
  absl::Status LogExemplars(std::span<const RefExemplar> exemplars) override;

  // Deleted [mint, maxt] of a head series (DB::Delete).
  struct Stone {
    SeriesRef ref;
    Timestamp mint;
    Timestamp maxt;
  };
  // One tombstones record. Series without a series record in the log (none yet, or dropped by a
  // checkpoint) are left out: they have no logged sample to delete. Fails if the writer failed.
  absl::Status LogTombstones(std::span<const Stone> stones);

  // For a checkpoint at mint: forgets the series whose newest logged sample is before mint and
  // for which has_samples(head_ref) is false, and returns the WAL refs of all other series
  // (aliases included), whose series records the checkpoint must keep.
  absl::flat_hash_set<uint64_t> RetainLive(Timestamp mint,
                                           absl::FunctionRef<bool(SeriesRef)> has_samples);

  uint64_t samples_logged() const { return samples_logged_.load(std::memory_order_relaxed); }

 private:
  absl::Mutex mu_;
  wal::Writer* writer_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t wal_ref_base_ ABSL_GUARDED_BY(mu_) = 0;
  RefTable<Entry> entries_ ABSL_GUARDED_BY(mu_);  // by head ref
  AliasMap aliases_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> samples_logged_{0};
  // The record being encoded and the WAL refs of a batch, kept to reuse their memory.
  std::string rec_ ABSL_GUARDED_BY(mu_);
  std::vector<wal::RefSample> sample_records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_WAL_HEAD_LOG_H_
