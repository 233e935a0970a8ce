// HugeArray<T>: a fixed-size array of trivial T in anonymous memory of its own that asks the
// kernel for transparent huge pages (madvise MADV_HUGEPAGE), for large scratch arrays written
// all over: the first write to each 2 MiB costs one page fault instead of 512, and scattered
// accesses miss the TLB less. Where the kernel has no huge pages it is ordinary memory. Starts
// zeroed; movable, not copyable. Throws std::bad_alloc when the memory cannot be mapped, as new.
//
//   HugeArray<Item> items(n);
//   items[i] = ...;
#ifndef SUNDIAL_TSDB_DB_HUGE_ARRAY_H_
#define SUNDIAL_TSDB_DB_HUGE_ARRAY_H_

#include <cstddef>
#include <type_traits>
#include <utility>

namespace sundial::tsdb {

namespace huge_array_internal {
// `bytes` of zeroed memory, 2 MiB aligned where it is at least that large; Unmap(p, bytes)
// returns it.
void* Map(size_t bytes);
void Unmap(void* p, size_t bytes);
}  // namespace huge_array_internal

template <typename T>
class HugeArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  HugeArray() = default;
  explicit HugeArray(size_t size)
      : data_(static_cast<T*>(huge_array_internal::Map(size * sizeof(T)))), size_(size) {}
  ~HugeArray() {
    if (data_ != nullptr) huge_array_internal::Unmap(data_, size_ * sizeof(T));
  }
  HugeArray(HugeArray&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  HugeArray& operator=(HugeArray&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    return *this;
  }

  T* data() const { return data_; }
  size_t size() const { return size_; }
  T& operator[](size_t i) const { return data_[i]; }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TSDB_DB_HUGE_ARRAY_H_
