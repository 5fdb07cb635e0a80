// What an actor's window charts: its mailbox depth and its mean processing time per message,
// one sample each time the replica moved, the last N kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

#include "actorscope/view/replica.hpp"

namespace actorscope::view {

class ActorHistory {
 public:
  explicit ActorHistory(size_t samples = 300) : samples_(samples) {}
  // Takes a sample when the replica's version moved since the last one (call it every frame).
  void sample(const Replica& replica, ActorKey key);
  const std::deque<double>& mailbox() const { return mailbox_; }
  // Busy time over the messages processed between two samples (processing scopes that
  // ended: a message taken out and never handled spent no time in a handler), in µs. An
  // interval without a processed message repeats the last value. From a collector that
  // sends no processed count, dequeued is the best there is.
  const std::deque<double>& processing_us() const { return processing_us_; }

 private:
  size_t samples_;
  uint64_t seen_version_ = 0;
  bool have_last_ = false;
  uint64_t last_handled_ = 0, last_busy_ = 0;
  std::deque<double> mailbox_, processing_us_;
};

}  // namespace actorscope::view
