// The client tells a renderer that data arrived, so a viewer waiting on its input wakes at
// once instead of at its next timeout: a stand-in collector answers over a unix socket.
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "actorscope/protocol/codec.hpp"
#include "actorscope/protocol/viewer.hpp"
#include "actorscope/view/client.hpp"

using namespace actorscope;

namespace {

// Accepts one viewer, reads its hello, and when told to, sends Welcome and an empty snapshot.
struct StandInCollector {
  std::string dir, path;
  int listener = -1;
  std::promise<void> go;
  std::promise<void> done;
  std::thread thread;

  StandInCollector() {
    char tmpl[] = "/tmp/actorscope-wake.XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/collector.sock";
    listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    EXPECT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    EXPECT_EQ(::listen(listener, 1), 0);
    thread = std::thread([this, go_now = go.get_future(), end = done.get_future()]() mutable {
      int fd = ::accept(listener, nullptr, nullptr);
      if (fd < 0) return;
      uint8_t buf[4096];
      (void)!::recv(fd, buf, sizeof buf, 0);  // hello and subscribe; their content is not checked
      go_now.wait();
      std::vector<uint8_t> out;
      {
        size_t at = proto::begin_frame(out, proto::FrameType::Welcome, 0);
        proto::Writer w(out);
        proto::encode(w, proto::Welcome{});
        proto::finish_frame(out, at);
      }
      {
        size_t at = proto::begin_frame(out, proto::FrameType::View, 1);
        proto::Writer w(out);
        proto::viewer::encode(w, proto::viewer::SnapshotBegin{1, 0, 0});
        proto::viewer::encode(w, proto::viewer::SnapshotEnd{1});
        proto::finish_frame(out, at);
      }
      (void)!::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
      end.wait();
      ::close(fd);
    });
  }
  ~StandInCollector() {
    ::close(listener);
    thread.join();
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
};

bool readable(int fd, int timeout_ms) {
  pollfd pf{fd, POLLIN, 0};
  return ::poll(&pf, 1, timeout_ms) == 1 && (pf.revents & POLLIN);
}

}  // namespace

TEST(ClientWake, UpdateFdBecomesReadableWhenDataIsApplied) {
  StandInCollector collector;
  view::ClientOptions o;
  o.address = "unix:" + collector.path;
  view::Client client(o);
  ASSERT_GE(client.update_fd(), 0);
  client.start();
  EXPECT_FALSE(readable(client.update_fd(), 0)) << "nothing was applied yet";
  collector.go.set_value();
  // Bounded wait for the snapshot: what is asserted is the order, not the time it takes.
  ASSERT_TRUE(readable(client.update_fd(), 20000)) << client.status();
  {
    auto lock = client.lock();
    EXPECT_TRUE(client.replica().has_snapshot());
  }
  EXPECT_GT(client.updates(), 0u);
  client.consume_update_signal();
  EXPECT_FALSE(readable(client.update_fd(), 0)) << "the signal was consumed";
  collector.done.set_value();
  client.stop();
}
