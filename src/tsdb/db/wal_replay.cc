#include "tsdb/db/wal_replay.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/db/replay_shards.h"
#include "tsdb/head_replay.h"
#include "tsdb/wal/corruption.h"
#include "tsdb/wal/repair.h"
#include "tsdb/wal/replay.h"

namespace sundial::tsdb {
namespace {

const Logger kLog("tsdb");

// Stream-order state of one replay. The reading thread resolves each sample's series and hands
// it to the worker owning that series (ReplayShards). A series record's first sample in bounds
// creates its series; if no series so far had labels of that hash, the series is new: the
// reading thread reserves its head ref and the worker creates it. Otherwise (the labels of an
// earlier series record, or a hash collision) the reading thread waits for the workers and looks
// the labels up, because whether an existing series takes the sample decides the mapping.
class ReplayState {
 public:
  ReplayState(Head* head, MmappedChunks* mmapped, int workers)
      : head_(head), replayer_(head), shards_(&replayer_, workers), mmapped_(mmapped) {}

  // Takes the labels out of *series.
  void OnSeries(std::vector<wal::RefSeries>* series) {
    pending_.reserve(pending_.size() + series->size());
    for (wal::RefSeries& s : *series) {
      result_.max_wal_ref = std::max(result_.max_wal_ref, s.ref);
      wal_to_head_.Erase(s.ref);  // whatever it mapped to before is done
      auto mm = mmapped_ != nullptr ? mmapped_->find(s.ref) : MmappedChunks::iterator();
      if (mmapped_ == nullptr || mm == mmapped_->end()) {
        pending_[s.ref] = std::move(s.labels);
        continue;
      }
      pending_.erase(s.ref);
      // A worker may still be creating the series with these labels.
      if (!label_hashes_.insert(s.labels.Hash()).second) shards_.Drain();
      bool created;
      MemSeries* ms = replayer_.GetOrCreate(std::move(s.labels), &created);
      if (created) shards_.Bind(shards_.ShardOf(ms->ref()), ms);
      const Timestamp mm_maxt = replayer_.AttachChunks(ms, s.ref, std::move(mm->second));
      mmapped_->erase(mm);
      if (mm_maxt != INT64_MIN) {
        ++result_.mmapped_series;
        max_time_ = std::max(max_time_, mm_maxt);
      }
      wal_to_head_.Set(s.ref, {ms->ref(), mm_maxt, shards_.ShardOf(ms->ref())});
      Mapped(ms->ref(), s.ref);
    }
  }

  // Samples record rec (its type checked) applied as it is decoded: true. False, with nothing
  // applied, if it is malformed or too large to hold in the batches: the caller decodes it
  // (Replayer::DecodeSamples) to apply it with OnSamples or report it.
  bool OnSamplesRecord(std::string_view rec) {
    wal::SamplesReader reader(rec);
    if (!shards_.Hold(reader.MaxLeft())) return false;
    const HeadReplayer::Limits limits = replayer_.LimitsAt(max_time_);
    shards_.Begin(limits);
    // In locals, not stored back through this per sample (Add's stores might alias them).
    Timestamp max_time = max_time_;
    int64_t read = 0, mmapped = 0;
    const WalRefIndex::Finder wal_to_head(wal_to_head_);
    wal::RefSample s;
    bool more;
    while ((more = reader.Next(&s))) {
      const HeadSeries* hs = wal_to_head.Find(s.ref);
      if (hs == nullptr) break;
      ++read;
      if (s.t <= hs->mm_maxt) {
        ++mmapped;
        continue;
      }
      shards_.Add(hs->shard, hs->head_ref, s.t, s.v);
      max_time = std::max(max_time, s.t);
    }
    // From the first sample of a ref not mapped, the rest is decoded before any of it is applied
    // (FirstSample cannot be undone).
    rest_.clear();
    if (more) {
      rest_.push_back(s);
      for (wal::RefSample x; reader.Next(&x);) rest_.push_back(x);
    }
    if (!reader.ok()) {
      shards_.Undo();
      return false;
    }
    shards_.Release();
    max_time_ = max_time;
    result_.samples += read;
    result_.mmapped_samples += mmapped;
    Apply(rest_, limits);
    return true;
  }

  void OnSamples(const std::vector<wal::RefSample>& samples) {
    Apply(samples, replayer_.LimitsAt(max_time_));
  }

  // Into the head's exemplar storage (if any) through an appender, as Prometheus replays
  // them: exemplars of series without samples yet are dropped.
  void OnExemplars(const std::vector<wal::RefExemplar>& exemplars) {
    if (shards_.creating()) shards_.Drain();  // their series exist
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
    shards_.Drain();
    result_.rejected_samples += shards_.rejected();
    replayer_.ExtendTimeRange(shards_.range());
    replayer_.ExtendTimeRange(direct_range_);
    // The postings are sorted beside the series' newest times: neither reads what the other
    // writes, and the workers are done.
    std::thread sort([this] { replayer_.SortIndex(); });
    for (const SeriesRef head_ref : mapped_series_) {
      result_.entries[head_ref].max_t = HeadReplayer::NewestTime(shards_.SeriesOf(head_ref));
    }
    sort.join();
    return std::move(result_);
  }

 private:
  struct HeadSeries {
    SeriesRef head_ref;
    Timestamp mm_maxt;  // newest time in its chunks from chunks_head; INT64_MIN: none
    uint32_t shard;     // ReplayShards::ShardOf(head_ref), computed once
  };

  // The samples of one record, with the limits of its commit.
  void Apply(std::span<const wal::RefSample> samples, const HeadReplayer::Limits& limits) {
    shards_.Begin(limits);
    result_.samples += static_cast<int64_t>(samples.size());
    for (const wal::RefSample& s : samples) {
      if (const HeadSeries* hs = wal_to_head_.Find(s.ref); hs != nullptr) {
        if (s.t <= hs->mm_maxt) {
          ++result_.mmapped_samples;
          continue;
        }
        shards_.Add(hs->shard, hs->head_ref, s.t, s.v);
        max_time_ = std::max(max_time_, s.t);
        continue;
      }
      auto pending = pending_.find(s.ref);
      if (pending == pending_.end()) {
        ++result_.unknown_ref_samples;
        continue;
      }
      if (!FirstSample(&pending->second, s, limits)) {
        ++result_.rejected_samples;
        continue;
      }
      pending_.erase(pending);
      max_time_ = std::max(max_time_, s.t);
    }
  }

  // The first sample of the series record *labels under WAL ref s.ref, with the limits of its
  // commit: maps the WAL ref to the head series if the head takes the sample (true; *labels
  // may be moved from), as the appender that logged it would have; else the ref stays
  // unmapped and *labels unchanged.
  bool FirstSample(Labels* labels, const wal::RefSample& s, const HeadReplayer::Limits& limits) {
    if (s.t < limits.min_valid_time && (!limits.ooo || s.t < limits.ooo_min_time)) return false;
    if (labels->empty()) return false;
    // A new series takes any sample within the limits.
    const uint64_t hash = labels->Hash();
    SeriesRef head_ref;
    if (label_hashes_.insert(hash).second) {
      head_ref = replayer_.ReserveRef();
      const uint32_t shard = shards_.ShardOf(head_ref);
      shards_.Create(shard, head_ref, std::move(*labels), hash, s.ref);
      shards_.Add(shard, head_ref, s.t, s.v);
    } else {
      shards_.Drain();
      bool created;
      MemSeries* ms = replayer_.GetOrCreate(std::move(*labels), &created);
      head_ref = ms->ref();
      if (created) {
        replayer_.SetChunkRef(ms, s.ref);
        shards_.Bind(shards_.ShardOf(head_ref), ms);
        shards_.Add(shards_.ShardOf(head_ref), head_ref, s.t, s.v);
      } else if (!replayer_.Append(ms, s.t, s.v, limits, &direct_range_, s.ref).ok()) {
        *labels = ms->labels();  // the same labels, for the ref's next sample
        return false;
      }
    }
    wal_to_head_.Set(s.ref, {head_ref, INT64_MIN, shards_.ShardOf(head_ref)});
    Mapped(head_ref, s.ref);
    return true;
  }

  // The head series head_ref is now logged under wal_ref.
  void Mapped(SeriesRef head_ref, uint64_t wal_ref) {
    WalHeadLog::Entry& e = result_.entries[head_ref];
    if (e.wal_ref == 0) mapped_series_.push_back(head_ref);
    if (e.wal_ref != 0 && e.wal_ref != wal_ref) result_.aliases[e.wal_ref] = head_ref;
    result_.aliases.erase(wal_ref);
    e.wal_ref = wal_ref;
  }

  // WAL ref -> head series, looked up once per sample. The refs Prometheus and Sundial write
  // are dense, so they live in pages of consecutive refs (a batch's series sit side by side), an
  // entry with head_ref 0 (which the head never hands out) being absent; a ref too large for
  // them, which only a foreign or damaged WAL has, goes to a hash map.
  class WalRefIndex {
   public:
    // REQUIRES: hs.head_ref != 0.
    void Set(uint64_t ref, const HeadSeries& hs) {
      if (ref >= kDenseLimit) {
        sparse_[ref] = hs;
        return;
      }
      const uint64_t p = ref >> kPageBits;
      if (p >= pages_.size()) pages_.resize(p + 1);
      if (pages_[p] == nullptr) pages_[p] = std::make_unique<Page>();
      (*pages_[p])[ref & kPageMask] = hs;
    }
    void Erase(uint64_t ref) {
      const uint64_t p = ref >> kPageBits;
      if (p < pages_.size() && pages_[p] != nullptr) {
        (*pages_[p])[ref & kPageMask].head_ref = 0;
      } else if (ref >= kDenseLimit) {
        sparse_.erase(ref);
      }
    }

   private:
    static constexpr uint64_t kDenseLimit = uint64_t{1} << 32;
    static constexpr int kPageBits = 10;
    static constexpr uint64_t kPageMask = (uint64_t{1} << kPageBits) - 1;
    using Page = std::array<HeadSeries, size_t{1} << kPageBits>;  // value-initialized: absent
    std::vector<std::unique_ptr<Page>> pages_;                    // by ref >> kPageBits
    absl::flat_hash_map<uint64_t, HeadSeries> sparse_;

   public:
    // Find for a loop that only looks refs up (no Set or Erase meanwhile): the page table is
    // held in locals, so the loop's other stores do not make it reload it per ref.
    class Finder {
     public:
      explicit Finder(const WalRefIndex& index)
          : index_(&index), pages_(index.pages_.data()), size_(index.pages_.size()) {}
      [[gnu::always_inline]] const HeadSeries* Find(uint64_t ref) const {
        const uint64_t p = ref >> kPageBits;
        if (p < size_ && pages_[p] != nullptr) {
          const HeadSeries& hs = (*pages_[p])[ref & kPageMask];
          return hs.head_ref != 0 ? &hs : nullptr;
        }
        if (ref < kDenseLimit) return nullptr;
        auto it = index_->sparse_.find(ref);
        return it == index_->sparse_.end() ? nullptr : &it->second;
      }

     private:
      const WalRefIndex* index_;
      const std::unique_ptr<Page>* pages_;
      size_t size_;
    };
    // The head series the WAL ref maps to, null if none.
    const HeadSeries* Find(uint64_t ref) const { return Finder(*this).Find(ref); }
  };

  static inline const Labels kNoLabels;
  Head* const head_;
  HeadReplayer replayer_;
  ReplayShards shards_;
  MmappedChunks* const mmapped_;
  WalRefIndex wal_to_head_;
  absl::flat_hash_map<uint64_t, Labels> pending_;  // series records not yet seen with a sample
  Timestamp max_time_ = INT64_MIN;                 // the head's newest sample once all is in
  HeadReplayer::Range direct_range_;               // appended by FirstSample itself
  std::vector<SeriesRef> mapped_series_;           // one per entry
  std::vector<wal::RefSample> rest_;               // OnSamplesRecord's, reused
  // The labels hash of every series created so far or due to be created by a worker.
  absl::flat_hash_set<uint64_t> label_hashes_;
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
                                       MmappedChunks* mmapped, int workers) {
  if (workers <= 0) workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ReplayState state(head, mmapped, workers);
  ASSIGN_OR_RETURN(bool exists, fs->Exists(dir));
  if (!exists) return std::move(state).Finish();

  std::optional<wal::Corruption> corruption;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<wal::Replayer> r, wal::Replayer::Open(fs, dir));
    r->set_decode_samples(false);
    while (r->Next()) {
      switch (r->type()) {
        case wal::RecordType::kSeries:
          state.OnSeries(&r->mutable_series());
          break;
        case wal::RecordType::kSamples:
          // A malformed record fails DecodeSamples, and the next Next().
          if (!state.OnSamplesRecord(r->raw()) && r->DecodeSamples()) state.OnSamples(r->samples());
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
