// The mailbox warnings and the types' deepest mailboxes after every step, against a reference
// that applies the documented rules to every actor at every step (the model looks only at the
// actors that changed). Random streams on three nodes: reconnects, new incarnations, exits,
// restarts, mailboxes that grow, shrink and stand still long enough to be stuck.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "history_inputs.hpp"

namespace actorscope::collector {
namespace {

using testing::Input;

// One actor as the reference saw it when a step began.
struct Row {
  uint64_t mailbox = 0, growth_base = 0, last_progress_ns = 0;
  float messages_per_s = 0;
  uint8_t growth_streak = 0;
  uint32_t type_slot = 0;
};

// What a reference warning keeps between steps.
struct Held {
  uint64_t since_ns = 0;
  uint64_t peak = 0;
  std::string text;
};
using Key = std::tuple<WarningKind, NodeKey, uint64_t>;

bool is_mailbox_kind(WarningKind k) {
  return k == WarningKind::MailboxGrowing || k == WarningKind::MailboxLarge || k == WarningKind::MailboxWait ||
         k == WarningKind::StuckActor;
}

class Reference {
 public:
  explicit Reference(const ModelSettings& s) : s_(s) {}

  // The rules of the design, applied to every actor of every connected node at a step at `now`,
  // from the rows as they were when it began.
  void step(const Model& m, const std::map<NodeKey, std::map<uint64_t, Row>>& rows, uint64_t now) {
    std::map<Key, Held> next;
    char buf[200];
    auto count = [](uint64_t v) { return static_cast<unsigned long long>(v); };
    for (const auto& [k, actors] : rows) {
      const Node* n = m.node(k);
      if (!n || n->state != NodeState::Connected) continue;
      for (const auto& [id, a] : actors) {
        if (a.mailbox == 0) continue;
        const Held* g = find(WarningKind::MailboxGrowing, k, id);
        if (a.growth_streak >= s_.mailbox_growth_samples && a.mailbox > a.growth_base + s_.mailbox_growth_min) {
          std::snprintf(buf, sizeof buf, "mailbox grew from %llu to %llu messages in %u samples in a row", count(a.growth_base),
                        count(a.mailbox), static_cast<unsigned>(a.growth_streak));
          raise(next, WarningKind::MailboxGrowing, k, id, buf, now, a.mailbox);
        } else if (g && a.mailbox * 2 >= g->peak && a.mailbox > s_.mailbox_growth_min) {
          std::snprintf(buf, sizeof buf, "mailbox at %llu messages (peak %llu): no longer growing, not yet drained",
                        count(a.mailbox), count(std::max(g->peak, a.mailbox)));
          raise(next, WarningKind::MailboxGrowing, k, id, buf, now, a.mailbox);
        }
        const bool large_held = find(WarningKind::MailboxLarge, k, id) != nullptr;
        if (a.mailbox >= s_.mailbox_large || (large_held && a.mailbox * 2 >= s_.mailbox_large)) {
          std::snprintf(buf, sizeof buf, "%llu messages in the mailbox (warning at %llu, cleared below %llu)", count(a.mailbox),
                        count(s_.mailbox_large), count(s_.mailbox_large / 2));
          raise(next, WarningKind::MailboxLarge, k, id, buf, now, a.mailbox);
        }
        if (a.messages_per_s > 0) {
          const double drain_s = static_cast<double>(a.mailbox) / a.messages_per_s;
          const double limit_s = static_cast<double>(s_.mailbox_wait_ns) / 1e9;
          const bool held = find(WarningKind::MailboxWait, k, id) != nullptr;
          if (drain_s >= limit_s || (held && drain_s * 2 >= limit_s)) {
            std::snprintf(buf, sizeof buf, "%llu messages waiting: about %.0f s to drain at %.1f messages/s", count(a.mailbox),
                          drain_s, static_cast<double>(a.messages_per_s));
            raise(next, WarningKind::MailboxWait, k, id, buf, now, a.mailbox);
          }
        }
        if (now >= a.last_progress_ns + s_.stuck_after_ns) {
          const uint64_t tenths = (now - a.last_progress_ns) / 100'000'000;
          std::string text = std::to_string(a.mailbox) + " messages waiting, none processed for " + std::to_string(tenths / 10) +
                             "." + std::to_string(tenths % 10) + " s";
          raise(next, WarningKind::StuckActor, k, id, text, now, 0);
        }
      }
    }
    held_ = std::move(next);
  }
  const std::map<Key, Held>& held() const { return held_; }

 private:
  const Held* find(WarningKind kind, NodeKey k, uint64_t id) const {
    auto it = held_.find({kind, k, id});
    return it == held_.end() ? nullptr : &it->second;
  }
  void raise(std::map<Key, Held>& next, WarningKind kind, NodeKey k, uint64_t id, std::string text, uint64_t now, uint64_t mailbox) {
    Held h;
    if (const Held* before = find(kind, k, id))
      h = *before;
    else
      h.since_ns = now;
    h.peak = std::max(h.peak, mailbox);
    h.text = std::move(text);
    next[{kind, k, id}] = std::move(h);
  }
  ModelSettings s_;
  std::map<Key, Held> held_;
};

std::map<NodeKey, std::map<uint64_t, Row>> rows_of(const Model& m) {
  std::map<NodeKey, std::map<uint64_t, Row>> out;
  for (NodeKey k : m.node_keys())
    m.for_each_actor(k, [&](const Actor& a) {
      out[k][a.id] = Row{a.mailbox, a.growth_base, a.last_progress_ns, a.messages_per_s, a.growth_streak, a.type_slot};
    });
  return out;
}

// Runs one random stream and checks every step; returns the number of warnings it compared.
size_t check_stream(uint32_t seed, const ModelSettings& s, size_t inputs) {
  const std::vector<Input> stream = testing::random_inputs(seed, inputs);
  Model m(s);
  Reference ref(s);
  std::map<int, NodeKey> keys;
  uint64_t next_step = 0;
  size_t compared = 0;
  for (size_t i = 0; i < stream.size(); ++i) {
    const Input& in = stream[i];
    if (in.kind != Input::Tick) {
      testing::feed(m, {in}, keys);
      continue;
    }
    // A step runs at the first tick, then at the first tick a step's length after the last.
    const bool steps = next_step == 0 || in.at >= next_step;
    const auto before = rows_of(m);
    m.tick(in.at);
    if (!steps) continue;
    next_step = in.at + s.series_step_ns;
    ref.step(m, before, in.at);

    std::map<Key, const Warning*> got;
    for (const Warning& w : m.warnings())
      if (is_mailbox_kind(w.kind)) got[{w.kind, w.node, w.actor}] = &w;
    for (const auto& [key, h] : ref.held()) {
      auto it = got.find(key);
      if (it == got.end()) {
        ADD_FAILURE() << "seed " << seed << " input " << i << ": missing " << name(std::get<0>(key)) << " of actor "
                      << std::get<2>(key) << " on node " << std::get<1>(key) << " (" << h.text << ")";
        return compared;
      }
      const Warning& w = *it->second;
      EXPECT_EQ(w.text, h.text) << "seed " << seed << " input " << i << " " << name(w.kind) << " actor " << w.actor;
      EXPECT_EQ(w.since_ns, h.since_ns) << "seed " << seed << " input " << i << " " << name(w.kind) << " actor " << w.actor;
      EXPECT_EQ(w.seen_ns, in.at) << "seed " << seed << " input " << i;
      if (w.kind != WarningKind::StuckActor) {
        EXPECT_EQ(w.peak, h.peak) << "seed " << seed << " input " << i;
      }
      ++compared;
    }
    for (const auto& [key, w] : got) {
      if (ref.held().count(key)) continue;
      ADD_FAILURE() << "seed " << seed << " input " << i << ": " << name(w->kind) << " of actor " << w->actor
                    << " is not due (" << w->text << ")";
      return compared;
    }

    // The deepest mailbox of each type, as of this step: the deepest of its live actors.
    const auto after = rows_of(m);
    for (NodeKey k : m.node_keys()) {
      std::map<uint32_t, uint64_t> deepest;
      if (after.count(k))
        for (const auto& [id, a] : after.at(k)) deepest[a.type_slot] = std::max(deepest[a.type_slot], a.mailbox);
      uint32_t slot = 0;
      for (const TypeAggregate& t : m.types(k)) {
        EXPECT_EQ(t.mailbox_max, deepest[slot]) << "seed " << seed << " input " << i << " type " << m.text(t.type);
        ++slot;
      }
    }
    if (::testing::Test::HasFailure()) return compared;
  }
  return compared;
}

ModelSettings reference_settings() {
  ModelSettings s = testing::small_settings();
  s.stuck_after_ns = 3'000'000'000;
  s.mailbox_wait_ns = 2'000'000'000;
  return s;
}

TEST(MailboxWarnings, EveryStepEqualsTheRulesAppliedToEveryActor) {
  size_t compared = 0;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    compared += check_stream(seed, reference_settings(), 6000);
    if (HasFailure()) return;
  }
  // The streams raise and hold each kind many times (a count that could be 0 if they did not).
  EXPECT_GT(compared, 1000u);
}

// A warning refused past max_warnings is raised once there is room, as at a full look at every actor.
TEST(MailboxWarnings, RefusedForRoomThenRaisedWhenThereIsRoom) {
  ModelSettings s = reference_settings();
  s.max_warnings = 6;
  Model m(s);
  testing::Stream st;
  NodeKey k = m.on_hello(1, testing::hello("n", 1));
  m.set_now(1'000'000'000);
  for (uint64_t id = 1; id <= 10; ++id) st.spawn(id, 0, "worker", "w" + std::to_string(id));
  for (uint64_t id = 1; id <= 10; ++id) st.stats(id, 100 * id, 100 * id, 0, 0);  // nothing processed: stuck after 3 s
  auto batch = st.take();
  m.apply_batch(k, batch.data(), batch.size());
  m.tick(1'000'000'000);
  m.tick(5'000'000'000);
  auto stuck = [&] {
    std::set<uint64_t> out;
    for (const Warning& w : m.warnings())
      if (w.kind == WarningKind::StuckActor) out.insert(w.actor);
    return out;
  };
  EXPECT_EQ(stuck().size(), 6u);
  EXPECT_GT(m.stats().warnings_over_cap, 0u);
  // Four of the six drain; the four refused before take their places at the next step.
  m.set_now(5'500'000'000);
  const std::set<uint64_t> first = stuck();
  size_t drained = 0;
  for (uint64_t id : first) {
    if (drained++ == 4) break;
    st.stats(id, 0, 100 * id, 100 * id, 1000);
  }
  batch = st.take();
  m.apply_batch(k, batch.data(), batch.size());
  m.tick(6'000'000'000);
  const std::set<uint64_t> after_drain = stuck();
  EXPECT_EQ(after_drain.size(), 2u);  // the drained cleared; room came at this step's end
  m.tick(7'000'000'000);
  EXPECT_EQ(stuck().size(), 6u);
}

// A peer that keeps making actors that would be warned of, and ending them, while the table is
// full: what the model keeps of the refused ones stays bounded by the actors alive.
TEST(MailboxWarnings, RefusedActorsThatLeaveDoNotPileUp) {
  ModelSettings s = reference_settings();
  s.max_warnings = 5;
  s.stuck_after_ns = 1'000'000'000;
  Model m(s);
  testing::Stream st;
  NodeKey k = m.on_hello(1, testing::hello("n", 1));
  uint64_t now = 1'000'000'000;
  m.set_now(now);
  for (uint64_t id = 1; id <= 5; ++id) st.spawn(id, 0, "worker").stats(id, 10, 10, 0);  // they fill the table
  auto batch = st.take();
  m.apply_batch(k, batch.data(), batch.size());
  m.tick(now);
  uint64_t bytes_at_2000 = 0;
  for (uint64_t i = 0; i < 20'000; ++i) {
    const uint64_t id = 100 + i;
    now += 1'000'000'000;
    m.set_now(now);
    st.spawn(id, 0, "worker").stats(id, 10, 10, 0);
    batch = st.take();
    m.apply_batch(k, batch.data(), batch.size());
    m.tick(now);  // not stuck yet
    now += 2'000'000'000;
    m.tick(now);  // stuck: refused, the table is full
    st.exit_inline(id, proto::ExitReason::Normal, "");
    batch = st.take();
    m.apply_batch(k, batch.data(), batch.size());
    if (i == 2'000) bytes_at_2000 = m.stats().actor_table_bytes;
  }
  EXPECT_EQ(m.warnings().size(), 5u);
  EXPECT_GE(m.stats().warnings_over_cap, 20'000u);
  EXPECT_LT(m.stats().actor_table_bytes, bytes_at_2000 + 16 * 1024)
      << "18 000 more refused actors that left must not be kept";
}

}  // namespace
}  // namespace actorscope::collector
