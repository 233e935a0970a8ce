#include "base/metrics_build_info.h"

#include <gtest/gtest.h>

namespace sundial::metrics {
namespace {

TEST(RegisterBuildInfo, ExposesLabelsLikePrometheus) {
  Registry r;
  BuildInfo info;
  info.version = "0.1.0";
  info.revision = "23f7b40";
  info.branch = "main";
  info.goversion = "g++ 12.2.0";
  info.goarch = "amd64";
  RegisterBuildInfo(&r, "prometheus", info);
  EXPECT_EQ(r.Expose(),
            "# HELP prometheus_build_info A metric with a constant '1' value labeled by version, "
            "revision, branch, goversion from which prometheus was built, and the goos and goarch "
            "for the build.\n"
            "# TYPE prometheus_build_info gauge\n"
            "prometheus_build_info{branch=\"main\",goarch=\"amd64\",goos=\"linux\",goversion=\"g++ "
            "12.2.0\",revision=\"23f7b40\",tags=\"unknown\",version=\"0.1.0\"} 1\n");
}

TEST(BuildInfo, DefaultsDescribeThisBuild) {
  BuildInfo info;
  EXPECT_TRUE(info.goversion.starts_with("g++ ") || info.goversion.starts_with("clang "))
      << info.goversion;
  EXPECT_NE(info.goarch, "");
  EXPECT_EQ(info.goos, "linux");
}

}  // namespace
}  // namespace sundial::metrics
