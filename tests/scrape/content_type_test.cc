#include "scrape/content_type.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sundial::scrape {
namespace {

TEST(ContentType, ChoosesParser) {
  EXPECT_EQ(ChooseFormat("application/openmetrics-text; version=1.0.0; charset=utf-8").format,
            Format::kOpenMetrics);
  EXPECT_EQ(ChooseFormat("application/openmetrics-text;version=0.0.1").format,
            Format::kOpenMetrics);
  EXPECT_EQ(ChooseFormat("Application/OpenMetrics-Text").format, Format::kOpenMetrics);
  FormatChoice text = ChooseFormat("text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(text.format, Format::kPrometheusText);
  EXPECT_EQ(text.note, "");
  for (std::string ct : {"", "garbage", "application/json", "/x"}) {
    FormatChoice c = ChooseFormat(ct);
    EXPECT_EQ(c.format, Format::kPrometheusText) << ct;
    EXPECT_NE(c.note, "") << ct;
  }
}

TEST(ContentType, AcceptHeaderMatchesPrometheus) {
  // Prometheus 2.55 scrape.acceptHeader with config.DefaultScrapeProtocols.
  EXPECT_EQ(AcceptHeader({}),
            "application/openmetrics-text;version=1.0.0;q=0.5,"
            "application/openmetrics-text;version=0.0.1;q=0.4,"
            "text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
  std::vector<std::string> protos = {"PrometheusText0.0.4"};
  EXPECT_EQ(AcceptHeader(protos), "text/plain;version=0.0.4;q=0.5,*/*;q=0.4");
}

TEST(ContentType, NewParserPicksFormat) {
  auto om = NewParser(Format::kOpenMetrics, "a 1\n");
  EXPECT_TRUE(om->Next().ok());
  EXPECT_FALSE(om->Next().ok());  // no # EOF
  auto text = NewParser(Format::kPrometheusText, "a 1\n");
  EXPECT_TRUE(text->Next().ok());
}

}  // namespace
}  // namespace sundial::scrape
