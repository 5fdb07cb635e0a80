// Runs the synthetic traffic: a seeded sender decides every message (target, crash, telemetry)
// up front, so that the counts are the same on every run with the same seed.
#include "workload.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "run_queue.hpp"
#include "supervision_tree.hpp"

namespace loadgen {
namespace {

std::atomic<bool> g_stop{false};

using Clock = std::chrono::steady_clock;

// splitmix64: small, fast, and the same sequence on every platform and standard library.
struct Random {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

// What one thread counted; written by that thread only, read when all is settled.
struct alignas(64) ThreadCounts {
  std::atomic<uint64_t> settled{0};  // messages fully handled (processed or dead letters)
  uint64_t processed = 0, crashes = 0, dead_letters = 0, telemetry = 0;
};

// Some deterministic work, so that a message takes a little time.
uint64_t work(uint64_t seq) {
  uint64_t h = 1469598103934665603ull ^ seq;
  for (int i = 0; i < 64; ++i) h = (h ^ static_cast<uint64_t>(i)) * 1099511628211ull;
  return h;
}

class Traffic {
 public:
  explicit Traffic(const Options& o)
      : o_(o),
        tree_(o, [this](uint32_t home, uint32_t actor) { post_restart(home, actor); }),
        counts_(o.threads + 1) {
    for (uint32_t t = 0; t <= o.threads; ++t) queues_.push_back(std::make_unique<RunQueue>(o.queue_limit));
  }

  Counts run() {
    Counts c;
    auto t0 = Clock::now();
    tree_.build();
    auto t1 = Clock::now();
    c.spawn_seconds = std::chrono::duration<double>(t1 - t0).count();
    for (uint32_t t = 0; t <= o_.threads; ++t) threads_.emplace_back([this, t] { run_actors(t); });
    c.messages_sent = send_all();
    wait_settled(c.messages_sent);
    c.run_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
    for (auto& q : queues_) q->close();
    for (auto& t : threads_) t.join();
    for (const ThreadCounts& tc : counts_) {
      c.messages_processed += tc.processed;
      c.crashes += tc.crashes;
      c.dead_letters += tc.dead_letters;
      c.telemetry += tc.telemetry;
    }
    TreeCounts alive = tree_.alive();
    c.supervisors = alive.supervisors;
    c.workers = alive.workers;
    c.restarts = tree_.restarts();
    c.escalations = tree_.escalations();
    end_ms_ = clock_ms(c.messages_sent);
    ended_ = Clock::now();
    finished_ = true;
    return c;
  }

  // After run(): kills one actor on the calling thread (commands arrive one at a time).
  int kill(uint64_t id) {
    std::lock_guard<std::mutex> lock(kill_mutex_);
    // The workload clock goes on in real time after the run, for the restart intensity.
    auto since = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - ended_).count();
    return tree_.kill(id, end_ms_ + static_cast<uint64_t>(since)) ? ACTORSCOPE_COMMAND_DONE : ACTORSCOPE_COMMAND_NO_ACTOR;
  }

 private:
  // Message type names, interned once (the agent is started by now).
  actorscope_msg_type work_type_ = actorscope_message_type("work");
  actorscope_msg_type crash_type_ = actorscope_message_type("crash");
  actorscope_msg_type telemetry_type_ = actorscope_message_type("telemetry");

  uint64_t send_all() {
    const auto& workers = tree_.workers();
    if (workers.empty() && tree_.slow_consumer() == kNoActor) return 0;
    Random rng{o_.seed};
    auto start = Clock::now();
    auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.duration_s));
    uint64_t seq = 0;
    for (;; ++seq) {
      if (o_.messages >= 0 ? seq >= static_cast<uint64_t>(o_.messages) : (seq % 256 == 0 && Clock::now() >= deadline))
        break;
      if (g_stop.load(std::memory_order_relaxed)) break;
      if (o_.rate > 0) {
        auto due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seq / o_.rate));
        // In short steps, so that a stop request is seen even at a slow rate.
        while (Clock::now() < due && !g_stop.load(std::memory_order_relaxed))
          std::this_thread::sleep_until(std::min(due, Clock::now() + std::chrono::milliseconds(20)));
        if (g_stop.load(std::memory_order_relaxed)) break;
      }
      Message m;
      m.seq = seq;
      uint64_t pick = rng.next();
      bool crash = rng.unit() < o_.crash_rate;
      bool telemetry = rng.unit() < o_.telemetry_rate;
      bool to_slow = tree_.slow_consumer() != kNoActor && (workers.empty() || seq % o_.slow_every == o_.slow_every - 1);
      m.actor = to_slow ? tree_.slow_consumer() : workers[pick % workers.size()];
      m.flags = static_cast<uint8_t>((crash && !to_slow ? Message::kCrash : 0) | (telemetry ? Message::kTelemetry : 0));
      // The sender's side of the mailbox, on the sender's thread, by message type.
      tree_.enqueue(m.actor, (m.flags & Message::kCrash) ? crash_type_ : (m.flags & Message::kTelemetry) ? telemetry_type_ : work_type_);
      queues_[tree_.actor(m.actor).home]->push(m);
    }
    return seq;
  }

  void post_restart(uint32_t home, uint32_t actor) {
    if (finished_) {  // no actor thread left: the killing thread restarts it
      tree_.restart_top_child(actor);
      return;
    }
    restarts_posted_.fetch_add(1);
    Message m;
    m.actor = actor;
    m.flags = Message::kRestart;
    queues_[home]->push(m);
  }

  void wait_settled(uint64_t sent) {
    for (;;) {
      uint64_t settled = 0;
      for (const ThreadCounts& tc : counts_) settled += tc.settled.load();
      if (settled == sent && restarts_done_.load() == restarts_posted_.load()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  void run_actors(uint32_t t) {
    ThreadCounts& tc = counts_[t];
    Message m;
    while (queues_[t]->pop(m)) {
      if (m.flags & Message::kRestart) {
        tree_.restart_top_child(m.actor);
        restarts_done_.fetch_add(1);
        continue;
      }
      bool alive = false;
      actorscope_actor* cell = tree_.dequeue(m.actor, alive);
      if (!alive) {
        ++tc.dead_letters;
        tc.settled.fetch_add(1, std::memory_order_release);
        continue;
      }
      process(m, cell, tc);
      if (m.flags & Message::kCrash) {
        ++tc.crashes;
        tree_.crash(m.actor, clock_ms(m.seq), "simulated fault in message " + std::to_string(m.seq));
      }
      tc.settled.fetch_add(1, std::memory_order_release);
    }
  }

  // Restart intensity is judged on real time by default, as the collector and the viewers
  // judge it; the workload clock (message number / rate) makes runs repeatable instead.
  uint64_t clock_ms(uint64_t seq) const {
    if (o_.workload_clock) {
      uint64_t clock_rate = o_.rate > 0 ? static_cast<uint64_t>(o_.rate) : 10000;
      return seq * 1000 / (clock_rate ? clock_rate : 1);
    }
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count());
  }

  void process(const Message& m, actorscope_actor* cell, ThreadCounts& tc) {
    bool crash = m.flags & Message::kCrash;
    bool telemetry = m.flags & Message::kTelemetry;
    bool span = telemetry && m.seq % 4 == 0;
    const char* type = tree_.actor(m.actor).slow ? "slow-consumer" : "worker";
    actorscope_meta meta[] = {{"actor_type", type}};
    uint64_t token = span ? actorscope_span_start("loadgen.job", meta, 1, cell) : 0;
    uint64_t begin = actorscope_process_begin(cell);
    volatile uint64_t sink = work(m.seq);
    (void)sink;
    if (tree_.actor(m.actor).slow) std::this_thread::sleep_for(std::chrono::microseconds(o_.slow_us));
    actorscope_process_end(cell, begin);
    ++tc.processed;
    if (span) {
      if (crash) actorscope_span_exception("loadgen.job", token, "error", "simulated fault", meta, 1, cell);
      else actorscope_span_stop("loadgen.job", token, meta, 1, cell);
      tc.telemetry += 2;  // start, then stop or exception
    } else if (telemetry) {
      actorscope_measurement size{"size", static_cast<double>(m.seq % 1000)};
      actorscope_telemetry_execute("loadgen.message.handled", &size, 1, meta, 1, cell);
      tc.telemetry += 1;
    }
  }

  const Options& o_;
  SupervisionTree tree_;
  std::vector<std::unique_ptr<RunQueue>> queues_;  // one per thread; the last is the slow consumer's
  std::vector<ThreadCounts> counts_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> restarts_posted_{0}, restarts_done_{0};
  const Clock::time_point started_ = Clock::now();  // real time zero of the restart intensity
  bool finished_ = false;  // set before the traffic is published for kills
  uint64_t end_ms_ = 0;    // workload clock at the end of the run
  Clock::time_point ended_;
  std::mutex kill_mutex_;
};

// The finished traffic, kept for kill commands: its actors stay alive until the process exits.
std::atomic<Traffic*> g_finished{nullptr};

}  // namespace

void request_stop() { g_stop.store(true); }
bool stop_requested() { return g_stop.load(); }

Counts run_workload(const Options& o) {
  auto* traffic = new Traffic(o);  // never freed: kill commands may use it until exit
  Counts c = traffic->run();
  g_finished.store(traffic, std::memory_order_release);
  return c;
}

int kill_actor(uint64_t id, int command, void*) {
  Traffic* t = g_finished.load(std::memory_order_acquire);
  if (command != ACTORSCOPE_COMMAND_KILL) return -1;
  if (!t) return ACTORSCOPE_COMMAND_BUSY;  // the actor threads own the tree while the traffic runs
  return t->kill(id);
}

}  // namespace loadgen
