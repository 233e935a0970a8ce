#include "discovery/dns_message.h"

#include <random>
#include <string>

#include "discovery/fake_dns_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sundial::discovery::dns {
namespace {

using ::testing::HasSubstr;
using testing::ResponseBuilder;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

TEST(DnsMessageTest, EncodeQueryWithEdns) {
  absl::StatusOr<std::string> q = EncodeQuery(0x1234, "ab.c.", kSrv, /*edns=*/true);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(*q, Bytes({0x12, 0x34, 0x01, 0x00, 0,    1, 0, 0,  0, 0, 0, 1,  // header, RD
                       2,    'a',  'b',  1,    'c',  0, 0, 33, 0, 1,        // question
                       0,    0,    41,   0x10, 0x00, 0, 0, 0,  0, 0, 0}));  // OPT, 4096
  q = EncodeQuery(7, "x.", kA, /*edns=*/false);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*q, Bytes({0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1}));
}

TEST(DnsMessageTest, EncodeQueryRejectsBadNames) {
  EXPECT_FALSE(EncodeQuery(1, "a.b", kA, false).ok());  // not fully qualified
  EXPECT_FALSE(EncodeQuery(1, "a..b.", kA, false).ok());
  EXPECT_FALSE(EncodeQuery(1, std::string(64, 'a') + ".", kA, false).ok());
  std::string long_name;
  for (int i = 0; i < 52; ++i) long_name += "abcd.";  // 261 bytes on the wire
  EXPECT_FALSE(EncodeQuery(1, long_name, kA, false).ok());
  EXPECT_TRUE(EncodeQuery(1, std::string(63, 'a') + ".", kA, false).ok());
}

TEST(DnsMessageTest, DecodesEveryRecordKind) {
  testing::Query q{.id = 9, .name = "_x._tcp.example.", .type = kSrv};
  std::string wire = ResponseBuilder(q, kNoError)
                         .Srv("_x._tcp.example.", 10, 20, 9100, "node1.example.")
                         .Mx("example.", 5, "mail.example.")
                         .Ns("example.", "ns1.example.")
                         .Cname("www.example.", "web.example.")
                         .A("web.example.", "10.1.2.3")
                         .Aaaa("web.example.", "2001:db8::7")
                         .Raw("example.", 16, "\x03txt")
                         .Build();
  absl::StatusOr<Message> m = DecodeMessage(wire);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->id, 9);
  EXPECT_TRUE(m->response);
  EXPECT_FALSE(m->truncated);
  EXPECT_EQ(m->rcode, kNoError);
  ASSERT_EQ(m->answers.size(), 7u);
  const Record& srv = m->answers[0];
  EXPECT_EQ(srv.name, "_x._tcp.example.");
  EXPECT_EQ(srv.type, kSrv);
  EXPECT_EQ(srv.ttl, 30u);
  EXPECT_EQ(srv.priority, 10);
  EXPECT_EQ(srv.weight, 20);
  EXPECT_EQ(srv.port, 9100);
  EXPECT_EQ(srv.target, "node1.example.");
  EXPECT_EQ(m->answers[1].target, "mail.example.");
  EXPECT_EQ(m->answers[1].priority, 5);
  EXPECT_EQ(m->answers[2].target, "ns1.example.");
  EXPECT_EQ(m->answers[3].target, "web.example.");
  EXPECT_EQ(m->answers[4].address, "10.1.2.3");
  EXPECT_EQ(m->answers[5].address, "2001:db8::7");
  EXPECT_EQ(m->answers[6].type, 16);
}

TEST(DnsMessageTest, DecodesCompressedNamesAndEscapes) {
  // Header (1 answer), question "a.b." at 12, answer owner = pointer to 12, SRV target =
  // "x" + pointer to "b." at 14.
  std::string wire =
      Bytes({0,    1,   0x81, 0x80, 0,    1,    0,  1,   0,    0,  0, 0,   //
             1,    'a', 1,    'b',  0,    0,    33, 0,   1,                // question
             0xc0, 12,  0,    33,   0,    1,    0,  0,   0,    60, 0, 10,  // answer header
             0,    1,   0,    2,    0x1f, 0x90, 1,  'x', 0xc0, 14});
  absl::StatusOr<Message> m = DecodeMessage(wire);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->answers.size(), 1u);
  EXPECT_EQ(m->answers[0].name, "a.b.");
  EXPECT_EQ(m->answers[0].target, "x.b.");
  EXPECT_EQ(m->answers[0].port, 8080);

  // A dot and a control byte inside a label are escaped as miekg/dns prints them.
  std::string odd = Bytes({0, 1,   0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0,  //
                           3, 'a', '.',  1,    0, 0, 2, 0, 1, 0, 0, 0, 1, 0, 1, 0});
  m = DecodeMessage(odd);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->answers[0].name, "a\\.\\001.");
  EXPECT_EQ(m->answers[0].target, ".");
}

TEST(DnsMessageTest, RcodeAndTruncationFlags) {
  testing::Query q{.id = 3, .name = "missing.example.", .type = kA};
  absl::StatusOr<Message> m = DecodeMessage(ResponseBuilder(q, kNameError).Build());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->rcode, kNameError);
  EXPECT_TRUE(m->answers.empty());
  m = DecodeMessage(ResponseBuilder(q, kNoError, /*truncated=*/true).Build());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->truncated);
}

TEST(DnsMessageTest, MalformedMessagesAreErrors) {
  const std::string header = Bytes({0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0});
  auto with_answer = [&](std::initializer_list<int> rr) { return header + Bytes(rr); };
  struct Case {
    std::string name;
    std::string wire;
    std::string error;
  } cases[] = {
      {"empty", "", "truncated header"},
      {"short header", Bytes({0, 1, 0x81}), "truncated header"},
      {"question past end", Bytes({0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a'}),
       "label extends past the end"},
      {"question without type", Bytes({0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}),
       "truncated question"},
      {"pointer loop", with_answer({0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4}),
       "too many compression pointers"},
      {"pointer past end", with_answer({0xc0, 200, 0, 1}), "name extends past the end"},
      {"truncated pointer", with_answer({0xc0}), "truncated compression pointer"},
      {"reserved label type", with_answer({0x40, 0}), "unsupported label type"},
      {"no rr header", with_answer({0, 0, 1}), "truncated resource record"},
      {"rdata past end", with_answer({0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 9, 1, 2}),
       "resource data extends past the end"},
      {"A of 3 bytes", with_answer({0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3}),
       "A record of wrong length"},
      {"AAAA of 4 bytes", with_answer({0, 0, 28, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4}),
       "AAAA record of wrong length"},
      {"short SRV", with_answer({0, 0, 33, 0, 1, 0, 0, 0, 1, 0, 4, 0, 1, 0, 2}),
       "truncated SRV record"},
      {"SRV name beyond rdata",
       with_answer({0, 0, 33, 0, 1, 0, 0, 0, 1, 0, 7, 0, 1, 0, 2, 0, 3, 1, 'x', 0}),
       "resource data length mismatch"},
      {"MX without name", with_answer({0, 0, 15, 0, 1, 0, 0, 0, 1, 0, 1, 0}),
       "truncated MX record"},
      {"answer count too large", Bytes({0, 1, 0x81, 0x80, 0, 0, 0xff, 0xff, 0, 0, 0, 0}),
       "name extends past the end"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Message> m = DecodeMessage(c.wire);
    ASSERT_FALSE(m.ok()) << c.name;
    EXPECT_THAT(std::string(m.status().message()), HasSubstr(c.error)) << c.name;
  }
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += Bytes({63}) + std::string(63, 'a');
  EXPECT_THAT(std::string(DecodeMessage(header + long_name + Bytes({0})).status().message()),
              HasSubstr("name too long"));
}

// Every prefix and random corruptions of a valid message decode or fail, never crash (the
// sanitizer build checks the reads).
TEST(DnsMessageTest, CorruptedMessagesNeverCrash) {
  testing::Query q{.id = 1, .name = "s.example.", .type = kSrv};
  const std::string wire = ResponseBuilder(q, kNoError)
                               .Srv("s.example.", 1, 1, 80, "t.example.")
                               .A("t.example.", "1.2.3.4")
                               .Aaaa("t.example.", "::1")
                               .Build();
  for (size_t n = 0; n < wire.size(); ++n) {
    absl::StatusOr<Message> m = DecodeMessage(wire.substr(0, n));
    EXPECT_TRUE(!m.ok() || m->answers.size() < 3) << n;
  }
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string w = wire;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) w[rng() % w.size()] = static_cast<char>(rng());
    (void)DecodeMessage(w);
  }
}

TEST(DnsMessageTest, FormatIpAsGo) {
  struct Case {
    std::string bytes;
    std::string text;
  } cases[] = {
      {Bytes({10, 0, 0, 1}), "10.0.0.1"},
      {Bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), "2001:db8::1"},
      {Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), "::1"},
      {std::string(16, '\0'), "::"},
      {Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4}), "1.2.3.4"},
      {Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}), "::102:304"},
      {Bytes({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1}), "2001:db8:0:1:1:1:1:1"},
      {Bytes({0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3}), "1:0:0:2::3"},
      {Bytes({0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0}), "1::2:0:0:3:0"},
      {Bytes({0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xab, 0xcd, 0, 0, 0, 0, 0, 0}), "fe80::abcd:0:0:0"},
  };
  for (const Case& c : cases) EXPECT_EQ(FormatIp(c.bytes), c.text) << c.text;
  EXPECT_EQ(JoinHostPort("10.0.0.1", 80), "10.0.0.1:80");
  EXPECT_EQ(JoinHostPort("::1", 9100), "[::1]:9100");
  EXPECT_EQ(JoinHostPort("node.example", 0), "node.example:0");
}

TEST(DnsMessageTest, RecordTypeFromName) {
  EXPECT_EQ(RecordTypeFromName("SRV"), kSrv);
  EXPECT_EQ(RecordTypeFromName("AAAA"), kAaaa);
  EXPECT_EQ(RecordTypeFromName("NS"), kNs);
  EXPECT_EQ(RecordTypeFromName("TXT"), 0);
}

}  // namespace
}  // namespace sundial::discovery::dns
