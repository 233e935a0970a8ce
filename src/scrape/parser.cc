// Parts of the parser interface shared by both formats.
#include "scrape/parser.h"

#include "scrape/internal/lex.h"

namespace sundial::scrape {

void Parser::Labels(LabelsBuilder* builder) {
  static const sundial::Labels kEmpty;
  builder->Reset(kEmpty);
  builder->Set(kMetricNameLabel, metric_name_);
  for (const LabelSpan& l : labels_) {
    builder->Set(l.name, internal::UnescapeLabelValue(l.raw_value, &value_scratch_));
  }
}

}  // namespace sundial::scrape
