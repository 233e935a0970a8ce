#include "tsdb/db/wal_replay.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/db/ref_table.h"
#include "tsdb/wal/corruption.h"
#include "tsdb/wal/repair.h"
#include "tsdb/wal/replay.h"

namespace sundial::tsdb {
namespace {

const Logger kLog("tsdb");

// Stream-order state of one replay.
class ReplayState {
 public:
  ReplayState(Head* head, MmappedChunks* mmapped) : head_(head), mmapped_(mmapped) {}

  void OnSeries(const std::vector<wal::RefSeries>& series) {
    for (const wal::RefSeries& s : series) {
      result_.max_wal_ref = std::max(result_.max_wal_ref, s.ref);
      Unmap(s.ref);
      auto mm = mmapped_ != nullptr ? mmapped_->find(s.ref) : MmappedChunks::iterator();
      if (mmapped_ == nullptr || mm == mmapped_->end()) {
        pending_[s.ref] = s.labels;
        continue;
      }
      pending_.erase(s.ref);
      auto [head_ref, mm_maxt] = head_->RestoreSeries(s.labels, s.ref, std::move(mm->second));
      mmapped_->erase(mm);
      if (mm_maxt != INT64_MIN) ++result_.mmapped_series;
      wal_to_head_.Set(s.ref, {head_ref, mm_maxt, INT64_MIN});
      Mapped(head_ref, s.ref, mm_maxt);
    }
  }

  void OnSamples(const std::vector<wal::RefSample>& samples) {
    std::unique_ptr<Appender> app = head_->NewAppender();
    for (const wal::RefSample& s : samples) {
      ++result_.samples;
      if (HeadSeries* hs = wal_to_head_.Find(s.ref); hs != nullptr) {
        if (s.t <= hs->mm_maxt) {
          ++result_.mmapped_samples;
          continue;
        }
        if (app->Append(hs->head_ref, kNoLabels, s.t, s.v).ok()) {
          hs->max_t = std::max(hs->max_t, s.t);
        } else {
          ++result_.rejected_samples;
        }
        continue;
      }
      auto pending = pending_.find(s.ref);
      if (pending == pending_.end()) {
        ++result_.unknown_ref_samples;
        continue;
      }
      absl::StatusOr<SeriesRef> head_ref = app->Append(0, pending->second, s.t, s.v);
      if (!head_ref.ok()) {
        ++result_.rejected_samples;
        continue;
      }
      pending_.erase(pending);
      wal_to_head_.Set(s.ref, {*head_ref, INT64_MIN, INT64_MIN});
      head_->SetChunkSeriesRef(*head_ref, s.ref);
      Mapped(*head_ref, s.ref, s.t);
    }
    // The head has no log during replay, so Commit cannot fail on logging; samples made invalid
    // by an earlier one in the same batch are dropped and counted by the head.
    absl::Status status = app->Commit();
    if (!status.ok()) kLog.Warn("WAL replay commit failed", {{"err", status}});
  }

  // Into the head's exemplar storage (if any) through an appender, as Prometheus replays
  // them: exemplars of series without samples yet are dropped.
  void OnExemplars(const std::vector<wal::RefExemplar>& exemplars) {
    std::unique_ptr<Appender> app = head_->NewAppender();
    for (const wal::RefExemplar& e : exemplars) {
      const HeadSeries* hs = wal_to_head_.Find(e.ref);
      if (hs == nullptr) continue;
      Exemplar ex{.labels = e.labels, .value = e.v, .ts = e.t, .has_ts = false};
      if (!app->AppendExemplar(hs->head_ref, kNoLabels, ex).ok()) ++result_.rejected_exemplars;
    }
    absl::Status status = app->Commit();
    if (!status.ok()) kLog.Warn("WAL replay commit failed", {{"err", status}});
  }

  void OnTombstones(const std::vector<wal::Stone>& stones) {
    for (const wal::Stone& s : stones) {
      const HeadSeries* hs = wal_to_head_.Find(s.ref);
      if (hs == nullptr) continue;
      for (const wal::Interval& iv : s.intervals) {
        result_.tombstones.push_back({hs->head_ref, iv.mint, iv.maxt});
      }
    }
  }

  ReplayResult Finish() && {
    wal_to_head_.ForEach([&](uint64_t, const HeadSeries& hs) { FoldMaxTime(hs); });
    return std::move(result_);
  }

 private:
  WalHeadLog::Entry& Entry(SeriesRef head_ref) { return result_.entries[head_ref]; }

  // The head series head_ref is now logged under wal_ref; t is its newest sample so far.
  void Mapped(SeriesRef head_ref, uint64_t wal_ref, Timestamp t) {
    WalHeadLog::Entry& e = Entry(head_ref);
    if (e.wal_ref != 0 && e.wal_ref != wal_ref) result_.aliases[e.wal_ref] = head_ref;
    result_.aliases.erase(wal_ref);
    e.wal_ref = wal_ref;
    e.max_t = std::max(e.max_t, t);
  }

  struct HeadSeries {
    SeriesRef head_ref;
    Timestamp mm_maxt;  // newest time in its chunks from chunks_head; INT64_MIN: none
    Timestamp max_t;    // newest sample replayed into the head under this WAL ref
  };

  // WAL ref -> head series, looked up once per sample. The refs Prometheus and Sundial write
  // are dense, so they live in a RefTable (a batch's series sit side by side); a ref too large
  // for it, which only a foreign or damaged WAL has, goes to a hash map.
  class WalRefIndex {
   public:
    HeadSeries* Find(uint64_t ref) {
      if (ref < kDenseLimit) return dense_.Find(ref);
      auto it = sparse_.find(ref);
      return it == sparse_.end() ? nullptr : &it->second;
    }
    void Set(uint64_t ref, const HeadSeries& hs) {
      if (ref < kDenseLimit) {
        dense_.TryEmplace(ref, hs) = hs;
      } else {
        sparse_[ref] = hs;
      }
    }
    void Erase(uint64_t ref) {
      if (ref < kDenseLimit) {
        dense_.Erase(ref);
      } else {
        sparse_.erase(ref);
      }
    }
    template <typename F>
    void ForEach(F f) {
      dense_.ForEach([&](uint64_t ref, HeadSeries& hs) { f(ref, hs); });
      for (auto& [ref, hs] : sparse_) f(ref, hs);
    }

   private:
    static constexpr uint64_t kDenseLimit = uint64_t{1} << 32;
    RefTable<HeadSeries> dense_;
    absl::flat_hash_map<uint64_t, HeadSeries> sparse_;
  };

  // Records the newest sample replayed under hs in its head series' entry.
  void FoldMaxTime(const HeadSeries& hs) {
    if (hs.max_t == INT64_MIN) return;
    WalHeadLog::Entry& e = Entry(hs.head_ref);
    e.max_t = std::max(e.max_t, hs.max_t);
  }

  // A series record for wal_ref: whatever it mapped to before is done.
  void Unmap(uint64_t wal_ref) {
    if (const HeadSeries* hs = wal_to_head_.Find(wal_ref); hs != nullptr) {
      FoldMaxTime(*hs);
      wal_to_head_.Erase(wal_ref);
    }
  }

  static inline const Labels kNoLabels;
  Head* const head_;
  MmappedChunks* const mmapped_;
  WalRefIndex wal_to_head_;
  absl::flat_hash_map<uint64_t, Labels> pending_;  // series records not yet seen with a sample
  ReplayResult result_;
};

// Records of types the head does not apply (a Prometheus WAL has histogram samples, metadata,
// exemplars, mmap markers of out-of-order chunks, and possibly types newer than this version):
// skipped, and logged with their counts.
void LogSkippedRecords(const wal::Replayer& r) {
  using wal::RecordType;
  const int64_t exemplars = r.records(RecordType::kExemplars);
  const int64_t mmap_markers = r.records(RecordType::kMmapMarkers);
  const int64_t metadata = r.records(RecordType::kMetadata);
  const int64_t histograms = r.records(RecordType::kHistogramSamples);
  const int64_t float_histograms = r.records(RecordType::kFloatHistogramSamples);
  const int64_t unknown = r.records(RecordType::kUnknown);
  if (exemplars + mmap_markers + metadata + histograms + float_histograms + unknown == 0) return;
  kLog.Info("WAL replay skipped records", {{"exemplars", exemplars},
                                           {"mmap_markers", mmap_markers},
                                           {"metadata", metadata},
                                           {"histogram_samples", histograms},
                                           {"float_histogram_samples", float_histograms},
                                           {"unknown_types", unknown}});
}

}  // namespace

absl::StatusOr<ReplayResult> ReplayWal(FileSystem* fs, const std::string& dir, Head* head,
                                       MmappedChunks* mmapped) {
  ReplayState state(head, mmapped);
  ASSIGN_OR_RETURN(bool exists, fs->Exists(dir));
  if (!exists) return std::move(state).Finish();

  std::optional<wal::Corruption> corruption;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<wal::Replayer> r, wal::Replayer::Open(fs, dir));
    while (r->Next()) {
      switch (r->type()) {
        case wal::RecordType::kSeries:
          state.OnSeries(r->series());
          break;
        case wal::RecordType::kSamples:
          state.OnSamples(r->samples());
          break;
        case wal::RecordType::kExemplars:
          state.OnExemplars(r->exemplars());
          break;
        case wal::RecordType::kTombstones:
          state.OnTombstones(r->tombstones());
          break;
        default:
          break;  // exemplars, metadata, histograms: not kept by the head yet
      }
    }
    LogSkippedRecords(*r);
    if (!r->status().ok()) {
      corruption = wal::GetCorruption(r->status());
      if (!corruption.has_value() || r->in_checkpoint()) return r->status();
    }
  }  // the replayer's files are closed before the repair truncates them
  ReplayResult result = std::move(state).Finish();
  if (corruption.has_value()) {
    kLog.Warn("Encountered WAL read error, attempting repair", {{"dir", corruption->dir},
                                                                {"segment", corruption->segment},
                                                                {"offset", corruption->offset},
                                                                {"reason", corruption->reason}});
    RETURN_IF_ERROR(wal::Repair(fs, *corruption));
    result.corruptions = 1;
  }
  return result;
}

}  // namespace sundial::tsdb
