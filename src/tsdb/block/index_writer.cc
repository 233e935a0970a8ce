#include "tsdb/block/index_writer.h"

#include <algorithm>
#include <utility>

#include "base/big_endian.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "base/varint.h"
#include "tsdb/block/format.h"

namespace sundial::tsdb::block {
namespace {

// Writes "len <4b>" placeholder; Finish() fills it with the bytes written since and appends the
// CRC32C of those bytes. The buffer must not be flushed in between.
class LengthPrefixedSection {
 public:
  explicit LengthPrefixedSection(std::string* out) : out_(out), start_(out->size()) {
    out_->append(4, '\0');
  }
  absl::Status Finish() {
    uint64_t len = out_->size() - start_ - 4;
    if (len > UINT32_MAX) return absl::ResourceExhaustedError("index section exceeds 4 GiB");
    StoreBigEndian32(out_->data() + start_, static_cast<uint32_t>(len));
    AppendBigEndian32(out_, Crc32cExtend(0, out_->data() + start_ + 4, len));
    return absl::OkStatus();
  }

 private:
  std::string* out_;
  size_t start_;
};

}  // namespace

IndexWriter::IndexWriter() {
  AppendBigEndian32(&buf_, kIndexMagic);
  buf_.push_back(static_cast<char>(kIndexFormatV2));
}

IndexWriter::~IndexWriter() = default;

absl::StatusOr<std::unique_ptr<IndexWriter>> IndexWriter::Create(FileSystem* fs,
                                                                 const std::string& path,
                                                                 size_t flush_bytes) {
  auto w = std::make_unique<IndexWriter>();
  w->flush_bytes_ = flush_bytes;
  ASSIGN_OR_RETURN(w->file_, fs->OpenWritable(path, OpenMode::kCreateNew));
  return w;
}

void IndexWriter::Pad(size_t align) {
  size_t rem = Pos() % align;
  if (rem != 0) buf_.append(align - rem, '\0');
}

absl::Status IndexWriter::MaybeFlush() {
  if (file_ == nullptr || buf_.size() < flush_bytes_) return absl::OkStatus();
  RETURN_IF_ERROR(file_->Append(buf_));
  flushed_ += buf_.size();
  buf_.clear();
  return absl::OkStatus();
}

absl::Status IndexWriter::AddSymbols(std::vector<std::string_view> symbols) {
  if (have_symbols_) return absl::FailedPreconditionError("index symbols were already added");
  have_symbols_ = true;
  // Prometheus' table always holds "" too (the name and value of its all-series postings key).
  symbols.push_back("");
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  size_t bytes = 0;
  for (std::string_view s : symbols) bytes += s.size();
  symbol_bytes_.reserve(bytes);
  symbol_ends_.reserve(symbols.size());
  for (std::string_view s : symbols) {
    symbol_bytes_.append(s);
    symbol_ends_.push_back(symbol_bytes_.size());
  }
  symbols.clear();
  symbols.shrink_to_fit();
  symbol_ref_.reserve(symbol_ends_.size());
  uint64_t start = 0;
  for (size_t i = 0; i < symbol_ends_.size(); ++i) {
    symbol_ref_[std::string_view(symbol_bytes_).substr(start, symbol_ends_[i] - start)] =
        static_cast<uint32_t>(i);
    start = symbol_ends_[i];
  }

  toc_symbols_ = Pos();
  {
    LengthPrefixedSection sec(&buf_);
    AppendBigEndian32(&buf_, static_cast<uint32_t>(symbol_ends_.size()));
    start = 0;
    for (uint64_t end : symbol_ends_) {
      PutUvarintString(&buf_, std::string_view(symbol_bytes_).substr(start, end - start));
      start = end;
    }
    RETURN_IF_ERROR(sec.Finish());
  }
  toc_series_ = Pos();
  return MaybeFlush();
}

absl::Status IndexWriter::AddSeries(const Labels& labels, std::span<const ChunkMeta> chunks) {
  if (!have_symbols_) return absl::FailedPreconditionError("index series before symbols");
  if (labels.empty()) return absl::InvalidArgumentError("series without labels");
  if (!all_.empty() && !(last_labels_ < labels)) {
    return absl::InvalidArgumentError(StrCat("out-of-order series added with label set ",
                                             labels.ToString(), ", last label set ",
                                             last_labels_.ToString()));
  }
  for (size_t j = 0; j < chunks.size(); ++j) {
    const ChunkMeta& c = chunks[j];
    if (c.ref < last_ref_) {
      return absl::InvalidArgumentError(
          StrCat("unsorted chunk reference: ", c.ref, ", previous: ", last_ref_));
    }
    last_ref_ = c.ref;
    if (c.max_time < c.min_time) {
      return absl::InvalidArgumentError(
          StrCat("chunk maxT ", c.max_time, " is less than minT ", c.min_time));
    }
    if (j > 0 && c.min_time <= chunks[j - 1].max_time) {
      return absl::InvalidArgumentError(StrCat("chunk minT ", c.min_time,
                                               " is not higher than previous chunk maxT ",
                                               chunks[j - 1].max_time));
    }
  }

  Pad(kSeriesAlign);
  const uint64_t id = Pos() / kSeriesAlign;
  if (id > UINT32_MAX) return absl::ResourceExhaustedError("index series section too large");
  all_.push_back(static_cast<uint32_t>(id));
  entry_.clear();
  PutUvarint(&entry_, labels.size());
  for (const Label& l : labels) {
    auto n = symbol_ref_.find(l.name);
    auto v = symbol_ref_.find(l.value);
    if (n == symbol_ref_.end() || v == symbol_ref_.end()) {
      return absl::InvalidArgumentError(StrCat("label ", l.name, "=", l.value, " of ",
                                               labels.ToString(),
                                               " is not in the index symbol table"));
    }
    PutUvarint(&entry_, n->second);
    PutUvarint(&entry_, v->second);
    postings_.push_back({n->second, v->second, static_cast<uint32_t>(id)});
  }
  PutUvarint(&entry_, chunks.size());
  if (!chunks.empty()) {
    const ChunkMeta& c0 = chunks[0];
    PutVarint(&entry_, c0.min_time);
    PutUvarint(&entry_, static_cast<uint64_t>(c0.max_time - c0.min_time));
    PutUvarint(&entry_, c0.ref);
    int64_t t0 = c0.max_time;
    int64_t ref0 = static_cast<int64_t>(c0.ref);
    for (size_t i = 1; i < chunks.size(); ++i) {
      const ChunkMeta& c = chunks[i];
      PutUvarint(&entry_, static_cast<uint64_t>(c.min_time - t0));
      PutUvarint(&entry_, static_cast<uint64_t>(c.max_time - c.min_time));
      t0 = c.max_time;
      PutVarint(&entry_, static_cast<int64_t>(c.ref) - ref0);
      ref0 = static_cast<int64_t>(c.ref);
    }
  }
  PutUvarint(&buf_, entry_.size());
  buf_.append(entry_);
  AppendBigEndian32(&buf_, Crc32c(entry_));
  last_labels_ = labels;
  return MaybeFlush();
}

absl::Status IndexWriter::Finish() {
  if (!have_symbols_) RETURN_IF_ERROR(AddSymbols({}));
  auto symbol = [this](uint32_t ref) {
    const uint64_t start = ref == 0 ? 0 : symbol_ends_[ref - 1];
    return std::string_view(symbol_bytes_).substr(start, symbol_ends_[ref] - start);
  };
  // Postings by name ref, value ref, id (refs are in string order).
  std::sort(postings_.begin(), postings_.end(), [](const Posting& a, const Posting& b) {
    if (a.name != b.name) return a.name < b.name;
    if (a.value != b.value) return a.value < b.value;
    return a.id < b.id;
  });

  // Label indices (deprecated, still written by 2.42): one per name, the sorted value refs.
  const uint64_t toc_label_indices = Pos();
  std::vector<std::pair<uint32_t, uint64_t>> label_index_offsets;  // name ref, offset
  for (size_t i = 0; i < postings_.size();) {
    const uint32_t name = postings_[i].name;
    size_t end = i;
    uint32_t values = 0;
    while (end < postings_.size() && postings_[end].name == name) {
      if (end == i || postings_[end].value != postings_[end - 1].value) ++values;
      ++end;
    }
    Pad(4);
    label_index_offsets.emplace_back(name, Pos());
    LengthPrefixedSection sec(&buf_);
    AppendBigEndian32(&buf_, 1);
    AppendBigEndian32(&buf_, values);
    for (size_t k = i; k < end; ++k) {
      if (k == i || postings_[k].value != postings_[k - 1].value)
        AppendBigEndian32(&buf_, postings_[k].value);
    }
    RETURN_IF_ERROR(sec.Finish());
    RETURN_IF_ERROR(MaybeFlush());
    i = end;
  }

  // Postings, the all-series list first under ("", "").
  const uint64_t toc_postings = Pos();
  Pad(4);
  struct PostingsEntry {
    uint32_t name, value;  // refs; the all-series list has neither
    bool all;
    uint64_t offset;
  };
  std::vector<PostingsEntry> postings_offsets;
  {
    Pad(4);
    postings_offsets.push_back({0, 0, true, Pos()});
    LengthPrefixedSection sec(&buf_);
    AppendBigEndian32(&buf_, static_cast<uint32_t>(all_.size()));
    for (uint32_t id : all_) AppendBigEndian32(&buf_, id);
    RETURN_IF_ERROR(sec.Finish());
    RETURN_IF_ERROR(MaybeFlush());
  }
  for (size_t i = 0; i < postings_.size();) {
    size_t end = i;
    while (end < postings_.size() && postings_[end].name == postings_[i].name &&
           postings_[end].value == postings_[i].value) {
      ++end;
    }
    Pad(4);
    postings_offsets.push_back({postings_[i].name, postings_[i].value, false, Pos()});
    LengthPrefixedSection sec(&buf_);
    AppendBigEndian32(&buf_, static_cast<uint32_t>(end - i));
    for (size_t k = i; k < end; ++k) AppendBigEndian32(&buf_, postings_[k].id);
    RETURN_IF_ERROR(sec.Finish());
    RETURN_IF_ERROR(MaybeFlush());
    i = end;
  }
  postings_.clear();
  postings_.shrink_to_fit();

  const uint64_t toc_label_table = Pos();
  {
    LengthPrefixedSection sec(&buf_);
    AppendBigEndian32(&buf_, static_cast<uint32_t>(label_index_offsets.size()));
    for (const auto& [name, offset] : label_index_offsets) {
      PutUvarint(&buf_, 1);
      PutUvarintString(&buf_, symbol(name));
      PutUvarint(&buf_, offset);
    }
    RETURN_IF_ERROR(sec.Finish());
  }

  const uint64_t toc_postings_table = Pos();
  {
    LengthPrefixedSection sec(&buf_);
    AppendBigEndian32(&buf_, static_cast<uint32_t>(postings_offsets.size()));
    for (const PostingsEntry& e : postings_offsets) {
      PutUvarint(&buf_, 2);
      PutUvarintString(&buf_, e.all ? std::string_view() : symbol(e.name));
      PutUvarintString(&buf_, e.all ? std::string_view() : symbol(e.value));
      PutUvarint(&buf_, e.offset);
    }
    RETURN_IF_ERROR(sec.Finish());
  }

  const size_t toc_start = buf_.size();
  for (uint64_t v : {toc_symbols_, toc_series_, toc_label_indices, toc_label_table, toc_postings,
                     toc_postings_table}) {
    AppendBigEndian64(&buf_, v);
  }
  AppendBigEndian32(&buf_, Crc32cExtend(0, buf_.data() + toc_start, buf_.size() - toc_start));
  if (file_ == nullptr) return absl::OkStatus();
  RETURN_IF_ERROR(file_->Append(buf_));
  flushed_ += buf_.size();
  buf_.clear();
  RETURN_IF_ERROR(file_->Sync());
  return file_->Close();
}

namespace {

absl::Status AddAll(IndexWriter* w, const std::vector<IndexSeries>& series) {
  std::vector<std::string_view> symbols;
  for (const IndexSeries& s : series) {
    for (const Label& l : s.labels) {
      symbols.push_back(l.name);
      symbols.push_back(l.value);
    }
  }
  RETURN_IF_ERROR(w->AddSymbols(std::move(symbols)));
  for (const IndexSeries& s : series) RETURN_IF_ERROR(w->AddSeries(s.labels, s.chunks));
  return w->Finish();
}

}  // namespace

absl::StatusOr<std::string> EncodeIndex(const std::vector<IndexSeries>& series) {
  IndexWriter w;
  RETURN_IF_ERROR(AddAll(&w, series));
  return std::move(w.contents());
}

absl::Status WriteIndex(FileSystem* fs, const std::string& path,
                        const std::vector<IndexSeries>& series) {
  ASSIGN_OR_RETURN(std::unique_ptr<IndexWriter> w, IndexWriter::Create(fs, path));
  return AddAll(w.get(), series);
}

}  // namespace sundial::tsdb::block
