// /api/v1/status/tsdb and /api/v1/status/flags against the Debian Prometheus 2.42 holding the
// same dataset (peers.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "integration/api/json.h"
#include "integration/api/peers.h"

namespace sundial::testing::api {
namespace {

class StatusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip, error;
    peers_ = Peers::Get(&skip, &error);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(peers_, nullptr) << error;
  }

  // The "data" member of a successful answer.
  json::Value Data(int port, const std::string& target) {
    HttpResult r = HttpRequest(port, "GET", target);
    EXPECT_EQ(r.status, 200) << port << target << ": " << r.body;
    json::Value v;
    std::string error;
    EXPECT_TRUE(json::Parse(r.body, &v, &error)) << error << r.body;
    const json::Value* data = v.Find("data");
    return data ? *data : json::Value{};
  }

  Peers* peers_ = nullptr;
};

using TopList = std::vector<std::pair<std::string, double>>;

TopList List(const json::Value& data, const std::string& key) {
  TopList out;
  const json::Value* list = data.Find(key);
  if (list == nullptr) return out;
  for (const json::Value& item : list->items) {
    out.emplace_back(item.Find("name")->text, item.Find("value")->number);
  }
  return out;
}

// Prometheus keeps the top entries in a Go map walk, so which of several entries with the same
// count make the cut, and their order, is arbitrary: compare the counts in order, and the names
// of the entries whose count is above the last one.
void ExpectSameTopList(const TopList& want, const TopList& got, const std::string& key) {
  ASSERT_EQ(got.size(), want.size()) << key;
  std::set<std::string> want_names, got_names;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].second, want[i].second) << key << " #" << i;
    if (want[i].second > want.back().second) want_names.insert(want[i].first);
    if (got[i].second > got.back().second) got_names.insert(got[i].first);
  }
  EXPECT_EQ(got_names, want_names) << key;
}

TEST_F(StatusTest, TsdbStatusAsPrometheus) {
  json::Value want = Data(peers_->prometheus_port(), "/api/v1/status/tsdb");
  json::Value got = Data(peers_->sundial_port(), "/api/v1/status/tsdb");
  const json::Value* want_head = want.Find("headStats");
  const json::Value* got_head = got.Find("headStats");
  ASSERT_NE(want_head, nullptr);
  ASSERT_NE(got_head, nullptr);
  // chunkCount is left out: Prometheus cuts head chunks by its own time-based rule.
  for (const char* key : {"numSeries", "numLabelPairs", "minTime", "maxTime"}) {
    ASSERT_NE(got_head->Find(key), nullptr) << key;
    EXPECT_EQ(got_head->Find(key)->number, want_head->Find(key)->number) << key;
  }
  EXPECT_GT(got_head->Find("chunkCount")->number, 0);
  for (const char* key :
       {"seriesCountByMetricName", "labelValueCountByLabelName", "seriesCountByLabelValuePair"}) {
    TopList w = List(want, key);
    EXPECT_FALSE(w.empty()) << key;
    EXPECT_LE(w.size(), 10u) << key;
    ExpectSameTopList(w, List(got, key), key);
  }
  // memoryInBytesByLabelName follows 3.x (2.42 summed only the bytes of distinct values): per
  // label name, name and value with a one-byte length prefix each, summed over every series
  // Prometheus holds.
  json::Value series =
      Data(peers_->prometheus_port(), "/api/v1/series?match%5B%5D=%7B__name__%3D~%22.%2B%22%7D");
  std::map<std::string, double> bytes;
  for (const json::Value& s : series.items) {
    for (const json::Member& l : s.members) {
      bytes[l.first] += static_cast<double>(l.first.size() + 1 + l.second.text.size() + 1);
    }
  }
  TopList expected(bytes.begin(), bytes.end());
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  if (expected.size() > 10) expected.resize(10);
  ExpectSameTopList(expected, List(got, "memoryInBytesByLabelName"), "memoryInBytesByLabelName");
  // 3.x's limit.
  json::Value three = Data(peers_->sundial_port(), "/api/v1/status/tsdb?limit=3");
  EXPECT_EQ(List(three, "seriesCountByLabelValuePair").size(), 3u);
  HttpResult bad = HttpRequest(peers_->sundial_port(), "GET", "/api/v1/status/tsdb?limit=0");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, ::testing::HasSubstr("limit must be a positive number"));
}

TEST_F(StatusTest, FlagsListEveryFlagAsPrometheus) {
  json::Value want = Data(peers_->prometheus_port(), "/api/v1/status/flags");
  json::Value got = Data(peers_->sundial_port(), "/api/v1/status/flags");
  std::map<std::string, std::string> w, g;
  for (const json::Member& m : want.members) w[m.first] = m.second.text;
  for (const json::Member& m : got.members) g[m.first] = m.second.text;
  EXPECT_GT(g.size(), 30u);
  // Flags both have, set the same way on both command lines, have the same value, except these
  // (Sundial's own path, address, title; values Prometheus derives after parsing).
  const std::set<std::string> differ = {"storage.tsdb.path", "web.listen-address",
                                        "web.page-title"};
  std::vector<std::string> shared;
  for (const auto& [name, value] : g) {
    auto it = w.find(name);
    if (it == w.end()) continue;
    shared.push_back(name);
    if (differ.count(name)) continue;
    EXPECT_EQ(value, it->second) << "--" << name;
  }
  EXPECT_GT(shared.size(), 20u);
  EXPECT_EQ(g["storage.remote.read-sample-limit"], "50000000");
  EXPECT_EQ(g["web.enable-remote-write-receiver"], "true");
}

}  // namespace
}  // namespace sundial::testing::api
