// Generates a supervision tree (web sessions, a database pool, job runners) with traffic,
// a slow consumer whose mailbox grows, crashes with restarts, telemetry and warnings.
#include "actorscope/view/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace actorscope::view {
namespace {

uint64_t wall_now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// A plausible latency histogram: most values near the mean, a few at the maximum.
void fill_buckets(pv::MeasurementStats& m, double mean) {
  const size_t b = proto::telemetry_bucket(mean);
  const uint64_t at_mean = m.count * 6 / 10, below = m.count * 2 / 10, above = m.count * 15 / 100;
  m.buckets[b] += at_mean;
  m.buckets[b > 0 ? b - 1 : b] += below;
  m.buckets[std::min(b + 1, pv::kTelemetryBuckets - 1)] += above;
  m.buckets[proto::telemetry_bucket(m.max)] += m.count - at_mean - below - above;
}

}  // namespace

SyntheticSystem::SyntheticSystem(SyntheticSettings settings) : settings_(settings), rng_(settings.seed) {
  replica_.on(pv::SnapshotBegin{1, settings_.nodes, settings_.actors});
  for (NodeId n = 1; n <= settings_.nodes; ++n) build_node(n);
  replica_.on(pv::SnapshotEnd{1});
  tick();
}

uint64_t SyntheticSystem::spawn(NodeId node, uint64_t parent, const std::string& name, const std::string& type,
                                proto::ActorKind kind, proto::Strategy strategy, const std::string& child_id) {
  pv::ActorRow row;
  row.node = node;
  row.actor = next_actor_++;
  row.parent = parent;
  row.name = name;
  row.type = type;
  row.child_id = child_id;
  row.kind = kind;
  row.strategy = strategy;
  row.intensity = kind == proto::ActorKind::Supervisor ? 5 : 0;
  row.period_ms = kind == proto::ActorKind::Supervisor ? 10'000 : 0;
  row.spawned_wall_ns = wall_now_ns();
  replica_.on(row);
  pv::ActorStats st;
  st.node = node;
  st.actor = row.actor;
  replica_.on(st);
  return row.actor;
}

void SyntheticSystem::build_node(NodeId node) {
  using K = proto::ActorKind;
  using S = proto::Strategy;
  pv::NodeRow nr;
  nr.node = node;
  nr.name = node == 1 ? "shop@web-1" : "shop@web-" + std::to_string(node);
  nr.host = "web-" + std::to_string(node);
  nr.program = "shop-server";
  nr.pid = 4000 + node;
  nr.incarnation = 1;
  nr.connected = true;
  replica_.on(nr);
  pv::Event up;
  up.seq = next_seq_++;
  up.wall_ns = wall_now_ns();
  up.node = node;
  up.kind = pv::EventKind::NodeUp;
  up.name = nr.name;
  up.text = "connected";
  replica_.on(up);

  const uint64_t n = settings_.actors / settings_.nodes;
  uint64_t root = spawn(node, 0, "shop_sup", "shop_sup", K::Supervisor, S::OneForOne);
  uint64_t web = spawn(node, root, "web_sup", "web_sup", K::Supervisor, S::OneForOne);
  spawn(node, web, "listener", "tcp_listener", K::Worker, S::None);
  uint64_t sessions = spawn(node, web, "session_sup", "session_sup", K::Supervisor, S::SimpleOneForOne);
  uint64_t db = spawn(node, root, "db_sup", "db_sup", K::Supervisor, S::OneForAll);
  uint64_t jobs = spawn(node, root, "jobs_sup", "jobs_sup", K::Supervisor, S::RestForOne);
  spawn(node, root, "metrics", "metrics_reporter", K::Worker, S::None);
  // Restart budgets: the database pool has used most of its own (its next crash uses it up),
  // the job runners some; the web tier none.
  for (auto [sup, used] : {std::pair{db, 4u}, std::pair{jobs, 1u}})
    if (const Actor* a = replica_.actor({node, sup})) {
      pv::ActorStats st = a->stats;
      st.restarts = used;
      st.restarts_in_period = used;
      replica_.on(st);
    }
  for (int i = 0; i < 6; ++i)
    workers_.push_back({node, spawn(node, db, "db_conn_" + std::to_string(i), "db_conn", K::Worker, S::None)});
  for (const char* s : {"job_queue", "job_scheduler", "job_runner", "job_reporter"})
    workers_.push_back({node, spawn(node, jobs, s, s, K::Worker, S::None)});
  if (node == 1) restarting_ = workers_.back();
  // Known by its child id only, and by nothing but its id.
  workers_.push_back({node, spawn(node, jobs, "", "job_worker", K::Worker, S::None, "job_worker-1")});
  workers_.push_back({node, spawn(node, jobs, "", "job_worker", K::Worker, S::None)});
  slow_ = {node, spawn(node, jobs, "audit_log", "audit_writer", K::Worker, S::None)};
  if (const Actor* a = replica_.actor(slow_)) {  // it starts behind, and falls further behind
    pv::ActorStats st = a->stats;
    st.enqueued = 9'000;
    st.mailbox = st.enqueued;
    replica_.on(st);
  }
  workers_.push_back(slow_);
  const uint64_t session_count = n > 22 ? n - 22 : 8;
  for (uint64_t i = 0; i < session_count; ++i)
    workers_.push_back({node, spawn(node, sessions, "session", "http_session", K::Worker, S::None)});
}

void SyntheticSystem::crash_and_restart(const ActorKey& w, uint64_t now) {
  const Actor* a = replica_.actor(w);
  if (!a) return;
  pv::Event crash;
  crash.seq = next_seq_++;
  crash.wall_ns = now;
  crash.node = w.node;
  crash.kind = pv::EventKind::Crashed;
  crash.actor = w.actor;
  crash.supervisor = a->row.parent;
  crash.reason = proto::ExitReason::Error;
  crash.name = a->row.name;
  crash.text = a->row.type == "db_conn" ? "connection refused (db-primary:5432)" : "badmatch: {error, timeout}";
  replica_.on(crash);
  pv::Event restart = crash;
  restart.seq = next_seq_++;
  restart.kind = pv::EventKind::Restarted;
  restart.text = "restarted by supervisor";
  replica_.on(restart);
  if (const Actor* sup = replica_.actor({w.node, a->row.parent})) {
    pv::ActorStats st = sup->stats;
    st.restarts += 1;
    st.restarts_in_period = std::min<uint32_t>(st.restarts_in_period + 1, sup->row.intensity);
    replica_.on(st);
  }
}

// The shop's message flow, as the collector estimates it from 1 in 32 sends: requests come
// in through the listener, sessions query the database and queue jobs, the jobs run and
// every run is audited. Each stage passes on less than it gets, and the audit writer, which
// cannot keep up, has the deepest backlog.
void SyntheticSystem::send_flow(std::uniform_real_distribution<double>& unit,
                                const std::map<std::pair<NodeId, std::string>, std::pair<uint64_t, uint64_t>>& backlog) {
  struct Pipe {
    const char* from;
    const char* to;
    double rate;  // messages/s, before the slow swing
  };
  static const Pipe kPipes[] = {
      {"", "tcp_listener", 1250},           {"tcp_listener", "http_session", 1200},
      {"http_session", "db_conn", 820},     {"http_session", "job_queue", 150},
      {"job_queue", "job_scheduler", 140},  {"job_scheduler", "job_runner", 120},
      {"job_runner", "audit_writer", 110},  {"job_runner", "job_reporter", 30},
      {"db_conn", "http_session", 14},      {"", "metrics_reporter", 1},
  };
  const double swing = 1.0 + 0.35 * std::sin(static_cast<double>(ticks_) / 40.0);
  const double elapsed_s = static_cast<double>(ticks_) * settings_.tick_ms / 1000.0;
  for (const auto& [id, node] : replica_.nodes()) {
    if (id > settings_.nodes) continue;
    const double jitter = 0.97 + 0.06 * unit(rng_);  // one per node: each stage still passes on less
    for (const Pipe& p : kPipes) {
      pv::FlowRow f;
      f.node = id;
      f.from_type = p.from;
      f.to_type = p.to;
      const double rate = p.rate * swing * jitter;
      f.rate_x100 = static_cast<uint64_t>(rate * 100);
      f.messages = static_cast<uint64_t>(p.rate * elapsed_s) + 32 * (ticks_ / 10);
      f.sample_every = 32;
      if (auto b = backlog.find({id, p.to}); b != backlog.end()) {
        f.to_mailbox_max = b->second.first;
        f.to_mailbox_sum = b->second.second;
      }
      replica_.on(f);
    }
  }
}

void SyntheticSystem::tick() {
  const uint64_t now = wall_now_ns();
  ++ticks_;
  std::uniform_int_distribution<size_t> pick(0, workers_.empty() ? 0 : workers_.size() - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const uint32_t n = static_cast<uint32_t>(std::min<size_t>(settings_.stats_per_tick, workers_.size()));
  for (uint32_t i = 0; i < n; ++i) {
    const ActorKey& w = workers_[pick(rng_)];
    const Actor* a = replica_.actor(w);
    if (!a || w == slow_) continue;
    pv::ActorStats st = a->stats;
    const uint64_t msgs = 1 + static_cast<uint64_t>(unit(rng_) * 40);
    st.enqueued += msgs;
    st.dequeued += msgs;
    st.busy_ns += msgs * static_cast<uint64_t>(20'000 + unit(rng_) * 400'000);
    // now and then a burst deep enough to warn
    st.mailbox = unit(rng_) < 0.02 ? static_cast<uint64_t>(unit(rng_) * 3000) : static_cast<uint64_t>(unit(rng_) * 3);
    st.msgs_per_s_x100 = msgs * 1000;
    replica_.on(st);
  }
  // The slow consumer: its mailbox only grows, past the critical depth within seconds.
  if (const Actor* a = replica_.actor(slow_)) {
    pv::ActorStats st = a->stats;
    st.enqueued += 120;
    st.dequeued += 40;
    st.mailbox = st.enqueued - st.dequeued;
    st.busy_ns += 40 * 2'500'000ull;
    st.msgs_per_s_x100 = 40000;
    replica_.on(st);
  }
  // One job runner restarts for a while every second.
  if (const Actor* a = replica_.actor(restarting_)) {
    pv::ActorStats st = a->stats;
    st.state = ticks_ % 10 < 3 ? pv::ActorState::Restarting : pv::ActorState::Running;
    replica_.on(st);
  }
  if (ticks_ % 7 == 3 && !workers_.empty()) {
    // a crash in the database pool or a session, restarted by its supervisor
    const ActorKey& w = (ticks_ % 14 == 3) ? workers_[ticks_ % 6] : workers_[pick(rng_)];
    crash_and_restart(w, now);
  }
  if (ticks_ % 2 == 0 && !workers_.empty()) {
    pv::Event t;
    t.seq = next_seq_++;
    t.wall_ns = now;
    t.node = 1;
    t.kind = pv::EventKind::Telemetry;
    t.actor = workers_[pick(rng_)].actor;
    t.name = ticks_ % 4 == 0 ? "http.request.stop" : "db.query.stop";
    t.text = "duration_ms=" + std::to_string(static_cast<int>(2 + unit(rng_) * 80)) + " status=200";
    replica_.on(t);
  }
  const char* tele[] = {"http.request.stop", "db.query.stop", "jobs.run.stop", "cache.miss"};
  for (int i = 0; i < 4; ++i) {
    pv::TelemetryRow tr;
    tr.node = 1;
    tr.event = tele[i];
    tr.count = ticks_ * static_cast<uint64_t>(37 - i * 8);
    tr.per_s_x100 = static_cast<uint64_t>((370 - i * 80) * 100 * (0.9 + 0.2 * unit(rng_)));
    pv::MeasurementStats m;
    m.key = i == 3 ? "size_bytes" : "duration_ms";
    m.count = tr.count;
    m.min = 0.4 + i;
    m.max = 180.0 + 60 * i;
    m.sum = static_cast<double>(m.count) * (12.0 + 9 * i);
    m.last = 5 + unit(rng_) * 40;
    if (i != 3) fill_buckets(m, 12.0 + 9 * i);  // cache.miss: no buckets, as from an older collector
    tr.measurements.push_back(m);
    replica_.on(tr);
  }
  pv::Warnings warnings;
  if (const Actor* a = replica_.actor(slow_); a && a->stats.mailbox > 100) {
    warnings.warnings.push_back({slow_.node, slow_.actor, "mailbox_growing", pv::Severity::Warning,
                           "audit_log: mailbox grew to " + std::to_string(a->stats.mailbox) +
                               " over the last 5 samples"});
  }
  if (!workers_.empty())
    warnings.warnings.push_back({1, workers_[0].actor, "restart_storm", pv::Severity::Critical,
                           "db_sup: 4 of 5 restarts used in 10s (one_for_all)"});
  warnings.warnings.push_back({1, 0, "slow_handler", pv::Severity::Info,
                         "job_runner: one message took 1.4s (handler busy > 1s)"});
  replica_.on(warnings);
  std::vector<uint64_t> actors(settings_.nodes + 1), mailboxes(settings_.nodes + 1);
  const bool flow_due = ticks_ % 10 == 1;  // the collector sends flow rows at most once a second
  std::map<std::pair<NodeId, std::string>, std::pair<uint64_t, uint64_t>> backlog;  // deepest, sum
  for (const Actor& a : replica_.actors()) {
    if (a.row.node > settings_.nodes) continue;
    ++actors[a.row.node];
    mailboxes[a.row.node] += a.stats.mailbox;
    if (flow_due) {
      auto& [deepest, sum] = backlog[{a.row.node, a.row.type}];
      deepest = std::max(deepest, a.stats.mailbox);
      sum += a.stats.mailbox;
    }
  }
  if (flow_due) send_flow(unit, backlog);
  for (auto& [id, row] : replica_.nodes()) {
    pv::NodeRow nr = row;
    nr.actors = id <= settings_.nodes ? actors[id] : 0;
    nr.messages += 1000;
    nr.mailbox_total = id <= settings_.nodes ? mailboxes[id] : 0;
    nr.msgs_per_s_x100 = static_cast<uint64_t>((12000 + 2500 * std::sin(static_cast<double>(ticks_) / 30.0)) * 100);
    nr.restarts += ticks_ % 7 == 3 ? 1 : 0;
    nr.restarts_per_min_x100 = static_cast<uint64_t>(60.0 / 0.7 * 100 / 10);
    nr.warnings = 3;
    replica_.on(nr);
  }
  replica_.on(pv::Tick{ticks_, now, 0});
  last_tick_ = std::chrono::steady_clock::now();
}

bool SyntheticSystem::tick_if_due() {
  if (std::chrono::steady_clock::now() - last_tick_ < std::chrono::milliseconds(settings_.tick_ms)) return false;
  tick();
  return true;
}

std::string SyntheticSystem::status() const {
  return "generated actor system (" + std::to_string(replica_.actor_count()) + " actors), no collector";
}

uint64_t SyntheticSystem::request_detail(ActorKey key) {
  pv::DetailReply r;
  r.request = next_request_++;
  r.node = key.node;
  r.actor = key.actor;
  const Actor* a = replica_.actor(key);
  r.found = a != nullptr;
  for (uint32_t guard = 0; a && a->row.parent != 0 && guard < pv::kMaxChain; ++guard) {
    a = replica_.actor({key.node, a->row.parent});
    if (a) r.chain.push_back({a->row.actor, a->row.name, a->row.type});
  }
  if (r.found && !workers_.empty()) {
    pv::LinkEntry link;
    link.peer = workers_[0].actor;
    link.kind = pv::LinkKind::Monitors;
    r.links.push_back(link);
  }
  const auto& ev = replica_.events();
  for (auto it = ev.rbegin(); it != ev.rend() && r.events.size() < 50; ++it)
    if (it->node == key.node && (it->actor == key.actor || it->supervisor == key.actor)) r.events.push_back(*it);
  replica_.on(r);
  return r.request;
}

uint64_t SyntheticSystem::request_series(NodeId, pv::Metric metric, uint32_t seconds) {
  pv::SeriesReply r;
  r.request = next_request_++;
  r.step_ms = 1000;
  r.end_wall_ns = wall_now_ns();
  seconds = std::min<uint32_t>(seconds, 3600);
  r.points.resize(seconds);
  for (uint32_t i = 0; i < seconds; ++i) {
    const double t = i;
    double v = 0;
    switch (metric) {
      case pv::Metric::Actors: v = static_cast<double>(replica_.actor_count()) - 30 * std::exp(-t / 200.0); break;
      case pv::Metric::MessagesPerSec: v = 12000 + 2500 * std::sin(t / 300.0) + 900 * std::sin(t / 17.0); break;
      case pv::Metric::RestartsPerMin: v = (i % 97 < 6) ? 6 + (i % 5) : 0.5 * (i % 3); break;
      case pv::Metric::MailboxTotal: v = 200 + (t > seconds - 600.0 ? (t - (seconds - 600.0)) * 8 : 20 * std::sin(t / 40.0)); break;
      case pv::Metric::Drops: v = (i > seconds / 2) ? 3 : 0; break;
    }
    r.points[i] = std::max(0.0, v);
  }
  replica_.on(r);
  return r.request;
}

uint64_t SyntheticSystem::request_kill(ActorKey) {
  replica_.on(pv::CommandResult{next_request_, false, "this generated system takes no commands"});
  return next_request_++;
}

}  // namespace actorscope::view
