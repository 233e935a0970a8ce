#include "base/process_metrics.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace sundial::metrics {
namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST(ReadProcessStats, ValuesArePlausible) {
  absl::StatusOr<ProcessStats> s = ReadProcessStats();
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_GT(s->resident_memory_bytes, 0);
  EXPECT_GE(s->virtual_memory_bytes, s->resident_memory_bytes);
  EXPECT_GE(s->cpu_seconds, 0);
  EXPECT_GE(s->open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GE(s->max_fds, s->open_fds);
  EXPECT_GT(s->virtual_memory_max_bytes, 0);
  EXPECT_LE(s->start_time_seconds, NowSeconds() + 1);
  EXPECT_GT(s->start_time_seconds, NowSeconds() - 3600);
}

TEST(ReadProcessStats, OpenFdsGrowsWithOpenFiles) {
  absl::StatusOr<ProcessStats> before = ReadProcessStats();
  ASSERT_TRUE(before.ok());
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) fds.push_back(open("/proc/self/stat", O_RDONLY | O_CLOEXEC));
  absl::StatusOr<ProcessStats> after = ReadProcessStats();
  for (int fd : fds) close(fd);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->open_fds, before->open_fds + 5);
}

TEST(ReadProcessStats, CpuSecondsAdvanceWithWork) {
  absl::StatusOr<ProcessStats> before = ReadProcessStats();
  ASSERT_TRUE(before.ok());
  // Spin until the kernel has charged at least one more clock tick (10ms), or give up after 5s.
  volatile double sink = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  absl::StatusOr<ProcessStats> after = before;
  while (after.ok() && after->cpu_seconds == before->cpu_seconds &&
         std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 100000; ++i) sink = sink + 1;
    after = ReadProcessStats();
  }
  ASSERT_TRUE(after.ok());
  EXPECT_GT(after->cpu_seconds, before->cpu_seconds);
}

TEST(RegisterProcessMetrics, ExposesClientGolangNamesAndHelp) {
  Registry r;
  RegisterProcessMetrics(&r);
  std::string text = r.Expose();
  for (const char* line : {
           "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
           "# TYPE process_cpu_seconds_total counter\n",
           "# HELP process_max_fds Maximum number of open file descriptors.\n"
           "# TYPE process_max_fds gauge\n",
           "# HELP process_open_fds Number of open file descriptors.\n"
           "# TYPE process_open_fds gauge\n",
           "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
           "# TYPE process_resident_memory_bytes gauge\n",
           "# HELP process_start_time_seconds Start time of the process since unix epoch in "
           "seconds.\n# TYPE process_start_time_seconds gauge\n",
           "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
           "# TYPE process_virtual_memory_bytes gauge\n",
           "# HELP process_virtual_memory_max_bytes Maximum amount of virtual memory available in "
           "bytes.\n# TYPE process_virtual_memory_max_bytes gauge\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
  // Seven families, each with HELP, TYPE and one sample.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 21);
}

}  // namespace
}  // namespace sundial::metrics
