// HTTP basic authentication for /metrics: the users file, and the check of one
// Authorization header against it (constant time per user).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace actorscope::http {

// One line of the users file: `user:password`, or `user:sha256:HEX` with HEX the SHA-256
// of the password (64 hex digits; `printf %s 'secret' | sha256sum`).
struct BasicAuthUser {
  std::string user;
  std::string secret;  // the password, or its SHA-256 (32 bytes) when hashed
  bool hashed = false;
};

// Reads FILE: one user per line, `#` comments and blank lines skipped. False with a one-line
// error naming FILE:LINE (unreadable, no colon, empty user or password, a bad hash, a user
// named twice, no user at all).
bool read_basic_auth_file(const std::string& path, std::vector<BasicAuthUser>& users, std::string& error);

// Whether `credentials` (the part after "Basic ": base64 of user:password) names a user of
// `users` with the right password.
bool basic_auth_matches(std::string_view credentials, const std::vector<BasicAuthUser>& users);

}  // namespace actorscope::http
