// Renders the model into Prometheus metric families (actorscope_* names, base units).
#include "actorscope/collector/exporter.hpp"
#include "actorscope/collector/history.hpp"

#include <array>
#include <chrono>
#include <algorithm>
#include <condition_variable>
#include <map>
#include <optional>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <prometheus/text_serializer.h>

namespace actorscope::collector {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Label values the exporter itself writes. A peer's text that reads like one of them, or
// starts with '~', is written with a '~' in front: no peer can claim the fold's series,
// and two different texts never become one label value.
constexpr std::string_view kFold = "other";
constexpr std::string_view kUnknownLabel = "unknown";
constexpr std::string_view kNoneLabel = "none";

std::string peer_label(std::string_view text) {
  if (text.empty()) return std::string(kNoneLabel);
  if (text == kFold || text == kUnknownLabel || text == kNoneLabel || text.front() == '~') return "~" + std::string(text);
  return std::string(text);
}

// The label of an interned string: the pool's reserved ids are the collector's own words.
std::string str_label(const Model& model, Str id) {
  if (id == StringPool::kOverflow) return std::string(kFold);
  if (id == StringPool::kUnknown) return std::string(kUnknownLabel);
  return peer_label(model.text(id));
}

struct HeapUsage {
  uint64_t in_use = 0;  // allocated chunks, main arena and the others, plus mmapped blocks
  uint64_t free = 0;    // free chunks the heap keeps (not returned to the system)
};
std::optional<HeapUsage> heap_usage() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = ::mallinfo2();
  return HeapUsage{mi.uordblks + mi.hblkhd, mi.fordblks};
#else
  return std::nullopt;
#endif
}

using Labels = std::vector<std::pair<const char*, std::string>>;

// Builds one family. Series are collected per node first; then each node gets a fair share
// of the family's series cap (water-filling: a node that needs little keeps all of it, the
// rest is split evenly among the larger ones). A node's series past its share fold into one
// series of that node whose other labels read "other": one node with ten thousand types
// cannot push another node's series into a fold.
class FamilyBuilder {
 public:
  FamilyBuilder(std::vector<MetricFamily>& out, const char* name, const char* help, MetricType type, size_t cap,
                uint64_t& folded)
      : out_(out), cap_(cap), folded_(folded) {
    family_.name = name;
    family_.help = help;
    family_.type = type;
  }
  ~FamilyBuilder() { finish(); }
  // A fresh series of `node` (an index the caller keeps stable per scrape; kNoNode for the
  // collector's own families, never folded).
  static constexpr size_t kNoNode = SIZE_MAX;
  ClientMetric& series(size_t node, Labels labels) {
    auto& list = by_node_[node];
    Entry& e = list.emplace_back();
    e.metric.label.reserve(labels.size());
    for (auto& [k, v] : labels) e.metric.label.push_back({k, std::move(v)});
    return e.metric;
  }
  void add(size_t node, Labels labels, double v) {
    ClientMetric& m = series(node, std::move(labels));
    if (family_.type == MetricType::Counter)
      m.counter.value += v;
    else
      m.gauge.value += v;
  }
  void set_max(size_t node, Labels labels, double v) {
    max_merge_ = true;
    ClientMetric& m = series(node, std::move(labels));
    m.gauge.value = v;
  }

 private:
  struct Entry {
    ClientMetric metric;
  };
  void merge(ClientMetric& into, const ClientMetric& m) {
    into.counter.value += m.counter.value;
    into.gauge.value = max_merge_ ? std::max(into.gauge.value, m.gauge.value) : into.gauge.value + m.gauge.value;
    auto& h = into.histogram;
    if (h.bucket.empty()) h.bucket = m.histogram.bucket;
    else
      for (size_t i = 0; i < h.bucket.size() && i < m.histogram.bucket.size(); ++i)
        h.bucket[i].cumulative_count += m.histogram.bucket[i].cumulative_count;
    h.sample_count += m.histogram.sample_count;
    h.sample_sum += m.histogram.sample_sum;
  }
  // Each node's share of cap_ (at least one series per node).
  std::vector<size_t> shares() const {
    std::vector<std::pair<size_t, size_t>> demand;  // (series, position)
    size_t pos = 0;
    for (const auto& [node, list] : by_node_) demand.push_back({list.size(), pos++});
    std::vector<size_t> share(demand.size(), SIZE_MAX);
    if (cap_ == 0) return share;
    std::sort(demand.begin(), demand.end());
    size_t left = cap_, nodes = demand.size();
    for (auto& [want, at] : demand) {
      size_t even = std::max<size_t>(left / nodes, 1);
      size_t give = std::min(want, even);
      share[at] = give;
      left = left > give ? left - give : 0;
      --nodes;
    }
    return share;
  }
  void finish() {
    // A kept series that already reads like the fold (a model-level "other") goes last, so
    // that it merges into the fold instead of duplicating it.
    for (auto& [node, list] : by_node_)
      std::stable_partition(list.begin(), list.end(), [](const Entry& e) {
        for (const auto& l : e.metric.label)
          if (l.name != "node" && l.value != kFold) return true;
        return e.metric.label.size() <= 1;
      });
    std::vector<size_t> share = shares();
    size_t pos = 0;
    for (auto& [node, list] : by_node_) {
      size_t keep = share[pos++];
      if (node == kNoNode || list.size() <= keep) {
        for (Entry& e : list) family_.metric.push_back(std::move(e.metric));
        continue;
      }
      // Keep keep - 1 series and fold the rest into one (its node label stays).
      size_t kept = keep > 0 ? keep - 1 : 0;
      for (size_t i = 0; i < kept; ++i) family_.metric.push_back(std::move(list[i].metric));
      ClientMetric other;
      for (const auto& l : list[kept].metric.label) other.label.push_back({l.name, l.name == "node" ? l.value : std::string(kFold)});
      for (size_t i = kept; i < list.size(); ++i) {
        merge(other, list[i].metric);
        ++folded_;
      }
      family_.metric.push_back(std::move(other));
    }
    if (!family_.metric.empty()) out_.push_back(std::move(family_));
  }

  std::vector<MetricFamily>& out_;
  MetricFamily family_;
  size_t cap_;
  uint64_t& folded_;
  bool max_merge_ = false;
  std::map<size_t, std::vector<Entry>> by_node_;  // in node order
};

}  // namespace

std::vector<MetricFamily> render_model(const Model& model, const ExporterSettings& settings, uint64_t* folded_out) {
  std::vector<MetricFamily> out;
  uint64_t folded = 0;
  size_t cap = settings.max_series;
  struct NodeLabels {
    const Node* node;
    std::string label;
  };
  std::vector<NodeLabels> nodes;
  for (NodeKey k : model.node_keys())
    if (const Node* n = model.node(k)) nodes.push_back({n, peer_label(n->name)});
  auto type_name = [&](const TypeAggregate& t) { return str_label(model, t.type); };
  constexpr size_t kNone = FamilyBuilder::kNoNode;

  {
    FamilyBuilder f(out, "actorscope_node_connected", "1 when the node's agent is connected, 0 when it is gone",
                    MetricType::Gauge, 0, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      f.add(i, {{"node", nodes[i].label}}, nodes[i].node->state == NodeState::Connected ? 1 : 0);
  }
  {
    FamilyBuilder f(out, "actorscope_actors", "Live actors by node, actor type and kind (worker or supervisor)",
                    MetricType::Gauge, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node* n = nodes[i].node;
      if (n->state != NodeState::Connected) continue;
      for (const TypeAggregate& t : model.types(n->key))
        for (size_t k = 0; k < 2; ++k)
          if (t.live[k] > 0)
            f.add(i, {{"node", nodes[i].label}, {"actor_type", type_name(t)}, {"kind", std::string(proto::name(static_cast<proto::ActorKind>(k)))}},
                  static_cast<double>(t.live[k]));
    }
  }
  {
    FamilyBuilder f(out, "actorscope_actor_spawns_total", "Actors spawned, by node and actor type", MetricType::Counter,
                    cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const TypeAggregate& t : model.types(nodes[i].node->key))
        f.add(i, {{"node", nodes[i].label}, {"actor_type", type_name(t)}}, static_cast<double>(t.spawns.value()));
  }
  {
    FamilyBuilder f(out, "actorscope_actor_exits_total",
                    "Actor exits seen by this collector, by node, actor type and exit reason", MetricType::Counter, cap,
                    folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const TypeAggregate& t : model.types(nodes[i].node->key))
        for (size_t r = 0; r < proto::kExitReasonCount; ++r)
          if (t.exits_by_reason[r] > 0)
            f.add(i, {{"node", nodes[i].label}, {"actor_type", type_name(t)}, {"reason", std::string(proto::name(static_cast<proto::ExitReason>(r)))}},
                  static_cast<double>(t.exits_by_reason[r]));
  }
  {
    FamilyBuilder f(out, "actorscope_supervisor_restarts_total",
                    "Child restarts performed, by node and supervisor (its name, else its child id): every child "
                    "restarted, the siblings one_for_all and rest_for_one restart with the failed child included, "
                    "across the supervisor's own restarts; the agent's exact count",
                    MetricType::Counter, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const auto& [label, count] : model.restarts_by_supervisor(nodes[i].node->key))
        f.add(i, {{"node", nodes[i].label}, {"supervisor", str_label(model, label)}}, static_cast<double>(count));
  }
  {
    FamilyBuilder f(out, "actorscope_supervisor_escalations_total",
                    "Times a supervisor exceeded its restart intensity (more than intensity restarts within its "
                    "period) and exited, leaving the failure to its own supervisor, by node and supervisor",
                    MetricType::Counter, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const auto& [label, count] : model.escalations_by_supervisor(nodes[i].node->key))
        f.add(i, {{"node", nodes[i].label}, {"supervisor", str_label(model, label)}}, static_cast<double>(count));
  }
  {
    // What an alert needs before an escalation, not after: the budget in use now. A label
    // shared by several supervisors (a pool of them) reads the highest; past the series cap
    // the fold keeps the most used first and reads the highest of the rest.
    FamilyBuilder f(out, "actorscope_supervisor_restart_budget_used_ratio",
                    "Restart budget in use, by node and supervisor: restarts counted against the intensity within "
                    "the current period, divided by the intensity (1: the next counted restart escalates); "
                    "supervisors with an intensity only",
                    MetricType::Gauge, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node* n = nodes[i].node;
      if (n->state != NodeState::Connected) continue;
      std::map<Str, double> by_label;
      model.for_each_supervisor(n->key, [&](const Supervisor& s) {
        if (s.intensity == 0) return;
        double used = model.restart_budget_used(n->key, s.actor);
        auto [it, fresh] = by_label.emplace(s.label, used);
        if (!fresh) it->second = std::max(it->second, used);
      });
      std::vector<std::pair<Str, double>> ordered(by_label.begin(), by_label.end());
      std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      for (const auto& [label, used] : ordered)
        f.set_max(i, {{"node", nodes[i].label}, {"supervisor", str_label(model, label)}}, used);
    }
  }
  {
    FamilyBuilder f(out, "actorscope_warnings",
                    "Warnings in force, by node and kind (mailbox_growing, slow_handler, stuck_actor, restart_storm, "
                    "agent_drops); 0 for every kind of a connected node without one",
                    MetricType::Gauge, 0, folded);
    std::map<NodeKey, std::array<uint64_t, kWarningKindCount>> counts;
    for (const Warning& w : model.warnings()) {
      size_t k = static_cast<size_t>(w.kind);
      if (k < kWarningKindCount) ++counts[w.node][k];
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node* n = nodes[i].node;
      if (n->state != NodeState::Connected) continue;
      const auto it = counts.find(n->key);
      for (size_t k = 0; k < kWarningKindCount; ++k)
        f.add(i, {{"node", nodes[i].label}, {"kind", std::string(name(static_cast<WarningKind>(k)))}},
              it == counts.end() ? 0.0 : static_cast<double>(it->second[k]));
    }
  }
  {
    FamilyBuilder sum(out, "actorscope_mailbox_messages", "Messages waiting in the mailboxes of live actors (sum)",
                      MetricType::Gauge, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node* n = nodes[i].node;
      if (n->state != NodeState::Connected) continue;
      for (const TypeAggregate& t : model.types(n->key))
        if (t.live_total() > 0)
          sum.add(i, {{"node", nodes[i].label}, {"actor_type", type_name(t)}}, static_cast<double>(t.mailbox_sum));
    }
  }
  {
    FamilyBuilder max(out, "actorscope_mailbox_max_messages", "Deepest mailbox among the live actors of a type",
                      MetricType::Gauge, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node* n = nodes[i].node;
      if (n->state != NodeState::Connected) continue;
      for (const TypeAggregate& t : model.types(n->key))
        if (t.live_total() > 0)
          max.set_max(i, {{"node", nodes[i].label}, {"actor_type", type_name(t)}}, static_cast<double>(t.mailbox_max));
    }
  }
  {
    // A bounded top-N, not a per-actor family: at most mailbox_top series however many actors
    // there are, labelled by the actor's name (else its child id, else its type and id).
    FamilyBuilder f(out, "actorscope_mailbox_top_messages",
                    "The deepest mailboxes of all nodes (at most --metrics-mailbox-top series, rank 1 the deepest), "
                    "by node, actor type and actor name",
                    MetricType::Gauge, 0, folded);
    struct Deep {
      size_t node;
      const Actor* actor;
    };
    std::vector<Deep> deep;
    for (size_t i = 0; i < nodes.size() && settings.mailbox_top > 0; ++i) {
      const Node* n = nodes[i].node;
      if (n->state != NodeState::Connected) continue;
      for (const Actor* a : model.deepest_mailboxes(n->key, settings.mailbox_top)) deep.push_back({i, a});
    }
    std::stable_sort(deep.begin(), deep.end(), [](const Deep& a, const Deep& b) { return a.actor->mailbox > b.actor->mailbox; });
    if (deep.size() > settings.mailbox_top) deep.resize(settings.mailbox_top);
    for (size_t rank = 0; rank < deep.size(); ++rank) {
      const Actor& a = *deep[rank].actor;
      std::string name = a.name ? str_label(model, a.name)
                         : a.child_id ? str_label(model, a.child_id)
                                      : str_label(model, a.type) + "#" + std::to_string(a.id);
      f.add(deep[rank].node, {{"node", nodes[deep[rank].node].label}, {"actor_type", str_label(model, a.type)}, {"actor", name},
                              {"rank", std::to_string(rank + 1)}},
            static_cast<double>(a.mailbox));
    }
  }
  {
    FamilyBuilder f(out, "actorscope_messages_sent_total",
                    "Messages sent from one actor type to another, estimated from sampled sends (sampled sends times "
                    "the agent's sampling rate); from_type outside: not sent by an actor, unknown: by an actor the "
                    "collector did not know",
                    MetricType::Counter, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const FlowPair& p : model.flow_pairs(nodes[i].node->key))
        f.add(i, {{"node", nodes[i].label}, {"from_type", p.from_type == 0 ? std::string("outside") : str_label(model, p.from_type)},
                  {"to_type", str_label(model, p.to_type)}},
              static_cast<double>(p.messages));
  }
  {
    FamilyBuilder sampled(out, "actorscope_flow_sampled_sends_total",
                          "Sampled sends received from the node's agent (the flow estimates rest on these)",
                          MetricType::Counter, 0, folded);
    FamilyBuilder lost(out, "actorscope_flow_unrecorded_sends_total",
                       "Sampled sends the agent could not count (its per-thread edge table was full)",
                       MetricType::Counter, 0, folded);
    for (size_t i = 0; i < nodes.size(); ++i) {
      FlowStats st = model.flow_stats(nodes[i].node->key);
      if (st.sample_every == 0) continue;  // no flow from this node
      sampled.add(i, {{"node", nodes[i].label}}, static_cast<double>(st.samples));
      lost.add(i, {{"node", nodes[i].label}}, static_cast<double>(st.unrecorded));
    }
  }
  {
    FamilyBuilder f(out, "actorscope_messages_enqueued_total", "Messages put into mailboxes", MetricType::Counter, cap,
                    folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const TypeAggregate& t : model.types(nodes[i].node->key))
        f.add(i, {{"node", nodes[i].label}, {"actor_type", type_name(t)}}, static_cast<double>(t.enqueued()));
  }
  {
    FamilyBuilder f(out, "actorscope_messages_dequeued_total",
                    "Messages taken out of mailboxes, handled or not", MetricType::Counter, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const TypeAggregate& t : model.types(nodes[i].node->key))
        f.add(i, {{"node", nodes[i].label}, {"actor_type", type_name(t)}}, static_cast<double>(t.dequeued()));
  }
  {
    FamilyBuilder f(out, "actorscope_messages_processed_total",
                    "Messages processed: processing scopes that ended (equals actorscope_processing_seconds_count)",
                    MetricType::Counter, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const TypeAggregate& t : model.types(nodes[i].node->key))
        f.add(i, {{"node", nodes[i].label}, {"actor_type", type_name(t)}}, static_cast<double>(t.processed()));
  }
  {
    FamilyBuilder f(out, "actorscope_processing_seconds", "Time spent processing one message", MetricType::Histogram,
                    cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const TypeAggregate& t : model.types(nodes[i].node->key)) {
        ClientMetric& m = f.series(i, {{"node", nodes[i].label}, {"actor_type", type_name(t)}});
        auto& h = m.histogram;
        h.bucket.resize(proto::kHistogramBoundsNs.size());
        for (size_t b = 0; b < h.bucket.size(); ++b) h.bucket[b].upper_bound = static_cast<double>(proto::kHistogramBoundsNs[b]) / 1e9;
        uint64_t cumulative = 0;
        for (size_t b = 0; b < proto::kHistogramBuckets; ++b) {
          cumulative += t.hist(b);
          if (b < h.bucket.size()) h.bucket[b].cumulative_count += cumulative;
        }
        h.sample_count += cumulative;
        h.sample_sum += static_cast<double>(t.busy_ns()) / 1e9;
      }
  }
  {
    FamilyBuilder f(out, "actorscope_telemetry_events_total", "Telemetry events, by node and event name",
                    MetricType::Counter, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (const TelemetryStats& t : model.telemetry(nodes[i].node->key))
        f.add(i, {{"node", nodes[i].label}, {"event", str_label(model, t.event)}}, static_cast<double>(t.count));
  }
  {
    FamilyBuilder f(out, "actorscope_agent_dropped_total", "Records the agent had to drop, by node and kind",
                    MetricType::Counter, cap, folded);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (size_t k = 0; k < proto::kDropKindCount; ++k)
        f.add(i, {{"node", nodes[i].label}, {"kind", std::string(proto::name(static_cast<proto::DropKind>(k)))}},
              static_cast<double>(nodes[i].node->drops[k]));
  }
  // Node gauges (a BEAM node's VM): one family per gauge id of the protocol's table, one
  // series per connected node that reported it. Names and their number are fixed by the
  // table, never by a peer; a gone node's readings are not exported (they would lie).
  for (const proto::NodeGaugeInfo& g : proto::kNodeGauges) {
    const std::string name = std::string("actorscope_") + g.metric;
    FamilyBuilder f(out, name.c_str(), g.help, g.kind == proto::GaugeKind::Counter ? MetricType::Counter : MetricType::Gauge,
                    0, folded);
    for (size_t i = 0; i < nodes.size(); ++i) {
      const Node& n = *nodes[i].node;
      const GaugeReading& r = n.gauges[static_cast<size_t>(g.id)];
      if (n.state == NodeState::Connected && r.set && r.connection == n.connection) f.add(i, {{"node", nodes[i].label}}, r.value);
    }
  }
  ModelStats st = model.stats();
  auto single = [&](const char* name, const char* help, MetricType type, double v) {
    FamilyBuilder f(out, name, help, type, 0, folded);
    f.add(kNone, {}, v);
  };
  single("actorscope_collector_events_ingested_total", "Records applied to the model", MetricType::Counter,
         static_cast<double>(st.records_applied));
  {
    FamilyBuilder f(out, "actorscope_collector_model_anomalies_total",
                    "Inconsistent or over-budget records the model tolerated, by kind", MetricType::Counter, 0, folded);
    for (size_t a = 0; a < kAnomalyCount; ++a)
      f.add(kNone, {{"kind", std::string(name(static_cast<Anomaly>(a)))}}, static_cast<double>(st.anomalies[a]));
  }
  {
    // By the kind of the event pushed out: a crash pushed out is not a telemetry event pushed out.
    FamilyBuilder f(out, "actorscope_collector_event_log_dropped_total",
                    "Events pushed out of the bounded event log, by the kind of the event pushed out",
                    MetricType::Counter, 0, folded);
    for (size_t k = 0; k < kEventKindCount; ++k)
      f.add(kNone, {{"kind", std::string(name(static_cast<EventKind>(k)))}},
            static_cast<double>(st.events_dropped_by_kind[k]));
  }
  single("actorscope_collector_strings_dropped_total",
         "New names, types and reason texts not kept because the string pool was full (they read \"other\")",
         MetricType::Counter, static_cast<double>(st.strings_dropped));
  single("actorscope_collector_text_invalid_bytes_total",
         "Bytes of invalid UTF-8 or control characters in peer text, replaced by U+FFFD", MetricType::Counter,
         static_cast<double>(st.text_invalid_bytes));
  single("actorscope_collector_texts_truncated_total", "Peer texts cut to the length cap (--max-text-bytes)",
         MetricType::Counter, static_cast<double>(st.texts_truncated));
  single("actorscope_collector_warnings_refused_total",
         "Warnings not raised because --max-warnings were in force (counted each time one was due)",
         MetricType::Counter, static_cast<double>(st.warnings_over_cap));
  single("actorscope_collector_links_dropped_total",
         "Links and monitors not kept because an actor already had the most kept per actor", MetricType::Counter,
         static_cast<double>(st.links_dropped));
  single("actorscope_collector_model_memory_bytes", "Estimate of the memory the model holds", MetricType::Gauge,
         static_cast<double>(st.memory_bytes));
  single("actorscope_collector_live_actors", "Live actors in the model, all nodes", MetricType::Gauge,
         static_cast<double>(st.live_actors));
  single("actorscope_collector_actor_table_bytes", "Memory of the actor rows and their index, all nodes",
         MetricType::Gauge, static_cast<double>(st.actor_table_bytes));
  single("actorscope_collector_strings", "Distinct names, types and reason texts held in the string pool",
         MetricType::Gauge, static_cast<double>(st.strings));
  if (const History* h = model.history()) {
    // The flight recorder: how much past it holds, and what fell off its bounds.
    const HistoryStats hs = h->stats();
    single("actorscope_collector_history_bytes", "Bytes the flight recorder holds: keyframes and the stream between them",
           MetricType::Gauge, static_cast<double>(hs.bytes));
    single("actorscope_collector_history_seconds", "How far back the flight recorder reaches",
           MetricType::Gauge, static_cast<double>(hs.ends_at - std::min(hs.begins_at, hs.ends_at)) / 1e9);
    single("actorscope_collector_history_keyframes", "Keyframes the flight recorder holds", MetricType::Gauge,
           static_cast<double>(hs.segments));
    single("actorscope_collector_history_evicted_inputs_total",
           "Inputs that fell off the flight recorder (--history-age, --history-bytes)", MetricType::Counter,
           static_cast<double>(hs.evicted_entries));
    single("actorscope_collector_history_stream_level",
           "zstd level of the stream's pieces now: below its setting while the compressor is behind the stream",
           MetricType::Gauge, static_cast<double>(hs.stream_level));
    single("actorscope_collector_history_compressor_stalls_total",
           "Times the ingest waited for the stream's compressor: its backlog of pieces was full", MetricType::Counter,
           static_cast<double>(hs.compressor_stalls));
  }
  if (folded_out) *folded_out = folded;
  return out;
}

MetricsCollectable::MetricsCollectable(const Model& model, std::mutex& model_mutex, ExporterSettings settings,
                                       std::function<ServerCounters()> server_counters)
    : model_(model), mutex_(model_mutex), settings_(settings), server_counters_(std::move(server_counters)) {}

double MetricsCollectable::last_scrape_seconds() const {
  return static_cast<double>(last_scrape_ns_.load(std::memory_order_relaxed)) / 1e9;
}

void MetricsCollectable::publish_from_loop(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(snapshot_mutex_);
  wake_ = std::move(wake);
  published_mode_ = true;
}

bool MetricsCollectable::wants_snapshot() const { return wanted_.load(std::memory_order_acquire); }

void MetricsCollectable::publish() {
  uint64_t asked = asked_.load(std::memory_order_acquire);
  wanted_.store(false, std::memory_order_release);
  auto start = std::chrono::steady_clock::now();
  auto families = std::make_shared<Rendered>();
  families->families = render_model(model_, settings_, &families->folded);
  families->render_ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
  {
    std::lock_guard<std::mutex> lock(snapshot_mutex_);
    snapshot_ = std::move(families);
    published_ = asked;
  }
  published_cv_.notify_all();
}

std::shared_ptr<const MetricsCollectable::Rendered> MetricsCollectable::latest() const {
  std::unique_lock<std::mutex> lock(snapshot_mutex_);
  // Ask the loop for a fresh snapshot and wait a little for it; a loop busy with a peer
  // (or stalled) leaves this scrape with the previous snapshot, never waiting on ingest.
  uint64_t ticket = asked_.fetch_add(1, std::memory_order_acq_rel) + 1;
  wanted_.store(true, std::memory_order_release);
  if (wake_) wake_();
  bool fresh = published_cv_.wait_for(lock, std::chrono::milliseconds(settings_.scrape_wait_ms),
                                      [&] { return published_ >= ticket; });
  if (!fresh) stale_scrapes_.fetch_add(1, std::memory_order_relaxed);
  return snapshot_;
}

std::vector<MetricFamily> MetricsCollectable::Collect() const {
  auto start = std::chrono::steady_clock::now();
  std::vector<MetricFamily> out;
  uint64_t folded = 0;
  uint64_t render_ns = 0;
  bool published_mode = false;
  {
    std::lock_guard<std::mutex> lock(snapshot_mutex_);
    published_mode = published_mode_;
  }
  if (published_mode) {
    if (auto snap = latest()) {
      out = snap->families;
      folded = snap->folded;
      render_ns = snap->render_ns;
    }
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    out = render_model(model_, settings_, &folded);
  }
  folded_.store(folded, std::memory_order_relaxed);
  uint64_t dummy = 0;
  constexpr size_t kNone = FamilyBuilder::kNoNode;
  auto single = [&](const char* name, const char* help, MetricType type, double v) {
    FamilyBuilder f(out, name, help, type, 0, dummy);
    f.add(kNone, {}, v);
  };
  if (server_counters_) {
    ServerCounters c = server_counters_();
    {
      FamilyBuilder f(out, "actorscope_collector_connections", "Current connections, by role", MetricType::Gauge, 0, dummy);
      f.add(kNone, {{"role", "agent"}}, static_cast<double>(c.agents_connected));
      f.add(kNone, {{"role", "viewer"}}, static_cast<double>(c.viewers_connected));
      f.add(kNone, {{"role", "handshake"}}, static_cast<double>(c.pending_connected));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_connections_total", "Connections accepted, by role",
                      MetricType::Counter, 0, dummy);
      f.add(kNone, {{"role", "agent"}}, static_cast<double>(c.agents_total));
      f.add(kNone, {{"role", "viewer"}}, static_cast<double>(c.viewers_total));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_decode_errors_total",
                      "Connections closed for a protocol error, by reason", MetricType::Counter, 0, dummy);
      for (size_t r = 0; r < kErrorReasonCount; ++r)
        f.add(kNone, {{"reason", std::string(name(static_cast<ErrorReason>(r)))}}, static_cast<double>(c.errors[r]));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_refusals_total",
                      "Things refused to keep the collector within its bounds, by reason", MetricType::Counter, 0, dummy);
      for (size_t r = 0; r < kRefusalCount; ++r)
        f.add(kNone, {{"reason", std::string(name(static_cast<Refusal>(r)))}}, static_cast<double>(c.refusals[r]));
    }
    single("actorscope_collector_frames_total", "Frames received", MetricType::Counter, static_cast<double>(c.frames_total));
    single("actorscope_collector_received_bytes_total", "Bytes received from peers", MetricType::Counter,
           static_cast<double>(c.bytes_in_total));
    single("actorscope_collector_handshake_failures_total", "Handshakes refused or timed out", MetricType::Counter,
           static_cast<double>(c.handshake_failures));
    single("actorscope_collector_slow_peers_dropped_total", "Peers dropped because their output queue overflowed",
           MetricType::Counter, static_cast<double>(c.slow_peers_dropped));
    single("actorscope_collector_viewers_dropped_total",
           "Viewers closed because they fell behind (their queue stayed over its bound)", MetricType::Counter,
           static_cast<double>(c.viewers_dropped));
    single("actorscope_collector_refused_connections_total", "Connections refused over the connection limit",
           MetricType::Counter, static_cast<double>(c.refused_connections));
    single("actorscope_collector_input_buffered_bytes", "Bytes of incomplete frames held for all connections",
           MetricType::Gauge, static_cast<double>(c.input_buffered_bytes));
    single("actorscope_collector_loop_turn_max_seconds",
           "Longest event-loop turn in the last tick period (time other peers waited at most)", MetricType::Gauge,
           static_cast<double>(c.loop_turn_max_ns) / 1e9);
    single("actorscope_collector_loop_turn_longest_seconds",
           "Longest event-loop turn since the collector started (a bound on how long one peer held it)",
           MetricType::Gauge, static_cast<double>(c.loop_turn_max_ever_ns) / 1e9);
    single("actorscope_collector_log_lines_suppressed_total",
           "Refusal log lines folded into the next line for the same peer (once per peer per interval)",
           MetricType::Counter, static_cast<double>(c.log_lines_suppressed));
    {
      FamilyBuilder f(out, "actorscope_collector_commands_total",
                      "Commands from viewers (kill), by outcome at the collector", MetricType::Counter, 0, dummy);
      f.add(kNone, {{"outcome", "sent"}}, static_cast<double>(c.commands_sent));
      f.add(kNone, {{"outcome", "refused"}}, static_cast<double>(c.commands_refused));
      f.add(kNone, {{"outcome", "timed_out"}}, static_cast<double>(c.commands_timed_out));
    }
  }
  if (auto heap = heap_usage()) {
    // What the allocator holds beside what the model says it holds: a gap that grows while
    // in_use stays flat is fragmentation, not a leak.
    FamilyBuilder f(out, "actorscope_collector_heap_bytes",
                    "The process heap (glibc malloc): bytes in use by allocations, and free bytes the heap keeps",
                    MetricType::Gauge, 0, dummy);
    f.add(kNone, {{"state", "in_use"}}, static_cast<double>(heap->in_use));
    f.add(kNone, {{"state", "free"}}, static_cast<double>(heap->free));
  }
  single("actorscope_collector_series_folded",
         "Label sets folded into \"other\" by this scrape, over each node's share of a family's series cap",
         MetricType::Gauge, static_cast<double>(folded));
  single("actorscope_collector_stale_scrapes_total",
         "Scrapes answered from the previous snapshot because the loop did not publish a new one in time",
         MetricType::Counter, static_cast<double>(stale_scrapes_.load(std::memory_order_relaxed)));
  single("actorscope_collector_metrics_render_seconds", "Time the event loop took to render the last snapshot",
         MetricType::Gauge, static_cast<double>(render_ns) / 1e9);
  uint64_t took = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
  single("actorscope_collector_scrape_duration_seconds", "Time the previous scrape took to render the model",
         MetricType::Gauge, last_scrape_seconds());
  last_scrape_ns_.store(took, std::memory_order_relaxed);
  return out;
}

std::string to_text(const std::vector<MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace actorscope::collector
