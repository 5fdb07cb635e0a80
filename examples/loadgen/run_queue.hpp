// A bounded FIFO of messages for one thread of actors: the sender waits when it is full.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>

namespace loadgen {

struct Message {
  uint64_t seq = 0;       // position in the workload: also its time on the workload clock
  uint32_t actor = 0;     // receiver (a place in the tree)
  uint8_t flags = 0;
  static constexpr uint8_t kCrash = 1;      // processing it crashes the worker
  static constexpr uint8_t kTelemetry = 2;  // processing it emits telemetry
  static constexpr uint8_t kRestart = 4;    // not a message: the top supervisor restarts `actor`
};

class RunQueue {
 public:
  explicit RunQueue(size_t limit) : limit_(limit) {}

  // Waits while the queue holds `limit` messages. Restart orders bypass the limit: they
  // come from actor threads, which must never wait on each other.
  void push(const Message& m) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!(m.flags & Message::kRestart)) not_full_.wait(lock, [&] { return q_.size() < limit_; });
    q_.push_back(m);
    not_empty_.notify_one();
  }
  // False once closed and drained.
  bool pop(Message& m) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return !q_.empty() || closed_; });
    if (q_.empty()) return false;
    m = q_.front();
    q_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Message> q_;
  size_t limit_;
  bool closed_ = false;
};

}  // namespace loadgen
