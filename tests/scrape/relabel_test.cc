#include "scrape/relabel.h"

#include <gtest/gtest.h>

#include <vector>

namespace sundial::scrape {
namespace {

using config::RelabelAction;
using config::RelabelConfig;
using config::RelabelRegex;

RelabelConfig Rule(RelabelAction action, std::vector<std::string> sources, std::string regex,
                   std::string target = "", std::string replacement = "$1") {
  RelabelConfig c;
  c.action = action;
  c.source_labels = std::move(sources);
  c.regex = RelabelRegex::Create(regex).value();
  c.target_label = std::move(target);
  c.replacement = std::move(replacement);
  return c;
}

// Returns the relabeled set as a string, or "dropped".
std::string Apply(const Labels& in, std::vector<RelabelConfig> rules) {
  LabelsBuilder b(in);
  if (!Relabel(rules, &b)) return "dropped";
  return b.Build().ToString();
}

const Labels kAbc{{"a", "foo"}, {"b", "bar"}, {"c", "baz"}};

TEST(Relabel, Replace) {
  using A = RelabelAction;
  EXPECT_EQ(Apply(kAbc, {Rule(A::kReplace, {"a"}, "f(.*)", "d", "ch${1}-ch${1}")}),
            R"({a="foo", b="bar", c="baz", d="choo-choo"})");
  // Default regex and separator join the sources.
  EXPECT_EQ(Apply(kAbc, {Rule(A::kReplace, {"a", "b"}, "(.*)", "d")}),
            R"({a="foo", b="bar", c="baz", d="foo;bar"})");
  // No match: no change.
  EXPECT_EQ(Apply(kAbc, {Rule(A::kReplace, {"a"}, "x(.*)", "d")}),
            R"({a="foo", b="bar", c="baz"})");
  // The regex is anchored at both ends.
  EXPECT_EQ(Apply(kAbc, {Rule(A::kReplace, {"a"}, "o", "d", "hit")}),
            R"({a="foo", b="bar", c="baz"})");
  // An empty replacement deletes the target.
  EXPECT_EQ(Apply(kAbc, {Rule(A::kReplace, {"a"}, "(.*)", "b", "")}), R"({a="foo", c="baz"})");
  // Named groups and a target built from the match.
  EXPECT_EQ(Apply(kAbc, {Rule(A::kReplace, {"a"}, "(?P<first>f)(o+)", "${first}_$2", "$first")}),
            R"({a="foo", b="bar", c="baz", f_oo="f"})");
  // An invalid expanded target name changes nothing.
  EXPECT_EQ(Apply(kAbc, {Rule(A::kReplace, {"a"}, "(.*)", "1${1}", "x")}),
            R"({a="foo", b="bar", c="baz"})");
  // Missing sources are empty strings and still match (.*).
  EXPECT_EQ(Apply(kAbc, {Rule(A::kReplace, {"missing"}, "(.*)", "d", "v")}),
            R"({a="foo", b="bar", c="baz", d="v"})");
}

TEST(Relabel, ExpandFollowsGoRegexpExpand) {
  auto expand = [](std::string_view tmpl) {
    RelabelRegex re = RelabelRegex::Create("(?P<x>a)(b)").value();
    std::vector<std::string_view> groups = {"ab", "a", "b"};
    std::string out;
    ExpandTemplate(re, tmpl, groups, &out);
    return out;
  };
  EXPECT_EQ(expand("$1"), "a");
  EXPECT_EQ(expand("${1}x"), "ax");
  EXPECT_EQ(expand("$1x"), "");  // the name is "1x", which is no group
  EXPECT_EQ(expand("$x-$2"), "a-b");
  EXPECT_EQ(expand("$$1"), "$1");
  EXPECT_EQ(expand("$"), "$");
  EXPECT_EQ(expand("${1"), "${1");
  EXPECT_EQ(expand("$-"), "$-");
  EXPECT_EQ(expand("$01"), "");  // leading zero: a name, not a number
  EXPECT_EQ(expand("$9"), "");
  EXPECT_EQ(expand("${0}"), "ab");
}

TEST(Relabel, KeepDropAndEquality) {
  using A = RelabelAction;
  EXPECT_EQ(Apply(kAbc, {Rule(A::kDrop, {"a"}, "f.*")}), "dropped");
  EXPECT_EQ(Apply(kAbc, {Rule(A::kDrop, {"a"}, "f")}), R"({a="foo", b="bar", c="baz"})");
  EXPECT_EQ(Apply(kAbc, {Rule(A::kKeep, {"a"}, "f")}), "dropped");
  EXPECT_EQ(Apply(kAbc, {Rule(A::kKeep, {"a", "b"}, "foo;bar")}), R"({a="foo", b="bar", c="baz"})");
  Labels same{{"a", "x"}, {"b", "x"}};
  EXPECT_EQ(Apply(same, {Rule(A::kKeepEqual, {"a"}, "(.*)", "b")}), R"({a="x", b="x"})");
  EXPECT_EQ(Apply(kAbc, {Rule(A::kKeepEqual, {"a"}, "(.*)", "b")}), "dropped");
  EXPECT_EQ(Apply(same, {Rule(A::kDropEqual, {"a"}, "(.*)", "b")}), "dropped");
  EXPECT_EQ(Apply(kAbc, {Rule(A::kDropEqual, {"a"}, "(.*)", "b")}),
            R"({a="foo", b="bar", c="baz"})");
}

TEST(Relabel, HashMod) {
  // Expected values: md5 of the joined string, bytes 8..15 big-endian, mod 1000 (the first two
  // are the cases in Prometheus' relabel_test.go).
  RelabelConfig r = Rule(RelabelAction::kHashMod, {"c"}, "(.*)", "d");
  r.modulus = 1000;
  EXPECT_EQ(Apply(kAbc, {r}), R"({a="foo", b="bar", c="baz", d="976"})");
  r.source_labels = {"a"};
  EXPECT_EQ(Apply(Labels{{"a", "foo\nbar"}}, {r}), R"({a="foo\nbar", d="734"})");
  r.source_labels = {"a", "b"};
  r.modulus = 16;
  EXPECT_EQ(Apply(kAbc, {r}), R"({a="foo", b="bar", c="baz", d="14"})");
}

TEST(Relabel, LabelMapDropKeep) {
  using A = RelabelAction;
  Labels meta{{"__meta_kubernetes_pod", "p"}, {"__meta_x", "y"}, {"job", "j"}};
  EXPECT_EQ(Apply(meta, {Rule(A::kLabelMap, {}, "__meta_(.*)", "", "m_$1")}),
            R"({__meta_kubernetes_pod="p", __meta_x="y", job="j", m_kubernetes_pod="p", m_x="y"})");
  EXPECT_EQ(Apply(meta, {Rule(A::kLabelDrop, {}, "__meta_.*")}), R"({job="j"})");
  EXPECT_EQ(Apply(meta, {Rule(A::kLabelKeep, {}, "__meta_.*")}),
            R"({__meta_kubernetes_pod="p", __meta_x="y"})");
  // labeldrop matches whole names only.
  EXPECT_EQ(Apply(meta, {Rule(A::kLabelDrop, {}, "jo")}).find("job") != std::string::npos, true);
}

TEST(Relabel, CaseMappingAndChaining) {
  using A = RelabelAction;
  Labels l{{"a", "MiXeD-1"}};
  EXPECT_EQ(Apply(l, {Rule(A::kLowercase, {"a"}, "(.*)", "lo")}), R"({a="MiXeD-1", lo="mixed-1"})");
  EXPECT_EQ(Apply(l, {Rule(A::kUppercase, {"a"}, "(.*)", "up")}), R"({a="MiXeD-1", up="MIXED-1"})");
  // Each rule sees the previous rule's result.
  EXPECT_EQ(Apply(l, {Rule(A::kReplace, {"a"}, "(.*)", "b"), Rule(A::kKeep, {"b"}, "MiXeD-1"),
                      Rule(A::kLabelDrop, {}, "a")}),
            R"({b="MiXeD-1"})");
}

}  // namespace
}  // namespace sundial::scrape
