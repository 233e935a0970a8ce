#include "tsdb/block/block_writer.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "model/matcher.h"
#include "tsdb/block/chunks.h"
#include "tsdb/block/format.h"
#include "tsdb/block/index_writer.h"
#include "tsdb/block/tombstones.h"
#include "tsdb/xor_chunk.h"

namespace sundial::tsdb::block {
namespace {

// Writes the block's contents into dir (which must not exist yet) and fills meta's stats.
absl::Status WriteContents(FileSystem* fs, const std::string& dir, Querier& querier,
                           const BlockWriterOptions& options, BlockMeta* meta) {
  RETURN_IF_ERROR(fs->CreateDirs(dir));
  ChunkWriter chunk_writer(fs, JoinPath(dir, kChunksDirname), options.segment_size);

  // The index's symbol table precedes its series, so it is made first from every label name
  // and value the querier knows (a superset of what the selected series use, as Prometheus'
  // compactor writes the symbols of its sources); then series are written as they come and not
  // kept (see IndexWriter).
  ASSIGN_OR_RETURN(std::unique_ptr<IndexWriter> index,
                   IndexWriter::Create(fs, JoinPath(dir, kIndexFilename)));
  {
    ASSIGN_OR_RETURN(std::vector<std::string> names, querier.LabelNames({}));
    std::vector<std::vector<std::string>> values(names.size());
    std::vector<std::string_view> symbols;
    for (size_t i = 0; i < names.size(); ++i) {
      ASSIGN_OR_RETURN(values[i], querier.LabelValues(names[i], {}));
      symbols.push_back(names[i]);
      symbols.insert(symbols.end(), values[i].begin(), values[i].end());
    }
    RETURN_IF_ERROR(index->AddSymbols(std::move(symbols)));
  }

  ASSIGN_OR_RETURN(Matcher all, Matcher::Create(MatchType::kRegexp, kMetricNameLabel, ".*"));
  SelectHints hints;
  hints.start = meta->min_time;
  hints.end = meta->max_time - 1;
  std::unique_ptr<SeriesSet> set = querier.Select(hints, std::span<const Matcher>(&all, 1));

  std::vector<ChunkMeta> chunks;
  int per_chunk = options.samples_per_chunk > 0 ? options.samples_per_chunk : kSamplesPerChunk;
  while (set->Next()) {
    const Series& s = set->At();
    std::unique_ptr<SampleIterator> it = s.Iterator();
    chunks.clear();
    XorChunk chunk;
    ChunkMeta cm;
    auto flush = [&]() -> absl::Status {
      if (chunk.NumSamples() == 0) return absl::OkStatus();
      ASSIGN_OR_RETURN(cm.ref, chunk_writer.Write(kEncXor, chunk.bytes()));
      if (options.on_chunk) options.on_chunk(cm, chunk.NumSamples(), chunk.bytes().size());
      chunks.push_back(cm);
      chunk = XorChunk();
      return absl::OkStatus();
    };
    ValueType vt = it->Seek(meta->min_time);
    for (; vt != ValueType::kNone; vt = it->Next()) {
      if (vt != ValueType::kFloat) {
        return absl::UnimplementedError("block writer: only float samples are supported");
      }
      auto [t, v] = it->At();
      if (t >= meta->max_time) break;
      if (t < meta->min_time) continue;
      if (chunk.NumSamples() == 0) cm.min_time = t;
      cm.max_time = t;
      chunk.Append(t, v);
      ++meta->stats.num_samples;
      if (chunk.NumSamples() >= per_chunk) RETURN_IF_ERROR(flush());
    }
    RETURN_IF_ERROR(it->Err());
    RETURN_IF_ERROR(flush());
    if (chunks.empty()) continue;
    meta->stats.num_chunks += chunks.size();
    ++meta->stats.num_series;
    RETURN_IF_ERROR(index->AddSeries(s.labels(), chunks));
  }
  RETURN_IF_ERROR(set->Err());
  if (meta->stats.num_samples == 0 && !options.write_empty) return absl::OkStatus();

  RETURN_IF_ERROR(chunk_writer.Close());
  RETURN_IF_ERROR(index->Finish());
  RETURN_IF_ERROR(WriteTombstones(fs, dir, Tombstones{}));
  RETURN_IF_ERROR(WriteMeta(fs, dir, *meta));
  return fs->SyncDir(dir);
}

}  // namespace

absl::StatusOr<BlockMeta> WriteBlock(FileSystem* fs, const std::string& parent_dir,
                                     Querier& querier, int64_t mint, int64_t maxt,
                                     const BlockWriterOptions& options) {
  if (maxt <= mint) {
    return absl::InvalidArgumentError(StrCat("block range [", mint, ", ", maxt, ") is empty"));
  }
  BlockMeta meta;
  meta.ulid = options.ulid.empty() ? NewUlid() : options.ulid;
  meta.min_time = mint;
  meta.max_time = maxt;
  if (options.compaction.has_value()) {
    meta.compaction = *options.compaction;
  } else {
    meta.compaction.level = 1;
  }
  if (meta.compaction.sources.empty()) meta.compaction.sources = {meta.ulid};

  std::string final_dir = JoinPath(parent_dir, meta.ulid);
  std::string tmp_dir = StrCat(final_dir, kTmpForCreationSuffix);
  RETURN_IF_ERROR(fs->RemoveAll(tmp_dir));
  absl::Status s = WriteContents(fs, tmp_dir, querier, options, &meta);
  if (s.ok() && meta.stats.num_samples == 0 && !options.write_empty) {
    RETURN_IF_ERROR(fs->RemoveAll(tmp_dir));
    meta.ulid.clear();
    return meta;
  }
  if (s.ok()) s = fs->Rename(tmp_dir, final_dir);
  if (s.ok()) s = fs->SyncDir(parent_dir);
  if (!s.ok()) {
    fs->RemoveAll(tmp_dir).IgnoreError();
    return absl::Status(s.code(), StrCat("write block ", final_dir, ": ", AsStd(s.message())));
  }
  return meta;
}

}  // namespace sundial::tsdb::block
