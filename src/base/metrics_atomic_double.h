// A double that many threads may read and update without locks: the value lives as its bit
// pattern in an std::atomic<uint64_t> and Add is a compare-and-swap loop.
//
//   AtomicDouble sum;
//   sum.Add(0.25);      // from any thread
//   double v = sum.Load();
//
// Thread-safe. All operations use relaxed ordering: the value is a statistic, not a flag that
// publishes other memory.
#ifndef SUNDIAL_BASE_METRICS_ATOMIC_DOUBLE_H_
#define SUNDIAL_BASE_METRICS_ATOMIC_DOUBLE_H_

#include <atomic>
#include <bit>
#include <cstdint>

namespace sundial::metrics {

class AtomicDouble {
 public:
  AtomicDouble() = default;
  AtomicDouble(const AtomicDouble&) = delete;
  AtomicDouble& operator=(const AtomicDouble&) = delete;

  double Load() const { return std::bit_cast<double>(bits_.load(std::memory_order_relaxed)); }
  void Store(double v) { bits_.store(std::bit_cast<uint64_t>(v), std::memory_order_relaxed); }
  void Add(double delta) {
    uint64_t old_bits = bits_.load(std::memory_order_relaxed);
    while (!bits_.compare_exchange_weak(
        old_bits, std::bit_cast<uint64_t>(std::bit_cast<double>(old_bits) + delta),
        std::memory_order_relaxed)) {
    }
  }

 private:
  std::atomic<uint64_t> bits_{0};  // the bits of +0.0
};

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_METRICS_ATOMIC_DOUBLE_H_
