// actorscope-top at a million actors: redraw of the Actors and Tree panels (offscreen, the
// same code --batch and the terminal run), a new viewer's snapshot (in process, and over a
// real socket from actorscope-collector fed by loadgen --scale), and the collector's memory
// while 10 viewers are subscribed.
#include <benchmark/benchmark.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "panels.hpp"
#include "actorscope/collector/model.hpp"
#include "actorscope/protocol/codec.hpp"
#include "actorscope/serve/serve.hpp"
#include "actorscope/view/client.hpp"
#include "actorscope/view/replica.hpp"
#include "actorscope/view/synthetic.hpp"

extern char** environ;

namespace {

using namespace actorscope;
namespace pv = proto::viewer;
using Clock = std::chrono::steady_clock;

// A replica shaped like a big app: root > 100 supervisors > workers, one slow consumer.
std::unique_ptr<view::Replica> big_replica(size_t actors) {
  auto r = std::make_unique<view::Replica>();
  r->on(pv::SnapshotBegin{1, 1, actors});
  pv::NodeRow n;
  n.node = 1;
  n.name = "shop@bench";
  n.connected = true;
  n.actors = actors;
  r->on(n);
  auto add = [&](uint64_t id, uint64_t parent, std::string name, const char* type, bool sup, uint64_t mailbox) {
    pv::ActorRow a;
    a.node = 1;
    a.actor = id;
    a.parent = parent;
    a.name = std::move(name);
    a.type = type;
    a.kind = sup ? proto::ActorKind::Supervisor : proto::ActorKind::Worker;
    r->on(a);
    pv::ActorStats s;
    s.node = 1;
    s.actor = id;
    s.mailbox = mailbox;
    s.dequeued = id * 7 % 1000;
    s.msgs_per_s_x100 = id * 13 % 100'000;
    r->on(s);
  };
  add(1, 0, "root", "root_sup", true, 0);
  for (uint64_t s = 0; s < 100; ++s) add(2 + s, 1, "sup-" + std::to_string(s), "sup", true, 0);
  for (uint64_t i = 102; i < actors; ++i) add(i, 2 + i % 100, "session-" + std::to_string(i), "session", false, i % 97);
  r->on(pv::SnapshotEnd{1});
  r->on(pv::Tick{1, 0, 0});
  return r;
}

view::Replica& shared_replica(size_t n) {
  static std::unique_ptr<view::Replica> r;
  static size_t size = 0;
  if (size != n) {
    r = big_replica(n);
    size = n;
  }
  return *r;
}

// One redraw after new data (the view-models rebuild), as the terminal does at each delta.
void redraw(benchmark::State& state, tui::ViewId v) {
  view::Replica& r = shared_replica(static_cast<size_t>(state.range(0)));
  tui::UiState ui;
  ui.view = v;
  uint64_t tick = 2;
  for (auto _ : state) {
    r.on(pv::Tick{tick++, 0, 0});  // new data: forces the rebuild
    tui::TextCanvas c(200, 60);
    tui::draw_frame(c, r, ui);
    benchmark::DoNotOptimize(c);
  }
  state.counters["actors"] = static_cast<double>(r.actor_count());
}
void BM_RedrawActors(benchmark::State& s) { redraw(s, tui::ViewId::Actors); }
void BM_RedrawTree(benchmark::State& s) { redraw(s, tui::ViewId::Tree); }
BENCHMARK(BM_RedrawActors)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RedrawTree)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The generated system the GUI's frame-time benchmark draws (view/synthetic.hpp), with its
// deep and growing mailboxes, used-up restart budgets and crashes: one redraw after each of
// its ticks, so that both viewers are measured on one input.
void BM_RedrawAfterSyntheticTick(benchmark::State& state) {
  static view::SyntheticSystem sys([] {
    view::SyntheticSettings s;
    s.actors = 1'000'000;
    return s;
  }());
  tui::UiState ui;
  ui.view = static_cast<tui::ViewId>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    sys.tick();  // the generator's own work is not the terminal's
    state.ResumeTiming();
    tui::TextCanvas c(200, 60);
    tui::draw_frame(c, sys.replica(), ui);
    benchmark::DoNotOptimize(c);
  }
  state.counters["actors"] = static_cast<double>(sys.replica().actor_count());
}
BENCHMARK(BM_RedrawAfterSyntheticTick)
    ->Arg(static_cast<int>(tui::ViewId::Actors))
    ->Arg(static_cast<int>(tui::ViewId::Tree))
    ->Unit(benchmark::kMillisecond);

// Scrolling without new data: only the window is ordered.
void BM_ScrollActors(benchmark::State& state) {
  view::Replica& r = shared_replica(static_cast<size_t>(state.range(0)));
  tui::UiState ui;
  ui.view = tui::ViewId::Actors;
  size_t step = 0;
  for (auto _ : state) {
    ui.cursor[static_cast<size_t>(tui::ViewId::Actors)].selected = (step++ * 50) % 1000;
    tui::TextCanvas c(200, 60);
    tui::draw_frame(c, r, ui);
  }
}
BENCHMARK(BM_ScrollActors)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// One redraw after a delta like a busy app's: stats of `changes` actors, plus `churn`
// sessions exiting and as many spawned (the actor count stays put), then a tick.
void redraw_after_delta(benchmark::State& state, tui::ViewId v, size_t changes, size_t churn, bool expand_one) {
  const size_t n = static_cast<size_t>(state.range(0));
  view::Replica& r = shared_replica(n);
  tui::UiState ui;
  ui.view = v;
  if (expand_one) ui.tree.set_expanded(view::TreeItem{view::TreeRowKind::Actor, 1, "/root/sup-7", {}}, 2, true);
  static uint64_t tick = 1'000'000, oldest = 102, next_id = 0, seed = 1;
  if (next_id < n) next_id = n;
  auto rnd = [&] { return seed = seed * 6364136223846793005ull + 1442695040888963407ull, seed >> 33; };
  for (auto _ : state) {
    for (size_t i = 0; i < changes; ++i) {
      pv::ActorStats s;
      s.node = 1;
      s.actor = oldest + rnd() % (next_id - oldest);
      s.mailbox = rnd() % 200;
      s.msgs_per_s_x100 = rnd() % 100'000;
      r.on(s);
    }
    for (size_t i = 0; i < churn; ++i) {
      r.on(pv::ActorRemoved{1, oldest++});
      pv::ActorRow a;
      a.node = 1;
      a.actor = next_id++;
      a.parent = 2 + a.actor % 100;
      a.name = "session-" + std::to_string(a.actor);
      a.type = "session";
      r.on(a);
    }
    r.on(pv::Tick{tick++, 0, 0});
    tui::TextCanvas c(200, 60);
    tui::draw_frame(c, r, ui);
    benchmark::DoNotOptimize(c);
  }
  state.counters["actors"] = static_cast<double>(r.actor_count());
}
void BM_RedrawActorsAfterDelta(benchmark::State& s) { redraw_after_delta(s, tui::ViewId::Actors, 2000, 20, false); }
void BM_RedrawTreeAfterDelta(benchmark::State& s) { redraw_after_delta(s, tui::ViewId::Tree, 2000, 20, false); }
void BM_RedrawTreeExpandedAfterDelta(benchmark::State& s) { redraw_after_delta(s, tui::ViewId::Tree, 2000, 20, true); }
BENCHMARK(BM_RedrawActorsAfterDelta)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RedrawTreeAfterDelta)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RedrawTreeExpandedAfterDelta)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// A new sort column at a million actors: the shown window at once (Arg 0), or the full
// order that ActorsTable restores at most every resort_interval_ms (Arg 1).
void BM_ActorsNewSortColumn(benchmark::State& state) {
  view::Replica& r = shared_replica(1'000'000);
  view::ActorsTableSettings settings;
  settings.resort_interval_ms = state.range(0) ? 0 : 1'000'000;
  view::ActorsTable table(settings);
  view::ActorsQuery q;
  int column = 0;
  for (auto _ : state) {
    q.sort = column++ % 2 ? view::ActorColumn::Mailbox : view::ActorColumn::MessagesPerSec;
    table.update(r, q);
    benchmark::DoNotOptimize(table.window(0, 60));
  }
}
BENCHMARK(BM_ActorsNewSortColumn)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// ---- snapshot, in process: encode (session) + decode and apply (replica) -------------------
class DrainingConnection : public collector::Connection {
 public:
  explicit DrainingConnection(view::Replica& r) : replica_(r) {}
  uint64_t id() const override { return 1; }
  const std::string& peer() const override { return peer_; }
  const proto::Hello& hello() const override { return hello_; }
  bool send_frame(proto::FrameType, const uint8_t* p, size_t n) override {
    bytes += n;
    return replica_.apply(p, n);
  }
  size_t queued_bytes() const override { return 0; }
  void close(const std::string&) override {}
  uint64_t bytes = 0;

 private:
  view::Replica& replica_;
  std::string peer_ = "bench";
  proto::Hello hello_;
};

void BM_SnapshotInProcess(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  collector::Model model;
  proto::Hello h;
  h.node = "shop@bench";
  auto node = model.on_hello(1, h);
  model.apply(node, proto::StringDef{1, "session"});
  model.apply(node, proto::StringDef{2, "sup"});
  for (uint64_t i = 1; i <= n; ++i) {
    proto::ActorSpawned s;
    s.actor = i;
    s.parent = i <= 101 ? (i == 1 ? 0 : 1) : 2 + i % 100;
    s.type = i <= 101 ? 2 : 1;
    s.kind = i <= 101 ? proto::ActorKind::Supervisor : proto::ActorKind::Worker;
    model.apply(node, s);
  }
  model.commit();
  uint64_t bytes = 0;
  for (auto _ : state) {
    view::Replica replica;
    DrainingConnection conn(replica);
    auto session = serve::make_session(conn, model, serve::ServeOptions{}, std::make_shared<serve::ServeCounters>());
    std::vector<uint8_t> sub;
    proto::Writer w(sub);
    pv::encode(w, pv::Subscribe{"", 10});
    session->on_frame(proto::FrameHeader{static_cast<uint32_t>(sub.size()), proto::FrameType::View, 1}, sub.data(), sub.size());
    while (!replica.has_snapshot()) session->on_tick(1);
    if (replica.actor_count() != n) state.SkipWithError("replica incomplete");
    bytes = conn.bytes;
  }
  state.counters["snapshot_MiB"] = static_cast<double>(bytes) / (1 << 20);
}
BENCHMARK(BM_SnapshotInProcess)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(2);

// ---- over real sockets: actorscope-collector + loadgen --scale ---------------------------
uint64_t rss_kib(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  return 0;
}

pid_t spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

// A viewer that reads and discards, noting when its snapshot has ended.
struct DrainViewer {
  int fd = -1;
  proto::FrameDecoder decoder{proto::kHardMaxFrame};
  bool done = false;
  void on(const pv::SnapshotEnd&) { done = true; }
  template <class M>
  void on(const M&) {}
  bool open(const std::string& address) {
    std::string error;
    fd = view::connect_address(address, error);
    if (fd < 0) return false;
    std::vector<uint8_t> out;
    proto::Hello h;
    h.role = proto::Role::Viewer;
    h.max_frame = proto::kHardMaxFrame;
    size_t at = proto::begin_frame(out, proto::FrameType::Hello, 0);
    proto::Writer w(out);
    proto::encode(w, h);
    proto::finish_frame(out, at);
    at = proto::begin_frame(out, proto::FrameType::View, 1);
    pv::encode(w, pv::Subscribe{"", 10});
    proto::finish_frame(out, at);
    return ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size());
  }
  // Reads what is there (non-blocking after the first byte).
  void pump() {
    uint8_t buf[1 << 16];
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 1) <= 0) return;  // wait a little rather than spin beside the collector
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) return;
    decoder.feed(buf, static_cast<size_t>(n));
    proto::FrameHeader h;
    const uint8_t* p;
    while (decoder.next(h, p))
      if (h.type == proto::FrameType::View) pv::decode_messages(p, h.length, *this);
  }
};

void BM_CollectorWithViewers(benchmark::State& state) {
  const std::string n = std::to_string(state.range(0));
  auto dir = std::filesystem::temp_directory_path() / ("actorscope-bench-tui-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string address = "unix:" + (dir / "c.sock").string();
  pid_t collector = spawn({ACTORSCOPE_COLLECTOR_BIN, "--listen", address, "--metrics", "none", "--log-level", "warn"});
  for (int i = 0; i < 200 && !std::filesystem::exists(dir / "c.sock"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  pid_t loadgen = spawn({ACTORSCOPE_LOADGEN_BIN, "--collector", address, "--node", "scale", "--actors", n, "--scale", "--stay", "0"});
  // Wait until the collector holds every actor (a viewer's snapshot says how many).
  auto loaded = [&] {
    view::ClientOptions o;
    o.address = address;
    view::Client c(o);
    c.start();
    auto end = Clock::now() + std::chrono::seconds(120);
    uint64_t seen = 0;
    while (Clock::now() < end) {
      {
        auto l = c.lock();
        seen = c.replica().actor_count();
      }
      if (seen >= static_cast<uint64_t>(state.range(0))) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return seen;
  };
  uint64_t actors = loaded();
  uint64_t rss_idle = rss_kib(collector);
  double first_snapshot_s = 0, one_viewer_s = 0;
  uint64_t rss_serving = 0;
  {
    // A new viewer alone: the time from connecting to its complete snapshot.
    DrainViewer one;
    auto start = Clock::now();
    one.open(address);
    while (!one.done && Clock::now() - start < std::chrono::seconds(120)) one.pump();
    one_viewer_s = std::chrono::duration<double>(Clock::now() - start).count();
    ::close(one.fd);
  }
  for (auto _ : state) {
    std::vector<DrainViewer> viewers(10);
    auto start = Clock::now();
    for (auto& v : viewers) v.open(address);
    size_t done = 0;
    while (done < viewers.size() && Clock::now() - start < std::chrono::seconds(120)) {
      done = 0;
      for (auto& v : viewers) {
        v.pump();
        if (v.done) {
          if (first_snapshot_s == 0) first_snapshot_s = std::chrono::duration<double>(Clock::now() - start).count();
          ++done;
        }
      }
      rss_serving = std::max(rss_serving, rss_kib(collector));
    }
    state.counters["all_10_snapshots_s"] = std::chrono::duration<double>(Clock::now() - start).count();
    for (auto& v : viewers) ::close(v.fd);
  }
  state.counters["actors"] = static_cast<double>(actors);
  state.counters["first_of_10_snapshot_s"] = first_snapshot_s;
  state.counters["one_viewer_snapshot_s"] = one_viewer_s;
  state.counters["collector_rss_MiB_idle"] = static_cast<double>(rss_idle) / 1024;
  state.counters["collector_rss_MiB_10_viewers"] = static_cast<double>(rss_serving) / 1024;
  ::kill(loadgen, SIGTERM);
  ::kill(collector, SIGTERM);
  ::waitpid(loadgen, nullptr, 0);
  ::waitpid(collector, nullptr, 0);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_CollectorWithViewers)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
