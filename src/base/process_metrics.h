// Process metrics from Linux /proc, with the names and HELP texts of client_golang's process
// collector, so dashboards built for Prometheus work unchanged:
//
//   process_cpu_seconds_total, process_open_fds, process_max_fds,
//   process_virtual_memory_bytes, process_virtual_memory_max_bytes,
//   process_resident_memory_bytes, process_start_time_seconds
//
//   metrics::RegisterProcessMetrics(&metrics::Registry::Default());
//
// Values are read at every scrape. Thread-safe.
#ifndef SUNDIAL_BASE_PROCESS_METRICS_H_
#define SUNDIAL_BASE_PROCESS_METRICS_H_

#include "absl/status/statusor.h"
#include "base/metrics_registry.h"

namespace sundial::metrics {

struct ProcessStats {
  double cpu_seconds = 0;           // user + system
  double open_fds = 0;              // entries in /proc/self/fd (counting the one used to list it)
  double max_fds = 0;               // soft RLIMIT_NOFILE; unlimited is 2^64-1, as procfs reports
  double virtual_memory_bytes = 0;  // vsize
  double virtual_memory_max_bytes = 0;  // soft RLIMIT_AS; unlimited is 2^64-1
  double resident_memory_bytes = 0;     // rss pages * page size
  double start_time_seconds = 0;        // since the Unix epoch (boot time + start ticks)
};

// Reads /proc/self/stat, /proc/stat, /proc/self/fd and the resource limits.
absl::StatusOr<ProcessStats> ReadProcessStats();

// Adds a collector that exposes ReadProcessStats() at every scrape (nothing if it fails).
// Call once per registry: a second collector's families would clash and be left out.
void RegisterProcessMetrics(Registry* registry);

}  // namespace sundial::metrics

#endif  // SUNDIAL_BASE_PROCESS_METRICS_H_
