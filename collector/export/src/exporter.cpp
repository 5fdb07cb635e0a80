// Renders the model into Prometheus metric families (actorscope_* names, base units).
#include "actorscope/collector/exporter.hpp"

#include <chrono>
#include <unordered_map>

#include <prometheus/text_serializer.h>

namespace actorscope::collector {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Builds one family, folding label sets past the series cap into a single "other" series.
class FamilyBuilder {
 public:
  FamilyBuilder(std::vector<MetricFamily>& out, const char* name, const char* help, MetricType type, size_t cap,
                uint64_t& folded)
      : out_(out), cap_(cap), folded_(folded) {
    family_.name = name;
    family_.help = help;
    family_.type = type;
  }
  ~FamilyBuilder() {
    if (!family_.metric.empty()) out_.push_back(std::move(family_));
  }
  // Returns the metric to add into (a fresh one, or the shared "other" one).
  ClientMetric& series(std::initializer_list<std::pair<const char*, std::string_view>> labels) {
    if (family_.metric.size() < cap_ || cap_ == 0) {
      ClientMetric& m = family_.metric.emplace_back();
      for (auto& [k, v] : labels) m.label.push_back({k, std::string(v)});
      return m;
    }
    ++folded_;
    if (other_ == SIZE_MAX) {
      other_ = family_.metric.size();
      ClientMetric& m = family_.metric.emplace_back();
      for (const auto& label : labels) m.label.push_back({label.first, "other"});
    }
    return family_.metric[other_];
  }
  void add(std::initializer_list<std::pair<const char*, std::string_view>> labels, double v) {
    ClientMetric& m = series(labels);
    if (family_.type == MetricType::Counter)
      m.counter.value += v;
    else
      m.gauge.value += v;
  }
  void set_max(std::initializer_list<std::pair<const char*, std::string_view>> labels, double v) {
    ClientMetric& m = series(labels);
    if (v > m.gauge.value) m.gauge.value = v;
  }

 private:
  std::vector<MetricFamily>& out_;
  MetricFamily family_;
  size_t cap_;
  size_t other_ = SIZE_MAX;
  uint64_t& folded_;
};

std::string_view node_name(const Node& n) { return n.name; }

}  // namespace

std::vector<MetricFamily> render_model(const Model& model, const ExporterSettings& settings, uint64_t* folded_out) {
  std::vector<MetricFamily> out;
  uint64_t folded = 0;
  size_t cap = settings.max_series;
  std::vector<const Node*> nodes;
  for (NodeKey k : model.node_keys()) nodes.push_back(model.node(k));
  auto type_name = [&](const TypeAggregate& t) {
    std::string_view s = model.text(t.type);
    return s.empty() ? std::string_view("unknown") : s;
  };

  {
    FamilyBuilder f(out, "actorscope_node_connected", "1 when the node's agent is connected, 0 when it is gone",
                    MetricType::Gauge, cap, folded);
    for (const Node* n : nodes) f.add({{"node", node_name(*n)}}, n->state == NodeState::Connected ? 1 : 0);
  }
  {
    FamilyBuilder f(out, "actorscope_actors", "Live actors by node, actor type and kind (worker or supervisor)",
                    MetricType::Gauge, cap, folded);
    for (const Node* n : nodes) {
      if (n->state != NodeState::Connected) continue;
      for (const TypeAggregate& t : model.types(n->key))
        for (size_t k = 0; k < 2; ++k)
          if (t.live[k] > 0)
            f.add({{"node", n->name}, {"actor_type", type_name(t)}, {"kind", proto::name(static_cast<proto::ActorKind>(k))}},
                  static_cast<double>(t.live[k]));
    }
  }
  {
    FamilyBuilder f(out, "actorscope_actor_spawns_total", "Actors spawned, by node and actor type", MetricType::Counter,
                    cap, folded);
    for (const Node* n : nodes)
      for (const TypeAggregate& t : model.types(n->key))
        f.add({{"node", n->name}, {"actor_type", type_name(t)}}, static_cast<double>(t.spawns.value()));
  }
  {
    FamilyBuilder f(out, "actorscope_actor_exits_total",
                    "Actor exits seen by this collector, by node, actor type and exit reason", MetricType::Counter, cap,
                    folded);
    for (const Node* n : nodes)
      for (const TypeAggregate& t : model.types(n->key))
        for (size_t r = 0; r < proto::kExitReasonCount; ++r)
          if (t.exits_by_reason[r] > 0)
            f.add({{"node", n->name}, {"actor_type", type_name(t)}, {"reason", proto::name(static_cast<proto::ExitReason>(r))}},
                  static_cast<double>(t.exits_by_reason[r]));
  }
  {
    FamilyBuilder f(out, "actorscope_supervisor_restarts_total",
                    "Child restarts performed, by node and supervisor (its name, else its child id)",
                    MetricType::Counter, cap, folded);
    for (const Node* n : nodes)
      for (const auto& [label, count] : model.restarts_by_supervisor(n->key))
        f.add({{"node", n->name}, {"supervisor", model.text(label)}}, static_cast<double>(count));
  }
  {
    FamilyBuilder sum(out, "actorscope_mailbox_messages", "Messages waiting in the mailboxes of live actors (sum)",
                      MetricType::Gauge, cap, folded);
    for (const Node* n : nodes) {
      if (n->state != NodeState::Connected) continue;
      for (const TypeAggregate& t : model.types(n->key))
        if (t.live_total() > 0) sum.add({{"node", n->name}, {"actor_type", type_name(t)}}, static_cast<double>(t.mailbox_sum));
    }
  }
  {
    FamilyBuilder max(out, "actorscope_mailbox_max_messages", "Deepest mailbox among the live actors of a type",
                      MetricType::Gauge, cap, folded);
    for (const Node* n : nodes) {
      if (n->state != NodeState::Connected) continue;
      for (const TypeAggregate& t : model.types(n->key))
        if (t.live_total() > 0)
          max.set_max({{"node", n->name}, {"actor_type", type_name(t)}}, static_cast<double>(t.mailbox_max));
    }
  }
  {
    FamilyBuilder f(out, "actorscope_messages_enqueued_total", "Messages put into mailboxes", MetricType::Counter, cap,
                    folded);
    for (const Node* n : nodes)
      for (const TypeAggregate& t : model.types(n->key))
        f.add({{"node", n->name}, {"actor_type", type_name(t)}}, static_cast<double>(t.enqueued()));
  }
  {
    FamilyBuilder f(out, "actorscope_messages_processed_total", "Messages taken out of mailboxes and processed",
                    MetricType::Counter, cap, folded);
    for (const Node* n : nodes)
      for (const TypeAggregate& t : model.types(n->key))
        f.add({{"node", n->name}, {"actor_type", type_name(t)}}, static_cast<double>(t.dequeued()));
  }
  {
    FamilyBuilder f(out, "actorscope_processing_seconds", "Time spent processing one message", MetricType::Histogram,
                    cap, folded);
    for (const Node* n : nodes)
      for (const TypeAggregate& t : model.types(n->key)) {
        ClientMetric& m = f.series({{"node", n->name}, {"actor_type", type_name(t)}});
        auto& h = m.histogram;
        if (h.bucket.empty()) {
          h.bucket.resize(proto::kHistogramBoundsNs.size());
          for (size_t i = 0; i < h.bucket.size(); ++i) h.bucket[i].upper_bound = static_cast<double>(proto::kHistogramBoundsNs[i]) / 1e9;
        }
        uint64_t cumulative = 0;
        for (size_t i = 0; i < proto::kHistogramBuckets; ++i) {
          cumulative += t.hist(i);
          if (i < h.bucket.size()) h.bucket[i].cumulative_count += cumulative;
        }
        h.sample_count += cumulative;
        h.sample_sum += static_cast<double>(t.busy_ns()) / 1e9;
      }
  }
  {
    FamilyBuilder f(out, "actorscope_telemetry_events_total", "Telemetry events, by node and event name",
                    MetricType::Counter, cap, folded);
    for (const Node* n : nodes)
      for (const TelemetryStats& t : model.telemetry(n->key))
        f.add({{"node", n->name}, {"event", model.text(t.event)}}, static_cast<double>(t.count));
  }
  {
    FamilyBuilder f(out, "actorscope_agent_dropped_total", "Records the agent had to drop, by node and kind",
                    MetricType::Counter, cap, folded);
    for (const Node* n : nodes)
      for (size_t k = 0; k < proto::kDropKindCount; ++k)
        f.add({{"node", n->name}, {"kind", proto::name(static_cast<proto::DropKind>(k))}}, static_cast<double>(n->drops[k]));
  }
  ModelStats st = model.stats();
  {
    FamilyBuilder f(out, "actorscope_collector_events_ingested_total", "Records applied to the model",
                    MetricType::Counter, 0, folded);
    f.add({}, static_cast<double>(st.records_applied));
  }
  {
    FamilyBuilder f(out, "actorscope_collector_model_anomalies_total",
                    "Inconsistent records the model tolerated, by kind", MetricType::Counter, 0, folded);
    for (size_t a = 0; a < kAnomalyCount; ++a)
      f.add({{"kind", name(static_cast<Anomaly>(a))}}, static_cast<double>(st.anomalies[a]));
  }
  {
    FamilyBuilder f(out, "actorscope_collector_event_log_dropped_total",
                    "Events pushed out of the bounded event log", MetricType::Counter, 0, folded);
    f.add({}, static_cast<double>(st.events_dropped));
  }
  {
    FamilyBuilder f(out, "actorscope_collector_strings_dropped_total",
                    "New names, types and reason texts not kept because the string pool was full (they read \"other\")",
                    MetricType::Counter, 0, folded);
    f.add({}, static_cast<double>(st.strings_dropped));
  }
  {
    FamilyBuilder f(out, "actorscope_collector_links_dropped_total",
                    "Links and monitors not kept because an actor already had the most kept per actor",
                    MetricType::Counter, 0, folded);
    f.add({}, static_cast<double>(st.links_dropped));
  }
  {
    FamilyBuilder f(out, "actorscope_collector_model_memory_bytes", "Estimate of the memory the model holds",
                    MetricType::Gauge, 0, folded);
    f.add({}, static_cast<double>(st.memory_bytes));
  }
  {
    FamilyBuilder f(out, "actorscope_collector_live_actors", "Live actors in the model, all nodes", MetricType::Gauge,
                    0, folded);
    f.add({}, static_cast<double>(st.live_actors));
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

std::vector<MetricFamily> MetricsCollectable::Collect() const {
  auto start = std::chrono::steady_clock::now();
  std::vector<MetricFamily> out;
  uint64_t folded = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out = render_model(model_, settings_, &folded);
  }
  folded_.store(folded, std::memory_order_relaxed);
  uint64_t dummy = 0;
  if (server_counters_) {
    ServerCounters c = server_counters_();
    {
      FamilyBuilder f(out, "actorscope_collector_connections", "Current connections, by role", MetricType::Gauge, 0, dummy);
      f.add({{"role", "agent"}}, static_cast<double>(c.agents_connected));
      f.add({{"role", "viewer"}}, static_cast<double>(c.viewers_connected));
      f.add({{"role", "handshake"}}, static_cast<double>(c.pending_connected));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_connections_total", "Connections accepted, by role",
                      MetricType::Counter, 0, dummy);
      f.add({{"role", "agent"}}, static_cast<double>(c.agents_total));
      f.add({{"role", "viewer"}}, static_cast<double>(c.viewers_total));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_decode_errors_total",
                      "Connections closed for a protocol error, by reason", MetricType::Counter, 0, dummy);
      for (size_t r = 0; r < kErrorReasonCount; ++r)
        f.add({{"reason", name(static_cast<ErrorReason>(r))}}, static_cast<double>(c.errors[r]));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_frames_total", "Frames received", MetricType::Counter, 0, dummy);
      f.add({}, static_cast<double>(c.frames_total));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_received_bytes_total", "Bytes received from peers",
                      MetricType::Counter, 0, dummy);
      f.add({}, static_cast<double>(c.bytes_in_total));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_handshake_failures_total", "Handshakes refused or timed out",
                      MetricType::Counter, 0, dummy);
      f.add({}, static_cast<double>(c.handshake_failures));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_slow_peers_dropped_total",
                      "Peers dropped because their output queue overflowed", MetricType::Counter, 0, dummy);
      f.add({}, static_cast<double>(c.slow_peers_dropped));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_refused_connections_total",
                      "Connections refused over the connection limit", MetricType::Counter, 0, dummy);
      f.add({}, static_cast<double>(c.refused_connections));
    }
    {
      FamilyBuilder f(out, "actorscope_collector_commands_total",
                      "Commands from viewers (kill), by outcome at the collector", MetricType::Counter, 0, dummy);
      f.add({{"outcome", "sent"}}, static_cast<double>(c.commands_sent));
      f.add({{"outcome", "refused"}}, static_cast<double>(c.commands_refused));
      f.add({{"outcome", "timed_out"}}, static_cast<double>(c.commands_timed_out));
    }
  }
  {
    FamilyBuilder f(out, "actorscope_collector_series_folded",
                    "Label sets folded into \"other\" by this scrape, over the series cap of each metric family",
                    MetricType::Gauge, 0, dummy);
    f.add({}, static_cast<double>(folded));
  }
  uint64_t took = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
  {
    FamilyBuilder f(out, "actorscope_collector_scrape_duration_seconds",
                    "Time the previous scrape took to render the model", MetricType::Gauge, 0, dummy);
    f.add({}, last_scrape_seconds());
  }
  last_scrape_ns_.store(took, std::memory_order_relaxed);
  return out;
}

std::string to_text(const std::vector<MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace actorscope::collector
