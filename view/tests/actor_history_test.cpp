// An actor window's charts: one sample per replica version, processing time per message
// processed (not per message dequeued), the last N kept.
#include <gtest/gtest.h>

#include "actorscope/view/actor_history.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

pv::ActorStats stats(uint64_t mailbox, uint64_t dequeued, uint64_t processed, uint64_t busy_ns) {
  pv::ActorStats s;
  s.node = 1;
  s.actor = 5;
  s.mailbox = mailbox;
  s.dequeued = dequeued;
  s.processed = processed;
  s.busy_ns = busy_ns;
  return s;
}

void apply(view::Replica& r, const std::vector<pv::ActorStats>& updates, bool snapshot = false) {
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  if (snapshot) {
    pv::encode(w, pv::SnapshotBegin{1, 1, 1});
    pv::NodeRow n;
    n.node = 1;
    n.name = "orders";
    n.connected = true;
    pv::encode(w, n);
    pv::ActorRow a;
    a.node = 1;
    a.actor = 5;
    a.name = "parser";
    a.type = "parser";
    pv::encode(w, a);
  }
  for (const auto& s : updates) pv::encode(w, s);
  if (snapshot) pv::encode(w, pv::SnapshotEnd{1});
  pv::encode(w, pv::Tick{1, 0, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
}

}  // namespace

TEST(ActorHistory, ProcessingTimeIsPerMessageProcessed) {
  view::Replica r;
  apply(r, {stats(0, 0, 0, 0)}, true);
  view::ActorHistory h(3);
  const view::ActorKey key{1, 5};
  h.sample(r, key);
  EXPECT_EQ(h.mailbox().size(), 1u);
  EXPECT_TRUE(h.processing_us().empty()) << "no interval yet";
  h.sample(r, key);
  EXPECT_EQ(h.mailbox().size(), 1u) << "the same version is sampled once";

  // 10 taken out, 8 handled, 8 µs busy: 1 µs per message handled (not 0.8 per dequeued).
  apply(r, {stats(3, 10, 8, 8'000)});
  h.sample(r, key);
  ASSERT_EQ(h.processing_us().size(), 1u);
  EXPECT_DOUBLE_EQ(h.processing_us().back(), 1.0);
  EXPECT_DOUBLE_EQ(h.mailbox().back(), 3.0);

  // Two more taken out, none handled: the last value stands.
  apply(r, {stats(5, 12, 8, 8'000)});
  h.sample(r, key);
  EXPECT_DOUBLE_EQ(h.processing_us().back(), 1.0);

  // Four handled in 8 µs: 2 µs each. Only the last three samples are kept.
  apply(r, {stats(1, 12, 12, 16'000)});
  h.sample(r, key);
  EXPECT_DOUBLE_EQ(h.processing_us().back(), 2.0);
  EXPECT_EQ(h.mailbox().size(), 3u);
  EXPECT_DOUBLE_EQ(h.mailbox().front(), 3.0);
}

// An older collector sends no processed count: dequeued is the best there is.
TEST(ActorHistory, WithoutAProcessedCountDequeuedStandsIn) {
  view::Replica r;
  apply(r, {stats(0, 0, 0, 0)}, true);
  view::ActorHistory h;
  h.sample(r, {1, 5});
  apply(r, {stats(0, 4, 0, 2'000)});
  h.sample(r, {1, 5});
  ASSERT_EQ(h.processing_us().size(), 1u);
  EXPECT_DOUBLE_EQ(h.processing_us().back(), 0.5);
}
