#include "tsdb/db/huge_array.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <new>

namespace sundial::tsdb::huge_array_internal {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

}  // namespace

void* Map(size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (bytes < kHugePage) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return p;
  }
  // Huge pages only back 2 MiB aligned ranges: map one more, then give back the ends.
  const size_t mapped = bytes + kHugePage;
  void* m = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t start = reinterpret_cast<uintptr_t>(m);
  const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  if (aligned > start) ::munmap(m, aligned - start);
  const uintptr_t end = start + mapped;
  const uintptr_t used_end = aligned + bytes;
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t tail = (used_end + page - 1) & ~(page - 1);
  if (end > tail) ::munmap(reinterpret_cast<void*>(tail), end - tail);
  void* p = reinterpret_cast<void*>(aligned);
  ::madvise(p, bytes, MADV_HUGEPAGE);  // advice: without THP the memory is still usable
  return p;
}

void Unmap(void* p, size_t bytes) { ::munmap(p, bytes == 0 ? 1 : bytes); }

}  // namespace sundial::tsdb::huge_array_internal
