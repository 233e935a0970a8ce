#include "remotewrite/internal/wire_reader.h"

#include <cstring>

namespace sundial::remotewrite {
namespace {

// Protobuf's default recursion limit, which also bounds nested unknown groups.
constexpr int kMaxGroupDepth = 100;
constexpr uint64_t kMaxFieldNumber = (1u << 29) - 1;
constexpr int kEndGroup = 4;

}  // namespace

bool WireReader::ReadVarint(uint64_t* v) {
  uint64_t out = 0;
  for (int shift = 0; shift < 70 && pos_ < end_; shift += 7) {
    const uint8_t b = static_cast<uint8_t>(*pos_++);
    out |= static_cast<uint64_t>(b & 0x7f) << (shift < 64 ? shift : 0);
    if ((b & 0x80) == 0) {
      *v = out;
      return true;
    }
  }
  return false;  // truncated or over 10 bytes
}

bool WireReader::ReadField(int depth) {
  uint64_t tag;
  if (!ReadVarint(&tag) || tag > (kMaxFieldNumber << 3 | 7)) return false;
  field_ = static_cast<int>(tag >> 3);
  wire_type_ = static_cast<int>(tag & 7);
  if (field_ == 0) return false;
  switch (wire_type_) {
    case kVarint:
      return ReadVarint(&number_);
    case kFixed64:
    case kFixed32: {
      const size_t n = wire_type_ == kFixed64 ? 8 : 4;
      if (static_cast<size_t>(end_ - pos_) < n) return false;
      number_ = 0;
      std::memcpy(&number_, pos_, n);  // little-endian host
      pos_ += n;
      return true;
    }
    case kLen: {
      uint64_t n;
      if (!ReadVarint(&n) || n > static_cast<uint64_t>(end_ - pos_)) return false;
      bytes_ = std::string_view(pos_, n);
      pos_ += n;
      return true;
    }
    case kStartGroup: {
      if (depth >= kMaxGroupDepth) return false;
      const int group = field_;
      while (pos_ < end_) {
        if (!ReadField(depth + 1)) return false;
        if (wire_type_ == kEndGroup) {
          if (field_ != group) return false;
          field_ = group;
          wire_type_ = kStartGroup;
          return true;
        }
      }
      return false;  // no end
    }
    case kEndGroup:
      return depth > 0;  // only inside a group
    default:
      return false;
  }
}

bool WireReader::Next() {
  if (!ok_ || pos_ >= end_) return false;
  field_start_ = pos_;
  ok_ = ReadField(0);
  return ok_;
}

double WireReader::AsDouble() const {
  double d;
  std::memcpy(&d, &number_, sizeof d);
  return d;
}

bool IsPackedVarints(std::string_view payload) {
  int length = 0;  // bytes of the current varint so far
  for (char c : payload) {
    if (++length > 10) return false;
    if ((static_cast<uint8_t>(c) & 0x80) == 0) length = 0;
  }
  return length == 0;
}

}  // namespace sundial::remotewrite
