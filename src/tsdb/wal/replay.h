// Replayer: the typed records of a WAL directory in replay order, for the head on startup:
// the last checkpoint first, then the segments after it.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Replayer> r, Replayer::Open(fs, "data/wal"));
//   while (r->Next()) {
//     switch (r->type()) {
//       case RecordType::kSeries:  for (const RefSeries& s : r->series()) ...; break;
//       case RecordType::kSamples: for (const RefSample& s : r->samples()) ...; break;
//       default: break;   // r->raw() holds records this version does not decode
//     }
//   }
//   if (std::optional<Corruption> c = GetCorruption(r->status())) ... Repair(fs, *c) ...
//
// The decoded vectors are reused from record to record (no allocation per record once warm).
// A record that fails to decode is reported as a CorruptionError at its position.
// Not thread-safe.
#ifndef SUNDIAL_TSDB_WAL_REPLAY_H_
#define SUNDIAL_TSDB_WAL_REPLAY_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/file_system.h"
#include "tsdb/wal/checkpoint.h"
#include "tsdb/wal/reader.h"
#include "tsdb/wal/records.h"

namespace sundial::tsdb::wal {

class Replayer {
 public:
  // fs must outlive the Replayer.
  static absl::StatusOr<std::unique_ptr<Replayer>> Open(FileSystem* fs, std::string dir);

  // Advances to the next record; false at the end or on error (see status()).
  bool Next();
  const absl::Status& status() const { return status_; }

  // REQUIRES: the last Next() returned true. The accessor matching type() holds the decoded
  // entries; views and references are valid until the next Next().
  RecordType type() const { return type_; }
  std::string_view raw() const { return reader_->record(); }
  const std::vector<RefSeries>& series() const { return series_; }
  // The same entries, whose labels the caller may move out.
  std::vector<RefSeries>& mutable_series() { return series_; }
  const std::vector<RefSample>& samples() const { return samples_; }
  // Whether Next() decodes samples records into samples() (the default). Without, the caller
  // reads raw() itself (SamplesReader) and calls DecodeSamples() for the records it wants
  // decoded here, or reported: one that applies samples as it reads them, and undoes them when
  // the record turns out malformed.
  void set_decode_samples(bool decode) { decode_samples_ = decode; }
  // Decodes the current samples record into samples(); false if it is malformed, status() then
  // being the CorruptionError Next() would have returned (and the next Next() false).
  bool DecodeSamples();
  const std::vector<Stone>& tombstones() const { return tombstones_; }
  const std::vector<RefExemplar>& exemplars() const { return exemplars_; }
  const std::vector<RefMmapMarker>& mmap_markers() const { return mmap_markers_; }
  const std::vector<RefMetadata>& metadata() const { return metadata_; }

  // Records read so far (checkpoint and segments) whose type byte is `type`; kUnknown counts
  // every type byte this version does not know, and empty records. For logging what a replay
  // skipped: a Prometheus WAL may hold records the caller does not apply (histograms, metadata,
  // mmap markers of chunks in chunks_head/).
  int64_t records(RecordType type) const { return counts_[static_cast<uint8_t>(type)]; }

  // The checkpoint replayed first, if any.
  const std::optional<CheckpointRef>& checkpoint() const { return checkpoint_; }
  // Whether the current record comes from the checkpoint, and its position.
  bool in_checkpoint() const { return in_checkpoint_; }
  int segment() const { return reader_->segment(); }
  int64_t offset() const { return reader_->offset(); }

 private:
  Replayer(FileSystem* fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}
  absl::Status Decode();
  // s, a decoding error of the current record, as a CorruptionError at its position.
  absl::Status Corrupt(const absl::Status& s) const;

  FileSystem* const fs_;
  const std::string dir_;
  std::optional<CheckpointRef> checkpoint_;
  std::unique_ptr<Reader> reader_;
  bool in_checkpoint_ = false;
  bool decode_samples_ = true;
  absl::Status status_;

  RecordType type_ = RecordType::kUnknown;
  std::array<int64_t, 256> counts_ = {};
  std::vector<RefSeries> series_;
  std::vector<RefSample> samples_;
  std::vector<Stone> tombstones_;
  std::vector<RefExemplar> exemplars_;
  std::vector<RefMmapMarker> mmap_markers_;
  std::vector<RefMetadata> metadata_;
};

}  // namespace sundial::tsdb::wal

#endif  // SUNDIAL_TSDB_WAL_REPLAY_H_
