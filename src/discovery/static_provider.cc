#include "discovery/static_provider.h"

#include <string>
#include <utility>

#include "base/str_cat.h"

namespace sundial::discovery {
namespace {

class StaticProvider final : public Provider {
 public:
  explicit StaticProvider(std::vector<config::StaticConfig> configs)
      : configs_(std::move(configs)) {}
  void Start(UpdateFn update) override { update(StaticGroups(configs_)); }
  void Stop() override {}

 private:
  const std::vector<config::StaticConfig> configs_;
};

}  // namespace

std::vector<TargetGroup> StaticGroups(const std::vector<config::StaticConfig>& configs) {
  std::vector<TargetGroup> groups;
  groups.reserve(configs.size());
  for (size_t i = 0; i < configs.size(); ++i) {
    TargetGroup g{.source = StrCat(i)};
    for (const std::string& address : configs[i].targets) {
      g.targets.push_back(Labels{{"__address__", address}});
    }
    LabelsBuilder b;
    for (const auto& [name, value] : configs[i].labels) b.Set(name, value);
    g.labels = b.Build();
    groups.push_back(std::move(g));
  }
  return groups;
}

std::unique_ptr<Provider> NewStaticProvider(std::vector<config::StaticConfig> configs) {
  return std::make_unique<StaticProvider>(std::move(configs));
}

}  // namespace sundial::discovery
