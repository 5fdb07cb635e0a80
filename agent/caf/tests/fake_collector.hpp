// A minimal collector for tests: accepts one agent on a loopback port, answers its Hello,
// and keeps the spawn and child-restarted records it receives (strings resolved).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actorscope/protocol/codec.hpp"

namespace actorscope::caf::testing {

struct restart_record {
  uint64_t supervisor = 0;
  std::string child_id;
  uint64_t old_actor = 0;
  uint64_t new_actor = 0;
  proto::ExitReason reason{};
  std::string text;
};

struct spawn_record {
  uint64_t actor = 0;
  uint64_t parent = 0;
  std::string name, type, child_id;
  proto::ActorKind kind{};
  proto::Strategy strategy{};
  uint32_t intensity = 0;
};

class fake_collector {
 public:
  fake_collector() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~fake_collector() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    if (conn_ >= 0) ::shutdown(conn_, SHUT_RDWR);
    thread_.join();
    if (conn_ >= 0) ::close(conn_);
  }
  std::string address() const { return "tcp:127.0.0.1:" + std::to_string(port_); }

  std::vector<restart_record> restarts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return restarts_;
  }
  std::vector<spawn_record> spawns() const {
    std::lock_guard<std::mutex> lock(mu_);
    return spawns_;
  }

  // Record handler for proto::decode_records.
  void on(const proto::StringDef& m) { strings_[m.id] = std::string(m.text); }
  void on(const proto::ActorSpawned& m) {
    spawn_record s{m.actor, m.parent, str(m.name), str(m.type), str(m.child_id), m.kind, m.strategy, m.intensity};
    std::lock_guard<std::mutex> lock(mu_);
    spawns_.push_back(std::move(s));
  }
  void on(const proto::ChildRestarted& m) {
    restart_record r{m.supervisor, str(m.child_id), m.old_actor, m.new_actor, m.reason, str(m.reason_text)};
    std::lock_guard<std::mutex> lock(mu_);
    restarts_.push_back(std::move(r));
  }
  template <class T>
  void on(const T&) {}

 private:
  std::string str(proto::StringId id) const {
    auto it = strings_.find(id);
    return it == strings_.end() ? std::string() : it->second;
  }

  void serve() {
    while (!stop_) {
      int c = ::accept(listener_, nullptr, nullptr);
      if (c < 0) return;
      conn_ = c;
      strings_.clear();
      proto::FrameDecoder dec;
      uint32_t out_seq = 0;
      uint8_t buf[65536];
      for (;;) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        dec.feed(buf, static_cast<size_t>(n));
        proto::FrameHeader h;
        const uint8_t* payload = nullptr;
        while (dec.next(h, payload)) {
          if (h.type == proto::FrameType::Hello) {
            std::vector<uint8_t> out;
            size_t at = proto::begin_frame(out, proto::FrameType::Welcome, out_seq++);
            proto::Writer w(out);
            proto::Welcome welcome;
            welcome.collector = "fake";
            proto::encode(w, welcome);
            proto::finish_frame(out, at);
            (void)!::send(c, out.data(), out.size(), MSG_NOSIGNAL);
          } else if (h.type == proto::FrameType::Batch) {
            proto::decode_records(payload, h.length, *this);
          }
        }
        if (dec.failed()) break;
      }
      conn_ = -1;
      ::close(c);
    }
  }

  int listener_ = -1;
  std::atomic<int> conn_{-1};
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::map<proto::StringId, std::string> strings_;  // the serving thread's only
  mutable std::mutex mu_;
  std::vector<restart_record> restarts_;
  std::vector<spawn_record> spawns_;
};

}  // namespace actorscope::caf::testing
