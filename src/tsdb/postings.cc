#include "tsdb/postings.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iterator>
#include <utility>

namespace sundial::tsdb {

namespace {

// A list this many times longer than the other is searched (O(short * log long)) instead of
// walked.
constexpr size_t kSearchRatio = 16;

// Keeps the refs of *refs that are also in `other`.
void IntersectInPlace(Postings* refs, const Postings& other) {
  if (other.size() < refs->size() * kSearchRatio) {
    Postings out;
    out.reserve(std::min(refs->size(), other.size()));
    std::set_intersection(refs->begin(), refs->end(), other.begin(), other.end(),
                          std::back_inserter(out));
    *refs = std::move(out);
    return;
  }
  size_t kept = 0;
  auto pos = other.begin();
  for (SeriesRef ref : *refs) {
    pos = std::lower_bound(pos, other.end(), ref);
    if (pos == other.end()) break;
    if (*pos == ref) (*refs)[kept++] = ref;
  }
  refs->resize(kept);
}

// Sorts a list that is a concatenation of ascending runs (each AddUnsorted call appends one run
// to a list) by merging neighbouring runs until one is left: O(n log runs). A list of many
// short runs is sorted outright.
void SortRuns(Postings* list) {
  std::vector<size_t> bounds = {0};  // where each run starts, then the end
  for (size_t i = 1; i < list->size(); ++i) {
    if ((*list)[i] < (*list)[i - 1]) bounds.push_back(i);
  }
  if (bounds.size() == 1) return;
  if (bounds.size() > list->size() / 8) {
    std::sort(list->begin(), list->end());
    return;
  }
  bounds.push_back(list->size());
  const auto at = [list](size_t i) { return list->begin() + static_cast<ptrdiff_t>(i); };
  while (bounds.size() > 2) {
    std::vector<size_t> merged = {0};
    size_t k = 0;
    for (; k + 2 < bounds.size(); k += 2) {
      std::inplace_merge(at(bounds[k]), at(bounds[k + 1]), at(bounds[k + 2]));
      merged.push_back(bounds[k + 2]);
    }
    if (k + 1 < bounds.size()) merged.push_back(bounds[k + 1]);  // an odd run waits a round
    bounds = std::move(merged);
  }
}

}  // namespace

Postings Intersect(const Postings& a, const Postings& b) {
  const bool a_shorter = a.size() <= b.size();
  Postings out = a_shorter ? a : b;
  IntersectInPlace(&out, a_shorter ? b : a);
  return out;
}

Postings Union(std::vector<Postings> lists) {
  if (lists.empty()) return {};
  if (lists.size() == 1) return std::move(lists[0]);
  if (lists.size() == 2) {
    Postings out;
    std::set_union(lists[0].begin(), lists[0].end(), lists[1].begin(), lists[1].end(),
                   std::back_inserter(out));
    return out;
  }
  size_t total = 0;
  SeriesRef lo = UINT64_MAX, hi = 0;
  for (const Postings& l : lists) {
    if (l.empty()) continue;
    total += l.size();
    lo = std::min(lo, l.front());
    hi = std::max(hi, l.back());
  }
  Postings out;
  if (total == 0) return out;
  out.reserve(total);
  const uint64_t words = (hi - lo) / 64 + 1;
  if (words <= 4 * total) {
    // Refs are dense (they count up from 1): mark them in a bitmap and read it back in order.
    std::vector<uint64_t> bits(words);
    for (const Postings& l : lists) {
      for (SeriesRef r : l) bits[(r - lo) / 64] |= uint64_t{1} << ((r - lo) % 64);
    }
    for (uint64_t w = 0; w < words; ++w) {
      for (uint64_t b = bits[w]; b != 0; b &= b - 1) {
        out.push_back(lo + w * 64 + static_cast<uint64_t>(std::countr_zero(b)));
      }
    }
    return out;
  }
  for (const Postings& l : lists) out.insert(out.end(), l.begin(), l.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Postings Subtract(const Postings& a, const Postings& b) {
  Postings out;
  out.reserve(a.size());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

namespace {

// Inserts ref keeping the list sorted; refs nearly always arrive in order.
void InsertSorted(Postings* list, SeriesRef ref) {
  list->push_back(ref);
  for (size_t i = list->size() - 1; i > 0 && (*list)[i - 1] > (*list)[i]; --i) {
    std::swap((*list)[i - 1], (*list)[i]);
  }
}

}  // namespace

void MemPostings::Add(SeriesRef ref, const Labels& labels) {
  absl::MutexLock lock(&mu_);
  AddLocked(ref, labels, InsertSorted);
}

void MemPostings::AddUnsorted(std::span<const std::pair<SeriesRef, const Labels*>> series) {
  absl::MutexLock lock(&mu_);
  for (const auto& [ref, labels] : series) {
    AddLocked(ref, *labels, [](Postings* list, SeriesRef r) { list->push_back(r); });
  }
}

void MemPostings::Sort() {
  absl::MutexLock lock(&mu_);
  for (auto& [name, values] : index_) {
    for (auto& [value, list] : values) SortRuns(&list);
  }
  SortRuns(&all_);
}

template <typename Insert>
void MemPostings::AddLocked(SeriesRef ref, const Labels& labels, Insert insert) {
  for (const Label& l : labels) {
    // One descent each: the lookup's position is the insertion hint of a new name or value.
    auto name_it = index_.lower_bound(l.name);
    if (name_it == index_.end() || name_it->first != l.name) {
      name_it = index_.emplace_hint(name_it, std::string(l.name), Values());
    }
    Values& values = name_it->second;
    auto value_it = values.lower_bound(l.value);
    if (value_it == values.end() || value_it->first != l.value) {
      value_it = values.emplace_hint(value_it, std::string(l.value), Postings());
    }
    insert(&value_it->second, ref);
  }
  insert(&all_, ref);
}

void MemPostings::Delete(const std::vector<std::pair<SeriesRef, Labels>>& series) {
  if (series.empty()) return;
  absl::flat_hash_set<SeriesRef> refs;
  for (const auto& [ref, labels] : series) refs.insert(ref);
  auto gone = [&refs](SeriesRef r) { return refs.contains(r); };
  absl::MutexLock lock(&mu_);
  for (const auto& [ref, labels] : series) {
    for (const Label& l : labels) {
      auto name_it = index_.find(l.name);
      if (name_it == index_.end()) continue;
      auto value_it = name_it->second.find(l.value);
      if (value_it == name_it->second.end()) continue;
      std::erase_if(value_it->second, gone);
      if (value_it->second.empty()) name_it->second.erase(value_it);
      if (name_it->second.empty()) index_.erase(name_it);
    }
  }
  std::erase_if(all_, gone);
}

Postings MemPostings::All() const {
  absl::ReaderMutexLock lock(&mu_);
  return all_;
}

Postings MemPostings::Get(std::string_view name, std::string_view value) const {
  absl::ReaderMutexLock lock(&mu_);
  auto name_it = index_.find(name);
  if (name_it == index_.end()) return {};
  auto value_it = name_it->second.find(value);
  if (value_it == name_it->second.end()) return {};
  return value_it->second;
}

Postings MemPostings::ForValues(const Matcher& m, bool want) const {
  absl::ReaderMutexLock lock(&mu_);
  auto name_it = index_.find(m.name());
  if (name_it == index_.end()) return {};
  const Values& values = name_it->second;
  std::vector<Postings> lists;
  auto take = [&lists](const Postings& p) { lists.push_back(p); };

  // Whether the values selected are those of the matcher's positive form ("=" or "=~" of its
  // value); otherwise they are the complement, which needs a scan.
  const bool negative = m.type() == MatchType::kNotEqual || m.type() == MatchType::kNotRegexp;
  const bool positive_form = want != negative;
  const bool regex = m.type() == MatchType::kRegexp || m.type() == MatchType::kNotRegexp;
  const Matcher::RegexKind kind = regex ? m.regex_kind() : Matcher::RegexKind::kLiteralSet;

  if (positive_form && !regex) {
    if (auto it = values.find(m.value()); it != values.end()) take(it->second);
  } else if (positive_form && kind == Matcher::RegexKind::kLiteralSet) {
    for (const std::string& v : m.SetMatches()) {
      if (auto it = values.find(v); it != values.end()) take(it->second);
    }
  } else if (positive_form && kind == Matcher::RegexKind::kPrefix) {
    for (auto it = values.lower_bound(m.Prefix());
         it != values.end() && std::string_view(it->first).starts_with(m.Prefix()); ++it) {
      take(it->second);
    }
  } else if (kind == Matcher::RegexKind::kAny || kind == Matcher::RegexKind::kNonEmpty) {
    // Stored values are never empty, so both select every value (or none for the complement).
    if (positive_form) {
      for (const auto& [v, p] : values) take(p);
    }
  } else {
    for (const auto& [v, p] : values) {
      if (m.Matches(v) == want) take(p);
    }
  }
  return Union(std::move(lists));
}

std::vector<std::string> MemPostings::LabelNames() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::string> out;
  out.reserve(index_.size());
  for (const auto& [name, values] : index_) out.push_back(name);
  return out;
}

std::vector<std::string> MemPostings::LabelValues(std::string_view name) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<std::string> out;
  auto it = index_.find(name);
  if (it == index_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [value, p] : it->second) out.push_back(value);
  return out;
}

size_t MemPostings::NumSeries() const {
  absl::ReaderMutexLock lock(&mu_);
  return all_.size();
}

std::shared_ptr<const LabelOrder> MemPostings::label_order() const {
  absl::MutexLock lock(&order_mu_);
  return order_;
}

void MemPostings::set_label_order(std::shared_ptr<const LabelOrder> order) const {
  absl::MutexLock lock(&order_mu_);
  order_ = std::move(order);
}

Postings MemPostings::ForAllValues(std::span<const Matcher* const> equal) const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<const Postings*> lists;
  lists.reserve(equal.size());
  for (const Matcher* m : equal) {
    auto name_it = index_.find(m->name());
    if (name_it == index_.end()) return {};
    auto it = name_it->second.find(m->value());
    if (it == name_it->second.end()) return {};
    lists.push_back(&it->second);
  }
  if (lists.empty()) return {};
  std::sort(lists.begin(), lists.end(),
            [](const Postings* a, const Postings* b) { return a->size() < b->size(); });
  Postings result = *lists[0];
  for (size_t i = 1; i < lists.size() && !result.empty(); ++i) IntersectInPlace(&result, *lists[i]);
  return result;
}

Postings PostingsForMatchers(const MemPostings& index, std::span<const Matcher> matchers) {
  std::vector<Postings> intersect, subtract;
  // `name="value"` matchers (value not empty), the most common kind, are intersected under the
  // index's lock without copying their lists first.
  std::vector<const Matcher*> equal;
  for (const Matcher& m : matchers) {
    if (m.type() == MatchType::kEqual && !m.value().empty()) equal.push_back(&m);
  }
  if (!equal.empty()) {
    Postings p = index.ForAllValues(equal);
    if (p.empty()) return {};
    intersect.push_back(std::move(p));
  }
  for (const Matcher& m : matchers) {
    if (m.type() == MatchType::kEqual && !m.value().empty()) continue;
    if (m.MatchesEmpty()) {
      // Selects series without the label too: remove those whose value does not match.
      subtract.push_back(index.ForValues(m, false));
    } else {
      Postings p = index.ForValues(m, true);
      if (p.empty()) return {};
      intersect.push_back(std::move(p));
    }
  }
  if (intersect.empty()) {
    if (subtract.empty()) return {};
    intersect.push_back(index.All());
  }
  // Smallest first keeps intermediate results small.
  std::sort(intersect.begin(), intersect.end(),
            [](const Postings& a, const Postings& b) { return a.size() < b.size(); });
  Postings result = std::move(intersect[0]);
  for (size_t i = 1; i < intersect.size() && !result.empty(); ++i) {
    IntersectInPlace(&result, intersect[i]);
  }
  for (const Postings& s : subtract) {
    if (result.empty()) break;
    result = Subtract(result, s);
  }
  return result;
}

}  // namespace sundial::tsdb
