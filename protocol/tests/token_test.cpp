// The token file parser every program shares: the same file gives the same token, or the
// same clear refusal, everywhere.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "actorscope/protocol/messages.hpp"
#include "actorscope/protocol/token.hpp"

namespace actorscope::proto {
namespace {

std::string parsed(std::string_view contents) {
  std::string token, error;
  return parse_token(contents, token, error) ? token : "ERROR: " + error;
}

TEST(TokenFile, OneLineWithoutItsLineEndOrSurroundingBlanks) {
  EXPECT_EQ(parsed("s3cret"), "s3cret");
  EXPECT_EQ(parsed("s3cret\n"), "s3cret");
  EXPECT_EQ(parsed("s3cret\r\n"), "s3cret");
  EXPECT_EQ(parsed("s3cret\t\n"), "s3cret");
  EXPECT_EQ(parsed("  s3cret  \n\n"), "s3cret");
  EXPECT_EQ(parsed("with inner space"), "with inner space");
}

TEST(TokenFile, EmptyMultiLineControlAndOverlongAreRefusedWithAReason) {
  EXPECT_EQ(parsed(""), "ERROR: is empty (write the token on its first line)");
  EXPECT_EQ(parsed(" \n\t\n"), "ERROR: is empty (write the token on its first line)");
  EXPECT_EQ(parsed("one\ntwo\n"), "ERROR: holds more than one line (the token is one line)");
  EXPECT_EQ(parsed("to\x01ken"), "ERROR: holds a control character inside the token");
  EXPECT_NE(parsed(std::string(kMaxTokenLen + 1, 'x')).find("longer than"), std::string::npos);
  EXPECT_EQ(parsed(std::string(kMaxTokenLen, 'x')), std::string(kMaxTokenLen, 'x'));
}

TEST(TokenFile, ADirectoryOrAMissingFileIsNamedInTheError) {
  auto dir = std::filesystem::temp_directory_path();
  std::string token, error;
  EXPECT_FALSE(read_token_file(dir.string(), token, error));
  EXPECT_NE(error.find("is a directory"), std::string::npos) << error;
  EXPECT_FALSE(read_token_file((dir / "actorscope-no-such-token").string(), token, error));
  EXPECT_NE(error.find("cannot read token file"), std::string::npos) << error;
  auto file = dir / ("actorscope-token-test-" + std::to_string(::getpid()));
  std::ofstream(file) << "s3cret\t\n";
  EXPECT_TRUE(read_token_file(file.string(), token, error)) << error;
  EXPECT_EQ(token, "s3cret");
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace actorscope::proto
