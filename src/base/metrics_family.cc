#include "base/metrics_family.h"

#include "base/metrics_fatal.h"
#include "base/str_cat.h"

namespace sundial::metrics {

FamilyBase::FamilyBase(std::string_view name, std::string_view help, MetricType type,
                       std::vector<std::string> label_names)
    : name_(name), help_(help), type_(type), label_names_(std::move(label_names)) {}

FamilySnapshot FamilyBase::EmptySnapshot() const {
  FamilySnapshot out;
  out.name = name_;
  out.help = help_;
  out.type = type_;
  out.label_names = label_names_;
  return out;
}

void FamilyBase::DieLabelCount(size_t got) const {
  internal::Fatal(
      StrCat(name_, ": got ", got, " label values for ", label_names_.size(), " label names"));
}

}  // namespace sundial::metrics
