// Assembles one actor's detail from the replica and the collector's detail reply.
#include "actorscope/view/detail.hpp"

#include <charconv>

#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"

namespace actorscope::view {

DetailModel detail(const Replica& replica, ActorKey key) {
  DetailModel d;
  d.key = key;
  if (const auto* n = replica.node(key.node)) d.node_name = n->name;
  const Actor* a = replica.actor(key);
  if (a) {
    d.live = true;
    d.row = a->row;
    d.stats = a->stats;
    if (const auto* kids = replica.children(key)) d.children = kids->size();
    d.msgs_per_s = msgs_per_s(a->stats);
    // Busy time is spent in processing scopes: it is shared by the messages processed, not by
    // those dequeued (a message taken out and never handled took no processing time). An older
    // collector sends no processed count: then dequeued is the best there is.
    const uint64_t handled = a->stats.processed ? a->stats.processed : a->stats.dequeued;
    d.avg_processing_ns = handled ? a->stats.busy_ns / handled : 0;
    if (rates_in_reductions(replica, key.node)) {
      // A BEAM process: dequeued counts its reductions; no message is known to be processed.
      d.rate_unit = "red/s";
      d.work_label = "reductions";
      d.avg_processing_ns = 0;
    }
    d.work = handled;
    for (const Actor* p = replica.actor(ActorKey{key.node, a->row.parent}); p && d.chain.size() < pv::kMaxChain;
         p = replica.actor(ActorKey{key.node, p->row.parent}))
      d.chain.push_back({p->row.actor, display_name(*p), p->row.type});
  }
  d.name = display_name(d.row.name, d.row.child_id, key.actor);
  const auto& reply = replica.detail();
  if (reply && reply->node == key.node && reply->actor == key.actor) {
    apply_reply(d, replica, *reply);
  } else {
    const auto& events = replica.events();
    for (auto it = events.rbegin(); it != events.rend() && d.recent_events.size() < 20; ++it)
      if (it->node == key.node && (it->actor == key.actor || it->supervisor == key.actor)) d.recent_events.push_back(*it);
  }
  for (uint64_t m : replica.watched_mailbox()) d.mailbox_history.push_back(static_cast<double>(m));
  return d;
}

void apply_reply(DetailModel& d, const Replica& replica, const pv::DetailReply& reply) {
  d.reply_received = true;
  d.links = reply.links;
  d.recent_events = reply.events;
  if (!d.live && !reply.name.empty()) d.name = reply.name;  // its name, as its last event tells
  if (reply.has_child) {
    d.child = reply.child;
    d.child_text = child_history_text(reply.child, replica.last_tick().wall_ns);
  }
  flow_texts(reply, d.handling_text, d.senders_text, d.message_types_text);
  if (!d.live && !reply.chain.empty()) {
    d.chain = reply.chain;
    for (auto& c : d.chain) c.name = display_name(c.name, {}, c.actor);
  }
}

void flow_texts(const pv::DetailReply& reply, std::string& handling, std::string& senders, std::string& types) {
  handling.clear();
  senders.clear();
  types.clear();
  if (!reply.has_flow) return;
  if (reply.handling)
    handling = "handling " + (reply.handling_type.empty() ? std::string("a message") : reply.handling_type) + " for " +
               format_duration_ns(reply.handling_busy_ns);
  // Estimates: "~" on every rate, and the sampling named once.
  auto rate = [](uint64_t x100) { return "~" + format_rate(static_cast<double>(x100) / 100.0); };
  // The window the rates are decayed over, when the collector says it: the actor's own msg/s
  // is averaged over about a second, and under waves of traffic the two differ.
  senders = "senders (sampled 1 in " + std::to_string(reply.sample_every) +
            (reply.flow_window_ns ? ", rates over " + format_duration_ns(reply.flow_window_ns) : std::string()) + "): ";
  if (reply.senders.empty()) senders += "none lately";
  for (size_t i = 0; i < reply.senders.size(); ++i) {
    const pv::FlowSenderRow& f = reply.senders[i];
    std::string who = f.actor == 0 ? std::string("outside any actor")
                      : !f.name.empty() ? f.name + " (" + f.type + ")"
                                        : f.type + " <" + std::to_string(f.actor) + ">";
    senders += (i ? ", " : "") + who + " " + rate(f.rate_x100);
  }
  types = "message types: ";
  if (reply.message_types.empty()) types += "none lately";
  for (size_t i = 0; i < reply.message_types.size(); ++i) {
    const pv::FlowTypeRow& t = reply.message_types[i];
    types += (i ? ", " : "") + (t.type.empty() ? std::string("(unnamed)") : t.type) + " " + rate(t.rate_x100);
  }
}

std::string child_history_text(const pv::ChildHistory& c, uint64_t now_wall_ns) {
  std::string out = c.restarts ? "restarted " + format_count(c.restarts) + "\xC3\x97" : std::string("never restarted");
  if (c.last_crash_actor != 0) {
    out += c.restarts ? ", last crash: " : ", crashed: ";
    out += format_reason(c.last_reason, c.last_text);
    if (c.last_crash_wall_ns && now_wall_ns) {
      const std::string age = format_age(c.last_crash_wall_ns, now_wall_ns);
      out += age == "now" ? ", just now" : ", " + age + " ago";
    }
  }
  return out;
}

std::optional<ActorKey> find_actor(const Replica& replica, std::string_view text, NodeId node) {
  std::optional<ActorKey> by_id, by_name, by_child_id;
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  bool numeric = ec == std::errc{} && end == text.data() + text.size();
  auto better = [](std::optional<ActorKey>& best, ActorKey k) {
    if (!best || k.node < best->node || (k.node == best->node && k.actor < best->actor)) best = k;
  };
  for (const Actor& a : replica.actors()) {
    ActorKey k = a.key();
    if (node != 0 && k.node != node) continue;
    if (numeric && a.row.actor == id) better(by_id, k);
    if (a.row.name == text) better(by_name, k);
    if (a.row.child_id == text) better(by_child_id, k);
  }
  if (by_id) return by_id;
  if (by_name) return by_name;
  return by_child_id;
}

}  // namespace actorscope::view
