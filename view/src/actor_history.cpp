// An actor's charts, sampled from the replica.
#include "actorscope/view/actor_history.hpp"

#include <algorithm>

namespace actorscope::view {

void ActorHistory::sample(const Replica& replica, ActorKey key) {
  if (replica.version() == seen_version_) return;
  seen_version_ = replica.version();
  const Actor* a = replica.actor(key);
  if (!a) return;
  const uint64_t handled = a->stats.processed ? a->stats.processed : a->stats.dequeued;
  mailbox_.push_back(static_cast<double>(a->stats.mailbox));
  if (have_last_) {
    const uint64_t n = handled - std::min(handled, last_handled_);
    const uint64_t busy = a->stats.busy_ns - std::min(a->stats.busy_ns, last_busy_);
    processing_us_.push_back(n ? static_cast<double>(busy) / 1000.0 / static_cast<double>(n)
                               : (processing_us_.empty() ? 0.0 : processing_us_.back()));
  }
  have_last_ = true;
  last_handled_ = handled;
  last_busy_ = a->stats.busy_ns;
  while (mailbox_.size() > samples_) mailbox_.pop_front();
  while (processing_us_.size() > samples_) processing_us_.pop_front();
}

}  // namespace actorscope::view
