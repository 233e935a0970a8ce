// WireReader: walks the fields of one protobuf message in place, for decoders that want views
// into the encoded bytes instead of generated message objects.
//
//   WireReader r(bytes);
//   while (r.Next()) {
//     if (r.field() == 1 && r.wire_type() == WireReader::kLen) Use(r.bytes());
//   }
//   if (!r.ok()) ...  // malformed
//
// Accepts what protobuf's parser accepts for a message: any field order, unknown fields and
// groups (skipped), non-minimal varints. Fails on a truncated field, a varint over 10 bytes, a
// field number 0 or over 2^29-1, wire types 6 and 7, and a group end without its start.
#ifndef SUNDIAL_REMOTEWRITE_INTERNAL_WIRE_READER_H_
#define SUNDIAL_REMOTEWRITE_INTERNAL_WIRE_READER_H_

#include <cstdint>
#include <string_view>

namespace sundial::remotewrite {

class WireReader {
 public:
  enum WireType { kVarint = 0, kFixed64 = 1, kLen = 2, kStartGroup = 3, kFixed32 = 5 };

  explicit WireReader(std::string_view message)
      : pos_(message.data()), end_(pos_ + message.size()) {}

  // Reads the next field with its value (a group is read whole). False at the end of the message
  // or on malformed input (then ok() is false).
  bool Next();
  bool ok() const { return ok_; }

  int field() const { return field_; }
  int wire_type() const { return wire_type_; }
  // The value of a kVarint, kFixed64 or kFixed32 field.
  uint64_t number() const { return number_; }
  // The payload of a kLen field (a view into the message).
  std::string_view bytes() const { return bytes_; }
  // number() of a kFixed64 field as the double it encodes.
  double AsDouble() const;
  // The whole encoded field, tag included.
  std::string_view field_bytes() const {
    return {field_start_, static_cast<size_t>(pos_ - field_start_)};
  }

 private:
  bool ReadVarint(uint64_t* v);
  // Reads one field's tag and value; sets field_, wire_type_ and the value.
  bool ReadField(int depth);

  const char* pos_;
  const char* end_;
  const char* field_start_ = pos_;
  bool ok_ = true;
  int field_ = 0;
  int wire_type_ = 0;
  uint64_t number_ = 0;
  std::string_view bytes_;
};

// True iff every element of a packed repeated varint field's payload is a complete varint.
bool IsPackedVarints(std::string_view payload);

}  // namespace sundial::remotewrite

#endif  // SUNDIAL_REMOTEWRITE_INTERNAL_WIRE_READER_H_
