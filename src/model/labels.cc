#include "model/labels.h"

#include <algorithm>
#include <cstring>

#include "base/strings.h"
#include "base/varint.h"
#include "base/xxhash.h"

namespace sundial {
namespace {

// The length at p in a buffer the labels wrote themselves (PutUvarint), and the position after.
inline const char* GetUvarint(const char* p, size_t* v) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  if (*u < 0x80) {  // names and values under 128 bytes: one byte
    *v = *u;
    return p + 1;
  }
  uint64_t n = 0;
  GetUvarintUnbounded(&u, &n);  // cannot overflow: written from a size_t
  *v = static_cast<size_t>(n);
  return reinterpret_cast<const char*>(u);
}

size_t UvarintSize(size_t v) {
  size_t n = 1;
  for (; v >= 0x80; v >>= 7) ++n;
  return n;
}

// Writes varint(s.size()) s at w, as PutUvarint and append would; returns the end.
char* PutString(char* w, std::string_view s) {
  size_t v = s.size();
  for (; v >= 0x80; v >>= 7) *w++ = static_cast<char>(v | 0x80);
  *w++ = static_cast<char>(v);
  std::memcpy(w, s.data(), s.size());
  return w + s.size();
}

}  // namespace

Labels::Iterator::Iterator(const char* pos, const char* end) : pos_(pos), end_(end) { Decode(); }

void Labels::Iterator::Decode() {
  if (pos_ == end_) return;
  size_t len;
  const char* p = GetUvarint(pos_, &len);
  current_.name = std::string_view(p, len);
  p += len;
  p = GetUvarint(p, &len);
  current_.value = std::string_view(p, len);
  next_ = p + len;
}

Labels::Iterator& Labels::Iterator::operator++() {
  pos_ = next_;
  Decode();
  return *this;
}

Labels::Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
  LabelsBuilder b;
  for (const auto& [name, value] : pairs) b.Set(name, value);
  *this = b.Build();
}

size_t Labels::size() const { return static_cast<size_t>(std::distance(begin(), end())); }

std::string_view Labels::Get(std::string_view name) const {
  for (const Label& l : *this) {
    if (l.name == name) return l.value;
    if (l.name > name) break;
  }
  return {};
}

bool Labels::Has(std::string_view name) const { return !Get(name).empty(); }

uint64_t Labels::Hash() const {
  // The bytes hashed are the encoding with each string's length replaced by a 0xff after it:
  // no longer than the encoding (a length takes at least one byte).
  char small[256];
  thread_local std::string large;
  char* const out =
      data_.size() <= sizeof(small) ? small : (large.resize(data_.size()), large.data());
  char* w = out;
  for (const char *p = data_.data(), *end = p + data_.size(); p < end;) {
    size_t len;
    p = GetUvarint(p, &len);
    std::memcpy(w, p, len);
    w += len;
    *w++ = '\xff';
    p += len;
  }
  return XxHash64(std::string_view(out, static_cast<size_t>(w - out)));
}

std::string Labels::ToString() const {
  std::string out = "{";
  bool first = true;
  for (const Label& l : *this) {
    if (!first) out.append(", ");
    first = false;
    out.append(l.name);
    out.push_back('=');
    AppendGoQuoted(&out, l.value);
  }
  out.push_back('}');
  return out;
}

std::strong_ordering operator<=>(const Labels& a, const Labels& b) {
  // Equal encodings up to the first differing byte mean equal labels up to the pair holding
  // it (pairs are self-delimiting): skip those, then compare pair by pair as usual.
  const std::string_view da = a.data_, db = b.data_;
  const size_t common = std::min(da.size(), db.size());
  size_t diff = 0;
  while (diff + 8 <= common && std::memcmp(da.data() + diff, db.data() + diff, 8) == 0) diff += 8;
  while (diff < common && da[diff] == db[diff]) ++diff;
  if (diff == da.size() && diff == db.size()) return std::strong_ordering::equal;
  // One encoding a prefix of the other: the shorter has a subset of leading pairs.
  if (diff == da.size()) return std::strong_ordering::less;
  if (diff == db.size()) return std::strong_ordering::greater;
  // The pair holding byte `diff` starts at the same offset in both and differs: it decides.
  size_t offset = 0;
  while (true) {
    size_t len;
    const char* p = GetUvarint(da.data() + offset, &len);
    p = GetUvarint(p + len, &len);
    const size_t next = static_cast<size_t>(p + len - da.data());
    if (next > diff) break;
    offset = next;
  }
  auto decode = [offset](std::string_view d, std::string_view* name, std::string_view* value) {
    size_t len;
    const char* p = GetUvarint(d.data() + offset, &len);
    *name = std::string_view(p, len);
    p = GetUvarint(p + len, &len);
    *value = std::string_view(p, len);
  };
  std::string_view na, va, nb, vb;
  decode(da, &na, &va);
  decode(db, &nb, &vb);
  if (auto c = na.compare(nb); c != 0) return c <=> 0;
  return va.compare(vb) <=> 0;
}

void Labels::AppendSorted(std::string_view name, std::string_view value) {
  PutUvarint(&data_, name.size());
  data_.append(name);
  PutUvarint(&data_, value.size());
  data_.append(value);
}

Labels Labels::FromSorted(std::span<const Label> pairs) {
  Labels out;
  size_t bytes = 0;
  for (const Label& l : pairs) {
    if (l.value.empty()) continue;
    bytes += UvarintSize(l.name.size()) + l.name.size();
    bytes += UvarintSize(l.value.size()) + l.value.size();
  }
  out.data_.resize(bytes);
  char* w = out.data_.data();
  for (const Label& l : pairs) {
    if (l.value.empty()) continue;
    w = PutString(w, l.name);
    w = PutString(w, l.value);
  }
  return out;
}

void LabelsBuilder::Reset(const Labels& base) {
  pairs_.clear();
  for (const Label& l : base) pairs_.emplace_back(l.name, l.value);
}

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), name,
                             [](const auto& p, std::string_view n) { return p.first < n; });
  bool found = it != pairs_.end() && it->first == name;
  if (value.empty()) {
    if (found) pairs_.erase(it);
  } else if (found) {
    it->second.assign(value);
  } else {
    pairs_.emplace(it, std::string(name), std::string(value));
  }
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) { return Set(name, {}); }

std::string_view LabelsBuilder::Get(std::string_view name) const {
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), name,
                             [](const auto& p, std::string_view n) { return p.first < n; });
  if (it != pairs_.end() && it->first == name) return it->second;
  return {};
}

LabelsBuilder& LabelsBuilder::Keep(const std::vector<std::string>& names) {
  std::erase_if(pairs_, [&](const auto& p) {
    return std::find(names.begin(), names.end(), p.first) == names.end();
  });
  return *this;
}

LabelsBuilder& LabelsBuilder::Drop(const std::vector<std::string>& names) {
  std::erase_if(pairs_, [&](const auto& p) {
    return std::find(names.begin(), names.end(), p.first) != names.end();
  });
  return *this;
}

Labels LabelsBuilder::Build() const {
  Labels out;
  size_t bytes = 0;
  for (const auto& [n, v] : pairs_) bytes += n.size() + v.size() + 4;
  out.data_.reserve(bytes);
  for (const auto& [n, v] : pairs_) out.AppendSorted(n, v);
  return out;
}

}  // namespace sundial
