#include "tsdb/block/block.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <vector>

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/block/format.h"
#include "tsdb/xor_chunk.h"

namespace sundial::tsdb::block {
namespace {

// Iterates the chunks of one series, skipping samples outside [lo, hi] or deleted.
class BlockSampleIterator : public SampleIterator {
 public:
  BlockSampleIterator(std::shared_ptr<const Block> block, const std::vector<ChunkMeta>* chunks,
                      const std::vector<Interval>* deleted, Timestamp lo, Timestamp hi)
      : block_(std::move(block)), chunks_(chunks), deleted_(deleted), lo_(lo), hi_(hi) {}

  ValueType Next() override {
    ValueType vt = Advance();
    has_current_ = vt != ValueType::kNone;
    if (has_current_) cur_ = it_->At();
    return vt;
  }

  ValueType Seek(Timestamp t) override {
    if (has_current_ && cur_.first >= t) return ValueType::kFloat;
    if (done_) return ValueType::kNone;
    // Skip whole chunks that end before t.
    if (!has_current_) {
      it_.reset();
      while (next_chunk_ < chunks_->size() && (*chunks_)[next_chunk_].max_time < t) ++next_chunk_;
    }
    while (true) {
      ValueType vt = Next();
      if (vt == ValueType::kNone || cur_.first >= t) return vt;
    }
  }

  std::pair<Timestamp, double> At() const override { return cur_; }
  Timestamp AtT() const override { return cur_.first; }
  absl::Status Err() const override { return err_; }

  // Once positioned inside a chunk, decodes the rest of it in runs (XorIterator::NextBatch),
  // cutting at hi_ and dropping deleted samples; chunk starts go through Next().
  size_t NextFloats(Timestamp* t, double* v, size_t n) override {
    size_t k = 0;
    while (k < n) {
      if (has_current_ && it_.has_value()) {
        const size_t want = n - k;
        const size_t got = it_->NextBatch(t + k, v + k, want);
        // A chunk's timestamps increase, so they are all past lo_ here.
        const size_t in_range =
            static_cast<size_t>(std::upper_bound(t + k, t + k + got, hi_) - (t + k));
        const bool last_deleted = in_range > 0 && Deleted(t[k + in_range - 1]);
        const size_t kept = DropDeleted(t + k, v + k, in_range);
        if (kept > 0) cur_ = {t[k + kept - 1], v[k + kept - 1]};
        k += kept;
        if (in_range < got) {
          done_ = true;
          it_.reset();
          return k;
        }
        if (got == want && !last_deleted) continue;
        // The chunk ended or is corrupt, or the iterator rests on a deleted sample: Next()
        // moves on to the next chunk and sample, or reports the corruption.
      }
      if (Next() == ValueType::kNone) break;
      std::tie(t[k], v[k]) = cur_;
      ++k;
    }
    return k;
  }

 private:
  // Removes the deleted samples from t[0, n) and v[0, n); returns how many are left.
  size_t DropDeleted(Timestamp* t, double* v, size_t n) const {
    if (deleted_->empty()) return n;
    size_t out = 0;
    for (size_t i = 0; i < n; ++i) {
      if (Deleted(t[i])) continue;
      t[out] = t[i];
      v[out] = v[i];
      ++out;
    }
    return out;
  }

  ValueType Advance() {
    while (true) {
      if (done_) return ValueType::kNone;
      if (it_.has_value()) {
        ValueType vt = it_->Next();
        if (vt == ValueType::kNone) {
          if (!it_->Err().ok()) return Fail(it_->Err());
          it_.reset();
          continue;
        }
        Timestamp t = it_->AtT();
        if (t < lo_ || Deleted(t)) continue;
        if (t > hi_) {
          done_ = true;
          return ValueType::kNone;
        }
        return vt;
      }
      if (next_chunk_ >= chunks_->size()) {
        done_ = true;
        return ValueType::kNone;
      }
      const ChunkMeta& cm = (*chunks_)[next_chunk_++];
      absl::StatusOr<ChunkReader::Chunk> c = block_->chunks().Read(cm.ref);
      if (!c.ok()) return Fail(c.status());
      if (c->encoding != kEncXor) {
        return Fail(absl::DataLossError(
            StrCat("chunk ", cm.ref, ": unsupported encoding ", int{c->encoding})));
      }
      it_.emplace(c->data);
    }
  }

  bool Deleted(Timestamp t) const {
    for (const Interval& iv : *deleted_) {
      if (iv.Contains(t)) return true;
      if (iv.min_time > t) break;
    }
    return false;
  }
  ValueType Fail(absl::Status s) {
    err_ = std::move(s);
    done_ = true;
    it_.reset();
    return ValueType::kNone;
  }
  std::shared_ptr<const Block> block_;
  const std::vector<ChunkMeta>* chunks_;
  const std::vector<Interval>* deleted_;
  Timestamp lo_, hi_;
  size_t next_chunk_ = 0;
  std::optional<XorIterator> it_;
  std::pair<Timestamp, double> cur_;  // the current sample while has_current_
  bool has_current_ = false;
  bool done_ = false;
  absl::Status err_;
};

class BlockSeries : public Series {
 public:
  BlockSeries(std::shared_ptr<const Block> block, Timestamp lo, Timestamp hi)
      : block_(std::move(block)), lo_(lo), hi_(hi) {}

  const Labels& labels() const override { return labels_; }
  std::unique_ptr<SampleIterator> Iterator() const override {
    return std::make_unique<BlockSampleIterator>(block_, &chunks_, deleted_, lo_, hi_);
  }

  Labels labels_;
  std::vector<ChunkMeta> chunks_;
  const std::vector<Interval>* deleted_ = nullptr;

 private:
  std::shared_ptr<const Block> block_;
  Timestamp lo_, hi_;
};

class BlockSeriesSet : public SeriesSet {
 public:
  BlockSeriesSet(std::shared_ptr<const Block> block, Postings ids, Timestamp lo, Timestamp hi)
      : block_(std::move(block)), ids_(std::move(ids)), lo_(lo), hi_(hi) {}
  explicit BlockSeriesSet(absl::Status err) : err_(std::move(err)) {}

  bool Next() override {
    if (!err_.ok()) return false;
    while (pos_ < ids_.size()) {
      SeriesRef id = ids_[pos_++];
      auto s = std::make_unique<BlockSeries>(block_, lo_, hi_);
      absl::Status st = block_->index().Series(id, &s->labels_, &s->chunks_);
      if (!st.ok()) {
        err_ = st;
        return false;
      }
      s->deleted_ = &block_->tombstones().Get(id);
      // Keep the chunks overlapping [lo, hi] and not wholly deleted.
      std::erase_if(s->chunks_, [&](const ChunkMeta& c) {
        if (c.max_time < lo_ || c.min_time > hi_) return true;
        for (const Interval& iv : *s->deleted_) {
          if (iv.min_time <= c.min_time && iv.max_time >= c.max_time) return true;
        }
        return false;
      });
      if (s->chunks_.empty()) continue;
      current_ = std::move(s);
      return true;
    }
    return false;
  }
  const Series& At() const override { return *current_; }
  absl::Status Err() const override { return err_; }

 private:
  std::shared_ptr<const Block> block_;
  Postings ids_;
  Timestamp lo_ = 0, hi_ = 0;
  size_t pos_ = 0;
  std::unique_ptr<BlockSeries> current_;
  absl::Status err_;
};

class BlockQuerier : public Querier {
 public:
  BlockQuerier(std::shared_ptr<const Block> block, Timestamp mint, Timestamp maxt)
      : block_(std::move(block)), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<SeriesSet> Select(const SelectHints& hints,
                                    std::span<const Matcher> matchers) override {
    Timestamp lo = std::max({mint_, hints.start, block_->meta().min_time});
    Timestamp hi = std::min({maxt_, hints.end, block_->meta().max_time - 1});
    if (lo > hi) return std::make_unique<BlockSeriesSet>(block_, Postings{}, lo, hi);
    absl::StatusOr<Postings> ids = block_->index().PostingsForMatchers(matchers);
    if (!ids.ok()) return std::make_unique<BlockSeriesSet>(ids.status());
    return std::make_unique<BlockSeriesSet>(block_, std::move(*ids), lo, hi);
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(std::span<const Matcher> matchers) override {
    if (matchers.empty()) return block_->index().LabelNames();
    ASSIGN_OR_RETURN(Postings ids, block_->index().PostingsForMatchers(matchers));
    std::vector<std::string> names;
    Labels labels;
    std::vector<ChunkMeta> chunks;
    for (SeriesRef id : ids) {
      RETURN_IF_ERROR(block_->index().Series(id, &labels, &chunks));
      for (const Label& l : labels) names.emplace_back(l.name);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(std::string_view name,
                                                       std::span<const Matcher> matchers) override {
    if (matchers.empty()) return block_->index().LabelValues(name);
    ASSIGN_OR_RETURN(Postings ids, block_->index().PostingsForMatchers(matchers));
    std::vector<std::string> values;
    Labels labels;
    std::vector<ChunkMeta> chunks;
    for (SeriesRef id : ids) {
      RETURN_IF_ERROR(block_->index().Series(id, &labels, &chunks));
      std::string_view v = labels.Get(name);
      if (!v.empty()) values.emplace_back(v);
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
  }

 private:
  std::shared_ptr<const Block> block_;
  Timestamp mint_, maxt_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<Block>> Block::Open(FileSystem* fs, const std::string& dir) {
  std::shared_ptr<Block> b(new Block);
  b->dir_ = dir;
  ASSIGN_OR_RETURN(b->meta_, ReadMeta(fs, dir));
  ASSIGN_OR_RETURN(b->index_, IndexReader::Open(fs, JoinPath(dir, kIndexFilename)));
  ASSIGN_OR_RETURN(b->chunks_, ChunkReader::Open(fs, JoinPath(dir, kChunksDirname)));
  ASSIGN_OR_RETURN(b->tombstones_, ReadTombstones(fs, dir));
  b->size_ = b->index_->Size() + b->chunks_->Size() + EncodeTombstones(b->tombstones_).size() +
             MarshalMeta(b->meta_).size();
  return b;
}

absl::StatusOr<std::unique_ptr<Querier>> Block::NewQuerier(Timestamp mint, Timestamp maxt) {
  return std::make_unique<BlockQuerier>(shared_from_this(), mint, maxt);
}

}  // namespace sundial::tsdb::block
