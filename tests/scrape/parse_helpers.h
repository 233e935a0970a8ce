// Test helper: runs a parser to the end and renders every entry as one line of text.
#ifndef SUNDIAL_TESTS_SCRAPE_PARSE_HELPERS_H_
#define SUNDIAL_TESTS_SCRAPE_PARSE_HELPERS_H_

#include <string>
#include <vector>

#include "base/str_cat.h"
#include "scrape/parser.h"

namespace sundial::scrape {

// "series <raw> <labels> <value> [@<ts>] [ct=<ms>] [ex=<labels> <value> [@<ts>]]",
// "help <name> <text>", "type <name> <type>", "unit <name> <unit>", "comment <text>";
// an error ends the list as "error: <message>".
inline std::vector<std::string> Render(Parser& p) {
  std::vector<std::string> out;
  LabelsBuilder b;
  for (int guard = 0; guard < 100000; ++guard) {
    absl::StatusOr<Entry> e = p.Next();
    if (!e.ok()) {
      out.push_back(StrCat("error: ", e.status().message()));
      break;
    }
    if (*e == Entry::kEof) break;
    switch (*e) {
      case Entry::kSeries: {
        p.Labels(&b);
        std::string s = StrCat("series ", p.Series(), " ", b.Build().ToString(), " ", p.Value());
        if (p.Timestamp()) StrAppend(&s, " @", *p.Timestamp());
        if (auto ct = p.CreatedTimestamp()) StrAppend(&s, " ct=", *ct);
        Exemplar ex;
        if (p.Exemplar(&ex)) {
          StrAppend(&s, " ex=", ex.labels.ToString(), " ", ex.value);
          if (ex.timestamp_ms) StrAppend(&s, " @", *ex.timestamp_ms);
        }
        out.push_back(s);
        break;
      }
      case Entry::kHelp:
        out.push_back(StrCat("help ", p.MetadataName(), " ", p.Help()));
        break;
      case Entry::kType:
        out.push_back(StrCat("type ", p.MetadataName(), " ", MetricTypeName(p.Type())));
        break;
      case Entry::kUnit:
        out.push_back(StrCat("unit ", p.MetadataName(), " ", p.Unit()));
        break;
      case Entry::kComment:
        out.push_back(StrCat("comment ", p.Comment()));
        break;
      case Entry::kEof:
        break;
    }
  }
  return out;
}

// The error message of the first failing Next(), or "" if the body parses.
inline std::string FirstError(Parser& p) {
  std::vector<std::string> r = Render(p);
  if (!r.empty() && r.back().starts_with("error: ")) return r.back().substr(7);
  return "";
}

}  // namespace sundial::scrape

#endif  // SUNDIAL_TESTS_SCRAPE_PARSE_HELPERS_H_
