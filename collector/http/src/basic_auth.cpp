// The /metrics users file and the basic-auth check (base64 and SHA-256 from OpenSSL).
#include "actorscope/http/basic_auth.hpp"

#include <openssl/evp.h>

#include <fstream>

#include "actorscope/tls/tls.hpp"

namespace actorscope::http {
namespace {

std::string sha256(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &n, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(digest), n);
}

bool from_hex(std::string_view hex, std::string& out) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() != 64) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

bool read_basic_auth_file(const std::string& path, std::vector<BasicAuthUser>& users, std::string& error) {
  users.clear();
  std::ifstream f(path);
  if (!f) {
    error = "cannot read the /metrics users file " + path;
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(f, line); ++number) {
    std::string where = path + ":" + std::to_string(number) + ": ";
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == line.size()) {
      error = where + "expected user:password or user:sha256:HEX";
      return false;
    }
    BasicAuthUser u;
    u.user = line.substr(0, colon);
    std::string rest = line.substr(colon + 1);
    if (rest.rfind("sha256:", 0) == 0) {
      if (!from_hex(rest.substr(7), u.secret)) {
        error = where + "sha256: wants the 64 hex digits of the password's SHA-256";
        return false;
      }
      u.hashed = true;
    } else {
      u.secret = rest;
    }
    for (const auto& other : users)
      if (other.user == u.user) {
        error = where + "user '" + u.user + "' is named twice";
        return false;
      }
    users.push_back(std::move(u));
  }
  if (users.empty()) {
    error = "the /metrics users file " + path + " names no user";
    return false;
  }
  return true;
}

bool basic_auth_matches(std::string_view credentials, const std::vector<BasicAuthUser>& users) {
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && credentials.back() == ' ') credentials.remove_suffix(1);
  if (credentials.empty() || credentials.size() > 4096 || credentials.size() % 4 != 0) return false;
  std::string decoded(credentials.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(credentials.data()), static_cast<int>(credentials.size()));
  if (n < 0) return false;
  // EVP_DecodeBlock counts the padding's zero bytes: take them off.
  size_t len = static_cast<size_t>(n);
  for (size_t i = credentials.size(); i > 0 && credentials[i - 1] == '=' && len > 0; --i) --len;
  decoded.resize(len);
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  std::string user = decoded.substr(0, colon), password = decoded.substr(colon + 1);
  bool ok = false;
  for (const auto& u : users) {
    // Every user is compared, so the time does not tell which user names exist.
    bool user_ok = tls::equal_secret(user, u.user);
    bool pass_ok = tls::equal_secret(u.hashed ? sha256(password) : password, u.secret);
    ok = ok || (user_ok && pass_ok);
  }
  return ok;
}

}  // namespace actorscope::http
