#include "tsdb/head_chunks/format.h"

#include <cstdio>

#include "base/big_endian.h"
#include "base/byte_reader.h"
#include "base/crc32c.h"
#include "base/str_cat.h"
#include "base/varint.h"

namespace sundial::tsdb::head_chunks {

std::string FileHeader() {
  std::string h;
  AppendBigEndian32(&h, kMagic);
  h.push_back(static_cast<char>(kVersion));
  h.append(3, '\0');
  return h;
}

std::string FileName(uint32_t seq) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%06u", seq);
  return buf;
}

size_t RecordSize(size_t data_size) {
  size_t varint = 1;
  for (uint64_t v = data_size; v >= 0x80; v >>= 7) ++varint;
  return 8 + 8 + 8 + 1 + varint + data_size + 4;
}

void AppendChunkRecord(uint64_t series_ref, Timestamp mint, Timestamp maxt, uint8_t encoding,
                       std::string_view data, std::string* out) {
  const size_t start = out->size();
  AppendBigEndian64(out, series_ref);
  AppendBigEndian64(out, static_cast<uint64_t>(mint));
  AppendBigEndian64(out, static_cast<uint64_t>(maxt));
  out->push_back(static_cast<char>(encoding));
  PutUvarint(out, data.size());
  out->append(data);
  AppendBigEndian32(out, Crc32c(std::string_view(*out).substr(start)));
}

absl::Status ParseChunkRecord(std::string_view b, ChunkRecord* out, size_t* size) {
  ByteReader d(b);
  out->series_ref = d.BigEndian64();
  out->mint = static_cast<Timestamp>(d.BigEndian64());
  out->maxt = static_cast<Timestamp>(d.BigEndian64());
  out->encoding = d.Byte();
  const uint64_t len = d.Uvarint();
  if (!d.ok()) return absl::DataLossError("head chunk record: truncated header");
  if (len > d.remaining() || d.remaining() - len < 4) {
    return absl::DataLossError(
        StrCat("head chunk record: ", len, " data bytes and CRC past the end of the file"));
  }
  out->data = d.Bytes(len);
  const size_t body = b.size() - d.remaining();
  const uint32_t want = d.BigEndian32();
  if (Crc32c(b.substr(0, body)) != want) {
    return absl::DataLossError("head chunk record: CRC32 mismatch");
  }
  const auto* u = reinterpret_cast<const unsigned char*>(out->data.data());
  out->num_samples = len >= 2 ? (u[0] << 8) | u[1] : 0;
  *size = body + 4;
  return absl::OkStatus();
}

absl::Status CheckFileHeader(std::string_view b) {
  if (b.size() < kFileHeaderSize) return absl::DataLossError("head chunk file: short header");
  if (LoadBigEndian32(b.data()) != kMagic) {
    return absl::DataLossError(
        StrCat("head chunk file: invalid magic number ", LoadBigEndian32(b.data())));
  }
  if (static_cast<uint8_t>(b[4]) != kVersion) {
    return absl::DataLossError(StrCat("head chunk file: invalid version ", static_cast<int>(b[4])));
  }
  return absl::OkStatus();
}

}  // namespace sundial::tsdb::head_chunks
