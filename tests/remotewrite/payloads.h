// Builders of remote write payloads for the tests (generated message classes + snappy) and a
// reader of what a Head holds.
#ifndef SUNDIAL_TESTS_REMOTEWRITE_PAYLOADS_H_
#define SUNDIAL_TESTS_REMOTEWRITE_PAYLOADS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/matcher.h"
#include "tsdb/exemplars/circular_storage.h"
#include "tsdb/head.h"

namespace sundial::remotewrite::testing {

inline constexpr std::string_view kV1ContentType = "application/x-protobuf";
inline constexpr std::string_view kV2ContentType =
    "application/x-protobuf;proto=io.prometheus.write.v2.Request";

struct TestSeries {
  std::vector<std::pair<std::string, std::string>> labels;  // sent in this order, as given
  std::vector<std::pair<int64_t, double>> samples;
};

// Serialized prometheus.WriteRequest (not compressed).
std::string EncodeV1(const std::vector<TestSeries>& series);
// Serialized io.prometheus.write.v2.Request with a symbols table starting with "".
std::string EncodeV2(const std::vector<TestSeries>& series);
std::string Snappy(std::string_view raw);

// Every float sample in the head, keyed by the series' Labels::ToString().
using HeadContents = std::map<std::string, std::vector<std::pair<int64_t, double>>>;
HeadContents ReadHead(tsdb::Head& head);

// Every exemplar in store of the series that match, as "series exemplar-labels value@ms".
std::vector<std::string> StoredExemplars(const tsdb::CircularExemplarStorage& store,
                                         const Matcher& series);

}  // namespace sundial::remotewrite::testing

#endif  // SUNDIAL_TESTS_REMOTEWRITE_PAYLOADS_H_
