// How the client takes the collector's frames, from a stand-in collector: it tells a renderer
// that data arrived (so a viewer waiting on its input wakes at once, not at its next
// timeout); a paused viewer holds the stream of updates but answers what the user asks
// meanwhile; a renderer that asks not to be woken by heartbeats is woken by what changes only.
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "actorscope/protocol/codec.hpp"
#include "actorscope/protocol/viewer.hpp"
#include "actorscope/view/client.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

// A unix socket the client connects to; the test plays the collector on the accepted end.
struct StandIn {
  std::string dir, path;
  int listener = -1;
  int fd = -1;
  uint32_t seq = 0;

  StandIn() {
    char tmpl[] = "/tmp/actorscope-pause.XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/collector.sock";
    listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    EXPECT_EQ(::listen(listener, 1), 0);
  }
  ~StandIn() {
    if (fd >= 0) ::close(fd);
    ::close(listener);
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
  // Accepts the viewer and reads its hello and subscription (their content is not checked).
  bool accept_viewer() {
    pollfd pf{listener, POLLIN, 0};
    if (::poll(&pf, 1, 30000) != 1) return false;
    fd = ::accept(listener, nullptr, nullptr);
    uint8_t buf[4096];
    (void)!::recv(fd, buf, sizeof buf, 0);
    return fd >= 0;
  }
  // Welcomes it and sends an empty snapshot.
  void welcome() {
    std::vector<uint8_t> out;
    size_t at = proto::begin_frame(out, proto::FrameType::Welcome, 0);
    proto::Writer w(out);
    proto::encode(w, proto::Welcome{});
    proto::finish_frame(out, at);
    send(out);
    view_frame([](proto::Writer& vw) {
      pv::encode(vw, pv::SnapshotBegin{1, 0, 0});
      pv::encode(vw, pv::SnapshotEnd{1});
    });
  }
  template <class F>
  void view_frame(F&& body) {
    std::vector<uint8_t> out;
    size_t at = proto::begin_frame(out, proto::FrameType::View, ++seq);
    proto::Writer w(out);
    body(w);
    proto::finish_frame(out, at);
    send(out);
  }
  void send(const std::vector<uint8_t>& bytes) { (void)!::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
};

// Polls `pred` under the client's lock until it holds (the client applies frames on its own
// thread); false after 30 s.
template <class P>
bool soon(view::Client& c, P pred) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    {
      auto lock = c.lock();
      if (pred()) return true;
    }
    pollfd pf{c.update_fd(), POLLIN, 0};
    ::poll(&pf, 1, 20);
    char drain[64];
    while (::read(c.update_fd(), drain, sizeof drain) > 0) {
    }
  }
  return false;
}

pv::ActorRow row(uint64_t id, const char* name) {
  pv::ActorRow r;
  r.node = 1;
  r.actor = id;
  r.name = name;
  r.type = "worker";
  return r;
}

pv::DetailReply reply(uint64_t request, uint64_t actor) {
  pv::DetailReply d;
  d.request = request;
  d.found = true;
  d.node = 1;
  d.actor = actor;
  return d;
}

// Whether the client's update descriptor has been signalled, emptied as it is read.
bool woken(view::Client& c, int timeout_ms) {
  pollfd pf{c.update_fd(), POLLIN, 0};
  bool any = ::poll(&pf, 1, timeout_ms) == 1;
  char drain[64];
  while (::read(c.update_fd(), drain, sizeof drain) > 0) {
  }
  return any;
}

// A client connected to the stand-in, its snapshot in.
class ClientFrames : public ::testing::Test {
 protected:
  void connect(bool wake_on_ticks = true) {
    view::ClientOptions o;
    o.address = "unix:" + collector_.path;
    o.wake_on_ticks = wake_on_ticks;
    client_ = std::make_unique<view::Client>(o);
    client_->start();
    ASSERT_TRUE(collector_.accept_viewer());
    collector_.welcome();
    ASSERT_TRUE(soon(*client_, [&] { return client_->replica().has_snapshot(); }));
  }
  StandIn collector_;
  std::unique_ptr<view::Client> client_;
};

TEST(ClientWake, UpdateFdBecomesReadableWhenDataIsApplied) {
  StandIn collector;
  view::ClientOptions o;
  o.address = "unix:" + collector.path;
  view::Client client(o);
  ASSERT_GE(client.update_fd(), 0);
  client.start();
  ASSERT_TRUE(collector.accept_viewer());
  EXPECT_FALSE(woken(client, 0)) << "nothing was applied yet";
  collector.welcome();
  // Bounded wait for the snapshot: what is asserted is the order, not the time it takes.
  ASSERT_TRUE(woken(client, 20000)) << client.status();
  {
    auto lock = client.lock();
    EXPECT_TRUE(client.replica().has_snapshot());
  }
  EXPECT_GT(client.updates(), 0u);
  EXPECT_FALSE(woken(client, 0)) << "the signal was read";
  client.stop();
}

TEST_F(ClientFrames, RepliesAreAnsweredWhileTheStreamIsHeldUntilThePauseEnds) {
  connect();
  view::Client& client = *client_;
  StandIn& collector = collector_;

  client.set_paused(true);
  // One frame with an update and a reply, then one with only a newer reply.
  collector.view_frame([](proto::Writer& w) {
    pv::encode(w, row(7, "worker-7"));
    pv::encode(w, reply(1, 7));
  });
  collector.view_frame([](proto::Writer& w) {
    pv::encode(w, row(8, "worker-8"));
    pv::encode(w, reply(2, 8));
  });
  ASSERT_TRUE(soon(client, [&] {
    const auto& d = client.replica().detail();
    return d && d->request == 2;
  }));
  {
    auto lock = client.lock();
    // The stream is still held: the paused screen does not move.
    EXPECT_EQ(client.replica().actor({1, 7}), nullptr);
    EXPECT_EQ(client.replica().actor({1, 8}), nullptr);
  }

  client.set_paused(false);
  ASSERT_TRUE(soon(client, [&] { return client.replica().actor({1, 8}) != nullptr; }));
  auto lock = client.lock();
  EXPECT_NE(client.replica().actor({1, 7}), nullptr);
  // The held frames, applied at the end, leave the newest answer in place.
  ASSERT_TRUE(client.replica().detail());
  EXPECT_EQ(client.replica().detail()->request, 2u);
}

TEST_F(ClientFrames, HeartbeatsAloneDoNotWakeARendererThatAsksNotToBe) {
  connect(false);
  view::Client& client = *client_;
  StandIn& collector = collector_;
  woken(client, 0);
  collector.view_frame([](proto::Writer& w) { pv::encode(w, pv::Tick{41, 123, 0}); });
  // Applied all the same (the next frame drawn shows it); looked for without reading the
  // update descriptor, which must stay quiet.
  bool applied = false;
  for (int i = 0; i < 6000 && !applied; ++i) {
    {
      auto lock = client.lock();
      applied = client.replica().last_tick().tick == 41;
    }
    if (!applied) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(applied);
  EXPECT_FALSE(woken(client, 100));
  collector.view_frame([](proto::Writer& w) {
    pv::encode(w, row(9, "worker-9"));
    pv::encode(w, pv::Tick{42, 124, 0});
  });
  EXPECT_TRUE(woken(client, 30000));
  ASSERT_TRUE(soon(client, [&] { return client.replica().actor({1, 9}) != nullptr; }));
}

TEST_F(ClientFrames, HeartbeatsWakeARendererByDefault) {
  connect();
  woken(*client_, 0);
  collector_.view_frame([](proto::Writer& w) { pv::encode(w, pv::Tick{41, 123, 0}); });
  EXPECT_TRUE(woken(*client_, 30000));
}

}  // namespace
