// One viewer's session: subscription, streamed snapshot, deltas from the change journal,
// requests and commands. Runs on the server's loop thread and reads the Model directly.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <future>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "actorscope/collector/history.hpp"
#include "actorscope/collector/history_export.hpp"
#include "actorscope/collector/log.hpp"
#include "actorscope/collector/seeded_hash.hpp"
#include "actorscope/serve/rows.hpp"
#include "actorscope/serve/serve.hpp"

namespace actorscope::serve {

namespace {

using collector::Model;
using collector::NodeKey;

uint64_t wall_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

bool same_token(const std::string& a, const std::string& b) {
  // Constant time in the length of the secret.
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (size_t i = 0; i < b.size(); ++i) diff |= static_cast<unsigned>(static_cast<uint8_t>(i < a.size() ? a[i] : 0) ^ static_cast<uint8_t>(b[i]));
  return diff == 0;
}


template <class Msg>
std::vector<uint8_t> encoded(const Msg& m) {
  std::vector<uint8_t> out;
  proto::Writer w(out);
  wire::encode(w, m);
  return out;
}

class ViewerSession final : public collector::Session {
 public:
  ViewerSession(collector::Connection& conn, const Model& model, ServeOptions options, std::shared_ptr<ServeCounters> counters)
      : conn_(conn), live_(model), options_(std::move(options)), counters_(std::move(counters)) {
    // Stay under the server's own bound, so that it is this session that decides (and says
    // why) when a viewer falls behind, and a snapshot never trips the bound by itself.
    size_t bound = std::max<size_t>(options_.connection_bound_bytes, 4 * options_.chunk_bytes);
    options_.snapshot_fill_bytes = std::min(options_.snapshot_fill_bytes, bound / 2);
    options_.max_queue_bytes = std::min(options_.max_queue_bytes, bound / 2);
    ++counters_->viewers;
    ++counters_->viewers_total;
  }
  ~ViewerSession() override { on_close(); }

  void on_frame(const proto::FrameHeader& header, const uint8_t* payload, size_t len) override {
    if (closed_) return;
    if (header.type != proto::FrameType::View) return;  // Goodbye and others: nothing to do
    // One frame's requests share one budget of events scanned: a frame of a thousand
    // searches costs what one long search costs, and the rest are answered "busy".
    scan_budget_ = options_.max_events_scanned_per_frame;
    export_part_sent_ = false;
    subtree_flow_answered_ = false;
    auto res = wire::decode_messages(payload, len, *this);
    if (!res.ok) {
      // The replies computed before the bad message stay; the bad one gets RequestFailed
      // (VIEWER.md) and the viewer stays connected.
      fail(0, std::string("malformed request: ") + (res.error ? res.error : "?"));
    }
    flush_out();
  }

  void on_tick(uint64_t now_ns) override {
    if (closed_) return;
    take_rebuilt();
    if (!subscribed_) {
      flush_out();
      return;
    }
    if (streaming_) {
      continue_snapshot();
    } else if (shown_ != &live_) {
      // A past instant stands still: nothing changes in it, nothing is sent.
    } else if (now_ns - last_delta_ns_ >= interval_ns_) {
      if (conn_.queued_bytes() > options_.max_queue_bytes) {
        ++counters_->viewers_dropped;
        close("viewer fell behind: " + std::to_string(conn_.queued_bytes()) + " bytes queued (limit " +
              std::to_string(options_.max_queue_bytes) + ")");
        return;
      }
      last_delta_ns_ = now_ns;
      send_delta();
    }
    flush_out();
  }

  void on_close() override {
    if (!counted_closed_) {
      counted_closed_ = true;
      --counters_->viewers;
      if (shown_ != &live_) --counters_->past_views;
    }
    end_export();
    closed_ = true;
    // A rebuild still running finishes on its thread; the future's destructor waits for it.
  }

  // ---- requests (decode_messages calls these) ----
  void on(const wire::Subscribe& m) {
    node_filter_ = 0;
    if (!m.node.empty()) {
      node_filter_ = model().find_node(m.node);
      if (node_filter_ == 0) {
        fail(0, "unknown node '" + m.node + "'");
        wanted_node_ = m.node;  // subscribed to a node that may appear later: show nothing yet
      }
    }
    wanted_node_ = m.node;
    uint8_t hz = m.delta_hz == 0 ? options_.delta_hz : std::min(m.delta_hz, options_.delta_hz);
    hz = std::clamp<uint8_t>(hz, 1, wire::kMaxDeltaHz);
    interval_ns_ = 1'000'000'000ull / hz;
    subscribed_ = true;
    start_snapshot();
  }

  void on(const wire::DetailRequest& m) {
    wire::DetailReply r;
    r.request = m.request;
    r.node = m.node;
    r.actor = m.actor;
    const collector::Actor* a = model().actor(m.node, m.actor);
    r.found = a != nullptr;
    auto add_chain = [&](uint64_t from) {
      for (const collector::Actor* p = model().actor(m.node, from); p && r.chain.size() < wire::kMaxChain;
           p = model().actor(m.node, p->parent))
        r.chain.push_back({p->id, std::string(model().text(p->name ? p->name : p->child_id)), std::string(model().text(p->type))});
    };
    if (a) {
      add_chain(a->parent);
      for (const auto& l : model().links(m.node, m.actor)) {
        if (r.links.size() == wire::kMaxLinks) break;
        wire::LinkKind kind = l.kind == collector::LinkKind::Monitors      ? wire::LinkKind::Monitors
                              : l.kind == collector::LinkKind::MonitoredBy ? wire::LinkKind::MonitoredBy
                                                                           : wire::LinkKind::Link;
        r.links.push_back({l.other, kind, l.count});
      }
    }
    collector::EventQuery q;
    q.before_seq = model().last_event_seq() + 1;
    q.limit = 50;
    q.node = m.node;
    q.actor = m.actor;
    // The actor's recent events, from the newest back as far as the frame's budget goes.
    q.max_scan = scan_budget_;
    size_t scanned = 0;
    int64_t off = wall_offset();
    const auto events = model().events(q, &scanned);
    for (const auto* e : events) r.events.push_back(event_row(model(), *e, off));
    scan_budget_ -= std::min(scan_budget_, scanned);
    // The child this actor is: its row says while it lives; after, its last exit or restart
    // event names its supervisor and child id (and its name, for the viewer's title).
    uint64_t supervisor = a ? a->parent : 0;
    collector::Str child_id = a ? a->child_id : 0;
    if (!a) {
      const Departure d = departure(events, m.actor);
      supervisor = d.supervisor;
      child_id = d.child_id;
      r.name = std::string(model().text(d.name));
      // A supervisor restarted since (a storm that replaced it too): its live successor holds
      // the child now. The model knows it by the supervisor's id, with no scan of the log,
      // which a storm would have used up on the actor's own events above.
      if (supervisor != 0 && !model().actor(m.node, supervisor))
        if (const uint64_t successor = model().successor_of_supervisor(m.node, supervisor)) supervisor = successor;
      add_chain(supervisor);
    }
    if (const collector::ChildRecord* c = model().child(m.node, supervisor, child_id)) {
      r.has_child = true;
      r.child.supervisor = supervisor;
      r.child.child_id = std::string(model().text(c->child_id));
      r.child.restarts = c->restarts;
      r.child.current = c->current;
      r.child.last_crash_actor = c->last_crash_actor;
      r.child.last_crash_wall_ns = c->last_crash_wall_ns;
      r.child.last_reason = c->last_reason;
      if (c->last_crash_actor != 0)
        if (const collector::Event* e = model().event(c->last_crash_seq))
          r.child.last_text = e->detail.empty() ? std::string(model().text(e->text)) : e->detail;
    }
    add_flow(r, m.node, m.actor);
    append(r);
  }

  // Who sends to it, what, and what it is handling: estimates from its agent's samples.
  void add_flow(wire::DetailReply& r, NodeKey node, uint64_t actor) {
    collector::FlowStats st = model().flow_stats(node);
    if (st.sample_every == 0) return;  // its agent reports no flow
    r.has_flow = true;
    r.sample_every = st.sample_every;
    r.flow_window_ns = model().settings().flow_rate_window_ns;
    for (const collector::FlowSender& f : model().top_senders(node, actor, wire::kMaxFlowRows)) {
      wire::FlowSenderRow row;
      row.actor = f.from;
      if (const collector::Actor* a = f.from ? model().actor(node, f.from) : nullptr)
        row.name = std::string(model().text(a->name ? a->name : a->child_id));
      row.type = std::string(model().text(f.type));
      row.rate_x100 = x100(f.rate);
      row.error_x100 = x100(f.error);
      r.senders.push_back(std::move(row));
    }
    for (const collector::FlowSender& t : model().message_mix(node, actor, wire::kMaxFlowRows))
      r.message_types.push_back({std::string(model().text(t.type)), x100(t.rate)});
    if (const collector::HandlingNow* h = model().handling(node, actor)) {
      r.handling = true;
      r.handling_type = std::string(model().text(h->type));
      const uint64_t since = model().now() > h->at_ns ? model().now() - h->at_ns : 0;
      r.handling_busy_ns = h->busy_ns > UINT64_MAX - since ? UINT64_MAX : h->busy_ns + since;  // a peer's figure
    }
  }

  // Who sends to whom among a supervisor's child subtrees: from the per-receiver counters.
  static_assert(static_cast<int>(collector::FlowGroupRole::OtherChildren) ==
                    static_cast<int>(wire::FlowGroupRole::OtherChildren) &&
                static_cast<int>(collector::FlowGroupRole::Unplaced) == static_cast<int>(wire::FlowGroupRole::Unplaced) &&
                wire::kFlowGroupRoleCount == 5);
  void on(const wire::SubtreeFlowRequest& m) {
    // Grouping a supervisor's subtree walks the node's kept senders (a few ms at the caps): one
    // per frame, so that a frame of many requests costs one.
    if (subtree_flow_answered_) {
      fail(m.request, "busy: one flow by subtree per frame; ask again");
      return;
    }
    subtree_flow_answered_ = true;
    if (!model().node(m.node)) {
      fail(m.request, "unknown node " + std::to_string(m.node));
      return;
    }
    const size_t max_children = std::min<size_t>(m.max_children, wire::kMaxFlowGroups - 4);
    const collector::SubtreeFlow f = model().subtree_flow(m.node, m.supervisor, max_children);
    wire::SubtreeFlowReply r;
    r.request = m.request;
    r.found = f.found;
    r.node = m.node;
    r.supervisor = m.supervisor;
    r.sample_every = f.sample_every;
    r.children = f.children;
    r.receivers_over_cap = f.receivers_over_cap;
    for (const collector::FlowGroup& g : f.groups) {
      wire::FlowGroupRow row;
      row.role = static_cast<wire::FlowGroupRole>(g.role);
      row.actor = g.actor;
      row.name = std::string(model().text(g.name));
      row.type = std::string(model().text(g.type));
      row.internal_x100 = x100(g.internal_rate);
      row.mailbox_max = g.mailbox_max;
      row.children = g.children;
      r.groups.push_back(std::move(row));
    }
    for (const collector::FlowGroupEdge& e : f.edges) {
      if (r.edges.size() == wire::kMaxFlowGroupEdges) break;
      r.edges.push_back({e.from, e.to, x100(e.rate), x100(e.error)});
    }
    append(r);
  }

  void on(const wire::EventsRequest& m) {
    wire::EventsPage page;
    page.request = m.request;
    size_t limit = std::min<size_t>(std::max<uint32_t>(m.limit, 1), wire::kMaxPageEvents);
    collector::EventQuery q;
    q.before_seq = m.before_seq ? m.before_seq : model().last_event_seq() + 1;
    q.kinds = model_kinds(m.kinds);
    q.node = m.node;
    q.limit = 256;
    int64_t off = wall_offset();
    if (scan_budget_ == 0) {
      fail(m.request, "busy: this frame's requests used their budget (" +
                          std::to_string(options_.max_events_scanned_per_frame) + " events scanned); ask again");
      return;
    }
    // The model filters by kind and node; the text filter is applied here. Both scans count
    // against the frame's budget; a page cut short by it says more = 1.
    while (page.events.size() < limit) {
      if (scan_budget_ == 0) {
        page.more = true;
        break;
      }
      q.max_scan = scan_budget_;
      size_t scanned = 0;
      uint64_t stopped_at = 0;
      auto batch = model().events(q, &scanned, &stopped_at);
      scan_budget_ -= std::min(scan_budget_, scanned);
      if (batch.empty()) {
        if (scanned == 0 || scan_budget_ > 0) break;  // the start of the log
        continue;                                     // budget spent: more = 1 above
      }
      for (const auto* e : batch) {
        q.before_seq = e->seq;
        if (!m.text.empty() && !event_matches_text(*e, m.text)) continue;
        if (page.events.size() == limit) {
          page.more = true;
          break;
        }
        page.events.push_back(event_row(model(), *e, off));
      }
      if (page.more) break;
      q.before_seq = stopped_at;  // the next round starts below the oldest event examined
    }
    append(page);
  }

  void on(const wire::SeriesRequest& m) {
    wire::SeriesReply r;
    r.request = m.request;
    r.step_ms = static_cast<uint32_t>(model().settings().series_step_ns / 1'000'000);
    size_t n = std::min<size_t>(m.seconds ? m.seconds : 60, wire::kMaxSeriesPoints);
    std::vector<NodeKey> nodes = m.node ? std::vector<NodeKey>{m.node} : model().node_keys();
    const bool per_minute = m.metric == wire::Metric::RestartsPerMin;
    for (NodeKey k : nodes) {
      // Restarts/min is the header's quantity at each point (restarts_in_minute_ending):
      // 59 older points give the first ones their whole minute.
      auto pts = model().series(k, per_minute ? n + 59 : n);
      const size_t first = pts.size() > n ? pts.size() - n : 0, count = pts.size() - first;
      if (r.points.size() < count) r.points.insert(r.points.begin(), count - r.points.size(), 0.0);
      size_t shift = r.points.size() - count;  // align on the newest point
      for (size_t i = 0; i < count; ++i)
        r.points[shift + i] += per_minute ? restarts_in_minute_ending(pts, first + i) : value(pts[first + i], m.metric);
      if (!pts.empty()) r.end_wall_ns = std::max<uint64_t>(r.end_wall_ns, static_cast<uint64_t>(static_cast<int64_t>(pts.back().at_ns) + wall_offset()));
    }
    append(r);
  }

  void on(const wire::KillRequest& m) {
    std::string what = "kill of actor " + std::to_string(m.actor) + " on node " + std::to_string(m.node) +
                       " asked by viewer " + conn_.peer();
    std::string refusal;
    if (!(conn_.hello().capabilities & proto::kCapCommands))
      refusal = "refused: this viewer did not ask for commands in its Hello (the collector granted none)";
    else if (!options_.allow_commands)
      refusal = "refused: this collector does not accept commands (start it with --allow-commands)";
    else if (options_.token.empty())
      refusal = "refused: commands need a collector token (--token-file)";
    else if (!same_token(m.token, options_.token))
      refusal = "refused: wrong token";
    else if (shown_ != &live_)
      refusal = "refused: this viewer is showing the past; go back to live to act on the app";
    else if (!model().actor(m.node, m.actor))
      refusal = "refused: " + not_live(m.node, m.actor);
    if (!refusal.empty()) {
      answer(m.request, what, {false, refusal});
      return;
    }
    // The server routes it to the node's agent; the answer comes back on the loop thread,
    // never after this session closed.
    log_.log(collector::LogLevel::Info, now_ns(), conn_.peer(), "kill", what + ": sent to the agent");
    uint64_t request = m.request;
    conn_.send_command(m.node, m.actor, proto::CommandKind::Kill,
                       [this, request, what](const collector::CommandOutcome& o) { answer(request, what, o); });
  }

  // ---- the past (the flight recorder) ----
  void on(const wire::ShowInstant& m) {
    const collector::History* h = live_.history();
    if (m.wall_ns == 0) {  // live again
      rebuilding_.reset();
      next_instant_.reset();
      if (shown_ != &live_) {
        shown_ = &live_;
        past_.reset();
        past_wall_ns_ = 0;
        --counters_->past_views;
      }
      append(instant_shown(m.request, wire::InstantMode::Live, 0, ""));
      if (subscribed_) start_snapshot();
      return;
    }
    if (!h || h->stats().segments == 0) {
      append(instant_shown(m.request, wire::InstantMode::Refused, 0,
                           "this collector keeps no history: it runs with --history-age 0"));
      return;
    }
    const collector::HistoryStats st = h->stats();
    if (h->to_model(m.wall_ns) < st.begins_at) {
      append(instant_shown(m.request, wire::InstantMode::Refused, 0,
                           "that instant is before this collector's history begins (" +
                               std::to_string((h->to_wall(st.ends_at) - h->to_wall(st.begins_at)) / 1'000'000'000) +
                               " s of it are kept: --history-age, --history-bytes)"));
      return;
    }
    // Each viewer in the past holds a model of its own: their number is bounded.
    if (shown_ == &live_ && !rebuilding_ &&
        static_cast<uint64_t>(std::max<int64_t>(counters_->past_views.load(), 0)) + counters_->rebuilds_running.load() >=
            options_.max_past_views) {
      ++counters_->rebuilds_refused;
      log_.log(collector::LogLevel::Warn, now_ns(), conn_.peer(), "past_busy",
               "viewer " + conn_.peer() + ": past instant refused: as many are rebuilt or shown as allowed");
      append(instant_shown(m.request, wire::InstantMode::Refused, 0,
                           "busy: " + std::to_string(options_.max_past_views) +
                               " viewers are showing the past already (each holds its instant's model); ask again later"));
      return;
    }
    next_instant_ = Rebuild{m.request, m.wall_ns};
    start_rebuild();
  }

  void on(const wire::TimelineRequest& m) {
    wire::TimelineReply r;
    r.request = m.request;
    const collector::History* h = live_.history();
    if (!h) {
      append(r);  // no history: nothing in it
      return;
    }
    const collector::HistoryStats st = h->stats();
    r.begins_wall_ns = st.segments ? h->to_wall(st.begins_at) : 0;
    r.ends_wall_ns = st.segments ? h->to_wall(st.ends_at) : 0;
    r.bucket_ms = static_cast<uint32_t>(h->settings().marker_bucket_ns / 1'000'000);
    const uint64_t from = m.from_wall_ns ? h->to_model(m.from_wall_ns) : 0;
    const uint64_t to = m.to_wall_ns ? h->to_model(m.to_wall_ns) : UINT64_MAX;
    for (const collector::TimelineBucket& b : h->timeline(from, to)) {
      if (r.buckets.size() == wire::kMaxTimelineBuckets) break;
      r.buckets.push_back({h->to_wall(b.at), b.crashes, b.restarts, b.escalations, b.nodes_up, b.nodes_down, b.warnings});
    }
    append(r);
  }

  // The flight recorder as a record file, pulled part by part: offset 0 pins what the history
  // holds now (shared, immutable pieces), each part is made on request (at most about two
  // parts' worth of work per request), so a viewer that stops pulling costs no work.
  void on(const wire::ExportRequest& m) {
    // A part is made on request: one per frame, so that a frame of many requests costs one part.
    if (export_part_sent_) {
      fail(m.request, "busy: one export part per frame; ask for the next once this one has arrived");
      return;
    }
    if (m.offset == 0) {
      if (!export_) {
        if (counters_->exports_running.load() >= options_.max_exports) {
          ++counters_->exports_refused;
          log_.log(collector::LogLevel::Warn, now_ns(), conn_.peer(), "export_busy",
                   "viewer " + conn_.peer() + ": export of the history refused: " + std::to_string(options_.max_exports) +
                       " running (--max-exports)");
          fail(m.request, "busy: " + std::to_string(options_.max_exports) +
                              " exports of the history are running (--max-exports); ask again later");
          return;
        }
        ++counters_->exports_running;
      }
      const collector::History* h = live_.history();
      export_ = std::make_unique<Export>(h ? h->export_plan() : collector::HistoryExportPlan{});
      if (h && export_->file.ok()) {
        export_->begins_wall_ns = h->to_wall(export_->file.begins_at());
        export_->ends_wall_ns = h->to_wall(export_->file.ends_at());
      }
      ++counters_->exports_started;
    } else if (!export_ || export_->offset != m.offset) {
      fail(m.request, "no export at byte " + std::to_string(m.offset) + ": start again at offset 0");
      return;
    }
    Export& x = *export_;
    if (x.pos > 0 && x.pos >= x.pending.size() / 2) {
      x.pending.erase(x.pending.begin(), x.pending.begin() + static_cast<std::ptrdiff_t>(x.pos));
      x.pos = 0;
    }
    while (x.pending.size() - x.pos < wire::kMaxExportPart && x.file.next(x.pending, wire::kMaxExportPart)) {
    }
    wire::ExportPart part;
    part.request = m.request;
    part.offset = x.offset;
    part.begins_wall_ns = x.begins_wall_ns;
    part.ends_wall_ns = x.ends_wall_ns;
    const size_t n = std::min(wire::kMaxExportPart, x.pending.size() - x.pos);
    part.bytes.assign(x.pending.begin() + static_cast<std::ptrdiff_t>(x.pos),
                      x.pending.begin() + static_cast<std::ptrdiff_t>(x.pos + n));
    x.pos += n;
    x.offset += n;
    part.last = x.file.done() && x.pos == x.pending.size();
    if (part.last) end_export();
    export_part_sent_ = true;
    append(part);
  }

  void end_export() {
    if (!export_) return;
    export_.reset();
    --counters_->exports_running;
  }

  template <class Other>
  void on(const Other&) {}  // collector -> viewer messages sent by a viewer: ignored

  // What an actor's last exit and restart events say of it once it is gone (newest first):
  // its supervisor and child id, its name (an exit's, else the child id), its successor.
  struct Departure {
    uint64_t supervisor = 0;
    collector::Str child_id = 0;
    collector::Str name = 0;
    uint64_t successor = 0;
  };
  static Departure departure(const std::vector<const collector::Event*>& events, uint64_t actor) {
    Departure d;
    bool named_by_exit = false;
    for (const auto* e : events) {
      if (e->actor != actor) continue;
      if (e->kind == collector::EventKind::Restart) {
        if (d.supervisor == 0) d.supervisor = e->other, d.child_id = e->name;
        if (d.successor == 0) d.successor = e->new_actor;
        if (d.name == 0) d.name = e->name;
      } else if ((e->kind == collector::EventKind::Exit || e->kind == collector::EventKind::Crash) && !named_by_exit) {
        d.name = e->name;
        named_by_exit = true;
        if (d.supervisor == 0) d.supervisor = e->other, d.child_id = e->child_id;
      }
    }
    return d;
  }

  // The departure of an actor that is not live, from its newest events, within the frame's
  // scan budget.
  Departure departure_of(NodeKey node, uint64_t actor) {
    collector::EventQuery q;
    q.before_seq = model().last_event_seq() + 1;
    q.limit = 8;
    q.node = node;
    q.actor = actor;
    q.max_scan = scan_budget_;
    size_t scanned = 0;
    const Departure d = departure(model().events(q, &scanned), actor);
    scan_budget_ -= std::min(scan_budget_, scanned);
    return d;
  }

  // Why a kill's actor is not there, by the names a user knows: the node by name, the actor by
  // its last event's name, and the incarnation its supervisor started in its place, if any.
  std::string not_live(wire::NodeId node, uint64_t actor) {
    const collector::Node* n = model().node(node);
    std::string where = n ? n->name : "node " + std::to_string(node) + " (not known to this collector)";
    const Departure d = departure_of(node, actor);
    const std::string name(model().text(d.name));
    const uint64_t successor = d.successor;
    std::string who = (name.empty() ? "" : name + " ") + "(actor " + std::to_string(actor) + ") on " + where;
    if (successor != 0 && model().actor(node, successor))
      return who + " is no longer live: its supervisor restarted it as actor " + std::to_string(successor) +
             "; nothing was killed (select it again to kill the new incarnation)";
    return who + " is not live: nothing was killed";
  }

 private:
  // Replies to a kill request and logs its outcome (every command is logged, whatever it became).
  void answer(uint64_t request, const std::string& what, const collector::CommandOutcome& o) {
    ++(o.ok ? counters_->commands_done : counters_->commands_refused);
    // Logged, once per interval per viewer: a viewer sending kills in a loop costs a line
    // per interval (the count of the others is in the next line).
    log_.log(o.ok ? collector::LogLevel::Info : collector::LogLevel::Warn, now_ns(), conn_.peer(),
             o.ok ? "kill_done" : "kill_refused", what + ": " + o.message);
    if (closed_) return;
    append(wire::CommandResult{request, o.ok, o.message});
    flush_out();
  }

  static double value(const collector::SeriesPoint& p, wire::Metric m) {
    switch (m) {
      case wire::Metric::Actors: return p.live_actors;
      case wire::Metric::MessagesPerSec: return p.messages_per_s;
      case wire::Metric::RestartsPerMin: return p.restarts_per_s * 60.0;
      case wire::Metric::MailboxTotal: return p.mailbox_total;
      case wire::Metric::Drops: return p.drops_per_s;
    }
    return 0;
  }

  static uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  }

  // Does the event's name or text hold `needle`? Read from the model, without building a row.
  bool event_matches_text(const collector::Event& e, const std::string& needle) const {
    if (model().text(e.name).find(needle) != std::string_view::npos) return true;
    if (model().text(e.text).find(needle) != std::string_view::npos) return true;
    return e.detail.find(needle) != std::string::npos;
  }

  // The live model's clock is the one wall times are told by (a past model's clock stopped).
  int64_t wall_offset() const { return static_cast<int64_t>(wall_now_ns()) - static_cast<int64_t>(live_.now()); }
  const Model& model() const { return *shown_; }

  bool wanted(NodeKey node) const { return wanted_node_.empty() ? true : node == node_filter_; }

  template <class Msg>
  void append(const Msg& m) {
    proto::Writer w(out_);
    wire::encode(w, m);
    if (out_.size() >= options_.chunk_bytes) flush_out();
  }

  // Sends what is buffered as one View frame.
  void flush_out() {
    if (out_.empty() || closed_) {
      out_.clear();
      return;
    }
    counters_->bytes_queued += out_.size();
    if (!conn_.send_frame(proto::FrameType::View, out_)) {
      ++counters_->viewers_dropped;
      closed_ = true;  // the server closes it as a slow peer
    }
    out_.clear();
  }

  wire::InstantShown instant_shown(uint64_t request, wire::InstantMode mode, uint64_t wall_ns, std::string message) const {
    wire::InstantShown r;
    r.request = request;
    r.mode = mode;
    r.wall_ns = wall_ns;
    r.message = std::move(message);
    if (const collector::History* h = live_.history()) {
      const collector::HistoryStats st = h->stats();
      if (st.segments) {
        r.begins_wall_ns = h->to_wall(st.begins_at);
        r.ends_wall_ns = h->to_wall(st.ends_at);
      }
    }
    return r;
  }

  // Starts rebuilding the newest instant asked for, unless one is being rebuilt (it is then
  // started when that one is done). At most ServeOptions::max_rebuilds run at once, all viewers.
  void start_rebuild() {
    if (rebuilding_ || !next_instant_) return;
    const collector::History* h = live_.history();
    if (!h) return;
    if (counters_->rebuilds_running.load() >= options_.max_rebuilds) {
      ++counters_->rebuilds_refused;
      log_.log(collector::LogLevel::Warn, now_ns(), conn_.peer(), "past_busy",
               "viewer " + conn_.peer() + ": past instant refused: as many are rebuilt or shown as allowed");
      append(instant_shown(next_instant_->request, wire::InstantMode::Refused, 0,
                           "busy: " + std::to_string(options_.max_rebuilds) +
                               " past instants are being rebuilt for viewers; ask again"));
      next_instant_.reset();
      return;
    }
    // The plan takes shared, immutable pieces of the history here, on the loop thread; the
    // replay runs on a thread of its own, so that no peer waits for it.
    // A viewer moving forward (a step, a drag, playback) goes on from the instant it is shown,
    // when no keyframe lies between: a second further replays a second, not a segment.
    const uint64_t at = std::min(h->to_model(next_instant_->wall_ns), h->stats().ends_at);
    collector::RebuildPlan plan = past_ ? h->plan(at, past_, past_at_) : h->plan(at);
    if (plan.base) ++counters_->rebuilds_from_shown;
    next_instant_->at = at;
    rebuilding_ = next_instant_;
    next_instant_.reset();
    ++counters_->rebuilds_running;
    std::shared_ptr<ServeCounters> counters = counters_;
    rebuilt_ = std::async(std::launch::async, [plan = std::move(plan), counters] {
      std::unique_ptr<Model> m = collector::History::rebuild(plan);
      --counters->rebuilds_running;
      return m;
    });
  }

  // A rebuilt instant, once ready, becomes what this viewer is shown: a snapshot of it.
  void take_rebuilt() {
    if (!rebuilding_ || rebuilt_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    std::unique_ptr<Model> m = rebuilt_.get();
    const Rebuild done = *rebuilding_;
    rebuilding_.reset();
    if (next_instant_) {  // a newer instant was asked for meanwhile: that one is shown
      start_rebuild();
      return;
    }
    if (!m) {
      append(instant_shown(done.request, wire::InstantMode::Refused, 0, "that instant fell off the history meanwhile"));
      flush_out();
      return;
    }
    if (shown_ == &live_) ++counters_->past_views;
    // Its warning list, made now on the loop thread: the model is then only read, here and by
    // a rebuild that goes on from it on another thread.
    m->warnings();
    past_ = std::move(m);
    shown_ = past_.get();
    past_wall_ns_ = done.wall_ns;
    past_at_ = done.at;
    ++counters_->instants_shown;
    append(instant_shown(done.request, wire::InstantMode::Past, done.wall_ns, ""));
    if (subscribed_) start_snapshot();
    flush_out();
  }

  void close(const std::string& reason) {
    if (closed_) return;
    out_.clear();
    conn_.close(reason);
    closed_ = true;
  }

  void fail(uint64_t request, std::string message) {
    ++counters_->requests_failed;
    append(wire::RequestFailed{request, std::move(message)});
  }

  // ---- snapshot ----
  void start_snapshot() {
    if (wanted_node_.size() && node_filter_ == 0) node_filter_ = model().find_node(wanted_node_);
    streaming_ = true;
    snapshot_version_ = model().version();
    snapshot_nodes_.clear();
    for (NodeKey k : model().node_keys())
      if (wanted(k)) snapshot_nodes_.push_back(k);
    node_cursor_ = 0;
    row_cursor_ = 0;
    sent_nodes_.clear();
    sent_telemetry_.clear();
    sent_flow_.clear();
    sent_warnings_.clear();
    ++counters_->snapshots;
    wire::SnapshotBegin b;
    b.snapshot = ++snapshot_id_;
    b.nodes = snapshot_nodes_.size();
    b.collector_started_wall_ns = counters_->collector_started_wall_ns.load();
    for (NodeKey k : snapshot_nodes_)
      if (const auto* n = model().node(k)) b.actors += n->live_actors;
    append(b);
    send_nodes();
    continue_snapshot();
  }

  void continue_snapshot() {
    while (conn_.queued_bytes() < options_.snapshot_fill_bytes && node_cursor_ < snapshot_nodes_.size()) {
      NodeKey k = snapshot_nodes_[node_cursor_];
      auto rows = model().actor_rows(k);
      while (row_cursor_ < rows.size() && !closed_ && conn_.queued_bytes() + out_.size() < options_.snapshot_fill_bytes) {
        const collector::Actor& a = rows[row_cursor_++];
        if (a.id == 0) continue;
        append(actor_row(model(), k, a));
        append(actor_stats(model(), k, a));
      }
      flush_out();
      if (closed_) return;
      if (row_cursor_ >= rows.size()) {
        ++node_cursor_;
        row_cursor_ = 0;
      }
    }
    if (node_cursor_ < snapshot_nodes_.size()) return;  // more at the next tick
    // Telemetry rows, streamed as the viewer reads like actor rows; then warnings, recent
    // events and what changed while streaming.
    size_t room = conn_.queued_bytes() + out_.size() < options_.snapshot_fill_bytes
                      ? options_.snapshot_fill_bytes - conn_.queued_bytes() - out_.size()
                      : 0;
    if (!send_telemetry(room)) {
      flush_out();
      return;  // more at the next tick
    }
    if (closed_) return;
    send_flow(true);
    send_warnings();
    send_recent_events();
    last_version_ = snapshot_version_;
    streaming_ = false;
    if (!send_changes()) return;  // too old: a new snapshot started
    append(wire::SnapshotEnd{snapshot_id_});
    send_nodes();
    append(tick());
    flush_out();
  }

  // ---- deltas ----
  void send_delta() {
    if (!send_changes()) return;
    send_nodes();
    send_telemetry(options_.snapshot_fill_bytes / 4);
    send_flow(false);
    send_warnings();
    send_events(options_.events_per_tick);
    append(tick());
    ++counters_->deltas;
  }

  wire::Tick tick() {
    wire::Tick t;
    t.tick = ++tick_;
    t.wall_ns = wall_now_ns();
    t.viewers_dropped = counters_->viewers_dropped.load();
    return t;
  }

  // Actor rows changed since last_version_. False when the journal no longer reaches back
  // (a new snapshot was started instead).
  bool send_changes() {
    changes_.clear();
    if (model().changes_since(last_version_, changes_) == collector::SinceResult::TooOld) {
      ++counters_->resnapshots;
      start_snapshot();
      return false;
    }
    last_version_ = model().version();
    seen_.clear();
    for (const auto& c : changes_) {
      if (c.kind != collector::ChangeKind::ActorChanged && c.kind != collector::ChangeKind::ActorRemoved) continue;
      if (!wanted(c.node) || !seen_.insert({c.node, c.actor}).second) continue;
      if (const collector::Actor* a = model().actor(c.node, c.actor)) {
        append(actor_row(model(), c.node, *a));
        append(actor_stats(model(), c.node, *a));
      } else {
        append(wire::ActorRemoved{c.node, c.actor});
      }
    }
    return true;
  }

  void send_nodes() {
    std::map<NodeKey, std::vector<uint8_t>> now;
    for (NodeKey k : model().node_keys()) {
      if (!wanted(k)) continue;
      const auto* n = model().node(k);
      if (!n) continue;
      auto bytes = encoded(node_row(model(), *n));
      auto it = sent_nodes_.find(k);
      if (it == sent_nodes_.end() || it->second != bytes) append_bytes(bytes);
      now.emplace(k, std::move(bytes));
    }
    for (const auto& [k, bytes] : sent_nodes_)
      if (!now.count(k)) append(wire::NodeRemoved{k});
    sent_nodes_ = std::move(now);
  }

  // Telemetry rows that changed, chunked like actor rows. At most `budget` bytes: rows left
  // over are sent at the next tick (they still differ from what the viewer has). True when
  // every changed row went out.
  bool send_telemetry(size_t budget = SIZE_MAX) {
    size_t sent_bytes = 0;
    for (NodeKey k : model().node_keys()) {
      if (!wanted(k)) continue;
      for (const auto& t : model().telemetry(k)) {
        if (closed_) return true;
        if (sent_bytes >= budget) return false;
        auto bytes = encoded(telemetry_row(model(), t));
        auto& sent = sent_telemetry_[{k, t.event}];
        if (sent != bytes) {
          sent_bytes += bytes.size();
          append_bytes(bytes);
          sent = std::move(bytes);
        }
      }
    }
    return true;
  }

  // Flow rows (estimates between actor types) that changed, at most once a second: their
  // rates move at every sample, and a second is what the flow map shows.
  void send_flow(bool now) {
    uint64_t t = model().now();
    if (!now && t < last_flow_ns_ + 1'000'000'000) return;
    last_flow_ns_ = t;
    for (NodeKey k : model().node_keys()) {
      if (!wanted(k) || closed_) continue;
      auto pairs = model().flow_pairs(k);
      if (pairs.empty()) continue;
      std::unordered_map<collector::Str, const collector::TypeAggregate*> types;
      for (const auto& ta : model().types(k)) types.emplace(ta.type, &ta);
      for (const collector::FlowPair& p : pairs) {
        auto to = types.find(p.to_type);
        const wire::FlowRow row = flow_row(model(), k, p, to == types.end() ? nullptr : to->second);
        auto bytes = encoded(row);
        auto& sent = sent_flow_[{k, p.from_type, p.to_type}];
        if (sent != bytes) {
          append_bytes(bytes);
          sent = std::move(bytes);
        }
      }
    }
  }

  void append_bytes(const std::vector<uint8_t>& bytes) {
    out_.insert(out_.end(), bytes.begin(), bytes.end());
    if (out_.size() >= options_.chunk_bytes) flush_out();
  }

  void send_warnings() {
    wire::Warnings l;
    for (const auto& x : model().warnings()) {
      if (!wanted(x.node)) continue;
      if (l.warnings.size() == wire::kMaxWarnings) break;
      l.warnings.push_back(warning_row(x));
    }
    auto bytes = encoded(l);
    if (bytes != sent_warnings_) {
      append_bytes(bytes);
      sent_warnings_ = std::move(bytes);
    }
  }

  // A snapshot's events: the newest incidents, the newest routine lifecycle events and the
  // newest telemetry, each apart (so that a telemetry burst or a restart storm cannot hide
  // the last crashes from a viewer that just joined), oldest first.
  void send_recent_events() {
    uint64_t last = model().last_event_seq();
    std::vector<const collector::Event*> recent;
    for (uint32_t kinds : {collector::kIncidentEvents, collector::kRoutineEvents, collector::kTelemetryEvents}) {
      collector::EventQuery q;
      q.before_seq = last + 1;
      q.limit = options_.snapshot_events;
      q.kinds = kinds;
      for (const auto* e : model().events(q)) recent.push_back(e);
    }
    // ... and each node's own last incidents, which a storm on another node pushed past the
    // newest ones (the model keeps them apart for that).
    // One frame's scan budget for all of them: a thousand nodes cost no more than one.
    size_t budget = options_.max_events_scanned_per_frame;
    for (NodeKey k : model().node_keys())
      if (wanted(k))
        for (const auto* e : model().recent_incidents(k, options_.snapshot_incidents_per_node, budget)) recent.push_back(e);
    std::sort(recent.begin(), recent.end(), [](const auto* a, const auto* b) { return a->seq < b->seq; });
    recent.erase(std::unique(recent.begin(), recent.end()), recent.end());
    int64_t off = wall_offset();
    for (const auto* e : recent)
      if (wanted(e->node)) append(event_row(model(), *e, off));
    last_event_seq_ = last;
  }

  // At most `limit` events per tick, oldest first. The log's seq has no holes: a jump past
  // the last event sent means the log pushed events out before this viewer's turn came (a
  // burst beyond the per-tick cap and the log's size). The viewer is told, where they were.
  void send_events(size_t limit) {
    int64_t off = wall_offset();
    for (const auto* e : model().events_since(last_event_seq_, limit)) {
      if (e->seq > last_event_seq_ + 1) {
        append(wire::EventsGap{last_event_seq_, e->seq, e->seq - last_event_seq_ - 1});
        counters_->events_not_sent += e->seq - last_event_seq_ - 1;
      }
      last_event_seq_ = e->seq;
      if (!wanted(e->node)) continue;
      append(event_row(model(), *e, off));
    }
  }

  collector::Connection& conn_;
  const Model& live_;
  // What this viewer is shown: the live model, or the model of a past instant rebuilt from
  // the flight recorder (past_), which stands still until the viewer asks for another.
  const Model* shown_ = &live_;
  std::shared_ptr<const Model> past_;  // shared with a rebuild that goes on from it
  uint64_t past_at_ = 0;               // its instant, model clock
  uint64_t past_wall_ns_ = 0;
  struct Rebuild {
    uint64_t request = 0;
    uint64_t wall_ns = 0;
    uint64_t at = 0;  // model clock, once planned
  };
  std::optional<Rebuild> rebuilding_;        // the instant being rebuilt ...
  std::future<std::unique_ptr<Model>> rebuilt_;  // ... off the loop thread
  std::optional<Rebuild> next_instant_;      // asked for meanwhile: the newest wins
  // An export being pulled: the file's bytes made and not yet sent (from pos), and the
  // offset of the next part.
  struct Export {
    explicit Export(collector::HistoryExportPlan plan) : file(std::move(plan)) {}
    collector::HistoryExport file;
    std::vector<uint8_t> pending;
    size_t pos = 0;
    uint64_t offset = 0;
    uint64_t begins_wall_ns = 0, ends_wall_ns = 0;
  };
  std::unique_ptr<Export> export_;
  bool export_part_sent_ = false;  // this frame's requests were given an export part already
  bool subtree_flow_answered_ = false;  // this frame's requests were given a flow by subtree already
  ServeOptions options_;
  std::shared_ptr<ServeCounters> counters_;
  bool closed_ = false;
  bool counted_closed_ = false;
  bool subscribed_ = false;
  std::string wanted_node_;
  NodeKey node_filter_ = 0;
  uint64_t interval_ns_ = 100'000'000;
  uint64_t last_delta_ns_ = 0;
  uint64_t tick_ = 0;
  std::vector<uint8_t> out_;
  // snapshot streaming
  bool streaming_ = false;
  uint64_t snapshot_id_ = 0;
  uint64_t snapshot_version_ = 0;
  std::vector<NodeKey> snapshot_nodes_;
  size_t node_cursor_ = 0;
  size_t row_cursor_ = 0;
  // what the viewer has
  uint64_t last_version_ = 0;
  uint64_t last_event_seq_ = 0;
  std::map<NodeKey, std::vector<uint8_t>> sent_nodes_;
  std::map<std::pair<NodeKey, collector::Str>, std::vector<uint8_t>> sent_telemetry_;
  std::map<std::tuple<NodeKey, collector::Str, collector::Str>, std::vector<uint8_t>> sent_flow_;
  uint64_t last_flow_ns_ = 0;
  std::vector<uint8_t> sent_warnings_;
  std::vector<collector::Change> changes_;
  std::unordered_set<std::pair<NodeKey, uint64_t>, collector::SeededHash> seen_;
  size_t scan_budget_ = 0;     // events the current frame's requests may still scan
  collector::LogLimiter log_;  // kill requests: one line per interval and outcome
};

}  // namespace

std::unique_ptr<collector::Session> make_session(collector::Connection& conn, const collector::Model& model,
                                                 const ServeOptions& options, std::shared_ptr<ServeCounters> counters) {
  return std::make_unique<ViewerSession>(conn, model, options, std::move(counters));
}

std::shared_ptr<ServeCounters> install(collector::Server& server, collector::Model& model, const ServeOptions& options) {
  auto counters = std::make_shared<ServeCounters>();
  (void)model;  // sessions get the model from the factory call, on the loop thread
  server.set_allow_commands(options.allow_commands);
  server.set_viewer_factory([options, counters](collector::Connection& conn, const collector::Model& m) {
    return make_session(conn, m, options, counters);
  });
  return counters;
}

}  // namespace actorscope::serve
