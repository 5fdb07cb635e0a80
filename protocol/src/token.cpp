// The token file: one parser (pure) and one reader, shared by every program.
#include "actorscope/protocol/token.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "actorscope/protocol/messages.hpp"

namespace actorscope::proto {

namespace {
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}
}  // namespace

bool parse_token(std::string_view contents, std::string& token, std::string& error) {
  std::string_view t = trim(contents);
  if (t.empty()) {
    error = "is empty (write the token on its first line)";
    return false;
  }
  if (t.find('\n') != std::string_view::npos) {
    error = "holds more than one line (the token is one line)";
    return false;
  }
  for (char c : t) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      error = "holds a control character inside the token";
      return false;
    }
  }
  if (t.size() > kMaxTokenLen) {
    error = "holds a token longer than " + std::to_string(kMaxTokenLen) + " bytes";
    return false;
  }
  token.assign(t);
  return true;
}

bool read_token_file(const std::string& path, std::string& token, std::string& error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = "cannot read token file " + path + ": " + std::strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "token file " + path + " is a directory (give the file that holds the token)";
    return false;
  }
  if (st.st_size > static_cast<off_t>(64 * 1024)) {
    error = "token file " + path + " is larger than 64 KiB: not a token file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read token file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string why;
  if (!parse_token(ss.str(), token, why)) {
    error = "token file " + path + " " + why;
    return false;
  }
  return true;
}

}  // namespace actorscope::proto
