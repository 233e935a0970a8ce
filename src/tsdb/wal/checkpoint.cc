#include "tsdb/wal/checkpoint.h"

#include <algorithm>
#include <climits>
#include <memory>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "base/log.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/wal/format.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb::wal {
namespace {

constexpr size_t kFlushBytes = 1 << 20;  // log kept records in batches of about this size

struct Filter {
  const std::function<bool(HeadSeriesRef)>& keep;
  int64_t mint;
  CheckpointStats* stats;
  absl::flat_hash_map<HeadSeriesRef, RefMetadata>* latest_metadata;

  std::vector<RefSeries> series;
  std::vector<RefSample> samples;
  std::vector<Stone> stones;
  std::vector<RefExemplar> exemplars;
  std::vector<RefMetadata> metadata;

  // Appends the kept part of rec (if any) to out.
  absl::Status Apply(std::string_view rec, std::string* out) {
    switch (GetRecordType(rec)) {
      case RecordType::kSeries: {
        series.clear();
        RETURN_IF_ERROR(DecodeSeries(rec, &series));
        auto end = std::remove_if(series.begin(), series.end(),
                                  [&](const RefSeries& s) { return !keep(s.ref); });
        stats->total_series += series.size();
        stats->dropped_series += series.end() - end;
        series.erase(end, series.end());
        if (!series.empty()) EncodeSeries(series, out);
        break;
      }
      case RecordType::kSamples: {
        samples.clear();
        RETURN_IF_ERROR(DecodeSamples(rec, &samples));
        auto end = std::remove_if(samples.begin(), samples.end(),
                                  [&](const RefSample& s) { return s.t < mint; });
        stats->total_samples += samples.size();
        stats->dropped_samples += samples.end() - end;
        samples.erase(end, samples.end());
        if (!samples.empty()) EncodeSamples(samples, out);
        break;
      }
      case RecordType::kTombstones: {
        stones.clear();
        RETURN_IF_ERROR(DecodeTombstones(rec, &stones));
        auto end = std::remove_if(stones.begin(), stones.end(), [&](const Stone& s) {
          return std::none_of(s.intervals.begin(), s.intervals.end(),
                              [&](const Interval& iv) { return iv.maxt >= mint; });
        });
        stats->total_tombstones += stones.size();
        stats->dropped_tombstones += stones.end() - end;
        stones.erase(end, stones.end());
        if (!stones.empty()) EncodeTombstones(stones, out);
        break;
      }
      case RecordType::kExemplars: {
        exemplars.clear();
        RETURN_IF_ERROR(DecodeExemplars(rec, &exemplars));
        auto end = std::remove_if(exemplars.begin(), exemplars.end(),
                                  [&](const RefExemplar& e) { return e.t < mint; });
        stats->total_exemplars += exemplars.size();
        stats->dropped_exemplars += exemplars.end() - end;
        exemplars.erase(end, exemplars.end());
        if (!exemplars.empty()) EncodeExemplars(exemplars, out);
        break;
      }
      case RecordType::kMetadata: {
        metadata.clear();
        RETURN_IF_ERROR(DecodeMetadata(rec, &metadata));
        int64_t kept = 0;
        for (RefMetadata& m : metadata) {
          if (!keep(m.ref)) continue;
          auto [it, inserted] = latest_metadata->insert_or_assign(m.ref, std::move(m));
          kept += inserted ? 1 : 0;
        }
        stats->total_metadata += metadata.size();
        stats->dropped_metadata += static_cast<int64_t>(metadata.size()) - kept;
        break;
      }
      case RecordType::kHistogramSamples:
      case RecordType::kFloatHistogramSamples:
        // Not decoded yet: kept whole rather than lost (replay drops samples below mint).
        out->append(rec);
        break;
      case RecordType::kMmapMarkers:  // only meaningful for the segments they came from
      case RecordType::kUnknown:      // from a newer version; Prometheus drops them too
        break;
    }
    return absl::OkStatus();
  }
};

absl::Status CopyFiltered(Reader& reader, Filter& filter, Writer& out) {
  std::string buf;
  std::vector<size_t> ends;  // end offsets of the records in buf
  auto flush = [&]() -> absl::Status {
    std::vector<std::string_view> recs;
    size_t start = 0;
    for (size_t end : ends) {
      recs.emplace_back(buf.data() + start, end - start);
      start = end;
    }
    if (!recs.empty()) RETURN_IF_ERROR(out.Log(recs));
    buf.clear();
    ends.clear();
    return absl::OkStatus();
  };
  while (reader.Next()) {
    const size_t before = buf.size();
    absl::Status s = filter.Apply(reader.record(), &buf);
    if (!s.ok()) {
      return absl::DataLossError(AsAbsl(StrCat("checkpoint: segment ", reader.segment(), " offset ",
                                               reader.offset(), ": ", AsStd(s.message()))));
    }
    if (buf.size() > before) ends.push_back(buf.size());
    if (buf.size() >= kFlushBytes) RETURN_IF_ERROR(flush());
  }
  RETURN_IF_ERROR(reader.status());
  return flush();
}

}  // namespace

absl::StatusOr<std::optional<CheckpointRef>> LastCheckpoint(FileSystem* fs,
                                                            const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->List(dir));
  std::optional<CheckpointRef> last;
  for (const std::string& name : names) {
    if (!std::string_view(name).starts_with(kCheckpointPrefix)) continue;
    std::optional<int> index = ParseSegmentName(name.substr(kCheckpointPrefix.size()));
    if (!index) continue;
    const std::string path = JoinPath(dir, name);
    ASSIGN_OR_RETURN(bool is_dir, fs->IsDirectory(path));
    if (!is_dir) return absl::DataLossError(AsAbsl(StrCat("checkpoint ", path, " is not a dir")));
    if (!last || *index > last->index) last = CheckpointRef{path, *index};
  }
  return last;
}

absl::Status DeleteCheckpoints(FileSystem* fs, const std::string& dir, int upto) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->List(dir));
  for (const std::string& name : names) {
    std::string_view n = name;
    if (!n.starts_with(kCheckpointPrefix)) continue;
    std::optional<int> index = ParseSegmentName(n.substr(kCheckpointPrefix.size()));
    if ((index && *index < upto) || (!index && n.ends_with(".tmp"))) {
      RETURN_IF_ERROR(fs->RemoveAll(JoinPath(dir, name)));
    }
  }
  return fs->SyncDir(dir);
}

absl::StatusOr<CheckpointStats> Checkpoint(FileSystem* fs, const std::string& dir, int from, int to,
                                           const std::function<bool(HeadSeriesRef)>& keep,
                                           int64_t mint, bool compress) {
  static const Logger kLog("wal");
  kLog.Info("Creating checkpoint", {{"from_segment", from}, {"to_segment", to}, {"mint", mint}});
  ASSIGN_OR_RETURN(std::optional<CheckpointRef> previous, LastCheckpoint(fs, dir));
  if (previous) {
    if (from > previous->index + 1) {
      return absl::InvalidArgumentError(
          AsAbsl(StrCat("unexpected gap to last checkpoint: expected segment ", previous->index + 1,
                        ", requested ", from)));
    }
    from = previous->index + 1;  // older segments should not exist; ignore them
  }

  const std::string final_dir = JoinPath(dir, CheckpointName(to));
  const std::string tmp_dir = StrCat(final_dir, ".tmp");
  RETURN_IF_ERROR(fs->RemoveAll(tmp_dir));
  CheckpointStats stats;
  absl::Status s = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<Writer> out,
                     Writer::Open(fs, tmp_dir, {.compress = compress}));
    absl::flat_hash_map<HeadSeriesRef, RefMetadata> latest_metadata;
    Filter filter{keep, mint, &stats, &latest_metadata, {}, {}, {}, {}, {}};
    if (previous) {
      ASSIGN_OR_RETURN(std::unique_ptr<Reader> r, Reader::Open(fs, previous->path));
      RETURN_IF_ERROR(CopyFiltered(*r, filter, *out));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<Reader> r, Reader::Open(fs, dir, from, to));
    RETURN_IF_ERROR(CopyFiltered(*r, filter, *out));
    if (!latest_metadata.empty()) {
      std::vector<RefMetadata> metadata;
      metadata.reserve(latest_metadata.size());
      for (auto& [ref, m] : latest_metadata) metadata.push_back(std::move(m));
      std::sort(metadata.begin(), metadata.end(),
                [](const RefMetadata& a, const RefMetadata& b) { return a.ref < b.ref; });
      std::string rec;
      EncodeMetadata(metadata, &rec);
      RETURN_IF_ERROR(out->Log(rec));
    }
    RETURN_IF_ERROR(out->Close());
    RETURN_IF_ERROR(fs->SyncDir(tmp_dir));
    RETURN_IF_ERROR(fs->Rename(tmp_dir, final_dir));
    return fs->SyncDir(dir);
  }();
  if (!s.ok()) {
    fs->RemoveAll(tmp_dir).IgnoreError();
    return s;
  }
  return stats;
}

}  // namespace sundial::tsdb::wal
