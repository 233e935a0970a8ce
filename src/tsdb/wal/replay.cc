#include "tsdb/wal/replay.h"

#include <utility>

#include "base/status_macros.h"
#include "base/str_cat.h"
#include "tsdb/wal/corruption.h"

namespace sundial::tsdb::wal {

absl::StatusOr<std::unique_ptr<Replayer>> Replayer::Open(FileSystem* fs, std::string dir) {
  std::unique_ptr<Replayer> r(new Replayer(fs, std::move(dir)));
  ASSIGN_OR_RETURN(r->checkpoint_, LastCheckpoint(fs, r->dir_));
  if (r->checkpoint_) {
    ASSIGN_OR_RETURN(r->reader_, Reader::Open(fs, r->checkpoint_->path));
    r->in_checkpoint_ = true;
  } else {
    ASSIGN_OR_RETURN(r->reader_, Reader::Open(fs, r->dir_));
  }
  return r;
}

bool Replayer::Next() {
  if (!status_.ok()) return false;
  while (!reader_->Next()) {
    if (!reader_->status().ok()) {
      status_ = reader_->status();
      return false;
    }
    if (!in_checkpoint_) return false;
    absl::StatusOr<std::unique_ptr<Reader>> next = Reader::Open(fs_, dir_, checkpoint_->index + 1);
    if (!next.ok()) {
      status_ = next.status();
      return false;
    }
    reader_ = *std::move(next);
    in_checkpoint_ = false;
  }
  status_ = Decode();
  return status_.ok();
}

absl::Status Replayer::Decode() {
  type_ = GetRecordType(reader_->record());
  ++counts_[static_cast<uint8_t>(type_)];
  const std::string_view rec = reader_->record();
  absl::Status s;
  switch (type_) {
    case RecordType::kSeries:
      series_.clear();
      s = DecodeSeries(rec, &series_);
      break;
    case RecordType::kSamples:
      if (!decode_samples_) break;
      samples_.clear();
      s = wal::DecodeSamples(rec, &samples_);
      break;
    case RecordType::kTombstones:
      tombstones_.clear();
      s = DecodeTombstones(rec, &tombstones_);
      break;
    case RecordType::kExemplars:
      exemplars_.clear();
      s = DecodeExemplars(rec, &exemplars_);
      break;
    case RecordType::kMmapMarkers:
      mmap_markers_.clear();
      s = DecodeMmapMarkers(rec, &mmap_markers_);
      break;
    case RecordType::kMetadata:
      metadata_.clear();
      s = DecodeMetadata(rec, &metadata_);
      break;
    case RecordType::kHistogramSamples:
    case RecordType::kFloatHistogramSamples:
    case RecordType::kUnknown:
      break;
  }
  return s.ok() ? s : Corrupt(s);
}

bool Replayer::DecodeSamples() {
  samples_.clear();
  if (absl::Status s = wal::DecodeSamples(reader_->record(), &samples_); !s.ok()) {
    status_ = Corrupt(s);
    return false;
  }
  return true;
}

absl::Status Replayer::Corrupt(const absl::Status& s) const {
  return CorruptionError(reader_->dir(), reader_->segment(), reader_->offset(),
                         StrCat("decode: ", AsStd(s.message())));
}

}  // namespace sundial::tsdb::wal
