// Command and CommandResult frames: golden bytes, round trips, and refusals of bad input.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "actorscope/protocol/codec.hpp"
#include "golden.hpp"

namespace actorscope::proto {
namespace {

using testing::check_golden;

template <class Msg>
std::vector<uint8_t> frame(FrameType type, uint32_t seq, const Msg& m) {
  std::vector<uint8_t> out;
  size_t at = begin_frame(out, type, seq);
  Writer w(out);
  encode(w, m);
  finish_frame(out, at);
  return out;
}

template <class Msg>
bool round_trip(const Msg& m, Msg& back, std::string& error) {
  std::vector<uint8_t> b;
  Writer w(b);
  encode(w, m);
  Reader r(b.data(), b.size());
  return decode(r, back, error);
}

TEST(CommandFrames, GoldenBytes) {
  check_golden("command", frame(FrameType::Command, 3, Command{42, CommandKind::Kill, 300}));
  check_golden("command_result",
               frame(FrameType::CommandResult, 9, CommandResult{42, true, "killed actor 300"}));
}

TEST(CommandFrames, FrameTypesAreKnownToTheDecoder) {
  auto bytes = frame(FrameType::Command, 0, Command{1, CommandKind::Kill, 7});
  FrameDecoder d;
  d.feed(bytes.data(), bytes.size());
  FrameHeader h;
  const uint8_t* p = nullptr;
  ASSERT_TRUE(d.next(h, p)) << d.error();
  EXPECT_EQ(h.type, FrameType::Command);
  Reader r(p, h.length);
  Command c;
  std::string err;
  ASSERT_TRUE(decode(r, c, err)) << err;
  EXPECT_EQ(c, (Command{1, CommandKind::Kill, 7}));
}

TEST(CommandFrames, RoundTripOfRandomMessages) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Command c{rng(), CommandKind::Kill, rng() | 1};
    Command cb;
    std::string err;
    ASSERT_TRUE(round_trip(c, cb, err)) << err;
    EXPECT_EQ(c, cb);
    CommandResult res{rng(), (rng() & 1) != 0, std::string(rng() % 300, static_cast<char>('a' + rng() % 26))};
    CommandResult rb;
    ASSERT_TRUE(round_trip(res, rb, err)) << err;
    EXPECT_EQ(res, rb);
  }
}

TEST(CommandFrames, NewerMinorTrailingFieldsAreIgnored) {
  std::vector<uint8_t> b;
  Writer w(b);
  encode(w, Command{5, CommandKind::Kill, 9});
  w.varint(12345);  // a field a later minor may append
  Reader r(b.data(), b.size());
  Command c;
  std::string err;
  ASSERT_TRUE(decode(r, c, err)) << err;
  EXPECT_EQ(c.actor, 9u);
}

TEST(CommandFrames, BadInputIsRefusedWithAReason) {
  std::string err;
  {
    std::vector<uint8_t> b = {1, 99, 5};  // unknown command kind
    Reader r(b.data(), b.size());
    Command c;
    EXPECT_FALSE(decode(r, c, err));
    EXPECT_NE(err.find("unknown command"), std::string::npos) << err;
  }
  {
    std::vector<uint8_t> b = {1, 1, 0};  // actor 0
    Reader r(b.data(), b.size());
    Command c;
    EXPECT_FALSE(decode(r, c, err));
  }
  {
    std::vector<uint8_t> b = {1, 2, 0};  // ok neither 0 nor 1
    Reader r(b.data(), b.size());
    CommandResult c;
    EXPECT_FALSE(decode(r, c, err));
  }
  std::vector<uint8_t> full;
  Writer w(full);
  encode(w, CommandResult{77, false, "refused: commands are not allowed"});
  for (size_t n = 0; n < full.size(); ++n) {
    Reader r(full.data(), n);
    CommandResult c;
    EXPECT_FALSE(decode(r, c, err)) << "truncated at " << n;
  }
}

}  // namespace
}  // namespace actorscope::proto
