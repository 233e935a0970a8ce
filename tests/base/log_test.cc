#include "base/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace sundial {
namespace {

// Runs fn with the log redirected to a pipe and returns what was written.
template <typename Fn>
std::string Capture(Fn fn) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  SetLogFd(fds[1]);
  fn();
  SetLogFd(2);
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  return out;
}

TEST(Logger, WritesLogfmt) {
  ConfigureLogging(LogLevel::kInfo, LogFormat::kLogfmt);
  std::string out = Capture([] {
    Logger("web").Info("Start listening", {{"address", "0.0.0.0:9090"}, {"n", 3}, {"x", "a b"}});
  });
  EXPECT_TRUE(out.starts_with("ts=")) << out;
  EXPECT_NE(out.find(" level=info component=web msg=\"Start listening\" address=0.0.0.0:9090 n=3 "
                     "x=\"a b\"\n"),
            std::string::npos)
      << out;
}

TEST(Logger, WritesJsonAndFiltersLevels) {
  ConfigureLogging(LogLevel::kWarn, LogFormat::kJson);
  std::string out = Capture([] {
    Logger l("tsdb");
    l.Info("dropped");
    l.Warn("kept \"quoted\"", {{"ok", true}, {"n", 1.5}});
  });
  ConfigureLogging(LogLevel::kInfo, LogFormat::kLogfmt);
  EXPECT_EQ(out.find("dropped"), std::string::npos);
  EXPECT_NE(out.find("\"level\":\"warn\",\"component\":\"tsdb\",\"msg\":\"kept \\\"quoted\\\"\","
                     "\"ok\":true,\"n\":1.5}\n"),
            std::string::npos)
      << out;
}

TEST(ParseLogLevel, RejectsUnknown) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("verbose").ok());
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

}  // namespace
}  // namespace sundial
