// Handshake (Hello -> Welcome | Reject), frames with sequence numbers from 0, and reads.
#include "connection.hpp"

#include <unistd.h>

#include <algorithm>

#include "clock.hpp"
#include "strings.hpp"
#include "transport.hpp"

namespace actorscope::agent {

Connection::Open Connection::open(const Settings& s, uint64_t incarnation, uint64_t capabilities,
                                  std::string& message) {
  close(false);
  lost_.clear();
  // With TLS the handshake comes first, on this (the flusher's) thread, with its own deadline.
  Channel ch;
  Channel::Open opened = ch.open(s, kConnectTimeoutMs, mono_ns() + kHandshakeTimeoutMs * 1'000'000ull, message);
  if (opened == Channel::Open::Unreachable) return Open::Unreachable;
  if (opened == Channel::Open::TlsFailed) return Open::Rejected;

  proto::Hello hello;
  hello.capabilities = capabilities;
  hello.role = proto::Role::Agent;
  hello.token = s.token;
  hello.node = s.node;
  hello.incarnation = incarnation;
  hello.pid = static_cast<uint64_t>(getpid());
  hello.host = s.host;
  hello.program = s.program;
  hello.anchor_mono_ns = anchor_mono_ns();
  hello.anchor_wall_ns = anchor_wall_ns();
  hello.max_frame = proto::kDefaultMaxFrame;
  std::vector<uint8_t> frame;
  size_t at = proto::begin_frame(frame, proto::FrameType::Hello, 0);
  proto::Writer w(frame);
  proto::encode(w, hello);
  proto::finish_frame(frame, at);
  if (!ch.send_all(frame.data(), frame.size(), mono_ns() + kHandshakeTimeoutMs * 1'000'000ull, message)) {
    // A collector that refused our certificate (TLS 1.3: after our side of the handshake)
    // sent an alert before closing: its reason says more than the failed write.
    uint8_t alert[512];
    if (s.tls.enabled && ch.receive(alert, sizeof alert, 100) == -1) {
      message = "TLS session with the collector at " + s.collector.text + " failed: " + ch.error();
      ch.close();
      return Open::Rejected;
    }
    ch.close();
    return Open::Unreachable;
  }

  // Wait for the collector's answer: the first frame it sends.
  proto::FrameDecoder in(proto::kDefaultMaxFrame);
  uint64_t deadline = mono_ns() + kHandshakeTimeoutMs * 1'000'000ull;
  uint8_t buf[4096];
  proto::FrameHeader h;
  const uint8_t* payload = nullptr;
  while (!in.next(h, payload)) {
    if (in.failed()) {
      message = "malformed answer to hello: " + in.error();
      ch.close();
      return Open::Unreachable;
    }
    uint64_t now = mono_ns();
    long n = now < deadline ? ch.receive(buf, sizeof buf, int((deadline - now) / 1'000'000) + 1) : -2;
    if (n == -2 && mono_ns() >= deadline) {
      message = "no answer to hello within " + std::to_string(kHandshakeTimeoutMs) + " ms";
      ch.close();
      return Open::Unreachable;
    }
    if (n == 0 || n == -1) {
      // Under TLS 1.3 a collector that refuses the agent's certificate says so here, after
      // the handshake: its alert is the reason.
      if (n == -1 && s.tls.enabled) {
        message = "TLS session with the collector at " + s.collector.text + " failed: " + ch.error();
        ch.close();
        return Open::Rejected;
      }
      message = "connection closed during the handshake";
      ch.close();
      return Open::Unreachable;
    }
    if (n > 0) in.feed(buf, static_cast<size_t>(n));
  }
  proto::Reader r(payload, h.length);
  if (h.type == proto::FrameType::Reject) {
    proto::Reject rej;
    std::string err;
    message = proto::decode(r, rej, err) ? "collector refused this agent: " + rej.message : err;
    ch.close();
    return Open::Rejected;
  }
  proto::Welcome welcome;
  std::string err;
  if (h.type != proto::FrameType::Welcome || !proto::decode(r, welcome, err)) {
    message = h.type != proto::FrameType::Welcome ? "collector answered hello with an unexpected frame" : err;
    ch.close();
    return Open::Rejected;
  }
  ch_ = std::move(ch);
  seq_out_ = 1;
  granted_ = welcome.capabilities & capabilities;
  commands_.clear();
  max_frame_ = welcome.max_frame < 4096 ? 4096 : welcome.max_frame;
  if (max_frame_ > proto::kDefaultMaxFrame) max_frame_ = proto::kDefaultMaxFrame;
  out_.clear();
  open_frame_ = SIZE_MAX;
  sent_.assign(sent_.size(), false);
  in_ = std::move(in);  // bytes after the Welcome stay buffered; its seq continues at 1
  bytes_sent_ = frame.size();
  return Open::Ok;
}

void Connection::close(bool goodbye) {
  if (!ch_.is_open()) return;
  if (goodbye) {
    close_frame();
    size_t at = proto::begin_frame(out_, proto::FrameType::Goodbye, seq_out_++);
    proto::finish_frame(out_, at);
    send_queued();
  }
  ch_.close();
  out_.clear();
  open_frame_ = SIZE_MAX;
}

void Connection::fail(const std::string& why) {
  if (lost_.empty()) lost_ = why;
  ch_.close();
  out_.clear();
  open_frame_ = SIZE_MAX;
}

uint32_t Connection::str(uint32_t id) {
  if (id == 0 || !ch_.is_open()) return id;
  if (id >= sent_.size()) sent_.resize(id + 1024, false);
  if (sent_[id]) return id;
  std::string text = strings().text(id);
  if (text.empty()) return 0;
  def_.clear();
  proto::Writer w(def_);
  proto::encode(w, proto::StringDef{id, text});
  rec_.swap(def_);
  bool ok = append();
  rec_.swap(def_);
  if (ok) sent_[id] = true;
  return id;
}

bool Connection::append() {
  if (rec_.size() + proto::kFrameHeaderSize > max_frame_) return false;  // can never fit: dropped
  if (open_frame_ != SIZE_MAX && out_.size() - open_frame_ - proto::kFrameHeaderSize + rec_.size() > max_frame_)
    close_frame();
  if (open_frame_ == SIZE_MAX) {
    if (out_.size() >= kSendChunkBytes && !send_queued()) return false;
    open_frame_ = proto::begin_frame(out_, proto::FrameType::Batch, seq_out_++);
  }
  out_.insert(out_.end(), rec_.begin(), rec_.end());
  return true;
}

void Connection::close_frame() {
  if (open_frame_ == SIZE_MAX) return;
  proto::finish_frame(out_, open_frame_);
  open_frame_ = SIZE_MAX;
}

bool Connection::send_queued() {
  if (!ch_.is_open()) return false;
  close_frame();
  if (out_.empty()) return true;
  std::string err;
  // A piece at a time, each with kSendTimeoutMs of its own unless a deadline was set (a stop):
  // a collector that takes a large frame slowly but steadily is not one that stopped reading.
  for (size_t at = 0; at < out_.size(); at += kSendChunkBytes) {
    const size_t n = std::min(kSendChunkBytes, out_.size() - at);
    const uint64_t deadline = deadline_ns_ ? deadline_ns_ : mono_ns() + kSendTimeoutMs * 1'000'000ull;
    if (!ch_.send_all(out_.data() + at, n, deadline, err)) {
      fail(err);
      return false;
    }
  }
  bytes_sent_ += out_.size();
  out_.clear();
  return true;
}

bool Connection::send_command_result(const proto::CommandResult& r) {
  if (!ch_.is_open()) return false;
  close_frame();
  size_t at = proto::begin_frame(out_, proto::FrameType::CommandResult, seq_out_++);
  proto::Writer w(out_);
  proto::encode(w, r);
  proto::finish_frame(out_, at);
  return send_queued();
}

bool Connection::poll_incoming(int wait_ms) {
  if (!ch_.is_open()) return false;
  uint8_t buf[4096];
  for (;;) {
    long n = ch_.receive(buf, sizeof buf, wait_ms);
    if (n == -2) break;
    if (n == 0) {
      fail("collector closed the connection");
      return false;
    }
    if (n < 0) {
      fail("connection error while reading: " + ch_.error());
      return false;
    }
    in_.feed(buf, static_cast<size_t>(n));
    wait_ms = 0;
  }
  proto::FrameHeader h;
  const uint8_t* payload = nullptr;
  while (in_.next(h, payload)) {
    if (h.type == proto::FrameType::Goodbye) {
      fail("collector said goodbye");
      return false;
    }
    if (h.type == proto::FrameType::Command) {
      proto::Command c;
      std::string err;
      proto::Reader r(payload, h.length);
      if (!proto::decode(r, c, err)) {
        fail("malformed command from the collector: " + err);
        return false;
      }
      // A command on a connection that did not negotiate them is still answered (refused
      // by the flusher): its sender evidently knows the CommandResult frame.
      if (commands_.size() < kMaxPendingCommands) {
        commands_.push_back(c);
      } else {
        send_command_result(proto::CommandResult{c.request, false, "refused: too many commands at once"});
      }
    }
    // Other frames are read and ignored.
  }
  if (in_.failed()) {
    fail("malformed frame from the collector: " + in_.error());
    return false;
  }
  return true;
}

}  // namespace actorscope::agent
