// An open, immutable block directory: meta.json, index, chunks and tombstones, validated at
// Open. A Block is shared (std::shared_ptr) by its queriers, so it stays alive while a query
// reads it even if the DB drops it.
//
//   ASSIGN_OR_RETURN(std::shared_ptr<Block> b, Block::Open(fs, JoinPath(data_dir, ulid)));
//   ASSIGN_OR_RETURN(std::unique_ptr<Querier> q, b->NewQuerier(mint, maxt));
//   std::unique_ptr<SeriesSet> set = q->Select(SelectHints{}, matchers);
//
// A bad block (unparsable meta.json, a file missing or truncated, a CRC mismatch in the TOC,
// symbol table or postings offset table, a chunk segment with a bad header) fails Open with a
// status naming the file and offset. Corruption found later (a series entry, a postings list or
// a chunk whose CRC does not match) surfaces through SeriesSet::Err / SampleIterator::Err.
#ifndef SUNDIAL_TSDB_BLOCK_BLOCK_H_
#define SUNDIAL_TSDB_BLOCK_BLOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "tsdb/block/chunks.h"
#include "tsdb/block/index_reader.h"
#include "tsdb/block/meta.h"
#include "tsdb/block/tombstones.h"
#include "tsdb/storage.h"

namespace sundial::tsdb::block {

// Thread-safe: everything is immutable after Open.
class Block : public Queryable, public std::enable_shared_from_this<Block> {
 public:
  static absl::StatusOr<std::shared_ptr<Block>> Open(FileSystem* fs, const std::string& dir);

  const BlockMeta& meta() const { return meta_; }
  const std::string& dir() const { return dir_; }
  const IndexReader& index() const { return *index_; }
  const ChunkReader& chunks() const { return *chunks_; }
  const Tombstones& tombstones() const { return tombstones_; }
  // Bytes of index + chunks + tombstones + meta.json.
  uint64_t Size() const { return size_; }

  // A querier over [mint, maxt], both inclusive (the block holds [min_time, max_time)). It keeps
  // the block alive.
  absl::StatusOr<std::unique_ptr<Querier>> NewQuerier(Timestamp mint, Timestamp maxt) override;

 private:
  Block() = default;

  std::string dir_;
  BlockMeta meta_;
  std::unique_ptr<IndexReader> index_;
  std::unique_ptr<ChunkReader> chunks_;
  Tombstones tombstones_;
  uint64_t size_ = 0;
};

}  // namespace sundial::tsdb::block

#endif  // SUNDIAL_TSDB_BLOCK_BLOCK_H_
