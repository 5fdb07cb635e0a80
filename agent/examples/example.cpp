// example.cpp: a tiny actor system in C++17, instrumented with actorscope/agent.hpp.
//
// A supervisor ("jobs_sup", one_for_one, at most 3 restarts in 5 s) runs a "producer"
// and a "consumer" on two threads that exchange messages through a queue. Every message
// is accounted; every 400th message crashes the consumer and the supervisor restarts it;
// each batch is a telemetry span.
//
// Run: ACTORSCOPE_COLLECTOR=tcp:127.0.0.1:7411 ./example-cpp [SECONDS]   (default 5)
#include <actorscope/agent.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace {

// A mailbox that tells actorscope about every message going in and out.
class Mailbox {
 public:
  void push(int job, const actorscope::Actor& owner) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(job);
    }
    owner.enqueue();
    cv_.notify_one();
  }
  bool pop(int& job, const actorscope::Actor& owner, const std::atomic<bool>& done) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return !jobs_.empty() || done; });
    if (jobs_.empty()) return false;
    job = jobs_.front();
    jobs_.pop_front();
    owner.dequeue();
    return true;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> jobs_;
};

void handle(int job) {
  if (job % 400 == 399) throw std::runtime_error("bad message");
  volatile double x = 0;
  for (int k = 0; k < 200; ++k) x = x + k * 0.5;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  actorscope::Config config;  // empty fields: ACTORSCOPE_* variables, then defaults
  config.node = "example-cpp";
  actorscope::Agent agent(config);
  if (!agent.ok()) std::fprintf(stderr, "example-cpp: running without actorscope\n");

  using actorscope::SpawnInfo;
  auto sup = actorscope::Actor::spawn(
      SpawnInfo("jobs_sup").name("jobs_sup").supervisor(actorscope::Strategy::OneForOne, 3, 5000));
  auto spawn_child = [&](const char* type) {
    return actorscope::Actor::spawn(SpawnInfo(type).name(type).parent(sup).child_id(type));
  };
  auto producer = spawn_child("producer");
  actorscope::Actor consumer = spawn_child("consumer");
  actorscope::link(producer, consumer);

  Mailbox mailbox;
  std::atomic<bool> done{false};
  std::atomic<long> processed{0}, restarts{0};
  std::mutex consumer_mu;  // the supervisor swaps the consumer's handle on restart

  std::thread consumer_thread([&] {
    int job;
    for (;;) {
      actorscope::Actor self;
      {
        std::lock_guard<std::mutex> lock(consumer_mu);
        self = consumer;
      }
      if (!mailbox.pop(job, self, done)) {
        if (done) break;
        continue;
      }
      try {
        actorscope::ProcessingScope busy(self);
        handle(job);
        ++processed;
      } catch (const std::exception& e) {
        // The consumer crashed: it exits, its mailbox is lost, the supervisor restarts it.
        self.exit(actorscope::ExitReason::Error, e.what());
        mailbox.clear();
        auto fresh = spawn_child("consumer");
        sup.child_restarted("consumer", self.id(), fresh.id(), actorscope::ExitReason::Error, e.what());
        std::lock_guard<std::mutex> lock(consumer_mu);
        consumer = fresh;
        ++restarts;
      }
    }
  });

  auto start = std::chrono::steady_clock::now();
  int next_job = 0;
  while (std::chrono::steady_clock::now() - start < std::chrono::duration<double>(seconds) || next_job == 0) {
    actorscope::telemetry::span("example.batch", {{"queue", "jobs"}}, [&] {
      for (int i = 0; i < 100; ++i) {
        actorscope::Actor to;
        {
          std::lock_guard<std::mutex> lock(consumer_mu);
          to = consumer;
        }
        mailbox.push(next_job++, to);
      }
    }, producer);
    actorscope::telemetry::execute("example.producer.sent", {{"messages", 100.0}}, {}, producer);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  done = true;
  consumer_thread.join();

  consumer.exit(actorscope::ExitReason::Shutdown);
  producer.exit(actorscope::ExitReason::Shutdown);
  sup.exit(actorscope::ExitReason::Shutdown);
  std::printf("example-cpp: %ld messages, %ld restarts\n", processed.load(), restarts.load());
  return 0;  // ~Agent: final flush, then goodbye
}
