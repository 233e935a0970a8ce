// The kill -9 loop shared by the crash tests: the crash child ingests and acknowledges each
// commit on a pipe; after every SIGKILL the DB must hold every acknowledged sample, with its
// value, exactly once, and nothing inside the retention window may be missing.
#ifndef SUNDIAL_TESTS_TSDB_DB_CRASH_TEST_UTIL_H_
#define SUNDIAL_TESTS_TSDB_DB_CRASH_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "base/str_cat.h"
#include "tsdb/db/crash_test_series.h"
#include "tsdb/db/db.h"
#include "tsdb/db/db_test_util.h"

namespace sundial::tsdb {

struct Child {
  pid_t pid = -1;
  int out = -1;  // read end of its stdout
};

inline Child Spawn(const std::string& dir, const std::string& mode) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    if (mode.empty()) {
      ::execl(SUNDIAL_CRASH_CHILD, SUNDIAL_CRASH_CHILD, dir.c_str(), static_cast<char*>(nullptr));
    } else {
      ::execl(SUNDIAL_CRASH_CHILD, SUNDIAL_CRASH_CHILD, dir.c_str(), mode.c_str(),
              static_cast<char*>(nullptr));
    }
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

// Reads complete lines from fd until `lines` were seen (or EOF if lines < 0); returns the last
// acknowledged timestamp (0 if none) and whether EOF was reached.
inline std::pair<int64_t, bool> ReadAcks(int fd, std::string* partial, int64_t* count,
                                         int64_t lines, int64_t last) {
  char buf[4096];
  while (lines < 0 || *count < lines) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) return {last, true};
    partial->append(buf, static_cast<size_t>(n));
    size_t pos;
    while ((pos = partial->find('\n')) != std::string::npos) {
      last = std::stoll(partial->substr(0, pos));
      partial->erase(0, pos + 1);
      ++*count;
    }
  }
  return {last, false};
}

// Runs `rounds` rounds of: start the child (with `mode` as its second argument unless empty),
// let it acknowledge a random number of commits (below max_acks), kill -9 it, open the DB and check
// it.
inline void RunCrashRounds(const std::string& mode, int rounds, int max_acks = 800) {
  const std::string dir = StrCat(::testing::TempDir(), "/sundial_db_crash_", mode, ::getpid());
  std::filesystem::remove_all(dir);
  std::mt19937_64 rng(::testing::UnitTest::GetInstance()->random_seed());
  int64_t known = 0;  // every timestamp up to this is acknowledged or was seen in the DB
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE(StrCat("round ", round));
    Child child = Spawn(dir, mode);
    std::string partial;
    int64_t count = 0;
    const int64_t target = static_cast<int64_t>(rng() % static_cast<uint64_t>(max_acks));
    auto [acked, eof] = ReadAcks(child.out, &partial, &count, target, 0);
    ASSERT_FALSE(eof) << "the child died on its own";
    if (target == 0) std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 30));
    ::kill(child.pid, SIGKILL);
    // Lines already in the pipe were acknowledged before the kill.
    acked = ReadAcks(child.out, &partial, &count, -1, acked).first;
    ::close(child.out);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(child.pid, &wstatus, 0), child.pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "exit status " << wstatus;
    known = std::max(known, acked);

    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open({.dir = dir});
    ASSERT_TRUE(db.ok()) << db.status();
    absl::StatusOr<Dump> dump = ReadAll(**db);
    ASSERT_TRUE(dump.ok()) << dump.status();
    if (known == 0 && dump->empty()) continue;
    ASSERT_EQ(dump->size(), static_cast<size_t>(kCrashSeries));
    int64_t newest = -1;
    for (int i = 0; i < kCrashSeries; ++i) {
      const std::vector<TestSample>& samples = (*dump)[CrashSeries(i).ToString()];
      ASSERT_FALSE(samples.empty()) << "series " << i;
      const int64_t last = samples.back().t;
      if (newest < 0) newest = last;
      ASSERT_EQ(last, newest) << "series " << i << " disagrees on its newest sample";
      // Contiguous, so nothing is missing or duplicated; values derived from (series, t).
      for (size_t k = 0; k < samples.size(); ++k) {
        const int64_t t = last - static_cast<int64_t>(samples.size() - 1 - k);
        ASSERT_EQ(samples[k], (TestSample{t, CrashValue(i, t)})) << "series " << i << " k " << k;
      }
      ASSERT_LE(samples.front().t, std::max<int64_t>(1, last - kCrashRetention))
          << "series " << i << " lost samples inside the retention window";
    }
    // An unacknowledged commit may have reached the log, but at most the one being written.
    ASSERT_GE(newest, known);
    ASSERT_LE(newest, known + 1);
    known = newest;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace sundial::tsdb

#endif  // SUNDIAL_TESTS_TSDB_DB_CRASH_TEST_UTIL_H_
