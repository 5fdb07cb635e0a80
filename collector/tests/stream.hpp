// Test helper: builds agent records and batches with the real codec.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "actorscope/collector/model.hpp"
#include "actorscope/protocol/codec.hpp"

namespace actorscope::collector::testing {

// Accumulates records of one agent connection; strings are defined on first use.
class Stream {
 public:
  proto::StringId str(const std::string& s) {
    if (s.empty()) return 0;
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    proto::StringId id = next_++;
    ids_.emplace(s, id);
    proto::Writer w(buf_);
    proto::encode(w, proto::StringDef{id, s});
    return id;
  }
  template <class R>
  Stream& add(const R& r) {
    proto::Writer w(buf_);
    proto::encode(w, r);
    return *this;
  }
  Stream& spawn(uint64_t id, uint64_t parent, const std::string& type, const std::string& name = "",
                proto::ActorKind kind = proto::ActorKind::Worker, const std::string& child_id = "",
                uint32_t intensity = 0, uint32_t period_ms = 0) {
    proto::ActorSpawned s;
    s.actor = id;
    s.parent = parent;
    s.type = str(type);
    s.name = str(name);
    s.child_id = str(child_id);
    s.kind = kind;
    s.intensity = intensity;
    s.period_ms = period_ms;
    if (kind == proto::ActorKind::Supervisor) s.strategy = proto::Strategy::OneForOne;
    return add(s);
  }
  Stream& exit(uint64_t id, proto::ExitReason reason, const std::string& text = "") {
    proto::ActorExited e;
    e.actor = id;
    e.reason = reason;
    e.reason_text = str(text);
    return add(e);
  }
  // As a current agent sends it: the reason text inline, not interned.
  Stream& exit_inline(uint64_t id, proto::ExitReason reason, std::string_view text) {
    proto::ActorExited e;
    e.actor = id;
    e.reason = reason;
    e.reason_inline = text;
    return add(e);
  }
  Stream& stats(uint64_t id, uint64_t mailbox, uint64_t enqueued, uint64_t dequeued, uint64_t busy_ns = 0,
                std::array<uint64_t, proto::kHistogramBuckets> hist = {}, uint64_t restarts = 0) {
    proto::ActorStats s;
    s.actor = id;
    s.mailbox = mailbox;
    s.enqueued = enqueued;
    s.dequeued = dequeued;
    s.busy_ns = busy_ns;
    s.hist = hist;
    s.restarts = restarts;
    return add(s);
  }
  Stream& restart(uint64_t sup, const std::string& child, uint64_t old_actor, uint64_t new_actor,
                  proto::ExitReason reason = proto::ExitReason::Error, std::string_view text_inline = {}) {
    proto::ChildRestarted r;
    r.supervisor = sup;
    r.child_id = str(child);
    r.old_actor = old_actor;
    r.new_actor = new_actor;
    r.reason = reason;
    r.reason_inline = text_inline;
    return add(r);
  }
  Stream& link(uint64_t a, uint64_t b, proto::LinkOp op = proto::LinkOp::Link) {
    proto::Link l;
    l.a = a;
    l.b = b;
    l.op = op;
    return add(l);
  }
  // Applies what was accumulated as one batch and clears it.
  proto::DecodeResult apply(Model& m, NodeKey node) {
    auto r = m.apply_batch(node, buf_.data(), buf_.size());
    buf_.clear();
    return r;
  }
  std::vector<uint8_t> take() {
    std::vector<uint8_t> out;
    out.swap(buf_);
    return out;
  }
  // A new connection: string ids start over.
  void reset_strings() {
    ids_.clear();
    next_ = 1;
  }

 private:
  std::vector<uint8_t> buf_;
  std::unordered_map<std::string, proto::StringId> ids_;
  proto::StringId next_ = 1;
};

inline proto::Hello hello(const std::string& node, uint64_t incarnation = 1) {
  proto::Hello h;
  h.node = node;
  h.incarnation = incarnation;
  h.pid = 42;
  h.host = "host";
  h.program = "app";
  h.capabilities = proto::kCapFlow;  // as a current agent offers it
  return h;
}

}  // namespace actorscope::collector::testing
