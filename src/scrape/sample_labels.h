// The label handling of a scraped sample, as Prometheus' mutateSampleLabels and
// verifyLabelLimits.
//
//   LabelsBuilder b(parsed);
//   MutateSampleLabels(target_labels, honor_labels, &b);
//   if (!Relabel(job.metric_relabel_configs, &b)) continue;   // dropped
//   Labels final = b.Build();
//   RETURN_IF_ERROR(CheckLabelLimits(final, job.limits));
#ifndef SUNDIAL_SCRAPE_SAMPLE_LABELS_H_
#define SUNDIAL_SCRAPE_SAMPLE_LABELS_H_

#include "absl/status/status.h"
#include "config/scrape_config.h"
#include "model/labels.h"

namespace sundial::scrape {

// Adds the target's labels (which carry no "__" labels) to the sample in *b.
// honor_labels: the sample's own values win. Otherwise the target's win and a conflicting
// exposed value moves to exported_<name> (exported_exported_<name> if that is taken, ...).
void MutateSampleLabels(const Labels& target_labels, bool honor_labels, LabelsBuilder* b);

// label_limit, label_name_length_limit and label_value_length_limit with Prometheus' messages,
// e.g. "label_limit exceeded (metric: up, number of labels: 4, limit: 3)".
absl::Status CheckLabelLimits(const Labels& labels, const config::ScrapeLimits& limits);

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_SAMPLE_LABELS_H_
