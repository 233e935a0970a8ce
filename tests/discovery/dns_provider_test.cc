#include "discovery/dns_provider.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "discovery/dns_client.h"
#include "discovery/fake_dns_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::discovery {
namespace {

using ::testing::ElementsAre;
using testing::FakeDnsServer;
using ::testing::HasSubstr;
using testing::Query;
using testing::ResponseBuilder;
using namespace std::chrono_literals;

TEST(ResolvConfTest, ParsesServersSearchAndNdots) {
  ResolverConfig c = ParseResolvConf(R"(# comment
; another
nameserver 10.0.0.2
nameserver	::1
domain corp.example
search a.example b.example
options rotate ndots:3 timeout:1
unknown line
)");
  EXPECT_THAT(c.servers, ElementsAre(NameServer{"10.0.0.2", 53}, NameServer{"::1", 53}));
  EXPECT_THAT(c.search, ElementsAre("a.example", "b.example"));
  EXPECT_EQ(c.ndots, 3);
  EXPECT_EQ(ParseResolvConf("options ndots:99").ndots, 15);
  EXPECT_EQ(ParseResolvConf("").ndots, 1);
  EXPECT_THAT(ParseResolvConf("search x\ndomain y\n").search, ElementsAre("y"));
  EXPECT_THAT(std::string(LoadResolvConf("/nonexistent/resolv.conf").status().message()),
              HasSubstr("could not load resolv.conf"));
}

TEST(ResolvConfTest, NameListAsMiekg) {
  ResolverConfig c{.servers = {}, .search = {"a.example", "b.example."}, .ndots = 1};
  EXPECT_THAT(NameList(c, "x.example."), ElementsAre("x.example."));
  EXPECT_THAT(NameList(c, "web"), ElementsAre("web.a.example.", "web.b.example.", "web."));
  EXPECT_THAT(NameList(c, "web.svc"),
              ElementsAre("web.svc.", "web.svc.a.example.", "web.svc.b.example."));
  c.ndots = 2;
  EXPECT_THAT(NameList(c, "web.svc"),
              ElementsAre("web.svc.a.example.", "web.svc.b.example.", "web.svc."));
}

ResolverConfig Local(std::initializer_list<const FakeDnsServer*> servers,
                     std::chrono::milliseconds timeout = 5s) {
  ResolverConfig c;
  for (const FakeDnsServer* s : servers) c.servers.push_back({"127.0.0.1", s->port()});
  c.timeout = timeout;
  return c;
}

TEST(DnsClientTest, ExchangeOverUdpWithEdns) {
  bool edns = false;
  FakeDnsServer server([&](const Query& q) {
    edns = q.edns;
    return ResponseBuilder(q, dns::kNoError).Srv(q.name, 0, 0, 9100, "n1.example.").Build();
  });
  absl::StatusOr<dns::Message> m =
      Exchange({"127.0.0.1", server.port()}, "_n._tcp.example.", dns::kSrv, 5s, {});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->answers.size(), 1u);
  EXPECT_EQ(m->answers[0].target, "n1.example.");
  EXPECT_TRUE(edns);
}

TEST(DnsClientTest, TruncatedUdpAnswerIsRetriedOverTcpWithoutEdns) {
  std::vector<Query> seen;
  std::mutex mu;
  FakeDnsServer server([&](const Query& q) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(q);
    if (!q.tcp) return ResponseBuilder(q, dns::kNoError, /*truncated=*/true).Build();
    ResponseBuilder b(q, dns::kNoError);
    for (int i = 0; i < 200; ++i) b.A(q.name, "10.0.0." + std::to_string(i));
    return b.Build();
  });
  absl::StatusOr<dns::Message> m =
      Exchange({"127.0.0.1", server.port()}, "big.example.", dns::kA, 5s, {});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->answers.size(), 200u);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].tcp);
  EXPECT_TRUE(seen[1].tcp);
  EXPECT_FALSE(seen[1].edns);
}

TEST(DnsClientTest, TimeoutAndMalformedAnswer) {
  FakeDnsServer silent([](const Query&) { return std::nullopt; });
  absl::StatusOr<dns::Message> m =
      Exchange({"127.0.0.1", silent.port()}, "x.example.", dns::kA, 100ms, {});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kDeadlineExceeded);

  FakeDnsServer garbage([](const Query& q) {
    std::string w = ResponseBuilder(q, dns::kNoError).A(q.name, "1.2.3.4").Build();
    w.resize(w.size() - 2);  // cut into the address
    return w;
  });
  m = Exchange({"127.0.0.1", garbage.port()}, "x.example.", dns::kA, 5s, {});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss) << m.status();
}

TEST(DnsClientTest, StopInterruptsAWait) {
  FakeDnsServer silent([](const Query&) { return std::nullopt; });
  std::stop_source stop;
  std::thread stopper([&] {
    while (silent.queries() == 0) std::this_thread::sleep_for(5ms);
    stop.request_stop();
  });
  absl::StatusOr<dns::Message> m =
      LookupWithSearchPath(Local({&silent}, 1h), "x.example.", dns::kA, stop.get_token());
  stopper.join();
  EXPECT_EQ(m.status().code(), absl::StatusCode::kCancelled) << m.status();
}

TEST(DnsClientTest, LookupFallsBackToTheNextServerAndSearchDomain) {
  FakeDnsServer failing(
      [](const Query& q) { return ResponseBuilder(q, dns::kServerFailure).Build(); });
  FakeDnsServer good([](const Query& q) {
    if (q.name != "web.corp.example.") return ResponseBuilder(q, dns::kNameError).Build();
    return ResponseBuilder(q, dns::kNoError).A(q.name, "10.9.8.7").Build();
  });
  ResolverConfig c = Local({&failing, &good});
  c.search = {"other.example", "corp.example"};
  absl::StatusOr<dns::Message> m = LookupWithSearchPath(c, "web", dns::kA, {});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->answers.size(), 1u);
  EXPECT_EQ(m->answers[0].address, "10.9.8.7");
}

TEST(DnsClientTest, NxdomainEverywhereIsAnEmptyAnswerAndFailuresAreErrors) {
  FakeDnsServer nx([](const Query& q) { return ResponseBuilder(q, dns::kNameError).Build(); });
  absl::StatusOr<dns::Message> m =
      LookupWithSearchPath(Local({&nx}), "gone.example", dns::kSrv, {});
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->answers.empty());

  FakeDnsServer refused([](const Query& q) { return ResponseBuilder(q, dns::kRefused).Build(); });
  m = LookupWithSearchPath(Local({&refused}), "x.example", dns::kSrv, {});
  EXPECT_EQ(std::string(m.status().message()),
            "could not resolve \"x.example\": all servers responded with errors to at least one "
            "search domain");
  m = LookupWithSearchPath(ResolverConfig{}, "x.example", dns::kSrv, {});
  EXPECT_FALSE(m.ok());
}

TEST(DnsGroupTest, TargetsAndMetaLabelsPerRecordType) {
  Query q{.id = 1, .name = "n.example.", .type = dns::kSrv};
  absl::StatusOr<dns::Message> m = dns::DecodeMessage(ResponseBuilder(q, dns::kNoError)
                                                          .Srv(q.name, 1, 1, 9100, "node1.example.")
                                                          .Mx(q.name, 1, "mx.example.")
                                                          .Ns(q.name, "ns.example.")
                                                          .Cname(q.name, "alias.example.")
                                                          .A(q.name, "10.0.0.1")
                                                          .Aaaa(q.name, "2001:db8::1")
                                                          .Raw(q.name, 16, "\x01t")
                                                          .Build());
  ASSERT_TRUE(m.ok());
  TargetGroup g = DnsGroup("n.example", *m, 80);
  EXPECT_EQ(g.source, "n.example");
  EXPECT_TRUE(g.labels.empty());
  EXPECT_THAT(
      g.targets,
      ElementsAre(Labels{{"__address__", "node1.example:9100"},
                         {"__meta_dns_name", "n.example"},
                         {"__meta_dns_srv_record_port", "9100"},
                         {"__meta_dns_srv_record_target", "node1.example."}},
                  Labels{{"__address__", "mx.example:80"},
                         {"__meta_dns_mx_record_target", "mx.example."},
                         {"__meta_dns_name", "n.example"}},
                  Labels{{"__address__", "ns.example:80"},
                         {"__meta_dns_name", "n.example"},
                         {"__meta_dns_ns_record_target", "ns.example."}},
                  Labels{{"__address__", "10.0.0.1:80"}, {"__meta_dns_name", "n.example"}},
                  Labels{{"__address__", "[2001:db8::1]:80"}, {"__meta_dns_name", "n.example"}}));
}

// Collects a provider's updates.
class Updates {
 public:
  Provider::UpdateFn Fn() {
    return [this](std::vector<TargetGroup> groups) {
      std::lock_guard<std::mutex> lock(mu_);
      all_.push_back(std::move(groups));
      cv_.notify_all();
    };
  }
  // The n-th update (1-based), waiting up to 10s for it.
  std::vector<TargetGroup> Wait(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return all_.size() >= n; });
    return all_.size() >= n ? all_[n - 1] : std::vector<TargetGroup>{};
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return all_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::vector<TargetGroup>> all_;
};

std::vector<std::string> Addresses(const TargetGroup& g) {
  std::vector<std::string> out;
  for (const Labels& t : g.targets) out.emplace_back(t.Get("__address__"));
  return out;
}

TEST(DnsProviderTest, RefreshesNamesKeepsLastGoodOnFailureAndEmptiesOnNxdomain) {
  std::mutex mu;
  std::map<std::string, int> mode;  // per name: 0 answer, 1 SERVFAIL, 2 NXDOMAIN
  int answer_port = 9100;
  FakeDnsServer server([&](const Query& q) {
    std::lock_guard<std::mutex> lock(mu);
    switch (mode[q.name]) {
      case 1:
        return ResponseBuilder(q, dns::kServerFailure).Build();
      case 2:
        return ResponseBuilder(q, dns::kNameError).Build();
      default:
        return ResponseBuilder(q, dns::kNoError)
            .Srv(q.name, 0, 0, static_cast<uint16_t>(answer_port), "t." + q.name)
            .Build();
    }
  });
  config::DnsSdConfig c;
  c.names = {"a.example.", "b.example."};
  c.refresh_interval = 10ms;
  c.type = "srv";  // case-insensitive as in Prometheus' config
  Updates updates;
  std::unique_ptr<Provider> p =
      NewDnsProvider(c, [&] { return absl::StatusOr<ResolverConfig>(Local({&server})); });
  p->Start(updates.Fn());
  std::vector<TargetGroup> g = updates.Wait(1);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].source, "a.example.");
  EXPECT_THAT(Addresses(g[0]), ElementsAre("t.a.example:9100"));
  EXPECT_THAT(Addresses(g[1]), ElementsAre("t.b.example:9100"));

  // b fails and a changes: b keeps its last good group.
  {
    std::lock_guard<std::mutex> lock(mu);
    mode["b.example."] = 1;
    answer_port = 9200;
  }
  g = updates.Wait(2);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_THAT(Addresses(g[0]), ElementsAre("t.a.example:9200"));
  EXPECT_THAT(Addresses(g[1]), ElementsAre("t.b.example:9100"));

  // b disappears: NXDOMAIN empties its group.
  {
    std::lock_guard<std::mutex> lock(mu);
    mode["b.example."] = 2;
  }
  g = updates.Wait(3);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[1].source, "b.example.");
  EXPECT_TRUE(g[1].targets.empty());
  p->Stop();
}

// Prometheus looks the names of one config up concurrently: here the answer for a.example. is
// held back until the query for b.example. arrived, which one lookup after the other never does
// (a's lookup would time out first and fail).
TEST(DnsProviderTest, LooksNamesUpInParallelAndTurnsNsRecordsIntoTargets) {
  std::mutex mu;
  std::condition_variable b_seen_cv;
  bool b_seen = false;
  FakeDnsServer server(
      [&](const Query& q) {
        std::unique_lock<std::mutex> lock(mu);
        if (q.name == "b.example.") {
          b_seen = true;
          b_seen_cv.notify_all();
        } else if (!b_seen_cv.wait_for(lock, 10s, [&] { return b_seen; })) {
          return std::optional<std::string>();  // never answered: a's lookup fails
        }
        return std::optional<std::string>(ResponseBuilder(q, dns::kNoError)
                                              .Ns(q.name, "ns1." + q.name)
                                              .Ns(q.name, "ns2." + q.name)
                                              .Build());
      },
      /*concurrent=*/true);
  config::DnsSdConfig c;
  c.names = {"a.example.", "b.example."};
  c.refresh_interval = 1h;
  c.type = "NS";
  c.port = 53;
  Updates updates;
  std::unique_ptr<Provider> p =
      NewDnsProvider(c, [&] { return absl::StatusOr<ResolverConfig>(Local({&server}, 2s)); });
  p->Start(updates.Fn());
  std::vector<TargetGroup> g = updates.Wait(1);
  p->Stop();
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].source, "a.example.");
  EXPECT_THAT(Addresses(g[0]), ElementsAre("ns1.a.example:53", "ns2.a.example:53"));
  EXPECT_THAT(Addresses(g[1]), ElementsAre("ns1.b.example:53", "ns2.b.example:53"));
  ASSERT_FALSE(g[1].targets.empty());
  EXPECT_EQ(g[1].targets[0].Get("__meta_dns_ns_record_target"), "ns1.b.example.");
  EXPECT_EQ(g[1].targets[0].Get("__meta_dns_name"), "b.example.");
}

}  // namespace
}  // namespace sundial::discovery
