// Sundial's prometheus_tsdb_* self-metrics against the Debian Prometheus 2.42's, both holding the
// same dataset (peers.h): every family Prometheus exposes is exposed by Sundial under the same
// name, with the same type, HELP text and label names, except the commented list below.
// Grafana's Prometheus dashboards and users' alerts read these names.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "integration/api/peers.h"

namespace sundial::testing::api {
namespace {

// Families of Prometheus 2.42 that have no counterpart in Sundial: the isolation append IDs
// (Sundial's head has no isolation watermarks; a commit becomes visible series by series).
const std::set<std::string> kNotApplicable = {
    "prometheus_tsdb_isolation_high_watermark",
    "prometheus_tsdb_isolation_low_watermark",
};

struct FamilyShape {
  std::string type;
  std::string help;
  std::set<std::string> label_names;  // of all its samples, without le and quantile
};

// The prometheus_tsdb_* families of a text exposition.
std::map<std::string, FamilyShape> TsdbFamilies(const std::string& text) {
  std::map<std::string, FamilyShape> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP prometheus_tsdb_", 0) == 0) {
      const size_t space = line.find(' ', 7);
      out[line.substr(7, space - 7)].help =
          space == std::string::npos ? "" : line.substr(space + 1);
      continue;
    }
    if (line.rfind("# TYPE prometheus_tsdb_", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      out[name].type = type;
      continue;
    }
    if (line.rfind("prometheus_tsdb_", 0) != 0) continue;
    const size_t brace = line.find('{');
    if (brace == std::string::npos || brace > line.find(' ')) continue;
    std::string name = line.substr(0, brace);
    if (!out.contains(name)) {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {  // histograms, summaries
        const std::string s = suffix;
        if (name.size() > s.size() && name.ends_with(s) &&
            out.contains(name.substr(0, name.size() - s.size()))) {
          name.resize(name.size() - s.size());
          break;
        }
      }
    }
    // name="value" pairs up to the closing brace; values have no unescaped quotes.
    size_t pos = brace + 1;
    while (pos < line.size() && line[pos] != '}') {
      const size_t eq = line.find('=', pos);
      if (eq == std::string::npos) break;
      const std::string label = line.substr(pos, eq - pos);
      if (label != "le" && label != "quantile") out[name].label_names.insert(label);
      size_t end = eq + 2;
      while (end < line.size() && line[end] != '"') end += line[end] == '\\' ? 2 : 1;
      pos = end + 1;
      if (pos < line.size() && line[pos] == ',') ++pos;
    }
  }
  return out;
}

TEST(TsdbMetricsTest, SundialExposesPrometheusTsdbFamilies) {
  std::string skip, error;
  Peers* peers = Peers::Get(&skip, &error);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(peers, nullptr) << error;
  HttpResult prometheus = HttpRequest(peers->prometheus_port(), "GET", "/metrics");
  HttpResult sundial = HttpRequest(peers->sundial_port(), "GET", "/metrics");
  ASSERT_EQ(prometheus.status, 200);
  ASSERT_EQ(sundial.status, 200);
  const std::map<std::string, FamilyShape> want = TsdbFamilies(prometheus.body);
  const std::map<std::string, FamilyShape> got = TsdbFamilies(sundial.body);
  ASSERT_GT(want.size(), 50u) << prometheus.body;

  for (const auto& [name, shape] : want) {
    if (kNotApplicable.contains(name)) {
      EXPECT_FALSE(got.contains(name)) << name << " is exposed now: take it off the list";
      continue;
    }
    auto it = got.find(name);
    if (it == got.end()) {
      ADD_FAILURE() << "Sundial does not expose " << name;
      continue;
    }
    EXPECT_EQ(it->second.type, shape.type) << name;
    EXPECT_EQ(it->second.help, shape.help) << name;
    EXPECT_EQ(it->second.label_names, shape.label_names) << name;
  }
  // The list names only families Prometheus 2.42 has, and Sundial invents none of its own.
  for (const std::string& name : kNotApplicable) EXPECT_TRUE(want.contains(name)) << name;
  for (const auto& [name, shape] : got) {
    EXPECT_TRUE(want.contains(name)) << "Prometheus 2.42 has no " << name;
  }
}

}  // namespace
}  // namespace sundial::testing::api
