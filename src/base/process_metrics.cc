#include "base/process_metrics.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "base/str_cat.h"

namespace sundial::metrics {
namespace {

absl::Status ErrnoError(std::string_view what, std::string_view path) {
  return absl::InternalError(AsAbsl(StrCat(what, " ", path, ": ", std::strerror(errno))));
}

absl::StatusOr<std::string> ReadProcFile(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  int saved_errno = errno;
  close(fd);
  errno = saved_errno;
  if (n < 0) return ErrnoError("read", path);
  return out;
}

bool ParseUint(std::string_view s, uint64_t* v) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// A soft resource limit as procfs reports it: RLIM_INFINITY is 2^64-1.
double SoftLimit(int resource) {
  rlimit limit{};
  if (getrlimit(resource, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return static_cast<double>(std::numeric_limits<uint64_t>::max());
  }
  return static_cast<double>(limit.rlim_cur);
}

absl::StatusOr<uint64_t> BootTimeSeconds() {
  absl::StatusOr<std::string> stat = ReadProcFile("/proc/stat");
  if (!stat.ok()) return stat.status();
  std::string_view rest = *stat;
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (line.starts_with("btime ")) {
      uint64_t btime;
      if (ParseUint(line.substr(6), &btime)) return btime;
    }
  }
  return absl::InternalError("no btime line in /proc/stat");
}

absl::StatusOr<double> CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return ErrnoError("opendir", "/proc/self/fd");
  double count = 0;
  while (dirent* e = readdir(dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) ++count;
  }
  closedir(dir);
  return count;
}

class ProcessCollector final : public Collector {
 public:
  void Collect(std::vector<FamilySnapshot>* out) const override {
    absl::StatusOr<ProcessStats> stats = ReadProcessStats();
    if (!stats.ok()) return;
    Add(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
        MetricType::kCounter, stats->cpu_seconds);
    Add(out, "process_open_fds", "Number of open file descriptors.", MetricType::kGauge,
        stats->open_fds);
    Add(out, "process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge,
        stats->max_fds);
    Add(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::kGauge,
        stats->virtual_memory_bytes);
    Add(out, "process_virtual_memory_max_bytes",
        "Maximum amount of virtual memory available in bytes.", MetricType::kGauge,
        stats->virtual_memory_max_bytes);
    Add(out, "process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge,
        stats->resident_memory_bytes);
    Add(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        MetricType::kGauge, stats->start_time_seconds);
  }

 private:
  static void Add(std::vector<FamilySnapshot>* out, std::string_view name, std::string_view help,
                  MetricType type, double value) {
    FamilySnapshot& f = out->emplace_back();
    f.name = name;
    f.help = help;
    f.type = type;
    f.metrics.emplace_back().value = value;
  }
};

}  // namespace

absl::StatusOr<ProcessStats> ReadProcessStats() {
  absl::StatusOr<std::string> stat = ReadProcFile("/proc/self/stat");
  if (!stat.ok()) return stat.status();
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted
  // from the last ')'. fields[0] is field 3 (state) in proc(5).
  size_t paren = stat->rfind(')');
  if (paren == std::string::npos) return absl::InternalError("malformed /proc/self/stat");
  std::vector<std::string_view> fields;
  std::string_view rest = std::string_view(*stat).substr(paren + 1);
  while (!rest.empty()) {
    size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest = rest.substr(start);
    size_t end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  // proc(5) field numbers: utime 14, stime 15, starttime 22, vsize 23, rss 24.
  auto field = [&](int number, uint64_t* v) {
    size_t i = static_cast<size_t>(number - 3);
    return i < fields.size() && ParseUint(fields[i], v);
  };
  uint64_t utime, stime, starttime, vsize, rss;
  if (!field(14, &utime) || !field(15, &stime) || !field(22, &starttime) || !field(23, &vsize) ||
      !field(24, &rss)) {
    return absl::InternalError("malformed /proc/self/stat");
  }
  absl::StatusOr<uint64_t> boot_time = BootTimeSeconds();
  if (!boot_time.ok()) return boot_time.status();
  absl::StatusOr<double> open_fds = CountOpenFds();
  if (!open_fds.ok()) return open_fds.status();

  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  ProcessStats s;
  s.cpu_seconds = static_cast<double>(utime + stime) / ticks_per_second;
  s.open_fds = *open_fds;
  s.max_fds = SoftLimit(RLIMIT_NOFILE);
  s.virtual_memory_bytes = static_cast<double>(vsize);
  s.virtual_memory_max_bytes = SoftLimit(RLIMIT_AS);
  s.resident_memory_bytes = static_cast<double>(rss) * static_cast<double>(sysconf(_SC_PAGESIZE));
  s.start_time_seconds =
      static_cast<double>(*boot_time) + static_cast<double>(starttime) / ticks_per_second;
  return s;
}

void RegisterProcessMetrics(Registry* registry) {
  registry->AddCollector(std::make_unique<ProcessCollector>());
}

}  // namespace sundial::metrics
