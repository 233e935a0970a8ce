#include "scrape/sample_labels.h"

#include "gtest/gtest.h"

namespace sundial::scrape {
namespace {

Labels Mutate(const Labels& sample, const Labels& target, bool honor) {
  LabelsBuilder b(sample);
  MutateSampleLabels(target, honor, &b);
  return b.Build();
}

TEST(MutateSampleLabelsTest, TargetWinsAndConflictsMoveToExported) {
  Labels target{{"instance", "h:1"}, {"job", "j"}};
  EXPECT_EQ(Mutate(Labels{{"__name__", "m"}}, target, false),
            (Labels{{"__name__", "m"}, {"instance", "h:1"}, {"job", "j"}}));
  EXPECT_EQ(Mutate(Labels{{"__name__", "m"}, {"job", "x"}, {"exported_job", "y"}}, target, false),
            (Labels{{"__name__", "m"},
                    {"exported_exported_job", "x"},
                    {"exported_job", "y"},
                    {"instance", "h:1"},
                    {"job", "j"}}));
}

TEST(MutateSampleLabelsTest, HonorLabelsKeepsExposedValues) {
  Labels target{{"instance", "h:1"}, {"job", "j"}};
  EXPECT_EQ(Mutate(Labels{{"__name__", "m"}, {"job", "x"}}, target, true),
            (Labels{{"__name__", "m"}, {"instance", "h:1"}, {"job", "x"}}));
}

TEST(CheckLabelLimitsTest, PrometheusMessages) {
  Labels l{{"__name__", "metric"}, {"a", "value_that_is_long"}};
  EXPECT_TRUE(CheckLabelLimits(l, {}).ok());
  EXPECT_EQ(CheckLabelLimits(l, {.label_limit = 1}).message(),
            "label_limit exceeded (metric: metric, number of labels: 2, limit: 1)");
  EXPECT_EQ(CheckLabelLimits(l, {.label_name_length_limit = 5}).message(),
            "label_name_length_limit exceeded (metric: metric, label name: __name__, length: 8, "
            "limit: 5)");
  EXPECT_EQ(CheckLabelLimits(l, {.label_value_length_limit = 10}).message(),
            "label_value_length_limit exceeded (metric: metric, label name: a, value: "
            "\"value_that_is_long\", length: 18, limit: 10)");
}

}  // namespace
}  // namespace sundial::scrape
