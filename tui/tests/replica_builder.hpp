// Test replicas for actorscope-top's panels, built the way the collector sends them: a
// snapshot of one node's rows, closed by a tick. One builder for every panel test.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actorscope/view/replica.hpp"

namespace actorscope::tui::test {

namespace pv = proto::viewer;

// One actor row and its stats: ActorSpec(2, 1, "parser", "parser").with_mailbox(12).
struct ActorSpec {
  ActorSpec(uint64_t id_, uint64_t parent_, std::string name_, std::string type_)
      : id(id_), parent(parent_), name(std::move(name_)), type(std::move(type_)) {}
  ActorSpec& as_supervisor(proto::Strategy s = proto::Strategy::OneForOne, uint32_t intensity_ = 3) {
    supervisor = true;
    strategy = s;
    intensity = intensity_;
    return *this;
  }
  ActorSpec& with_child_id(std::string c) {
    child_id = std::move(c);
    return *this;
  }
  ActorSpec& with_mailbox(uint64_t n) {
    mailbox = n;
    return *this;
  }
  ActorSpec& with_restarts(uint64_t total, uint64_t in_period) {
    restarts = total;
    restarts_in_period = in_period;
    return *this;
  }

  uint64_t id, parent;
  std::string name, type, child_id;
  bool supervisor = false;
  proto::Strategy strategy = proto::Strategy::None;
  uint32_t intensity = 0;
  uint64_t mailbox = 0, restarts = 0, restarts_in_period = 0;
};

class ReplicaBuilder {
 public:
  explicit ReplicaBuilder(std::string node_name) : node_name_(std::move(node_name)) {}
  ReplicaBuilder& actor(const ActorSpec& a) {
    actors_.push_back(a);
    return *this;
  }
  ReplicaBuilder& event(const pv::Event& e) {
    events_.push_back(e);
    return *this;
  }
  view::Replica build() const {
    view::Replica r;
    std::vector<uint8_t> buf = frames();
    EXPECT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
    return r;
  }
  // The snapshot as the collector sends it, for a replica that is not built here (a client's).
  std::vector<uint8_t> frames() const {
    std::vector<uint8_t> buf;
    proto::Writer w(buf);
    pv::encode(w, pv::SnapshotBegin{1, 1, actors_.size()});
    pv::NodeRow n;
    n.node = 1;
    n.name = node_name_;
    n.connected = true;
    n.actors = actors_.size();
    for (const ActorSpec& spec : actors_) n.mailbox_total += spec.mailbox;  // as the collector sums it
    pv::encode(w, n);
    for (const ActorSpec& spec : actors_) {
      pv::ActorRow a;
      a.node = 1;
      a.actor = spec.id;
      a.parent = spec.parent;
      a.name = spec.name;
      a.type = spec.type;
      a.child_id = spec.child_id;
      if (spec.supervisor) {
        a.kind = proto::ActorKind::Supervisor;
        a.strategy = spec.strategy;
        a.intensity = spec.intensity;
        a.period_ms = 5000;
      }
      pv::encode(w, a);
      pv::ActorStats s;
      s.node = 1;
      s.actor = spec.id;
      s.mailbox = spec.mailbox;
      s.restarts = spec.restarts;
      s.restarts_in_period = spec.restarts_in_period;
      pv::encode(w, s);
    }
    pv::encode(w, pv::SnapshotEnd{1});
    for (const pv::Event& e : events_) pv::encode(w, e);
    pv::encode(w, pv::Tick{1, 0, 0});
    return buf;
  }

 private:
  std::string node_name_;
  std::vector<ActorSpec> actors_;
  std::vector<pv::Event> events_;
};

}  // namespace actorscope::tui::test
