#include "tsdb/db/wal_replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/file_system.h"
#include "base/str_cat.h"
#include "tsdb/db/db.h"
#include "tsdb/db/db_test_util.h"
#include "tsdb/exemplars/circular_storage.h"
#include "tsdb/wal/corruption.h"
#include "tsdb/wal/format.h"
#include "tsdb/wal/records.h"
#include "tsdb/wal/replay.h"
#include "tsdb/wal/segments.h"
#include "tsdb/wal/writer.h"

namespace sundial::tsdb {
namespace {

constexpr char kWal[] = "/data/wal";
constexpr int kSeries = 3000;
constexpr uint64_t kUnknownRef = 1'000'000;

Labels SeriesLabels(int k) { return Labels{{"__name__", StrCat("m", k % 7)}, {"i", StrCat(k)}}; }

// A WAL as a head's commits leave it, and worse: series records in batches and again later
// (new WAL refs for old labels, the same WAL ref once more), records of samples of many series
// that go back in time, repeat a timestamp with the same or another value, fall before the
// head's lower bound, or belong to no series record; series that never get a sample.
std::vector<std::string> MessyWal() {
  std::mt19937_64 rng(42);
  std::vector<std::string> records;
  std::vector<uint64_t> known;           // WAL refs with a series record so far
  std::map<uint64_t, Timestamp> last_t;  // per series
  std::map<uint64_t, double> last_v;
  auto series_record = [&](uint64_t first, uint64_t last, int label_offset) {
    std::vector<wal::RefSeries> s;
    for (uint64_t ref = first; ref <= last; ++ref) {
      s.push_back({ref, SeriesLabels(static_cast<int>(ref) - label_offset)});
      known.push_back(ref);
    }
    std::string rec;
    wal::EncodeSeries(s, &rec);
    records.push_back(std::move(rec));
  };
  series_record(1, kSeries / 2, 0);
  const Timestamp t0 = 10'000'000;
  for (int round = 0; round < 60; ++round) {
    if (round == 10) series_record(kSeries / 2 + 1, kSeries, 0);
    // WAL refs kSeries+1..kSeries+100 name series 1..100 again (a restarted Prometheus' refs).
    if (round == 20) series_record(kSeries + 1, kSeries + 100, kSeries);
    if (round == 30) series_record(5, 5, 0);
    std::vector<wal::RefSample> samples;
    for (int i = 0; i < 1000; ++i) {
      const uint64_t ref = known[rng() % known.size()];
      if (ref % 97 == 0) continue;                             // never sampled
      const uint64_t k = ref > kSeries ? ref - kSeries : ref;  // whose labels
      Timestamp& t = last_t.try_emplace(k, t0).first->second;
      double v = static_cast<double>(rng() % 1000);
      const int dice = static_cast<int>(rng() % 100);
      Timestamp ts = t + 1 + static_cast<Timestamp>(rng() % 15'000);
      if (dice < 5) {
        ts = t - static_cast<Timestamp>(rng() % 20'000);  // out of order
      } else if (dice < 8) {
        ts = t;  // duplicate: another value
      } else if (dice < 11) {
        ts = t;  // the same sample again: ignored
        v = last_v[k];
      } else if (dice < 12) {
        ts = 1;  // more than an hour behind the head: out of bounds
      } else if (dice < 13) {
        samples.push_back({kUnknownRef + rng() % 10, ts, v});
        continue;
      }
      if (ts > t) {
        t = ts;
        last_v[k] = v;
      }
      samples.push_back({ref, ts, v});
    }
    std::string rec;
    wal::EncodeSamples(samples, &rec);
    records.push_back(std::move(rec));
  }
  return records;
}

// What an appender-by-appender replay keeps: the model the parallel replay must equal.
struct Expected {
  Dump dump;
  int64_t samples = 0, rejected = 0, unknown = 0;
};

Expected Model(const std::vector<std::string>& records, int64_t chunk_range_ms) {
  Expected out;
  std::map<uint64_t, Labels> series;
  Timestamp head_max = INT64_MIN;
  for (const std::string& rec : records) {
    if (wal::GetRecordType(rec) == wal::RecordType::kSeries) {
      std::vector<wal::RefSeries> s;
      EXPECT_TRUE(wal::DecodeSeries(rec, &s).ok());
      for (const wal::RefSeries& r : s) series[r.ref] = r.labels;
      continue;
    }
    std::vector<wal::RefSample> samples;
    EXPECT_TRUE(wal::DecodeSamples(rec, &samples).ok());
    const Timestamp min_valid = head_max == INT64_MIN ? INT64_MIN : head_max - chunk_range_ms / 2;
    for (const wal::RefSample& s : samples) {
      ++out.samples;
      auto it = series.find(s.ref);
      if (it == series.end()) {
        ++out.unknown;
        continue;
      }
      if (s.t < min_valid) {
        ++out.rejected;
        continue;
      }
      std::vector<TestSample>& kept = out.dump[it->second.ToString()];
      if (!kept.empty() && s.t < kept.back().t) {
        ++out.rejected;
      } else if (!kept.empty() && s.t == kept.back().t) {
        if (std::bit_cast<uint64_t>(s.v) != std::bit_cast<uint64_t>(kept.back().v)) ++out.rejected;
      } else {
        kept.push_back({s.t, s.v});
        head_max = std::max(head_max, s.t);
      }
    }
  }
  std::erase_if(out.dump, [](const auto& kv) { return kv.second.empty(); });
  return out;
}

void WriteWal(FileSystem* fs, const std::vector<std::string>& records,
              int64_t segment_size = wal::kDefaultSegmentSize) {
  auto w = wal::Writer::Open(fs, kWal, {.segment_size = segment_size, .compress = true});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Log(records).ok());
  ASSERT_TRUE((*w)->Close().ok());
}

// Replays the WAL in fs into *head with `workers` workers, meeting `corruptions` corrupt records,
// and checks the result against the model: samples read and rejected, and the head's contents.
void ExpectReplaysAsModel(FileSystem* fs, const Expected& want, int workers, int corruptions,
                          Head* head) {
  absl::StatusOr<ReplayResult> r = ReplayWal(fs, kWal, head, nullptr, workers);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->corruptions, corruptions);
  EXPECT_EQ(r->samples, want.samples);
  EXPECT_EQ(r->rejected_samples, want.rejected);
  absl::StatusOr<Dump> got = ReadAll(*head);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got == want.dump);
}

TEST(ReplayWal, AnyWorkerCountGivesTheAppenderByAppenderHead) {
  const std::vector<std::string> records = MessyWal();
  MemFileSystem fs;
  WriteWal(&fs, records);
  const Expected want = Model(records, ChunkOptions().chunk_range_ms);
  ASSERT_GT(want.rejected, 1000);
  ASSERT_GT(want.unknown, 100);
  for (int workers : {1, 2, 5}) {
    SCOPED_TRACE(StrCat("workers=", workers));
    Head head;
    absl::StatusOr<ReplayResult> r = ReplayWal(&fs, kWal, &head, nullptr, workers);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->samples, want.samples);
    EXPECT_EQ(r->rejected_samples, want.rejected);
    EXPECT_EQ(r->unknown_ref_samples, want.unknown);
    EXPECT_EQ(r->max_wal_ref, uint64_t{kSeries + 100});
    absl::StatusOr<Dump> got = ReadAll(head);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->size(), want.dump.size());
    EXPECT_TRUE(*got == want.dump);
    EXPECT_EQ(head.NumSeries(), want.dump.size());
    // The WAL refs a restarted log keeps writing under: the last one mapped per series, the
    // earlier ones as aliases (series 1..100 were named again by kSeries+1..kSeries+100).
    size_t aliased = 0;
    for (const auto& [head_ref, e] : r->entries) {
      EXPECT_NE(e.wal_ref, 0u);
      EXPECT_NE(e.max_t, INT64_MIN);
      if (e.wal_ref > kSeries) ++aliased;
    }
    EXPECT_GT(aliased, 50u);
    EXPECT_GT(r->aliases.size(), 50u);
  }
}

// Records as a head's commits leave them: every series record first, then rounds of samples in
// ascending ref order (each record one ascending run of every block), some out of order,
// duplicated or missing.
std::vector<std::string> OrderedWal(int rounds) {
  std::mt19937_64 rng(7);
  std::vector<std::string> records(1);
  std::vector<wal::RefSeries> series;
  for (int ref = 1; ref <= kSeries; ++ref) {
    series.push_back({static_cast<uint64_t>(ref), SeriesLabels(ref)});
  }
  wal::EncodeSeries(series, &records[0]);
  for (int round = 0; round < rounds; ++round) {
    std::vector<wal::RefSample> samples;
    for (uint64_t ref = 1; ref <= kSeries; ++ref) {
      // Round 0 creates the series in ref order, so head refs ascend with WAL refs.
      const int dice = round == 0 ? 99 : static_cast<int>(rng() % 100);
      if (dice < 10) continue;
      Timestamp t = 10'000'000 + Timestamp{round} * 15'000;
      if (dice < 15) t -= 30'000;  // out of order
      if (dice < 20) t -= 15'000;  // the previous round's time: ignored or duplicate
      samples.push_back({ref, t, static_cast<double>(dice < 18 ? round - 1 : rng() % 1000)});
    }
    records.emplace_back();
    wal::EncodeSamples(samples, &records.back());
  }
  return records;
}

TEST(ReplayWal, RecordsInRefOrderGiveTheAppenderByAppenderHead) {
  // A worker's batch holds every record: sorted by series, each series' samples keep their order.
  for (int rounds : {20, 70}) {
    const std::vector<std::string> records = OrderedWal(rounds);
    MemFileSystem fs;
    WriteWal(&fs, records);
    const Expected want = Model(records, ChunkOptions().chunk_range_ms);
    ASSERT_GT(want.rejected, 1000);
    for (int workers : {1, 3}) {
      SCOPED_TRACE(StrCat("rounds=", rounds, " workers=", workers));
      Head head;
      absl::StatusOr<ReplayResult> r = ReplayWal(&fs, kWal, &head, nullptr, workers);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->samples, want.samples);
      EXPECT_EQ(r->rejected_samples, want.rejected);
      absl::StatusOr<Dump> got = ReadAll(head);
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(got->size(), want.dump.size());
      EXPECT_TRUE(*got == want.dump);
    }
  }
}

TEST(ReplayWal, OutOfOrderWindowHeadIsTheSameForAnyWorkerCount) {
  const std::vector<std::string> records = MessyWal();
  MemFileSystem fs;
  WriteWal(&fs, records);
  Dump first;
  int64_t first_rejected = -1;
  for (int workers : {1, 4}) {
    HeadOptions options;
    options.out_of_order_window_ms = 10'000;
    Head head(options);
    absl::StatusOr<ReplayResult> r = ReplayWal(&fs, kWal, &head, nullptr, workers);
    ASSERT_TRUE(r.ok()) << r.status();
    absl::StatusOr<Dump> got = ReadAll(head);
    ASSERT_TRUE(got.ok());
    if (first_rejected < 0) {
      first = *got;
      first_rejected = r->rejected_samples;
      continue;
    }
    EXPECT_EQ(r->rejected_samples, first_rejected);
    EXPECT_TRUE(*got == first);
  }
  EXPECT_GT(first_rejected, 0);
}

// The workers create the series: head refs still follow the order of the first samples (here
// the reverse of the WAL refs) whatever the worker count, as one thread creating them would
// number them; the index lists every series in ref order; an exemplar logged right after its
// series' first sample finds the series.
TEST(ReplayWal, SeriesCreatedByWorkersAreNumberedAndIndexedAsByOneThread) {
  std::vector<std::string> records(4);
  std::vector<wal::RefSeries> series;
  for (int k = 1; k <= kSeries; ++k) series.push_back({static_cast<uint64_t>(k), SeriesLabels(k)});
  wal::EncodeSeries(series, &records[0]);
  const Timestamp t0 = 10'000'000;
  std::vector<wal::RefSample> samples;
  for (uint64_t ref = kSeries; ref >= 1; --ref) samples.push_back({ref, t0, 1});
  wal::EncodeSamples(samples, &records[1]);
  std::vector<wal::RefExemplar> exemplars;
  for (uint64_t ref = 1; ref <= 10; ++ref) {
    exemplars.push_back({ref, t0, 2, Labels{{"trace_id", StrCat(ref)}}});
  }
  wal::EncodeExemplars(exemplars, &records[2]);
  for (wal::RefSample& s : samples) s.t += 15'000;
  wal::EncodeSamples(samples, &records[3]);
  MemFileSystem fs;
  WriteWal(&fs, records);
  absl::StatusOr<Matcher> all = Matcher::Create(MatchType::kRegexp, "__name__", "m.*");
  ASSERT_TRUE(all.ok());
  for (int workers : {1, 2, 5}) {
    SCOPED_TRACE(StrCat("workers=", workers));
    CircularExemplarStorage stored(100);
    HeadOptions options;
    options.exemplars = &stored;
    Head head(options);
    absl::StatusOr<ReplayResult> r = ReplayWal(&fs, kWal, &head, nullptr, workers);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->rejected_samples, 0);
    EXPECT_EQ(r->rejected_exemplars, 0);
    const std::vector<std::pair<SeriesRef, Labels>> got = head.SeriesMatching({&*all, 1});
    ASSERT_EQ(got.size(), size_t{kSeries});
    for (size_t i = 0; i < got.size(); ++i) {
      // In ref order, and the series of WAL ref k (labels k) got head ref kSeries + 1 - k.
      EXPECT_EQ(got[i].first, i + 1);
      EXPECT_EQ(got[i].second, SeriesLabels(static_cast<int>(kSeries - i)));
    }
    const std::vector<std::vector<Matcher>> sets = {{*all}};
    size_t found = 0;
    for (const ExemplarQueryResult& e : stored.Select(t0, t0, sets)) {
      found += e.exemplars.size();
    }
    EXPECT_EQ(found, 10u);
    absl::StatusOr<Dump> dump = ReadAll(head);
    ASSERT_TRUE(dump.ok());
    EXPECT_EQ(dump->size(), size_t{kSeries});
  }
}

// The index a replay builds lists every series under each of its labels, in ref order, whatever
// the worker count; and still does once an appender adds series after the replay, with new
// values and with values of replayed series.
TEST(ReplayWal, IndexListsEverySeriesUnderEachOfItsLabelsBeforeAndAfterAppends) {
  const std::vector<std::string> records = MessyWal();
  MemFileSystem fs;
  WriteWal(&fs, records);
  absl::StatusOr<Matcher> all = Matcher::Create(MatchType::kRegexp, "__name__", ".+");
  ASSERT_TRUE(all.ok());
  for (int workers : {1, 2, 5}) {
    SCOPED_TRACE(StrCat("workers=", workers));
    Head head;
    ASSERT_TRUE(ReplayWal(&fs, kWal, &head, nullptr, workers).ok());
    auto expect_index_matches_series = [&](size_t want_series) {
      const std::vector<std::pair<SeriesRef, Labels>> series = head.SeriesMatching({&*all, 1});
      ASSERT_EQ(series.size(), want_series);
      ASSERT_EQ(head.NumSeries(), want_series);
      std::map<std::pair<std::string, std::string>, std::vector<SeriesRef>> want;
      for (const auto& [ref, labels] : series) {
        for (const Label& l : labels) {
          want[{std::string(l.name), std::string(l.value)}].push_back(ref);
        }
      }
      for (const auto& [pair, refs] : want) {
        absl::StatusOr<Matcher> m = Matcher::Create(MatchType::kEqual, pair.first, pair.second);
        ASSERT_TRUE(m.ok());
        std::vector<SeriesRef> got;
        for (const auto& [ref, labels] : head.SeriesMatching({&*m, 1})) got.push_back(ref);
        ASSERT_EQ(got, refs) << pair.first << "=" << pair.second;
      }
    };
    const size_t replayed = head.NumSeries();
    ASSERT_GT(replayed, size_t{kSeries / 2});
    expect_index_matches_series(replayed);
    std::unique_ptr<Appender> app = head.NewAppender();
    for (int k = kSeries + 1; k <= kSeries + 300; ++k) {
      ASSERT_TRUE(app->Append(0, SeriesLabels(k), 1'000'000'000, 1).ok());
    }
    ASSERT_TRUE(app->Commit().ok());
    expect_index_matches_series(replayed + 300);
  }
}

TEST(ReplayWal, RestartedDbHoldsExactlyWhatItHeld) {
  MemFileSystem fs;
  DbOptions options;
  options.dir = "/data";
  options.wal_segment_size = 4 * wal::kPageSize;  // many segments
  Dump before;
  {
    absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, &fs);
    ASSERT_TRUE(db.ok()) << db.status();
    std::mt19937_64 rng(7);
    for (int round = 0; round < 20; ++round) {
      std::unique_ptr<Appender> app = (*db)->NewAppender();
      for (int k = 0; k < 5000; ++k) {
        const Timestamp t = round * 15'000 + static_cast<Timestamp>(rng() % 1000);
        (void)app->Append(0, SeriesLabels(k), t, static_cast<double>(rng() % 100)).ok();
      }
      ASSERT_TRUE(app->Commit().ok());
    }
    absl::StatusOr<Dump> dump = ReadAll(**db);
    ASSERT_TRUE(dump.ok());
    before = *dump;
  }
  absl::StatusOr<std::unique_ptr<DB>> db = DB::Open(options, &fs);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->replay_stats().samples, 100'000);
  EXPECT_EQ((*db)->replay_stats().rejected_samples, 0);
  absl::StatusOr<Dump> after = ReadAll(**db);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 5000u);
  EXPECT_TRUE(*after == before);
}

// The records a sequential wal::Replayer reads from dir before it stops, and its status.
std::vector<std::string> SequentialRecords(FileSystem* fs, absl::Status* status) {
  std::vector<std::string> out;
  absl::StatusOr<std::unique_ptr<wal::Replayer>> r = wal::Replayer::Open(fs, kWal);
  EXPECT_TRUE(r.ok());
  while ((*r)->Next()) out.emplace_back((*r)->raw());
  *status = (*r)->status();
  return out;
}

TEST(ReplayWal, ManySegmentsGiveTheHeadOfTheSequentialRecords) {
  const std::vector<std::string> records = MessyWal();
  MemFileSystem fs;
  WriteWal(&fs, records, 2 * wal::kPageSize);
  absl::StatusOr<std::vector<int>> segments = wal::ListSegments(&fs, kWal);
  ASSERT_TRUE(segments.ok());
  ASSERT_GT(segments->size(), 5u);
  absl::Status status;
  ASSERT_EQ(SequentialRecords(&fs, &status), records);
  ASSERT_TRUE(status.ok());

  const Expected want = Model(records, ChunkOptions().chunk_range_ms);
  for (int workers : {1, 3}) {
    SCOPED_TRACE(StrCat("workers=", workers));
    Head head;
    ExpectReplaysAsModel(&fs, want, workers, 0, &head);
  }
}

TEST(ReplayWal, CorruptionInAMiddleSegmentKeepsTheRecordsBeforeIt) {
  const std::vector<std::string> records = OrderedWal(70);
  MemFileSystem fs;
  WriteWal(&fs, records, 4 * wal::kPageSize);
  absl::StatusOr<std::vector<int>> segments = wal::ListSegments(&fs, kWal);
  ASSERT_TRUE(segments.ok());
  ASSERT_GT(segments->size(), 6u);
  const int middle = (*segments)[segments->size() / 2];
  const std::string path = wal::SegmentPath(kWal, middle);
  std::string bytes = *fs.Contents(path);
  bytes[bytes.size() / 2] ^= 0x40;
  ASSERT_TRUE(fs.SetContents(path, bytes).ok());

  absl::Status status;
  const std::vector<std::string> good = SequentialRecords(&fs, &status);
  std::optional<wal::Corruption> c = wal::GetCorruption(status);
  ASSERT_TRUE(c.has_value()) << status;
  ASSERT_EQ(c->segment, middle);
  ASSERT_GT(good.size(), 1u);
  ASSERT_LT(good.size(), records.size() - 2);

  const Expected want = Model(good, ChunkOptions().chunk_range_ms);
  Head head;
  ExpectReplaysAsModel(&fs, want, 2, 1, &head);
  // Repaired: the log ends at the last good record, and replays without corruption.
  segments = wal::ListSegments(&fs, kWal);
  ASSERT_TRUE(segments.ok());
  EXPECT_EQ(segments->back(), middle);
  EXPECT_EQ(SequentialRecords(&fs, &status), good);
  EXPECT_TRUE(status.ok()) << status;
  Head again;
  ExpectReplaysAsModel(&fs, want, 2, 0, &again);
}

// A samples record that decodes half-way (its CRC is fine: written so) adds none of its samples,
// whether all its refs are mapped (applied as decoded, then undone) or one is new in its middle
// (decoded from there on before its series is created), and the repair truncates the log there.
TEST(ReplayWal, MalformedSamplesRecordAddsNoneOfItsSamples) {
  for (const bool new_series : {false, true}) {
    SCOPED_TRACE(new_series ? "a new series in the middle" : "mapped refs only");
    std::vector<std::string> records = OrderedWal(6);
    const uint64_t new_ref = kSeries + 1;
    records.emplace_back();
    wal::EncodeSeries(std::vector<wal::RefSeries>{{new_ref, SeriesLabels(kSeries + 1)}},
                      &records.back());
    const std::vector<std::string> good = records;
    std::vector<wal::RefSample> samples;
    for (uint64_t ref = 1; ref <= kSeries; ++ref) {
      samples.push_back({ref, 20'000'000, 1.5});
      if (new_series && ref == kSeries / 2) samples.push_back({new_ref, 20'000'000, 2.5});
    }
    std::string bad;
    wal::EncodeSamples(samples, &bad);
    bad.resize(bad.size() - 3);  // the last sample's value is cut
    records.push_back(bad);
    records.push_back(good[2]);  // after the damage: dropped by the repair

    MemFileSystem fs;
    WriteWal(&fs, records);
    const Expected want = Model(good, ChunkOptions().chunk_range_ms);
    Head head;
    ExpectReplaysAsModel(&fs, want, 2, 1, &head);
    EXPECT_EQ(head.NumSeries(), static_cast<size_t>(kSeries));
    absl::Status status;
    EXPECT_EQ(SequentialRecords(&fs, &status), good);
    EXPECT_TRUE(status.ok()) << status;
  }
}

// A samples record too large for the workers' batches to hold (a million samples and more) is
// decoded whole first, then applied as the head would take it.
TEST(ReplayWal, RecordLargerThanABatchGivesTheAppenderByAppenderHead) {
  std::vector<std::string> records = OrderedWal(2);
  std::vector<wal::RefSample> samples;
  for (int round = 0; round < 350; ++round) {
    for (uint64_t ref = 1; ref <= kSeries; ++ref) {
      samples.push_back({ref, 20'000'000 + Timestamp{round} * 1'000, static_cast<double>(round)});
    }
  }
  records.emplace_back();
  wal::EncodeSamples(samples, &records.back());
  ASSERT_GT(records.back().size(), size_t{12} << 20);  // over 2^20 samples of 10 bytes
  MemFileSystem fs;
  WriteWal(&fs, records);
  const Expected want = Model(records, ChunkOptions().chunk_range_ms);
  Head head;
  ExpectReplaysAsModel(&fs, want, 2, 0, &head);
}

}  // namespace
}  // namespace sundial::tsdb
