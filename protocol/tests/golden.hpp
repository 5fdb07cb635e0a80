// Golden byte files shared by the protocol tests: golden/<name>.hex holds a frame's bytes.
// A change is a wire-format change: bump the version (SPEC.md) before regenerating with
// ACTORSCOPE_UPDATE_GOLDEN=1.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace actorscope::proto::testing {

inline std::string to_hex(const std::vector<uint8_t>& b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < b.size(); ++i) {
    s += digits[b[i] >> 4];
    s += digits[b[i] & 15];
    s += (i % 16 == 15) ? '\n' : ' ';
  }
  if (!s.empty() && s.back() == ' ') s.back() = '\n';
  return s;
}

inline void check_golden(const std::string& name, const std::vector<uint8_t>& bytes) {
  std::string path = std::string(ACTORSCOPE_GOLDEN_DIR) + "/" + name + ".hex";
  if (std::getenv("ACTORSCOPE_UPDATE_GOLDEN")) {
    std::ofstream(path) << to_hex(bytes);
    GTEST_SKIP() << "updated " << name;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), to_hex(bytes)) << "wire bytes of " << name << " changed";
}

}  // namespace actorscope::proto::testing
