// Reads an index v2 file (see index_writer.h) written by Sundial or Prometheus. Open() checks
// the header, the TOC, the symbol table and the postings offset table with their CRC32Cs; series
// and postings lists are checked when they are read. Every corruption is a DataLoss status
// naming the file and the byte offset.
//
//   ASSIGN_OR_RETURN(auto index, IndexReader::Open(fs, JoinPath(dir, "index")));
//   ASSIGN_OR_RETURN(Postings ids, index->PostingsForMatchers(matchers));
//   for (SeriesRef id : ids) {
//     Labels labels; std::vector<ChunkMeta> chunks;
//     RETURN_IF_ERROR(index->Series(id, &labels, &chunks));
//   }
#ifndef SUNDIAL_TSDB_BLOCK_INDEX_READER_H_
#define SUNDIAL_TSDB_BLOCK_INDEX_READER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "model/labels.h"
#include "model/matcher.h"
#include "tsdb/block/file_bytes.h"
#include "tsdb/block/index_writer.h"
#include "tsdb/postings.h"

namespace sundial::tsdb::block {

// Immutable after Open; thread-safe. The file is memory-mapped on the POSIX file system.
class IndexReader {
 public:
  static absl::StatusOr<std::unique_ptr<IndexReader>> Open(FileSystem* fs, const std::string& path);
  // From bytes already in memory; `name` is used in error messages.
  static absl::StatusOr<std::unique_ptr<IndexReader>> FromBytes(std::string data, std::string name);

  // Sorted label names, and sorted values of one name (empty if unknown).
  std::vector<std::string> LabelNames() const;
  std::vector<std::string> LabelValues(std::string_view name) const;

  // The sorted series ids with label name=value; empty if there is none.
  absl::StatusOr<Postings> PostingsFor(std::string_view name, std::string_view value) const;
  // All series ids.
  absl::StatusOr<Postings> AllPostings() const;
  // Union of the postings of every value v of m.name() with m.Matches(v) == want, using the
  // matcher's fast paths (=, literal sets and prefixes look values up; .* and .+ take all).
  absl::StatusOr<Postings> PostingsForValues(const Matcher& m, bool want) const;
  // The ids of series matching all matchers, with the semantics of tsdb::PostingsForMatchers
  // (postings.h): a matcher matching "" also selects series without the label. No matchers:
  // no series.
  absl::StatusOr<Postings> PostingsForMatchers(std::span<const Matcher> matchers) const;

  // Decodes series `id` (offset / 16).
  absl::Status Series(SeriesRef id, Labels* labels, std::vector<ChunkMeta>* chunks) const;

  uint64_t Size() const { return data_.size(); }
  size_t NumSymbols() const { return symbols_.size(); }

 private:
  IndexReader(std::unique_ptr<FileBytes> file, std::string name)
      : file_(std::move(file)), data_(file_->data()), name_(std::move(name)) {}
  absl::Status Init();
  absl::Status ReadSymbols(uint64_t offset);
  absl::Status ReadPostingsOffsetTable(uint64_t offset);
  // The contents of a "len <4b> | contents | CRC32" section at offset, CRC checked.
  absl::StatusOr<std::string_view> Section(uint64_t offset, std::string_view what) const;
  absl::StatusOr<Postings> ReadPostings(uint64_t offset) const;
  absl::StatusOr<std::string_view> Symbol(uint64_t ref, uint64_t at) const;

  using ValueOffsets = std::vector<std::pair<std::string_view, uint64_t>>;  // sorted by value

  std::unique_ptr<FileBytes> file_;
  std::string_view data_;  // file_'s bytes
  std::string name_;
  std::vector<std::string_view> symbols_;
  absl::btree_map<std::string_view, ValueOffsets> postings_;  // name -> values ("" = all)
};

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_INDEX_READER_H_
