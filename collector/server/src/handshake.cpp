// The handshake's decisions, apart from the loop that carries them out.
#include "handshake.hpp"

#include "actorscope/protocol/codec.hpp"

namespace actorscope::collector {

bool token_matches(std::string_view presented, std::string_view secret) {
  unsigned diff = presented.size() == secret.size() ? 0 : 1;
  for (size_t i = 0; i < secret.size(); ++i) {
    unsigned char p = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    diff |= p ^ static_cast<unsigned char>(secret[i]);
  }
  return diff == 0;
}

HelloVerdict check_hello(const ServerSettings& settings, bool serves_viewers, const uint8_t* payload, size_t len,
                         proto::Hello& hello) {
  HelloVerdict v;
  proto::Reader r(payload, len);
  std::string err;
  if (!proto::decode(r, hello, err)) {
    v.text = err;
    if (err.rfind("bad magic", 0) == 0) {
      v.reason = ErrorReason::BadMagic;
      v.code = proto::RejectCode::BadMagic;
    } else if (err.rfind("unsupported protocol version", 0) == 0) {
      v.reason = ErrorReason::BadVersion;
      v.code = proto::RejectCode::BadVersion;
    } else if (err.rfind("unknown role", 0) == 0) {
      v.reason = ErrorReason::BadRole;
      v.code = proto::RejectCode::BadRole;
    }
    return v;
  }
  if (!settings.token.empty() && !token_matches(hello.token, settings.token)) {
    v.reason = ErrorReason::BadToken;
    v.code = proto::RejectCode::BadToken;
    v.text = "bad token (check --token-file on both sides)";
    return v;
  }
  if (hello.role == proto::Role::Viewer && !serves_viewers) {
    v.reason = ErrorReason::BadRole;
    v.code = proto::RejectCode::BadRole;
    v.text = "this collector does not serve viewers";
    return v;
  }
  hello.token.clear();
  v.ok = true;
  return v;
}

proto::Welcome make_welcome(const ServerSettings& settings, const proto::Hello& hello, uint64_t session) {
  proto::Welcome w;
  // Commands are granted when this collector routes them; message flow whenever offered.
  w.capabilities = (settings.allow_commands ? (hello.capabilities & proto::kCapCommands) : 0) |
                   (hello.capabilities & proto::kCapFlow);
  w.session = session;
  w.collector = settings.name;
  w.max_frame = settings.max_frame;
  return w;
}

}  // namespace actorscope::collector
