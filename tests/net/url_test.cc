#include "net/url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sundial::net {
namespace {

using ::testing::HasSubstr;

TEST(UrlTest, ParsesSchemeHostPortTarget) {
  absl::StatusOr<Url> u = ParseUrl("HTTP://Example.COM:8080/metrics?a=b#frag");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/metrics?a=b");
  EXPECT_EQ(u->Authority(), "example.com:8080");
  EXPECT_EQ(u->HostHeader(), "example.com:8080");
  EXPECT_EQ(u->String(), "http://example.com:8080/metrics?a=b");
}

TEST(UrlTest, DefaultPortsAndEmptyPath) {
  absl::StatusOr<Url> u = ParseUrl("https://host");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 443);
  EXPECT_FALSE(u->explicit_port);
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->HostHeader(), "host");
  EXPECT_EQ(u->Authority(), "host:443");
  EXPECT_EQ(ParseUrl("http://h?x=1")->target, "/?x=1");
}

TEST(UrlTest, Ipv6Literals) {
  absl::StatusOr<Url> u = ParseUrl("http://[::1]:9090/x");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9090);
  EXPECT_EQ(u->Authority(), "[::1]:9090");
  EXPECT_EQ(ParseUrl("https://[fe80::1]/")->HostHeader(), "[fe80::1]");
  EXPECT_FALSE(ParseUrl("http://::1:80/").ok());
  EXPECT_FALSE(ParseUrl("http://[::1/").ok());
}

TEST(UrlTest, UserInfo) {
  absl::StatusOr<Url> u = ParseUrl("http://us%40er:p%3Ass@proxy:3128");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_TRUE(u->has_userinfo);
  EXPECT_EQ(u->username, "us@er");
  EXPECT_EQ(u->password, "p:ss");
  EXPECT_EQ(u->host, "proxy");
  EXPECT_EQ(u->String(), "http://proxy:3128/");
}

TEST(UrlTest, Errors) {
  struct Case {
    const char* url;
    const char* error;
  } cases[] = {
      {"example.com/metrics", "missing protocol scheme"},
      {"ftp://x/", "unsupported protocol scheme \"ftp\""},
      {"http:///path", "missing host"},
      {"http://h:0/", "invalid port"},
      {"http://h:70000/", "invalid port"},
      {"http://h:8x/", "invalid port"},
      {"http://h:/", "invalid port"},
      {"http://h o/", "invalid character"},
      {"http://u%zz@h/", "invalid URL escape"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Url> u = ParseUrl(c.url);
    ASSERT_FALSE(u.ok()) << c.url;
    EXPECT_THAT(std::string(u.status().message()), HasSubstr(c.error)) << c.url;
  }
}

TEST(UrlTest, ResolveReference) {
  Url base = *ParseUrl("http://a:1/dir/page?q=1");
  struct Case {
    const char* ref;
    const char* want;
  } cases[] = {
      {"https://b/x", "https://b/x"},        {"//c:2/y", "http://c:2/y"},
      {"/abs?z=2", "http://a:1/abs?z=2"},    {"rel", "http://a:1/dir/rel"},
      {"?only", "http://a:1/dir/page?only"}, {"", "http://a:1/dir/page?q=1"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Url> u = ResolveReference(base, c.ref);
    ASSERT_TRUE(u.ok()) << c.ref << ": " << u.status();
    EXPECT_EQ(u->String(), c.want) << c.ref;
  }
}

}  // namespace
}  // namespace sundial::net
