// Relabeling with the semantics of Prometheus' model/relabel (3.x behaviour, legacy label name
// charset): each rule sees the result of the previous one; keep/drop/keepequal/dropequal can drop
// the whole set.
//
//   LabelsBuilder b(target_labels);
//   if (!Relabel(cfg.relabel_configs, &b)) return;  // dropped
//   Labels out = b.Build();
#ifndef SUNDIAL_SCRAPE_RELABEL_H_
#define SUNDIAL_SCRAPE_RELABEL_H_

#include <span>
#include <string>
#include <string_view>

#include "config/relabel_config.h"
#include "model/labels.h"

namespace sundial::scrape {

// Applies the rules in order to *labels. Returns false iff a rule dropped the set; *labels is
// then unspecified. Rules are assumed valid (config validation ran).
//   replace:   join source values with separator; if regex matches, expand target_label and
//              replacement ($1, ${1}, $name, ${name}, $$ as Go's regexp.Expand); an invalid
//              target name leaves the set unchanged; an empty result deletes the target.
//   hashmod:   target = (big-endian uint64 of md5(joined)[8:16]) % modulus.
//   labelmap:  for every label whose name matches, copy its value to the expanded replacement.
//   lowercase/uppercase: target = joined value with ASCII letters case-mapped.
bool Relabel(std::span<const config::RelabelConfig> rules, LabelsBuilder* labels);

// Go's regexp.Expand: template with $1, ${1}, $name, ${name}, $$ resolved against the submatches
// of regex (groups[i] is group i, groups[0] the whole match). Appends to *out. Exposed for tests.
void ExpandTemplate(const config::RelabelRegex& regex, std::string_view tmpl,
                    std::span<const std::string_view> groups, std::string* out);

}  // namespace sundial::scrape

#endif  // SUNDIAL_SCRAPE_RELABEL_H_
