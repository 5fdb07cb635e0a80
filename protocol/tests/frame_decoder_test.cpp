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

// A peer that sent one large frame does not keep its memory once the frame was taken.
TEST(FrameDecoder, ALargeFrameTakenLeavesNoBufferBehind) {
  auto bytes = frames(1, 512 * 1024);
  FrameDecoder d;
  d.feed(bytes.data(), bytes.size());
  EXPECT_GE(d.held_bytes(), bytes.size());
  FrameHeader h;
  const uint8_t* p;
  ASSERT_TRUE(d.next(h, p));
  d.release_if_empty();
  EXPECT_EQ(d.held_bytes(), 0u);
  auto more = frames(2, 10);  // and it goes on: the next frame (seq 1) decodes
  d.feed(more.data() + more.size() / 2, more.size() / 2);
  ASSERT_TRUE(d.next(h, p));
  EXPECT_EQ(h.seq, 1u);
}

// A large frame read in pieces is given its room once, when its header is in, rather than
// grown by doubling (each doubling a copy of what came so far).
TEST(FrameDecoder, ALargeFrameReadInPiecesGetsItsRoomOnce) {
  auto bytes = frames(1, 1000 * 1000);
  FrameDecoder d;
  constexpr size_t kPiece = 64 * 1024;
  d.feed(bytes.data(), kPiece);
  const size_t room = d.held_bytes();
  EXPECT_EQ(room, bytes.size());
  for (size_t at = kPiece; at < bytes.size(); at += kPiece) {
    d.feed(bytes.data() + at, std::min(kPiece, bytes.size() - at));
    EXPECT_EQ(d.held_bytes(), room) << "after " << at << " bytes";
  }
  FrameHeader h;
  const uint8_t* p;
  ASSERT_TRUE(d.next(h, p));
  EXPECT_EQ(h.length, 1000u * 1000);
  EXPECT_EQ(p[999'999], 0);
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
