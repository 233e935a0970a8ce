#include "tsdb/block/index_reader.h"

#include <algorithm>
#include <array>
#include <span>

#include "base/big_endian.h"
#include "base/byte_reader.h"
#include "base/crc32c.h"
#include "base/status_macros.h"
#include "base/str_cat.h"
#include "model/labels.h"
#include "tsdb/block/format.h"

namespace sundial::tsdb::block {
namespace {
// a + b with two's complement wrap-around (corrupt input must not be undefined behaviour).
int64_t AddWrap(int64_t a, uint64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + b);
}
}  // namespace

absl::StatusOr<std::unique_ptr<IndexReader>> IndexReader::Open(FileSystem* fs,
                                                               const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<FileBytes> file, FileBytes::Open(fs, path));
  std::unique_ptr<IndexReader> r(new IndexReader(std::move(file), path));
  RETURN_IF_ERROR(r->Init());
  return r;
}

absl::StatusOr<std::unique_ptr<IndexReader>> IndexReader::FromBytes(std::string data,
                                                                    std::string name) {
  std::unique_ptr<IndexReader> r(
      new IndexReader(FileBytes::FromString(std::move(data)), std::move(name)));
  RETURN_IF_ERROR(r->Init());
  return r;
}

absl::Status IndexReader::Init() {
  if (data_.size() < kIndexHeaderSize + kIndexTocSize) {
    return Corruption(name_, 0, StrCat("index too short (", data_.size(), " bytes)"));
  }
  if (LoadBigEndian32(data_.data()) != kIndexMagic)
    return Corruption(name_, 0, "invalid magic number");
  if (static_cast<uint8_t>(data_[4]) != kIndexFormatV2) {
    return Corruption(name_, 4, StrCat("unsupported index version ", int{data_[4]}));
  }
  uint64_t toc_at = data_.size() - kIndexTocSize;
  std::string_view toc(data_.data() + toc_at, kIndexTocSize);
  if (Crc32c(toc.substr(0, kIndexTocSize - 4)) != LoadBigEndian32(toc.data() + kIndexTocSize - 4)) {
    return Corruption(name_, toc_at, "TOC checksum mismatch");
  }
  ByteReader d(toc);
  uint64_t symbols = d.BigEndian64();
  d.BigEndian64();  // series
  d.BigEndian64();  // label indices
  d.BigEndian64();  // label offset table
  d.BigEndian64();  // postings
  uint64_t postings_table = d.BigEndian64();
  RETURN_IF_ERROR(ReadSymbols(symbols));
  return ReadPostingsOffsetTable(postings_table);
}

absl::StatusOr<std::string_view> IndexReader::Section(uint64_t offset,
                                                      std::string_view what) const {
  if (offset > data_.size() || data_.size() - offset < 8) {
    return Corruption(name_, offset, StrCat(what, " beyond the end of the file"));
  }
  uint32_t len = LoadBigEndian32(data_.data() + offset);
  if (data_.size() - offset - 4 < uint64_t{len} + 4) {
    return Corruption(name_, offset, StrCat(what, " length ", len, " exceeds the file"));
  }
  std::string_view body(data_.data() + offset + 4, len);
  if (Crc32c(body) != LoadBigEndian32(body.data() + len)) {
    return Corruption(name_, offset, StrCat(what, " checksum mismatch"));
  }
  return body;
}

absl::Status IndexReader::ReadSymbols(uint64_t offset) {
  if (offset == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string_view body, Section(offset, "symbol table"));
  ByteReader d(body);
  uint32_t n = d.BigEndian32();
  if (n > body.size()) return Corruption(name_, offset, "symbol count exceeds the table");
  symbols_.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view s = d.UvarintString();
    if (!d.ok()) return Corruption(name_, offset, StrCat("symbol ", i, " truncated"));
    symbols_.push_back(s);
  }
  return absl::OkStatus();
}

absl::Status IndexReader::ReadPostingsOffsetTable(uint64_t offset) {
  if (offset == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string_view body, Section(offset, "postings offset table"));
  ByteReader d(body);
  uint32_t n = d.BigEndian32();
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t keys = d.Uvarint();
    std::string_view name = d.UvarintString();
    std::string_view value = d.UvarintString();
    uint64_t at = d.Uvarint();
    if (!d.ok() || keys != 2) {
      return Corruption(name_, offset, StrCat("postings offset table entry ", i, " malformed"));
    }
    if (at >= data_.size()) {
      return Corruption(name_, offset, StrCat("postings offset ", at, " beyond the end"));
    }
    ValueOffsets& values = postings_[name];
    if (!values.empty() && values.back().first >= value) {
      return Corruption(name_, offset, "postings offset table not sorted");
    }
    values.emplace_back(value, at);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> IndexReader::Symbol(uint64_t ref, uint64_t at) const {
  if (ref >= symbols_.size()) {
    return Corruption(name_, at, StrCat("symbol ref ", ref, " out of range"));
  }
  return symbols_[ref];
}

std::vector<std::string> IndexReader::LabelNames() const {
  std::vector<std::string> out;
  for (const auto& [name, values] : postings_) {
    if (!name.empty()) out.emplace_back(name);
  }
  return out;
}

std::vector<std::string> IndexReader::LabelValues(std::string_view name) const {
  std::vector<std::string> out;
  if (name.empty()) return out;
  auto it = postings_.find(name);
  if (it == postings_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [value, offset] : it->second) out.emplace_back(value);
  return out;
}

absl::StatusOr<Postings> IndexReader::ReadPostings(uint64_t offset) const {
  ASSIGN_OR_RETURN(std::string_view body, Section(offset, "postings list"));
  ByteReader d(body);
  uint32_t n = d.BigEndian32();
  if (uint64_t{n} * 4 != d.remaining()) {
    return Corruption(name_, offset, "postings list length does not match its count");
  }
  Postings out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t id = d.BigEndian32();
    if (!out.empty() && id <= out.back()) {
      return Corruption(name_, offset, "postings list not sorted");
    }
    out.push_back(id);
  }
  return out;
}

absl::StatusOr<Postings> IndexReader::PostingsFor(std::string_view name,
                                                  std::string_view value) const {
  auto it = postings_.find(name);
  if (it == postings_.end()) return Postings{};
  const ValueOffsets& values = it->second;
  auto v = std::lower_bound(values.begin(), values.end(), value,
                            [](const auto& e, std::string_view x) { return e.first < x; });
  if (v == values.end() || v->first != value) return Postings{};
  return ReadPostings(v->second);
}

absl::StatusOr<Postings> IndexReader::AllPostings() const { return PostingsFor("", ""); }

absl::StatusOr<Postings> IndexReader::PostingsForValues(const Matcher& m, bool want) const {
  if (m.name().empty()) return Postings{};
  auto name_it = postings_.find(m.name());
  if (name_it == postings_.end()) return Postings{};
  const ValueOffsets& values = name_it->second;
  std::vector<Postings> lists;
  auto take = [&](uint64_t offset) -> absl::Status {
    ASSIGN_OR_RETURN(Postings p, ReadPostings(offset));
    if (!p.empty()) lists.push_back(std::move(p));
    return absl::OkStatus();
  };
  auto find = [&](std::string_view v) {
    return std::lower_bound(values.begin(), values.end(), v,
                            [](const auto& e, std::string_view x) { return e.first < x; });
  };

  // Whether the values wanted are those of the matcher's positive form ("=" or "=~" of its
  // value); otherwise they are the complement, which needs a scan.
  const bool negative = m.type() == MatchType::kNotEqual || m.type() == MatchType::kNotRegexp;
  const bool positive_form = want != negative;
  const bool regex = m.type() == MatchType::kRegexp || m.type() == MatchType::kNotRegexp;
  const Matcher::RegexKind kind = regex ? m.regex_kind() : Matcher::RegexKind::kLiteralSet;

  if (positive_form && !regex) {
    if (auto it = find(m.value()); it != values.end() && it->first == m.value()) {
      RETURN_IF_ERROR(take(it->second));
    }
  } else if (positive_form && kind == Matcher::RegexKind::kLiteralSet) {
    for (const std::string& v : m.SetMatches()) {
      if (auto it = find(v); it != values.end() && it->first == v)
        RETURN_IF_ERROR(take(it->second));
    }
  } else if (positive_form && kind == Matcher::RegexKind::kPrefix) {
    for (auto it = find(m.Prefix()); it != values.end() && it->first.starts_with(m.Prefix());
         ++it) {
      RETURN_IF_ERROR(take(it->second));
    }
  } else if (kind == Matcher::RegexKind::kAny || kind == Matcher::RegexKind::kNonEmpty) {
    // Stored values are never empty, so both select every value (or none for the complement).
    if (positive_form) {
      for (const auto& [v, offset] : values) RETURN_IF_ERROR(take(offset));
    }
  } else {
    for (const auto& [v, offset] : values) {
      if (m.Matches(v) == want) RETURN_IF_ERROR(take(offset));
    }
  }
  if (lists.size() == 1) return std::move(lists[0]);
  return Union(std::move(lists));
}

absl::StatusOr<Postings> IndexReader::PostingsForMatchers(std::span<const Matcher> matchers) const {
  std::vector<Postings> intersect, subtract;
  for (const Matcher& m : matchers) {
    if (m.MatchesEmpty()) {
      ASSIGN_OR_RETURN(Postings p, PostingsForValues(m, false));
      subtract.push_back(std::move(p));
    } else {
      ASSIGN_OR_RETURN(Postings p, PostingsForValues(m, true));
      if (p.empty()) return Postings{};
      intersect.push_back(std::move(p));
    }
  }
  if (intersect.empty()) {
    if (subtract.empty()) return Postings{};
    ASSIGN_OR_RETURN(Postings all, AllPostings());
    intersect.push_back(std::move(all));
  }
  std::sort(intersect.begin(), intersect.end(),
            [](const Postings& a, const Postings& b) { return a.size() < b.size(); });
  Postings result = std::move(intersect[0]);
  for (size_t i = 1; i < intersect.size() && !result.empty(); ++i) {
    result = Intersect(result, intersect[i]);
  }
  for (const Postings& s : subtract) {
    if (result.empty()) break;
    result = Subtract(result, s);
  }
  return result;
}

absl::Status IndexReader::Series(SeriesRef id, Labels* labels,
                                 std::vector<ChunkMeta>* chunks) const {
  uint64_t offset = id * kSeriesAlign;
  if (id > UINT32_MAX || offset >= data_.size()) {
    return Corruption(name_, offset, StrCat("series ", id, " beyond the end of the file"));
  }
  ByteReader d(data_.substr(offset));
  uint64_t len = d.Uvarint();
  if (!d.ok() || len > d.remaining() || d.remaining() - len < 4) {
    return Corruption(name_, offset, "series entry truncated");
  }
  std::string_view body = d.Bytes(len);
  if (Crc32c(body) != d.BigEndian32()) return Corruption(name_, offset, "series checksum mismatch");
  ByteReader b(body);
  uint64_t nlabels = b.Uvarint();
  if (nlabels > body.size()) return Corruption(name_, offset, "series label count too large");
  // Index entries list labels sorted by name, so they are built in one allocation; others go
  // through a LabelsBuilder (sorted, last duplicate wins).
  std::array<Label, 32> sorted;
  bool in_order = nlabels <= sorted.size();
  LabelsBuilder builder;
  for (uint64_t i = 0; i < nlabels && b.ok(); ++i) {
    uint64_t n = b.Uvarint();
    uint64_t v = b.Uvarint();
    if (!b.ok()) break;
    ASSIGN_OR_RETURN(std::string_view name, Symbol(n, offset));
    ASSIGN_OR_RETURN(std::string_view value, Symbol(v, offset));
    if (in_order && (i == 0 || sorted[i - 1].name < name)) {
      sorted[i] = Label{name, value};
      continue;
    }
    if (in_order) {
      for (uint64_t j = 0; j < i; ++j) builder.Set(sorted[j].name, sorted[j].value);
      in_order = false;
    }
    builder.Set(name, value);
  }
  uint64_t nchunks = b.Uvarint();
  if (!b.ok() || nchunks > body.size()) {
    return Corruption(name_, offset, "series entry malformed");
  }
  chunks->clear();
  chunks->reserve(nchunks);
  if (nchunks > 0) {
    ChunkMeta c;
    c.min_time = b.Varint();
    c.max_time = AddWrap(c.min_time, b.Uvarint());
    c.ref = b.Uvarint();
    chunks->push_back(c);
    for (uint64_t i = 1; i < nchunks && b.ok(); ++i) {
      ChunkMeta n;
      n.min_time = AddWrap(chunks->back().max_time, b.Uvarint());
      n.max_time = AddWrap(n.min_time, b.Uvarint());
      n.ref = chunks->back().ref + static_cast<uint64_t>(b.Varint());
      chunks->push_back(n);
    }
  }
  if (!b.ok()) return Corruption(name_, offset, "series entry malformed");
  *labels = in_order ? Labels::FromSorted(std::span<const Label>(sorted.data(), nlabels))
                     : builder.Build();
  return absl::OkStatus();
}

}  // namespace sundial::tsdb::block
