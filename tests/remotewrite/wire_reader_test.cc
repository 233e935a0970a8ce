// WireReader accepts and rejects what protobuf's parser does for the shapes the receiver meets.
#include "remotewrite/internal/wire_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sundial::remotewrite {
namespace {

struct Field {
  int field;
  int wire_type;
  uint64_t number;
  std::string bytes;
};

// The fields of `message`, or nullopt-like {} with *ok false when malformed.
std::vector<Field> Read(std::string_view message, bool* ok) {
  std::vector<Field> out;
  WireReader r(message);
  while (r.Next()) {
    out.push_back({r.field(), r.wire_type(), r.number(),
                   r.wire_type() == WireReader::kLen ? std::string(r.bytes()) : ""});
  }
  *ok = r.ok();
  return out;
}

TEST(WireReaderTest, ReadsEveryWireType) {
  // 1: varint 300; 2: fixed64 1.5; 3: "hi"; 4: fixed32 7; 5: group {1: varint 1}.
  std::string m = "\x08\xac\x02";
  m += "\x11";
  m += std::string("\x00\x00\x00\x00\x00\x00\xf8\x3f", 8);
  m += "\x1a\x02hi";
  m += "\x25";
  m += std::string("\x07\x00\x00\x00", 4);
  m += "\x2b\x08\x01\x2c";
  bool ok;
  std::vector<Field> f = Read(m, &ok);
  ASSERT_TRUE(ok);
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0].number, 300u);
  EXPECT_EQ(f[1].wire_type, WireReader::kFixed64);
  EXPECT_EQ(f[2].bytes, "hi");
  EXPECT_EQ(f[3].number, 7u);
  EXPECT_EQ(f[4].field, 5);
  EXPECT_EQ(f[4].wire_type, WireReader::kStartGroup);
  WireReader r(std::string_view(m).substr(3, 9));
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.AsDouble(), 1.5);
  EXPECT_EQ(r.field_bytes().size(), 9u);
}

TEST(WireReaderTest, RejectsMalformedInput) {
  for (std::string_view bad : {
           std::string_view("\x08", 1),          // varint missing
           std::string_view("\x08\x80\x80", 3),  // varint cut
           std::string_view("\x0a\x05hi", 4),    // length past the end
           std::string_view("\x11\x01\x02", 3),  // fixed64 cut
           std::string_view("\x00\x01", 2),      // field 0
           std::string_view("\x0e\x01", 2),      // wire type 6
           std::string_view("\x0c", 1),          // group end without start
           std::string_view("\x0b\x08\x01", 3),  // group without end
           std::string_view("\x0b\x14", 2),      // group ended by another field number
           std::string_view("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12),  // 11 bytes
       }) {
    bool ok = true;
    Read(bad, &ok);
    EXPECT_FALSE(ok) << ::testing::PrintToString(std::string(bad));
  }
  bool ok;
  EXPECT_TRUE(Read("", &ok).empty());
  EXPECT_TRUE(ok);
}

TEST(WireReaderTest, PackedVarints) {
  EXPECT_TRUE(IsPackedVarints(""));
  EXPECT_TRUE(IsPackedVarints("\x01\xac\x02"));
  EXPECT_FALSE(IsPackedVarints("\x01\xac"));
  EXPECT_FALSE(IsPackedVarints(std::string(11, '\xff') + "\x01"));
}

}  // namespace
}  // namespace sundial::remotewrite
