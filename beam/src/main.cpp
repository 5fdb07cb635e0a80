// actorscope-beam: attaches to Erlang/Elixir nodes and reports them to a collector as agents do.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "collector_link.hpp"
#include "observer.hpp"
#include "options.hpp"
#include "target.hpp"

using namespace actorscope::beam;

namespace {

std::atomic<bool> g_stop{false};
std::mutex g_log_mutex;

void on_signal(int) { g_stop.store(true); }

void log_line(const std::string& node, const std::string& text) {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  std::fprintf(stderr, "actorscope-beam: [%s] %s\n", node.c_str(), text.c_str());
  std::fflush(stderr);
}

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// Sleeps up to ms, waking early when asked to stop.
void nap(uint64_t ms) {
  uint64_t end = now_ms() + ms;
  while (!g_stop.load() && now_ms() < end) std::this_thread::sleep_for(std::chrono::milliseconds(std::min<uint64_t>(50, end - now_ms())));
}

// Exponential backoff with jitter: 250 ms doubling up to the maximum.
struct Backoff {
  uint64_t min_ms = 250, max_ms = 30000, current = 0;
  std::mt19937_64 rng{std::random_device{}()};
  uint64_t next() {
    current = current == 0 ? min_ms : std::min(max_ms, current * 2);
    return current / 2 + rng() % (current / 2 + 1);
  }
  void reset() { current = 0; }
};

// The attached nodes: the given ones, and with --cluster those their nodes() name, each
// with its own thread, connection and actorscope node; at most --max-nodes.
class Fleet {
 public:
  explicit Fleet(const Options& o) : o_(o) {}
  void add(const std::string& node);
  // Joins every thread, including those started while joining.
  void join() {
    for (size_t i = 0;; ++i) {
      std::thread t;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (i >= threads_.size()) return;
        t = std::move(threads_[i]);
      }
      t.join();
    }
  }

 private:
  const Options& o_;
  std::mutex mutex_;
  std::set<std::string> names_;
  std::vector<std::thread> threads_;
  bool full_logged_ = false;
};

int run_node(const Options& o, const std::string& node, Fleet& fleet);

void Fleet::add(const std::string& node) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (names_.count(node) || g_stop.load()) return;
  if (names_.size() >= o_.max_nodes) {
    if (!full_logged_) log_line(node, "not attached: --max-nodes " + std::to_string(o_.max_nodes) + " reached");
    full_logged_ = true;
    return;
  }
  names_.insert(node);
  threads_.emplace_back([this, node] { run_node(o_, node, *this); });
}

// --cluster: the node's visible peers join the fleet.
void follow_peers(Target& target, Fleet& fleet, std::string& error) {
  Term peers;
  if (!target.call([](ei_x_buff& x) { ei_x_encode_atom(&x, "peers"); }, peers, error)) return;
  for (const Term& p : peers.items)
    if (p.kind == Term::Kind::Binary && p.text.find('@') != std::string::npos) fleet.add(p.text);
}

// One attached node: its connection, its observer, its collector connection.
int run_node(const Options& o, const std::string& node, Fleet& fleet) {
  TargetOptions to;
  to.node = node;
  to.cookie = o.cookie;
  to.cookie_origin = o.cookie_origin;
  to.call_timeout_ms = o.call_timeout_ms;
  to.inner_timeout_ms = o.inner_timeout_ms;
  Target target(to);
  CollectorLink link(o.collector, o.token);
  NodeObserver observer(target, link, o.observer);
  Backoff target_backoff, collector_backoff;
  target_backoff.max_ms = collector_backoff.max_ms = o.backoff_max_ms;
  uint64_t collector_retry_at = 0;
  uint64_t last_peers_ms = 0;
  uint32_t creation = 0;
  std::string last_error;
  NodeIdentity identity;
  auto report = [&](const std::string& e) {
    if (e != last_error) log_line(node, e);
    last_error = e;
  };

  while (!g_stop.load()) {
    std::string error;
    if (!target.connected()) {
      if (link.connected()) link.close(true);  // the collector shows the node as gone
      if (!target.connect(error)) {
        uint64_t wait = target_backoff.next();
        report(error + "; retrying in " + std::to_string((wait + 999) / 1000) + " s");
        nap(wait);
        continue;
      }
      target_backoff.reset();
      if (creation != target.creation()) observer.reset();
      creation = target.creation();
      identity.node = node;
      identity.incarnation = target.creation();
      identity.os_pid = target.info().os_pid;
      identity.host = node.substr(node.find('@') + 1);
      identity.program = "beam (OTP " + target.info().otp_release + ", erts " + target.info().erts_version + ")";
      if (!o.quiet)
        log_line(node, "attached (OTP " + target.info().otp_release + (target.info().restart_reports ? ", restart reports" : ", restarts inferred") + ")");
      last_error.clear();
      collector_retry_at = 0;
    }
    if (!link.connected() && now_ms() >= collector_retry_at) {
      if (link.connect(identity, error)) {
        collector_backoff.reset();
        if (!o.quiet) log_line(node, "connected to collector " + o.collector);
        last_error.clear();
        observer.send_snapshot();
        link.flush(error);
      } else {
        uint64_t wait = collector_backoff.next();
        collector_retry_at = now_ms() + wait;
        report(error + "; retrying in " + std::to_string((wait + 999) / 1000) + " s");
      }
    }
    if (link.connected()) link.alive(error);
    uint64_t start = now_ms();
    if (!observer.tick(error)) {
      report(error);
      continue;
    }
    if (o.exit_after_scans && observer.counters().scans >= o.exit_after_scans) break;
    if (o.cluster && now_ms() - last_peers_ms >= o.observer.tree_interval_ms) {
      last_peers_ms = now_ms();
      follow_peers(target, fleet, error);
    }
    uint64_t spent = now_ms() - start;
    if (spent < o.observer.tick_ms && !target.idle(static_cast<unsigned>(o.observer.tick_ms - spent), error)) report(error);
  }
  const ObserverCounters& c = observer.counters();
  if (o.exit_after_scans)
    std::printf("node=%s scans=%llu processes=%llu last_scan_seconds=%.3f relay_reductions_per_s=%.0f\n", node.c_str(),
                static_cast<unsigned long long>(c.scans), static_cast<unsigned long long>(c.last_scan_processes),
                c.last_scan_seconds, c.own_reductions_per_s);
  link.close(true);
  target.close();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bool exit_now = false;
  if (int rc = parse_options(argc, argv, o, exit_now); rc != 0 || exit_now) return rc;
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  ei_init();
  Fleet fleet(o);
  for (const auto& n : o.nodes) fleet.add(n);
  fleet.join();
  return 0;
}
