#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace sundial {
namespace {

using crc32c_internal::ExtendHardware;
using crc32c_internal::ExtendPortable;
using crc32c_internal::HasHardwareCrc32c;

// Check values from RFC 3720 (iSCSI), appendix B.4, and the CRC catalogue.
TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(Crc32c(""), 0x00000000u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c("a"), 0xC1D04330u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
}

TEST(Crc32c, ExtendEqualsWhole) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7 + 3));
  const uint32_t whole = Crc32c(data);
  for (size_t split : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    uint32_t a = Crc32c(std::string_view(data).substr(0, split));
    EXPECT_EQ(Crc32cExtend(a, data.data() + split, data.size() - split), whole) << split;
  }
}

TEST(Crc32c, BothImplementationsAgreeOnAllLengthsAndAlignments) {
  std::string data(70000, '\0');
  uint32_t x = 12345;
  for (char& c : data) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 16);
  }
  EXPECT_EQ(ExtendPortable(0, "123456789", 9), 0xE3069283u);
  if (!HasHardwareCrc32c()) GTEST_SKIP() << "no SSE4.2 on this CPU";
  EXPECT_EQ(ExtendHardware(0, "123456789", 9), 0xE3069283u);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t len : {0, 1, 3, 7, 8, 15, 16, 17, 63, 64, 255, 4096, 32768, 69000}) {
      EXPECT_EQ(ExtendHardware(0, data.data() + offset, len),
                ExtendPortable(0, data.data() + offset, len))
          << offset << " " << len;
    }
  }
  EXPECT_EQ(ExtendHardware(0xDEADBEEF, data.data(), data.size()),
            ExtendPortable(0xDEADBEEF, data.data(), data.size()));
}

}  // namespace
}  // namespace sundial
