// Handshake decoding: wrong magic, wrong version, bad role and truncation give clear errors.
#include <gtest/gtest.h>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::proto {
namespace {

std::vector<uint8_t> hello_bytes(const Hello& h) {
  std::vector<uint8_t> b;
  Writer w(b);
  encode(w, h);
  return b;
}

bool decode_hello(const std::vector<uint8_t>& b, std::string& err) {
  Reader r(b.data(), b.size());
  Hello h;
  return decode(r, h, err);
}

TEST(Handshake, WrongMagicIsNamed) {
  auto b = hello_bytes(Hello{});
  b[0] = 'X';
  std::string err;
  EXPECT_FALSE(decode_hello(b, err));
  EXPECT_NE(err.find("magic"), std::string::npos) << err;
}

TEST(Handshake, WrongMajorVersionIsNamed) {
  Hello h;
  h.version_major = 9;
  std::string err;
  EXPECT_FALSE(decode_hello(hello_bytes(h), err));
  EXPECT_NE(err.find("version 9.0"), std::string::npos) << err;
}

TEST(Handshake, NewerMinorIsAccepted) {
  Hello h;
  h.version_minor = 5;
  std::string err;
  EXPECT_TRUE(decode_hello(hello_bytes(h), err)) << err;
}

TEST(Handshake, UnknownRoleAndTinyFramesAreRefused) {
  Hello h;
  h.role = static_cast<Role>(9);
  std::string err;
  EXPECT_FALSE(decode_hello(hello_bytes(h), err));
  EXPECT_NE(err.find("role"), std::string::npos);
  Hello small;
  small.max_frame = 10;
  EXPECT_FALSE(decode_hello(hello_bytes(small), err));
}

TEST(Handshake, EveryTruncationFailsCleanly) {
  Hello h;
  h.node = "n";
  h.token = "t";
  auto b = hello_bytes(h);
  for (size_t n = 0; n < b.size(); ++n) {
    std::vector<uint8_t> cut(b.begin(), b.begin() + static_cast<ptrdiff_t>(n));
    std::string err;
    EXPECT_FALSE(decode_hello(cut, err)) << "prefix of " << n << " bytes";
    EXPECT_FALSE(err.empty());
  }
}

TEST(Handshake, OverlongTokenIsRefused) {
  Hello h;
  h.token = std::string(kMaxTokenLen + 1, 'a');
  std::string err;
  EXPECT_FALSE(decode_hello(hello_bytes(h), err));
}

}  // namespace
}  // namespace actorscope::proto
