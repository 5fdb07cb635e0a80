// The handshake's decisions: is this Hello acceptable, and what does the Welcome say.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "actorscope/collector/server.hpp"
#include "actorscope/protocol/messages.hpp"

namespace actorscope::collector {

// Compares a presented token with the configured one in time independent of where they differ.
bool token_matches(std::string_view presented, std::string_view secret);

struct HelloVerdict {
  bool ok = false;
  ErrorReason reason = ErrorReason::MalformedHello;  // when !ok
  proto::RejectCode code = proto::RejectCode::Malformed;
  std::string text;  // one line, for the log and the Reject
};

// Decodes and checks a Hello frame against the settings: magic, version, role, token, and
// whether viewers are served. On success `hello` holds it, token erased.
HelloVerdict check_hello(const ServerSettings& settings, bool serves_viewers, const uint8_t* payload, size_t len,
                         proto::Hello& hello);

// The Welcome for an accepted Hello on connection `session`.
proto::Welcome make_welcome(const ServerSettings& settings, const proto::Hello& hello, uint64_t session);

}  // namespace actorscope::collector
