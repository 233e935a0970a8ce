#include "tsdb/block/index_writer.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/block/encoding.h"
#include "tsdb/block/format.h"

namespace sundial::tsdb::block {
namespace {

// Writes "len <4b>" placeholder; Finish() fills it with the bytes written since and appends the
// CRC32C of those bytes.
class LengthPrefixedSection {
 public:
  explicit LengthPrefixedSection(std::string* out) : out_(out), start_(out->size()) {
    out_->append(4, '\0');
  }
  absl::Status Finish() {
    uint64_t len = out_->size() - start_ - 4;
    if (len > UINT32_MAX) return absl::ResourceExhaustedError("index section exceeds 4 GiB");
    SetBE32(out_, start_, static_cast<uint32_t>(len));
    PutBE32(out_, Crc32cExtend(0, out_->data() + start_ + 4, len));
    return absl::OkStatus();
  }

 private:
  std::string* out_;
  size_t start_;
};

absl::Status CheckSeries(const std::vector<IndexSeries>& series) {
  uint64_t last_ref = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    const IndexSeries& s = series[i];
    if (s.labels.empty()) return absl::InvalidArgumentError("series without labels");
    if (i > 0 && !(series[i - 1].labels < s.labels)) {
      return absl::InvalidArgumentError(StrCat("out-of-order series added with label set ",
                                               s.labels.ToString(), ", last label set ",
                                               series[i - 1].labels.ToString()));
    }
    for (size_t j = 0; j < s.chunks.size(); ++j) {
      const ChunkMeta& c = s.chunks[j];
      if (c.ref < last_ref) {
        return absl::InvalidArgumentError(
            StrCat("unsorted chunk reference: ", c.ref, ", previous: ", last_ref));
      }
      last_ref = c.ref;
      if (c.max_time < c.min_time) {
        return absl::InvalidArgumentError(
            StrCat("chunk maxT ", c.max_time, " is less than minT ", c.min_time));
      }
      if (j > 0 && c.min_time <= s.chunks[j - 1].max_time) {
        return absl::InvalidArgumentError(StrCat("chunk minT ", c.min_time,
                                                 " is not higher than previous chunk maxT ",
                                                 s.chunks[j - 1].max_time));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> EncodeIndex(const std::vector<IndexSeries>& series) {
  RETURN_IF_ERROR(CheckSeries(series));

  // Symbols: every name and value, sorted and unique. Refs are positions in that order.
  // Prometheus' table always holds "" too (the name and value of its all-series postings key).
  std::vector<std::string_view> symbols = {""};
  for (const IndexSeries& s : series) {
    for (const Label& l : s.labels) {
      symbols.push_back(l.name);
      symbols.push_back(l.value);
    }
  }
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  absl::flat_hash_map<std::string_view, uint32_t> symbol_ref;
  symbol_ref.reserve(symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i) symbol_ref[symbols[i]] = static_cast<uint32_t>(i);

  std::string out;
  PutBE32(&out, kIndexMagic);
  out.push_back(static_cast<char>(kIndexFormatV2));

  uint64_t toc_symbols = out.size();
  {
    LengthPrefixedSection sec(&out);
    PutBE32(&out, static_cast<uint32_t>(symbols.size()));
    for (std::string_view s : symbols) PutUvarintStr(&out, s);
    RETURN_IF_ERROR(sec.Finish());
  }

  // Series, collecting postings: name ref -> value ref -> series ids (all sorted by ref, which
  // is string order).
  uint64_t toc_series = out.size();
  std::map<uint32_t, std::map<uint32_t, std::vector<uint32_t>>> postings;
  std::vector<uint32_t> all;
  all.reserve(series.size());
  std::string entry;
  for (const IndexSeries& s : series) {
    PadTo(&out, kSeriesAlign);
    uint64_t id = out.size() / kSeriesAlign;
    if (id > UINT32_MAX) return absl::ResourceExhaustedError("index series section too large");
    all.push_back(static_cast<uint32_t>(id));
    entry.clear();
    PutUvarint(&entry, s.labels.size());
    for (const Label& l : s.labels) {
      uint32_t n = symbol_ref[l.name];
      uint32_t v = symbol_ref[l.value];
      PutUvarint(&entry, n);
      PutUvarint(&entry, v);
      postings[n][v].push_back(static_cast<uint32_t>(id));
    }
    PutUvarint(&entry, s.chunks.size());
    if (!s.chunks.empty()) {
      const ChunkMeta& c0 = s.chunks[0];
      PutVarint(&entry, c0.min_time);
      PutUvarint(&entry, static_cast<uint64_t>(c0.max_time - c0.min_time));
      PutUvarint(&entry, c0.ref);
      int64_t t0 = c0.max_time;
      int64_t ref0 = static_cast<int64_t>(c0.ref);
      for (size_t i = 1; i < s.chunks.size(); ++i) {
        const ChunkMeta& c = s.chunks[i];
        PutUvarint(&entry, static_cast<uint64_t>(c.min_time - t0));
        PutUvarint(&entry, static_cast<uint64_t>(c.max_time - c.min_time));
        t0 = c.max_time;
        PutVarint(&entry, static_cast<int64_t>(c.ref) - ref0);
        ref0 = static_cast<int64_t>(c.ref);
      }
    }
    PutUvarint(&out, entry.size());
    out.append(entry);
    PutBE32(&out, Crc32c(entry));
  }

  // Label indices (deprecated, still written by 2.42): one per name, the sorted value refs.
  uint64_t toc_label_indices = out.size();
  std::vector<std::pair<uint32_t, uint64_t>> label_index_offsets;  // name ref, offset
  for (const auto& [name, values] : postings) {
    PadTo(&out, 4);
    label_index_offsets.emplace_back(name, out.size());
    LengthPrefixedSection sec(&out);
    PutBE32(&out, 1);
    PutBE32(&out, static_cast<uint32_t>(values.size()));
    for (const auto& [value, ids] : values) PutBE32(&out, value);
    RETURN_IF_ERROR(sec.Finish());
  }

  // Postings, the all-series list first under ("", "").
  uint64_t toc_postings = out.size();
  PadTo(&out, 4);
  struct PostingsEntry {
    std::string_view name, value;
    uint64_t offset;
  };
  std::vector<PostingsEntry> postings_offsets;
  auto write_postings = [&](std::string_view name, std::string_view value,
                            const std::vector<uint32_t>& ids) -> absl::Status {
    PadTo(&out, 4);
    postings_offsets.push_back({name, value, out.size()});
    LengthPrefixedSection sec(&out);
    PutBE32(&out, static_cast<uint32_t>(ids.size()));
    for (uint32_t id : ids) PutBE32(&out, id);
    return sec.Finish();
  };
  RETURN_IF_ERROR(write_postings("", "", all));
  for (const auto& [name, values] : postings) {
    for (const auto& [value, ids] : values) {
      RETURN_IF_ERROR(write_postings(symbols[name], symbols[value], ids));
    }
  }

  uint64_t toc_label_table = out.size();
  {
    LengthPrefixedSection sec(&out);
    PutBE32(&out, static_cast<uint32_t>(label_index_offsets.size()));
    for (const auto& [name, offset] : label_index_offsets) {
      PutUvarint(&out, 1);
      PutUvarintStr(&out, symbols[name]);
      PutUvarint(&out, offset);
    }
    RETURN_IF_ERROR(sec.Finish());
  }

  uint64_t toc_postings_table = out.size();
  {
    LengthPrefixedSection sec(&out);
    PutBE32(&out, static_cast<uint32_t>(postings_offsets.size()));
    for (const PostingsEntry& e : postings_offsets) {
      PutUvarint(&out, 2);
      PutUvarintStr(&out, e.name);
      PutUvarintStr(&out, e.value);
      PutUvarint(&out, e.offset);
    }
    RETURN_IF_ERROR(sec.Finish());
  }

  size_t toc_start = out.size();
  for (uint64_t v : {toc_symbols, toc_series, toc_label_indices, toc_label_table, toc_postings,
                     toc_postings_table}) {
    PutBE64(&out, v);
  }
  PutBE32(&out, Crc32cExtend(0, out.data() + toc_start, out.size() - toc_start));
  return out;
}

absl::Status WriteIndex(FileSystem* fs, const std::string& path,
                        const std::vector<IndexSeries>& series) {
  ASSIGN_OR_RETURN(std::string data, EncodeIndex(series));
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs->OpenWritable(path, OpenMode::kCreateNew));
  RETURN_IF_ERROR(f->Append(data));
  RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

}  // namespace sundial::tsdb::block
