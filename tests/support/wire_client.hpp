// A tiny blocking client that speaks the wire format to a collector, for tests that play
// an agent or a viewer byte by byte.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "eventually.hpp"
#include "actorscope/protocol/codec.hpp"

namespace actorscope::collector::testing {

constexpr int kWaitMs = 30'000;  // generous: a condition, not a timing
using ::actorscope::testing::eventually;

class Client {
 public:
  // address: "tcp:127.0.0.1:PORT" or "unix:PATH"
  explicit Client(const std::string& address) {
    if (address.rfind("unix:", 0) == 0) {
      fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un sun{};
      sun.sun_family = AF_UNIX;
      std::string path = address.substr(5);
      std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0;
    } else {
      std::string rest = address.substr(4);
      size_t colon = rest.rfind(':');
      sockaddr_in in{};
      in.sin_family = AF_INET;
      in.sin_port = htons(static_cast<uint16_t>(std::stoi(rest.substr(colon + 1))));
      ::inet_pton(AF_INET, rest.substr(0, colon).c_str(), &in.sin_addr);
      fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
      connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&in), sizeof in) == 0;
    }
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }

  bool send_raw(const std::vector<uint8_t>& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  bool send_frame(proto::FrameType type, const std::vector<uint8_t>& payload) {
    std::vector<uint8_t> out;
    size_t at = proto::begin_frame(out, type, seq_++);
    out.insert(out.end(), payload.begin(), payload.end());
    proto::finish_frame(out, at);
    return send_raw(out);
  }
  bool send_hello(const proto::Hello& h) {
    std::vector<uint8_t> p;
    proto::Writer w(p);
    proto::encode(w, h);
    return send_frame(proto::FrameType::Hello, p);
  }

  // Reads the next frame; false on EOF, error or timeout.
  bool read_frame(proto::FrameHeader& h, std::vector<uint8_t>& payload) {
    for (;;) {
      const uint8_t* p = nullptr;
      if (decoder_.next(h, p)) {
        payload.assign(p, p + h.length);
        return true;
      }
      if (decoder_.failed()) return false;
      uint8_t buf[65536];
      ssize_t n = read_some(buf, sizeof buf);
      if (n <= 0) return false;
      decoder_.feed(buf, static_cast<size_t>(n));
    }
  }
  // True when the server closed the connection (EOF or reset) within the wait.
  bool closed_by_peer() {
    uint8_t buf[4096];
    for (;;) {
      ssize_t n = read_some(buf, sizeof buf);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  ssize_t read_some(uint8_t* buf, size_t len) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, kWaitMs) <= 0) {
      errno = ETIMEDOUT;
      return -1;
    }
    return ::recv(fd_, buf, len, 0);
  }
  int fd_ = -1;
  bool connected_ = false;
  uint32_t seq_ = 0;
  proto::FrameDecoder decoder_{proto::kHardMaxFrame};
};

}  // namespace actorscope::collector::testing
