// One connection to the collector: handshake, Batch framing, per-connection string ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actorscope/protocol/codec.hpp"
#include "settings.hpp"
#include "transport.hpp"

namespace actorscope::agent {

inline constexpr int kConnectTimeoutMs = 1000;
inline constexpr int kHandshakeTimeoutMs = 1000;
inline constexpr int kSendTimeoutMs = 2000;
inline constexpr size_t kSendChunkBytes = 256 * 1024;  // frames are sent once this much is queued
inline constexpr size_t kMaxPendingCommands = 64;  // commands read but not yet carried out; more: refused

class Connection {
 public:
  enum class Open { Ok, Unreachable, Rejected };
  // Connects and shakes hands. message: the reason when not Ok.
  Open open(const Settings& s, uint64_t incarnation, uint64_t capabilities, std::string& message);
  bool is_open() const { return ch_.is_open(); }
  // Sends what is queued and a Goodbye (when asked), then closes.
  void close(bool goodbye);
  const std::string& lost_reason() const { return lost_; }

  // The wire id of an interned string, defining it on this connection first if needed.
  uint32_t str(uint32_t id);
  // Appends one record to the current Batch; false when not connected (nothing queued).
  template <class Msg>
  bool emit(const Msg& m) {
    if (!ch_.is_open()) return false;
    rec_.clear();
    proto::Writer w(rec_);
    proto::encode(w, m);
    return append();
  }
  // Sends every queued frame before the deadline; on failure the connection is closed.
  bool send_queued();
  // 0: each kSendChunkBytes piece of a send has kSendTimeoutMs of its own.
  void set_deadline(uint64_t deadline_ns) { deadline_ns_ = deadline_ns; }
  // Reads and handles frames from the collector; false when the connection ended.
  bool poll_incoming(int wait_ms);
  // Commands read by poll_incoming(), oldest first; the caller answers and clears them.
  std::vector<proto::Command>& commands() { return commands_; }
  // Whether the collector granted commands in its Welcome.
  bool commands_granted() const { return granted_ & proto::kCapCommands; }
  // Whether the collector takes message flow (FlowEdges, Handling).
  bool flow_granted() const { return ch_.is_open() && (granted_ & proto::kCapFlow); }
  // Queues a CommandResult frame after the current Batch and sends what is queued.
  bool send_command_result(const proto::CommandResult& r);
  uint64_t bytes_sent() const { return bytes_sent_; }
  size_t queued_bytes() const { return out_.size(); }

 private:
  bool append();
  void close_frame();
  void fail(const std::string& why);

  Channel ch_;
  uint32_t seq_out_ = 0;
  uint32_t max_frame_ = proto::kDefaultMaxFrame;
  uint64_t deadline_ns_ = 0;
  uint64_t bytes_sent_ = 0;
  std::vector<uint8_t> out_;
  size_t open_frame_ = SIZE_MAX;
  std::vector<uint8_t> rec_, def_;
  std::vector<bool> sent_;
  proto::FrameDecoder in_;
  std::vector<proto::Command> commands_;
  uint64_t granted_ = 0;
  std::string lost_;
};

}  // namespace actorscope::agent
