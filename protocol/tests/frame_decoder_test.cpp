// Frame splitting: partial reads, hostile length prefixes, unknown types, sequence gaps.
#include <gtest/gtest.h>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::proto {
namespace {

std::vector<uint8_t> frames(int count, size_t payload) {
  std::vector<uint8_t> out;
  for (int i = 0; i < count; ++i) {
    size_t at = begin_frame(out, FrameType::Batch, static_cast<uint32_t>(i));
    out.insert(out.end(), payload, static_cast<uint8_t>(i));
    finish_frame(out, at);
  }
  return out;
}

TEST(FrameDecoder, ReassemblesFramesFedByteByByte) {
  auto bytes = frames(5, 33);
  FrameDecoder d;
  int got = 0;
  for (uint8_t b : bytes) {
    d.feed(&b, 1);
    FrameHeader h;
    const uint8_t* p;
    while (d.next(h, p)) {
      EXPECT_EQ(h.seq, static_cast<uint32_t>(got));
      EXPECT_EQ(h.length, 33u);
      EXPECT_EQ(p[0], static_cast<uint8_t>(got));
      ++got;
    }
  }
  EXPECT_EQ(got, 5);
  EXPECT_FALSE(d.failed());
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(FrameDecoder, RejectsA4GiBLengthBeforeBufferingIt) {
  std::vector<uint8_t> hdr = {0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0, 0};
  FrameDecoder d;
  d.feed(hdr.data(), hdr.size());
  FrameHeader h;
  const uint8_t* p;
  EXPECT_FALSE(d.next(h, p));
  EXPECT_TRUE(d.failed());
  EXPECT_NE(d.error().find("exceeds the limit"), std::string::npos) << d.error();
}

TEST(FrameDecoder, RejectsUnknownTypesAndSequenceGaps) {
  {
    std::vector<uint8_t> hdr = {0, 0, 0, 0, 0x77, 0, 0, 0, 0};
    FrameDecoder d;
    d.feed(hdr.data(), hdr.size());
    FrameHeader h;
    const uint8_t* p;
    EXPECT_FALSE(d.next(h, p));
    EXPECT_NE(d.error().find("unknown frame type"), std::string::npos);
  }
  {
    std::vector<uint8_t> out;
    finish_frame(out, begin_frame(out, FrameType::Batch, 0));
    finish_frame(out, begin_frame(out, FrameType::Batch, 2));
    FrameDecoder d;
    d.feed(out.data(), out.size());
    FrameHeader h;
    const uint8_t* p;
    EXPECT_TRUE(d.next(h, p));
    EXPECT_FALSE(d.next(h, p));
    EXPECT_NE(d.error().find("sequence"), std::string::npos);
  }
}

TEST(FrameDecoder, BufferStaysBoundedOverALongStream) {
  FrameDecoder d;
  size_t max_buffered = 0;
  std::vector<uint8_t> out;
  for (uint32_t i = 0; i < 2000; ++i) {
    out.clear();
    size_t at = begin_frame(out, FrameType::Batch, i);
    out.insert(out.end(), 1000, 1);
    finish_frame(out, at);
    d.feed(out.data(), out.size());
    FrameHeader h;
    const uint8_t* p;
    while (d.next(h, p)) {
    }
    max_buffered = std::max(max_buffered, d.buffered());
  }
  EXPECT_FALSE(d.failed());
  EXPECT_EQ(max_buffered, 0u);
}

}  // namespace
}  // namespace actorscope::proto
