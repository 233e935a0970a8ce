// Tests for the small internal units: headers, gzip, file-backed secrets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "net/gzip.h"
#include "net/http_message.h"
#include "net/secret.h"
#include "net/test_server.h"

namespace sundial::net {
namespace {

using testing::Gzip;
using ::testing::HasSubstr;
using testing::TempDir;

TEST(HeadersTest, CaseInsensitive) {
  Headers h;
  h.Add("Content-Type", "text/plain");
  h.Add("X-A", "1");
  h.Add("x-a", "2");
  EXPECT_EQ(h.Get("content-type"), "text/plain");
  EXPECT_EQ(h.Get("X-a"), "1");
  EXPECT_TRUE(h.Has("CONTENT-TYPE"));
  h.Set("X-A", "3");
  EXPECT_EQ(h.Get("x-a"), "3");
  EXPECT_EQ(h.fields().size(), 2u);
  h.Remove("content-TYPE");
  EXPECT_FALSE(h.Has("Content-Type"));
  EXPECT_EQ(h.Get("missing"), "");
}

TEST(CheckHttpStatusTest, Wording) {
  Response r;
  r.status_code = 204;
  r.status = "204 No Content";
  EXPECT_TRUE(CheckHttpStatus(r).ok());
  r.status_code = 500;
  r.status = "500 Internal Server Error";
  EXPECT_EQ(CheckHttpStatus(r).message(), "server returned HTTP status 500 Internal Server Error");
}

TEST(GzipTest, RoundTripAndLimit) {
  std::string data(100000, 'x');
  absl::StatusOr<std::string> out = Gunzip(Gzip(data), 0);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, data);
  // Concatenated members.
  out = Gunzip(Gzip("ab") + Gzip("cd"), 0);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "abcd");
  out = Gunzip(Gzip(data), 1000);
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(out.status()));
  EXPECT_THAT(std::string(out.status().message()), HasSubstr("body size limit exceeded"));
  EXPECT_THAT(std::string(out.status().message()), HasSubstr("1000"));
}

TEST(GzipTest, CorruptAndTruncated) {
  EXPECT_FALSE(Gunzip("not gzip at all", 0).ok());
  std::string z = Gzip(std::string(5000, 'y'));
  EXPECT_FALSE(Gunzip(std::string_view(z).substr(0, z.size() / 2), 0).ok());
}

TEST(SecretTest, InlineAndFileReread) {
  absl::StatusOr<std::unique_ptr<Secret>> inline_secret = Secret::Create("abc", "", "x");
  ASSERT_TRUE(inline_secret.ok());
  EXPECT_EQ(*(*inline_secret)->Get(), "abc");

  TempDir dir;
  dir.Write("token", "first\n");
  absl::StatusOr<std::unique_ptr<Secret>> s =
      Secret::Create("", dir.File("token"), "credentials file");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*(*s)->Get(), "first");
  dir.Write("token", "second-longer");  // size changes, so detected even within one mtime tick
  EXPECT_EQ(*(*s)->Get(), "second-longer");
  ::unlink(dir.File("token").c_str());
  absl::StatusOr<std::string> gone = (*s)->Get();
  ASSERT_FALSE(gone.ok());
  EXPECT_THAT(std::string(gone.status().message()), HasSubstr("unable to read credentials file"));
}

TEST(SecretTest, MissingFileFailsAtCreate) {
  absl::StatusOr<std::unique_ptr<Secret>> s =
      Secret::Create("", "/nonexistent/sundial/token", "password file");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()),
              HasSubstr("unable to read password file \"/nonexistent/sundial/token\""));
}

}  // namespace
}  // namespace sundial::net
