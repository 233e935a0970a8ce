// RefTable: a map from head series refs to values, for refs handed out in sequence as the head
// does. Entries live in pages of 1024 consecutive refs: the series one scrape created sit next to
// each other, so looking up a batch touches few cache lines (a hash map scatters them), and a
// page is freed together with its last entry.
//
//   RefTable<Entry> t;
//   t.TryEmplace(ref, Entry{...});
//   if (Entry* e = t.Find(ref)) ...
//   t.Erase(ref);
//   t.EraseIf([](SeriesRef ref, Entry& e) { return ...; });
//
// Not thread-safe. Pointers returned stay valid until their entry is erased.
#ifndef SUNDIAL_TSDB_DB_REF_TABLE_H_
#define SUNDIAL_TSDB_DB_REF_TABLE_H_

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace sundial::tsdb {

template <typename T>
class RefTable {
 public:
  // The entry of ref, or null.
  T* Find(uint64_t ref) {
    const uint64_t p = ref >> kPageBits;
    if (p >= pages_.size() || pages_[p] == nullptr) return nullptr;
    Page& page = *pages_[p];
    const size_t i = ref & kPageMask;
    return page.present[i] ? &page.slots[i] : nullptr;
  }
  bool Contains(uint64_t ref) { return Find(ref) != nullptr; }

  // The entry of ref, set to value first if ref had none.
  T& TryEmplace(uint64_t ref, const T& value) {
    const uint64_t p = ref >> kPageBits;
    if (p >= pages_.size()) pages_.resize(p + 1);
    if (pages_[p] == nullptr) pages_[p] = std::make_unique<Page>();
    Page& page = *pages_[p];
    const size_t i = ref & kPageMask;
    if (!page.present[i]) {
      page.present[i] = true;
      page.slots[i] = value;
      ++page.count;
      ++size_;
    }
    return page.slots[i];
  }

  // Erases the entry of ref, if any.
  void Erase(uint64_t ref) {
    const uint64_t p = ref >> kPageBits;
    if (p >= pages_.size() || pages_[p] == nullptr) return;
    Page& page = *pages_[p];
    const size_t i = ref & kPageMask;
    if (!page.present[i]) return;
    page.present[i] = false;
    page.slots[i] = T();
    --size_;
    if (--page.count == 0) pages_[p].reset();
  }

  // Calls f(ref, entry) for every entry, in ref order.
  template <typename F>
  void ForEach(F f) {
    for (size_t p = 0; p < pages_.size(); ++p) {
      if (pages_[p] == nullptr) continue;
      Page& page = *pages_[p];
      for (size_t i = 0; i < kPageSize; ++i) {
        if (page.present[i]) f((uint64_t{p} << kPageBits) | i, page.slots[i]);
      }
    }
  }

  // Erases every entry for which pred(ref, entry) is true, in ref order.
  template <typename Pred>
  void EraseIf(Pred pred) {
    for (size_t p = 0; p < pages_.size(); ++p) {
      if (pages_[p] == nullptr) continue;
      Page& page = *pages_[p];
      for (size_t i = 0; i < kPageSize; ++i) {
        if (!page.present[i] || !pred((uint64_t{p} << kPageBits) | i, page.slots[i])) continue;
        page.present[i] = false;
        page.slots[i] = T();
        --page.count;
        --size_;
      }
      if (page.count == 0) pages_[p].reset();
    }
  }

  size_t size() const { return size_; }

 private:
  static constexpr int kPageBits = 10;
  static constexpr size_t kPageSize = size_t{1} << kPageBits;
  static constexpr uint64_t kPageMask = kPageSize - 1;

  struct Page {
    std::array<T, kPageSize> slots{};
    std::bitset<kPageSize> present;
    size_t count = 0;
  };

  std::vector<std::unique_ptr<Page>> pages_;  // by ref >> kPageBits; null when empty
  size_t size_ = 0;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_REF_TABLE_H_
