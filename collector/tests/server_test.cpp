// Server tests over loopback: handshake, rejects, hostile peers, viewers, record/replay.
#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <random>
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

// A server on a free loopback port, its loop on a thread.
class Running {
 public:
  explicit Running(ServerSettings s = {}, ViewerFactory factory = {}) : server_(model_, mutex_, with_port0(s)) {
    if (factory) server_.set_viewer_factory(std::move(factory));
    std::string err;
    started_ = server_.start(err);
    EXPECT_TRUE(started_) << err;
    if (started_) thread_ = std::thread([this] { server_.run(); });
  }
  ~Running() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string address(size_t i = 0) const { return server_.bound_addresses().at(i); }
  template <class Fn>
  auto with_model(Fn&& fn) {
    std::lock_guard<std::mutex> lock(mutex_);
    return fn(model_);
  }
  Server& server() { return server_; }

 private:
  static ServerSettings with_port0(ServerSettings s) {
    if (s.listen == ServerSettings{}.listen) s.listen = {"tcp:127.0.0.1:0"};
    s.tick_ms = 20;
    return s;
  }
  Model model_;
  std::mutex mutex_;
  Server server_;
  bool started_ = false;
  std::thread thread_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { set_log_level(LogLevel::Error); }
};

proto::Reject expect_reject(Client& c) {
  proto::FrameHeader h;
  std::vector<uint8_t> p;
  proto::Reject rej;
  EXPECT_TRUE(c.read_frame(h, p));
  EXPECT_EQ(h.type, proto::FrameType::Reject);
  proto::Reader r(p.data(), p.size());
  std::string err;
  EXPECT_TRUE(proto::decode(r, rej, err)) << err;
  EXPECT_TRUE(c.closed_by_peer());
  return rej;
}

void expect_welcome(Client& c) {
  proto::FrameHeader h;
  std::vector<uint8_t> p;
  ASSERT_TRUE(c.read_frame(h, p));
  ASSERT_EQ(h.type, proto::FrameType::Welcome);
  proto::Welcome w;
  std::string err;
  proto::Reader r(p.data(), p.size());
  ASSERT_TRUE(proto::decode(r, w, err)) << err;
  EXPECT_NE(w.session, 0u);
}

TEST_F(ServerTest, AgentHandshakeAndBatchReachTheModel) {
  Running srv;
  Client c(srv.address());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send_hello(testing::hello("orders@h")));
  expect_welcome(c);
  Stream s;
  s.spawn(1, 0, "sup", "top", proto::ActorKind::Supervisor).spawn(2, 1, "parser");
  ASSERT_TRUE(c.send_frame(proto::FrameType::Batch, s.take()));
  EXPECT_TRUE(eventually([&] {
    return srv.with_model([](Model& m) {
      NodeKey n = m.find_node("orders@h");
      return n != 0 && m.actor(n, 2) != nullptr;
    });
  }));
  EXPECT_TRUE(eventually([&] { return srv.server().counters().agents_connected == 1; }));
}

TEST_F(ServerTest, UnixSocketAndTokenAccepted) {
  auto dir = std::filesystem::temp_directory_path() / ("actorscope-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ServerSettings s;
  s.listen = {"unix:" + (dir / "c.sock").string()};
  s.token = "secret";
  {
    Running srv(s);
    Client c(srv.address());
    ASSERT_TRUE(c.connected());
    proto::Hello h = testing::hello("a");
    h.token = "secret";
    ASSERT_TRUE(c.send_hello(h));
    expect_welcome(c);
  }
  std::filesystem::remove_all(dir);
}

TEST_F(ServerTest, WrongTokenIsRejectedAndClosed) {
  ServerSettings s;
  s.token = "secret";
  Running srv(s);
  Client c(srv.address());
  proto::Hello h = testing::hello("a");
  h.token = "secreT";
  ASSERT_TRUE(c.send_hello(h));
  EXPECT_EQ(expect_reject(c).code, proto::RejectCode::BadToken);
  EXPECT_TRUE(eventually([&] { return srv.server().counters().errors[static_cast<size_t>(ErrorReason::BadToken)] == 1; }));
  EXPECT_EQ(srv.with_model([](Model& m) { return m.find_node("a"); }), 0u);
}

TEST_F(ServerTest, WrongMagicIsRejectedAndClosed) {
  Running srv;
  Client c(srv.address());
  std::vector<uint8_t> p;
  proto::Writer w(p);
  proto::encode(w, testing::hello("a"));
  p[0] = 'X';
  ASSERT_TRUE(c.send_frame(proto::FrameType::Hello, p));
  EXPECT_EQ(expect_reject(c).code, proto::RejectCode::BadMagic);
}

TEST_F(ServerTest, WrongVersionIsRejectedAndClosed) {
  Running srv;
  Client c(srv.address());
  proto::Hello h = testing::hello("a");
  h.version_major = proto::kVersionMajor + 1;
  ASSERT_TRUE(c.send_hello(h));
  EXPECT_EQ(expect_reject(c).code, proto::RejectCode::BadVersion);
}

TEST_F(ServerTest, ViewerWithoutAViewerServiceIsRejected) {
  Running srv;
  Client c(srv.address());
  proto::Hello h = testing::hello("viewer");
  h.role = proto::Role::Viewer;
  ASSERT_TRUE(c.send_hello(h));
  proto::Reject rej = expect_reject(c);
  EXPECT_EQ(rej.code, proto::RejectCode::BadRole);
  EXPECT_EQ(rej.message, "this collector does not serve viewers");
}

// A session that echoes every View frame and counts ticks.
class EchoSession : public Session {
 public:
  explicit EchoSession(Connection& c) : conn_(c) {}
  void on_frame(const proto::FrameHeader&, const uint8_t* p, size_t len) override {
    conn_.send_frame(proto::FrameType::View, p, len);
  }
 private:
  Connection& conn_;
};

TEST_F(ServerTest, ViewerFramesGoToItsSession) {
  Running srv({}, [](Connection& c, const Model&) { return std::make_unique<EchoSession>(c); });
  Client c(srv.address());
  proto::Hello h = testing::hello("viewer");
  h.role = proto::Role::Viewer;
  ASSERT_TRUE(c.send_hello(h));
  expect_welcome(c);
  ASSERT_TRUE(c.send_frame(proto::FrameType::View, {1, 2, 3}));
  proto::FrameHeader fh;
  std::vector<uint8_t> p;
  ASSERT_TRUE(c.read_frame(fh, p));
  EXPECT_EQ(fh.type, proto::FrameType::View);
  EXPECT_EQ(p, (std::vector<uint8_t>{1, 2, 3}));
}

TEST_F(ServerTest, HostilePeersDoNotDisturbAGoodAgent) {
  Running srv;
  Client good(srv.address());
  ASSERT_TRUE(good.send_hello(testing::hello("good")));
  expect_welcome(good);
  Stream s;
  s.spawn(1, 0, "w");
  ASSERT_TRUE(good.send_frame(proto::FrameType::Batch, s.take()));

  // Random bytes.
  Client garbage(srv.address());
  std::mt19937 rng(7);
  std::vector<uint8_t> noise(4096);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  garbage.send_raw(noise);
  EXPECT_TRUE(garbage.closed_by_peer());
  // A Hello frame claiming 4 GiB.
  Client huge(srv.address());
  huge.send_raw({0xff, 0xff, 0xff, 0xff, static_cast<uint8_t>(proto::FrameType::Hello), 0, 0, 0, 0});
  EXPECT_TRUE(huge.closed_by_peer());
  // An agent whose batch holds a truncated record, then a sequence gap.
  Client broken(srv.address());
  ASSERT_TRUE(broken.send_hello(testing::hello("broken")));
  expect_welcome(broken);
  ASSERT_TRUE(broken.send_frame(proto::FrameType::Batch, {static_cast<uint8_t>(proto::RecordType::ActorSpawned), 50, 1}));
  EXPECT_TRUE(broken.closed_by_peer());
  // A client that never says Hello before a Batch.
  Client rude(srv.address());
  ASSERT_TRUE(rude.send_frame(proto::FrameType::Batch, {}));
  EXPECT_TRUE(rude.closed_by_peer());

  s.spawn(2, 1, "w");
  ASSERT_TRUE(good.send_frame(proto::FrameType::Batch, s.take()));
  EXPECT_TRUE(eventually([&] {
    return srv.with_model([](Model& m) {
      NodeKey n = m.find_node("good");
      return n != 0 && m.actor(n, 2) != nullptr && m.node(n)->state == NodeState::Connected;
    });
  }));
  EXPECT_TRUE(eventually([&] {
    ServerCounters c = srv.server().counters();
    return c.errors[static_cast<size_t>(ErrorReason::FrameError)] == 2 &&
           c.errors[static_cast<size_t>(ErrorReason::MalformedRecord)] == 1 &&
           c.errors[static_cast<size_t>(ErrorReason::UnexpectedFrame)] == 1 && c.agents_connected == 1;
  }));
}

TEST_F(ServerTest, ALargeBatchIsAppliedOverSeveralTurnsInOrder) {
  // A slice far shorter than one frame's work: the frame is applied in parts over several
  // turns, and the peer's next frame waits behind it (its exits find their actors).
  ServerSettings settings;
  settings.peer_slice_us = 1;
  Running srv(settings);
  Client c(srv.address());
  ASSERT_TRUE(c.send_hello(testing::hello("big")));
  expect_welcome(c);
  Stream s;
  s.spawn(1, 0, "sup", "top", proto::ActorKind::Supervisor);
  for (uint64_t id = 2; id <= 3001; ++id) s.spawn(id, 1, "w");
  for (uint64_t id = 2; id <= 1001; ++id) s.exit(id, proto::ExitReason::Normal);
  ASSERT_TRUE(c.send_frame(proto::FrameType::Batch, s.take()));
  for (uint64_t id = 1002; id <= 1101; ++id) s.exit(id, proto::ExitReason::Normal);
  ASSERT_TRUE(c.send_frame(proto::FrameType::Batch, s.take()));
  const uint64_t records = 3 + 3001 + 1000 + 100;  // three string definitions, spawns, exits
  ASSERT_TRUE(eventually([&] { return srv.server().counters().records_total == records; }))
      << srv.server().counters().records_total;
  srv.with_model([](Model& m) {
    NodeKey n = m.find_node("big");
    ASSERT_NE(n, 0u);
    EXPECT_EQ(m.node(n)->live_actors, 3001u - 1100u);
    EXPECT_EQ(m.actor(n, 1101), nullptr);
    EXPECT_NE(m.actor(n, 1102), nullptr);
    EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::UnknownActor)], 0u);
  });
  // Applied whole, the first frame would have been one turn: at most one wait, for the second.
  EXPECT_GE(srv.server().counters().refusals[static_cast<size_t>(Refusal::SliceExceeded)], 4u);
  EXPECT_EQ(srv.server().counters().agents_connected, 1u);
}

TEST_F(ServerTest, RecordedStreamReplaysIntoTheSameModel) {
  auto path = std::filesystem::temp_directory_path() / ("actorscope-record-" + std::to_string(::getpid()) + ".rec");
  ServerSettings s;
  s.record_path = path.string();
  {
    Running srv(s);
    Client c(srv.address());
    proto::Hello h = testing::hello("rec");
    ASSERT_TRUE(c.send_hello(h));
    expect_welcome(c);
    Stream st;
    st.spawn(1, 0, "sup", "top", proto::ActorKind::Supervisor);
    for (uint64_t id = 2; id < 50; ++id) st.spawn(id, 1, "w").stats(id, id, id * 2, id);
    ASSERT_TRUE(c.send_frame(proto::FrameType::Batch, st.take()));
    st.exit(7, proto::ExitReason::Error).restart(1, "c", 7, 0);
    ASSERT_TRUE(c.send_frame(proto::FrameType::Batch, st.take()));
    ASSERT_TRUE(eventually([&] {
      // The restart is in the second batch: once it counts, both batches were applied (a
      // count of records alone is reached by the first batch's string definitions).
      return srv.with_model([](Model& m) {
        NodeKey n = m.find_node("rec");
        return n != 0 && m.node(n)->restarts >= 1;
      });
    }));
  }  // the server stops and flushes the file
  Model replayed;
  ReplayResult r = replay(path.string(), replayed);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.connections, 1u);
  NodeKey n = replayed.find_node("rec");
  ASSERT_NE(n, 0u);
  EXPECT_EQ(replayed.node(n)->live_actors, 48u);
  EXPECT_EQ(replayed.node(n)->restarts, 1u);
  EXPECT_EQ(replayed.node(n)->state, NodeState::Gone);
  EXPECT_EQ(replay_file(path.string(), *std::make_unique<Model>()), r.records);
  std::filesystem::remove(path);
}

TEST_F(ServerTest, NonLoopbackAddressNeedsAllowRemote) {
  Model m;
  std::mutex mu;
  ServerSettings s;
  s.listen = {"tcp:0.0.0.0:0"};
  Server srv(m, mu, s);
  std::string err;
  EXPECT_FALSE(srv.start(err));
  EXPECT_NE(err.find("--allow-remote"), std::string::npos) << err;
  ServerSettings bad;
  bad.listen = {"udp:1.2.3.4:5"};
  Server srv2(m, mu, bad);
  EXPECT_FALSE(srv2.start(err));
}

}  // namespace
}  // namespace actorscope::collector
