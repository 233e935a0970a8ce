#include "promql/regex_cache.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "base/str_cat.h"

namespace sundial::promql {
namespace {

constexpr size_t kMaxEntries = 256;

struct Cache {
  absl::Mutex mu;
  absl::flat_hash_map<std::string, std::shared_ptr<const RE2>> by_pattern ABSL_GUARDED_BY(mu);
};

}  // namespace

std::shared_ptr<const RE2> LabelReplaceRegex(std::string_view pattern) {
  static Cache* const cache = new Cache;
  absl::MutexLock lock(&cache->mu);
  auto it = cache->by_pattern.find(AsAbsl(pattern));
  if (it != cache->by_pattern.end()) return it->second;
  RE2::Options opts;
  opts.set_dot_nl(true);
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(StrCat("^(?s:", pattern, ")$"), opts);
  if (cache->by_pattern.size() >= kMaxEntries) cache->by_pattern.clear();
  cache->by_pattern.emplace(std::string(pattern), re);
  return re;
}

}  // namespace sundial::promql
