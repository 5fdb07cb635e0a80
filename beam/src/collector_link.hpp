// actorscope-beam's side of the agent protocol: handshake, interned strings, Batch frames.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actorscope/protocol/codec.hpp"
#include "actorscope/protocol/messages.hpp"

namespace actorscope::beam {

struct NodeIdentity {
  std::string node;         // the BEAM node's name, as the collector will show it
  uint64_t incarnation = 0; // changes when the BEAM node restarts
  uint64_t os_pid = 0;
  std::string host;
  std::string program;
};

class CollectorLink {
 public:
  CollectorLink(std::string address, std::string token) : address_(std::move(address)), token_(std::move(token)) {}
  ~CollectorLink() { close(false); }
  CollectorLink(const CollectorLink&) = delete;
  CollectorLink& operator=(const CollectorLink&) = delete;

  // Connects and shakes hands. False with a one-line `error` (unreachable, rejected, ...).
  bool connect(const NodeIdentity& id, std::string& error);
  bool connected() const { return fd_ >= 0; }
  // Orderly: a Goodbye frame first when `goodbye`.
  void close(bool goodbye);
  // Reads what the collector sent (nothing is expected but a close); false once it closed.
  bool alive(std::string& error);

  // Interns a string for this connection; a StringDef goes out before its first use.
  proto::StringId str(std::string_view s);
  template <class Record>
  void add(const Record& r) {
    proto::Writer w(batch_);
    proto::encode(w, r);
    if (batch_.size() >= kFlushBytes) pending_flush_ = true;
  }
  // Sends the records added so far as Batch frames. False when the connection failed.
  bool flush(std::string& error);
  bool wants_flush() const { return pending_flush_; }
  // Nanoseconds since the Hello's monotonic anchor.
  uint64_t t_ns() const;
  uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  bool send_all(const uint8_t* p, size_t n, std::string& error);

  static constexpr size_t kFlushBytes = 256 * 1024;
  std::string address_;
  std::string token_;
  int fd_ = -1;
  uint32_t seq_ = 0;
  uint32_t max_frame_ = proto::kDefaultMaxFrame;
  uint64_t anchor_mono_ns_ = 0;
  std::unordered_map<std::string, proto::StringId> strings_;
  proto::StringId next_string_ = 1;
  std::vector<uint8_t> batch_;  // records not yet framed
  bool pending_flush_ = false;
  uint64_t bytes_sent_ = 0;
};

// Splits "tcp:HOST:PORT" or "unix:PATH"; false with `error` on anything else.
bool parse_collector_address(const std::string& text, std::string& host, int& port, std::string& path,
                             std::string& error);

}  // namespace actorscope::beam
