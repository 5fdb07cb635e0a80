// Over real sockets: a viewer that subscribes and never reads is dropped, while the
// collector keeps serving a well-behaved viewer and the loadgen agent.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "child_process.hpp"
#include "actorscope/collector/server.hpp"
#include "actorscope/protocol/codec.hpp"
#include "actorscope/serve/serve.hpp"
#include "actorscope/view/client.hpp"

namespace {

using namespace actorscope;
using namespace std::chrono_literals;

using actorscope::testing::eventually;

// Connects, says hello as a viewer, subscribes to everything, and then never reads.
int stalled_viewer(const std::string& address) {
  std::string error;
  int fd = view::connect_address(address, error);
  if (fd < 0) return -1;
  std::vector<uint8_t> out;
  proto::Hello h;
  h.role = proto::Role::Viewer;
  h.node = "stalled";
  size_t at = proto::begin_frame(out, proto::FrameType::Hello, 0);
  proto::Writer w(out);
  proto::encode(w, h);
  proto::finish_frame(out, at);
  at = proto::begin_frame(out, proto::FrameType::View, 1);
  proto::viewer::encode(w, proto::viewer::Subscribe{"", 10});
  proto::finish_frame(out, at);
  if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) return -1;
  return fd;
}

TEST(StalledViewer, IsDroppedWhileTheCollectorKeepsServing) {
  auto dir = std::filesystem::temp_directory_path() / ("actorscope-serve-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string address = "unix:" + (dir / "collector.sock").string();

  collector::Model model;
  std::mutex model_mutex;
  collector::ServerSettings settings;
  settings.listen = {address};
  settings.max_output_bytes = 256 * 1024;
  collector::Server server(model, model_mutex, settings);
  serve::ServeOptions opts;
  opts.connection_bound_bytes = settings.max_output_bytes;
  auto counters = serve::install(server, model, opts);
  std::string error;
  ASSERT_TRUE(server.start(error)) << error;
  std::thread loop([&] { server.run(); });

  // The workload: loadgen, busy enough that every delta carries a few kilobytes.
  actorscope::testing::ChildProcess loadgen(ACTORSCOPE_LOADGEN, {"--collector", address, "--node", "stall-test", "--actors",
                                                                 "300", "--rate", "5000", "--duration", "60", "--flush-ms", "50"});

  view::ClientOptions client_options;
  client_options.address = address;
  view::Client good(client_options);
  good.start();
  ASSERT_TRUE(eventually([&] {
    auto l = good.lock();
    return good.replica().has_snapshot() && good.replica().actor_count() > 300;
  })) << good.status();

  int stalled = stalled_viewer(address);
  ASSERT_GE(stalled, 0);
  EXPECT_TRUE(eventually([&] { return counters->viewers_dropped.load() >= 1; }))
      << "queued bytes never crossed the bound";

  // The well-behaved viewer still gets deltas afterwards.
  uint64_t before;
  {
    auto l = good.lock();
    before = good.replica().version();
  }
  EXPECT_TRUE(eventually([&] {
    auto l = good.lock();
    return good.replica().version() > before + 5;
  }));
  EXPECT_EQ(good.state(), view::ClientState::Connected);

  ::close(stalled);
  good.stop();
  loadgen.signal(SIGTERM);
  EXPECT_TRUE(loadgen.wait_exit(30s).has_value());
  server.stop();
  loop.join();
  std::filesystem::remove_all(dir);
}

}  // namespace
