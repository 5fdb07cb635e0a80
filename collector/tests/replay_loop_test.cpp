// Replay on the server's loop: listeners serve while a replay is in progress, and it completes.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "actorscope/collector/log.hpp"
#include "actorscope/collector/record.hpp"
#include "actorscope/collector/server.hpp"
#include "wire_client.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using testing::Client;
using testing::eventually;
using testing::Stream;

constexpr uint64_t kSec = 1'000'000'000;

// A record file: node "replayed" spawns actor 1 at t, actor 2 at t + gap, then leaves.
std::string write_record(const std::string& name, uint64_t gap_ns) {
  auto path = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".rec");
  Recorder rec;
  std::string err;
  EXPECT_TRUE(rec.open(path.string(), err)) << err;
  rec.hello(5, kSec, testing::hello("replayed"));
  Stream s;
  s.spawn(1, 0, "w");
  std::vector<uint8_t> b = s.take();
  rec.batch(5, kSec, b.data(), b.size());
  s.spawn(2, 0, "w");
  b = s.take();
  rec.batch(5, kSec + gap_ns, b.data(), b.size());
  rec.disconnect(5, kSec + gap_ns);
  rec.flush();
  return path.string();
}

struct LoopWithReplay {
  Model model;
  std::mutex mutex;
  Server server;
  std::atomic<bool> done{false};
  ReplayResult result;
  std::thread thread;

  LoopWithReplay(const std::string& path, double speed) : server(model, mutex, settings()) {
    ReplayOptions ro;
    ro.speed = speed;
    ro.model_mutex = &mutex;
    ro.live_clock = speed > 0;
    auto r = std::make_unique<Replayer>(model, ro);
    std::string err;
    EXPECT_TRUE(r->open(path, err)) << err;
    server.replay_on_loop(std::move(r), [this](const ReplayResult& res) {
      result = res;
      done.store(true);
    });
    EXPECT_TRUE(server.start(err)) << err;
    thread = std::thread([this] { server.run(); });
  }
  ~LoopWithReplay() {
    server.stop();
    thread.join();
  }
  static ServerSettings settings() {
    ServerSettings s;
    s.listen = {"tcp:127.0.0.1:0"};
    s.tick_ms = 20;
    return s;
  }
  bool has_actor(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex);
    NodeKey n = model.find_node("replayed");
    return n != 0 && model.actor(n, id) != nullptr;
  }
};

TEST(ReplayOnLoop, AgentsAndViewersAreServedWhileARealTimeReplayRuns) {
  set_log_level(LogLevel::Error);
  std::string path = write_record("actorscope-replay-live", 3600 * kSec);  // the second half is an hour away
  LoopWithReplay loop(path, 1.0);
  ASSERT_TRUE(eventually([&] { return loop.has_actor(1); })) << "the first entries replay at once";
  // The loop answers a handshake while the replay waits for its next entry.
  Client c(loop.server.bound_addresses().at(0));
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send_hello(testing::hello("live")));
  proto::FrameHeader h;
  std::vector<uint8_t> p;
  ASSERT_TRUE(c.read_frame(h, p));
  EXPECT_EQ(h.type, proto::FrameType::Welcome);
  EXPECT_TRUE(eventually([&] {
    std::lock_guard<std::mutex> lock(loop.mutex);
    return loop.model.find_node("live") != 0;
  }));
  EXPECT_FALSE(loop.has_actor(2));
  EXPECT_FALSE(loop.done.load());
  std::filesystem::remove(path);
}

TEST(ReplayOnLoop, AFullSpeedReplayCompletesAndReportsItsCounts) {
  set_log_level(LogLevel::Error);
  std::string path = write_record("actorscope-replay-fast", 3600 * kSec);
  LoopWithReplay loop(path, 0);
  ASSERT_TRUE(eventually([&] { return loop.done.load(); }));
  EXPECT_TRUE(loop.result.ok) << loop.result.error;
  EXPECT_EQ(loop.result.batches, 2u);
  EXPECT_TRUE(loop.has_actor(2));
  std::lock_guard<std::mutex> lock(loop.mutex);
  EXPECT_EQ(loop.model.node(loop.model.find_node("replayed"))->state, NodeState::Gone);
  std::filesystem::remove(path);
}

TEST(ReplayOnLoop, ABadFileIsRefusedAtOpenWithOneLine) {
  auto path = std::filesystem::temp_directory_path() / ("actorscope-replay-bad-" + std::to_string(::getpid()));
  { std::FILE* f = std::fopen(path.c_str(), "wb"); std::fputs("not a record", f); std::fclose(f); }
  Model m;
  Replayer r(m);
  std::string err;
  EXPECT_FALSE(r.open(path.string(), err));
  EXPECT_NE(err.find("bad magic"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace actorscope::collector
