#include "web/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sundial::web {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using Kind = Router::Match::Kind;

Handler Noop() {
  return [](const HttpRequest&, std::shared_ptr<Responder>) {};
}

TEST(RouterTest, ExactAndParamSegments) {
  Router router;
  router.Get("/api/v1/labels", Noop());
  router.Get("/api/v1/label/{name}/values", Noop());

  Router::Match m = router.Find("GET", "/api/v1/label/job/values");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.pattern, "/api/v1/label/{name}/values");
  EXPECT_THAT(m.path_params, ElementsAre(Pair("name", "job")));

  EXPECT_EQ(router.Find("GET", "/api/v1/labels").kind, Kind::kFound);
  EXPECT_EQ(router.Find("GET", "/api/v1/label//values").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/api/v1/label/job/values/x").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/api/v1/labels/").kind, Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/api/v1").kind, Kind::kNotFound);
}

TEST(RouterTest, LiteralBeatsParamBeatsCatchAll) {
  Router router;
  router.Get("/static/*filepath", Noop());
  router.Get("/a/{x}", Noop());
  router.Get("/a/b", Noop());
  EXPECT_EQ(router.Find("GET", "/a/b").pattern, "/a/b");
  EXPECT_EQ(router.Find("GET", "/a/c").pattern, "/a/{x}");

  Router::Match m = router.Find("GET", "/static/js/app.js");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_THAT(m.path_params, ElementsAre(Pair("filepath", "js/app.js")));
  EXPECT_THAT(router.Find("GET", "/static/").path_params, ElementsAre(Pair("filepath", "")));
  EXPECT_EQ(router.Find("GET", "/static").kind, Kind::kNotFound);
}

TEST(RouterTest, MethodNotAllowedListsMethods) {
  Router router;
  router.Get("/api/v1/query", Noop());
  router.Post("/api/v1/query", Noop());
  router.Delete("/x", Noop());
  Router::Match m = router.Find("PUT", "/api/v1/query");
  EXPECT_EQ(m.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, OPTIONS, POST");
  EXPECT_EQ(router.Find("GET", "/x").allow, "DELETE, OPTIONS");
}

TEST(RouterTest, HeadFallsBackToGetAndReRegistrationReplaces) {
  Router router;
  int which = 0;
  router.Get("/", [&](const HttpRequest&, std::shared_ptr<Responder>) { which = 1; });
  router.Get("/", [&](const HttpRequest&, std::shared_ptr<Responder>) { which = 2; });
  Router::Match m = router.Find("HEAD", "/");
  ASSERT_EQ(m.kind, Kind::kFound);
  (*m.handler)(HttpRequest{}, nullptr);
  EXPECT_EQ(which, 2);
}

// Patterns of literal segments only are looked up by path; the precedence rules still hold.
TEST(RouterTest, LiteralPatternsKeepTheirPrecedenceAndReplacement) {
  Router router;
  int which = 0;
  auto set = [&which](int v) {
    return [&which, v](const HttpRequest&, std::shared_ptr<Responder>) { which = v; };
  };
  router.Get("/a/b", set(1));
  router.Get("/a/{x}", set(2));
  router.Get("/a/*rest", set(3));
  router.Get("/a/b", set(4));  // replaces the first
  router.Handle("HEAD", "/a/b", set(5));
  Router::Match m = router.Find("GET", "/a/b");
  ASSERT_EQ(m.kind, Kind::kFound);
  EXPECT_EQ(m.pattern, "/a/b");
  EXPECT_TRUE(m.path_params.empty());
  (*m.handler)(HttpRequest{}, nullptr);
  EXPECT_EQ(which, 4);
  (*router.Find("HEAD", "/a/b").handler)(HttpRequest{}, nullptr);
  EXPECT_EQ(which, 5);
  EXPECT_EQ(router.Find("HEAD", "/a/c").pattern, "/a/{x}");  // HEAD falls back to GET
  EXPECT_EQ(router.Find("GET", "/a/b/c").pattern, "/a/*rest");
  Router::Match post = router.Find("POST", "/a/b");
  EXPECT_EQ(post.kind, Kind::kMethodNotAllowed);
  EXPECT_EQ(post.allow, "GET, HEAD, OPTIONS");
}

}  // namespace
}  // namespace sundial::web
