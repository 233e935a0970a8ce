// Writes a block's index file in Prometheus' index format v2 (tsdb/docs/format/index.md), with
// the same sections, order, padding and checksums as Prometheus 2.42 writes: symbol table,
// series (16-byte aligned; a series' id is offset / 16), one label index per label name, the
// postings lists (the all-series list under the empty name and value first), the label offset
// table, the postings offset table and the TOC.
//
//   std::vector<IndexSeries> series = ...;   // sorted by labels, chunk refs increasing
//   RETURN_IF_ERROR(WriteIndex(fs, JoinPath(dir, "index"), series));
//
// Or streaming, for blocks too large to hold every series in memory (what WriteBlock does):
//
//   ASSIGN_OR_RETURN(auto w, IndexWriter::Create(fs, JoinPath(dir, "index")));
//   RETURN_IF_ERROR(w->AddSymbols(symbols));  // every name and value the series use (or more)
//   for (...) RETURN_IF_ERROR(w->AddSeries(labels, chunks));  // in label order
//   RETURN_IF_ERROR(w->Finish());             // postings, tables, TOC; fsync
#ifndef SUNDIAL_TSDB_BLOCK_INDEX_WRITER_H_
#define SUNDIAL_TSDB_BLOCK_INDEX_WRITER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "model/labels.h"

namespace sundial::tsdb::block {

// One chunk of a series as the index describes it: [min_time, max_time] of its samples and
// where it is in the chunk segments.
struct ChunkMeta {
  int64_t min_time = 0;
  int64_t max_time = 0;
  uint64_t ref = 0;

  friend bool operator==(const ChunkMeta&, const ChunkMeta&) = default;
};

struct IndexSeries {
  Labels labels;
  std::vector<ChunkMeta> chunks;
};

// The streaming writer. Memory: the symbol table, 12 bytes per label of every series (the
// postings) and an output buffer of about 1 MiB; series are not kept. Not thread-safe.
class IndexWriter {
 public:
  // Writes to a new file at path, in appends of about flush_bytes.
  static absl::StatusOr<std::unique_ptr<IndexWriter>> Create(FileSystem* fs,
                                                             const std::string& path,
                                                             size_t flush_bytes = 1 << 20);
  // Keeps the whole index in memory; see contents().
  IndexWriter();
  ~IndexWriter();
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  // The symbol table: every label name and value of the series to come, in any order, duplicates
  // allowed. REQUIRES: called once, first.
  absl::Status AddSymbols(std::vector<std::string_view> symbols);
  // One series. Fails (InvalidArgument) if series are not strictly sorted by labels, a series
  // has no labels or a label missing from the symbol table, chunk refs decrease, or chunks of a
  // series overlap or are unordered (the checks of Prometheus' index writer).
  absl::Status AddSeries(const Labels& labels, std::span<const ChunkMeta> chunks);
  // Writes the label indices, postings, tables and TOC; a file is fsynced and closed.
  absl::Status Finish();
  // The index bytes of an in-memory writer after Finish.
  std::string& contents() { return buf_; }

 private:
  struct Posting {
    uint32_t name, value, id;
  };
  uint64_t Pos() const { return flushed_ + buf_.size(); }
  void Pad(size_t align);
  absl::Status MaybeFlush();

  std::unique_ptr<WritableFile> file_;  // null: in memory
  size_t flush_bytes_ = 0;
  std::string buf_;  // not yet written to file_
  uint64_t flushed_ = 0;
  bool have_symbols_ = false;

  std::string symbol_bytes_;           // the symbols, sorted and unique, back to back
  std::vector<uint64_t> symbol_ends_;  // end offset of each symbol in symbol_bytes_
  absl::flat_hash_map<std::string_view, uint32_t> symbol_ref_;

  std::vector<Posting> postings_;
  std::vector<uint32_t> all_;
  Labels last_labels_;
  uint64_t last_ref_ = 0;
  std::string entry_;
  uint64_t toc_symbols_ = 0, toc_series_ = 0;
};

// The index bytes for `series` (sorted by labels; see IndexWriter::AddSeries for the checks).
absl::StatusOr<std::string> EncodeIndex(const std::vector<IndexSeries>& series);

// EncodeIndex, written to path (a new file) and fsynced.
absl::Status WriteIndex(FileSystem* fs, const std::string& path,
                        const std::vector<IndexSeries>& series);

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_INDEX_WRITER_H_
