// One connection's bounded output: frames queued by the loop, written as the socket allows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <string>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::tls {
class Session;
}

namespace actorscope::collector {

class OutputQueue {
 public:
  size_t queued_bytes() const { return out_.size() - off_; }
  bool empty() const { return off_ == out_.size(); }
  // Would `payload_len` more bytes of payload (plus a frame header) exceed `bound`?
  bool would_exceed(size_t payload_len, size_t bound) const {
    return queued_bytes() + proto::kFrameHeaderSize + payload_len > bound;
  }
  // Appends one frame with the next sequence number.
  void append(proto::FrameType type, const uint8_t* payload, size_t len);

  enum class Flush { Done, WouldBlock, PeerGone };
  // Writes what the socket takes now. On PeerGone the queue is emptied and errno kept.
  Flush write_to(int fd);
  // The same through a TLS session; on PeerGone `error` says why.
  Flush write_to(tls::Session& tls, std::string& error);
  void clear() {
    out_.clear();
    off_ = 0;
  }

 private:
  std::vector<uint8_t> out_;
  size_t off_ = 0;
  uint32_t seq_ = 0;
};

}  // namespace actorscope::collector
