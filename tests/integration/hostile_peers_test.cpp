// Hostile peers: each bad connection is closed with one log line; the collector and a
// well-behaved agent connected at the same time go on unaffected.
#include <gtest/gtest.h>
#include <signal.h>

#include <random>

#include "loopback.hpp"
#include "metric_names.hpp"
#include "stack.hpp"
#include "actorscope/protocol/codec.hpp"

using namespace actorscope::testing;
namespace proto = actorscope::proto;

namespace {

const std::string kNode = "loadgen-beside-hostile-peers";
const std::string kToken = "correct horse battery staple";

std::vector<uint8_t> hello_frame(const proto::Hello& h) {
  std::vector<uint8_t> out;
  size_t at = proto::begin_frame(out, proto::FrameType::Hello, 0);
  proto::Writer w(out);
  proto::encode(w, h);
  proto::finish_frame(out, at);
  return out;
}

proto::Hello good_hello() {
  proto::Hello h;
  h.token = kToken;
  h.node = "hostile";
  h.incarnation = 1;
  h.host = "localhost";
  h.program = "hostile";
  return h;
}

struct Hostile {
  std::string what;
  std::vector<uint8_t> bytes;
  bool half_close = false;  // then stop sending: the collector sees the stream end mid-frame
};

// Test names and failure messages show what the peer does, not its bytes.
void PrintTo(const Hostile& h, std::ostream* os) { *os << h.what; }

std::vector<Hostile> hostile_peers() {
  std::vector<Hostile> v;
  std::mt19937 rng(20240611);
  std::vector<uint8_t> noise(4096);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  v.push_back({"random bytes", noise});

  auto truncated = hello_frame(good_hello());
  truncated.resize(truncated.size() - 7);
  v.push_back({"truncated frame", truncated, true});

  std::vector<uint8_t> huge = {0xff, 0xff, 0xff, 0xff, static_cast<uint8_t>(proto::FrameType::Hello), 0, 0, 0, 0};
  huge.resize(huge.size() + 64, 0x41);
  v.push_back({"length prefix of 4 GiB", huge});

  auto magic = hello_frame(good_hello());
  magic[proto::kFrameHeaderSize] = 'X';
  v.push_back({"wrong magic", magic});

  proto::Hello future = good_hello();
  future.version_major = 99;
  v.push_back({"wrong version", hello_frame(future)});

  proto::Hello intruder = good_hello();
  intruder.token = "wrong token";
  v.push_back({"wrong token", hello_frame(intruder)});
  return v;
}

// Lines on the collector's stderr that are not about the well-behaved node.
size_t log_lines(Collector& c) {
  size_t n = 0;
  for (const auto& l : c.process().stderr_lines())
    if (l.find(kNode) == std::string::npos) ++n;
  return n;
}

}  // namespace

class HostilePeer : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostilePeer, IsClosedWithOneLogLineAndAWellBehavedAgentIsUnaffected) {
  const Hostile& h = GetParam();
  TempDir dir;
  write_file(dir.file("token"), kToken + "\n");
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, {"--token-file", dir.file("token")});
  auto args = small_workload(collector.address(), kNode);
  args.insert(args.end(), {"--token-file", dir.file("token")});
  Loadgen loadgen(ACTORSCOPE_LOADGEN_BIN, args);
  auto counts = loadgen.counts();
  ASSERT_TRUE(counts) << loadgen.process().output();
  ASSERT_EQ(wait_for_model(collector, kNode, *counts), "") << collector.process().output();

  size_t before = log_lines(collector);
  {
    auto peer = RawConnection::tcp(collector.tcp_port());
    ASSERT_TRUE(peer);
    peer->send(h.bytes);  // the collector may close before it has read everything
    if (h.half_close) peer->shutdown_write();
    // 15 s: a peer that stalls mid-handshake is cut at the collector's handshake deadline.
    EXPECT_TRUE(peer->closed_by_peer(15s)) << collector.process().output();
  }
  EXPECT_TRUE(eventually([&] { return log_lines(collector) > before; }, 10s))
      << "no log line about the " << h.what << "\n" << collector.process().output();
  EXPECT_TRUE(collector.process().running()) << collector.process().output();

  // The well-behaved agent is still connected and its counts still match...
  EXPECT_EQ(wait_for_model(collector, kNode, *counts), "") << collector.process().output();
  auto m = collector.scrape();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->sum(metric::kNodeConnected, {{metric::kNodeLabel, kNode}}), 1) << collector.process().output();
  // ... and the hostile peer cost exactly one log line.
  EXPECT_EQ(log_lines(collector), before + 1) << collector.process().output();
  loadgen.process().signal(SIGTERM);
  EXPECT_EQ(loadgen.process().wait_exit(30s), 0) << loadgen.process().output();
}

INSTANTIATE_TEST_SUITE_P(Collector, HostilePeer, ::testing::ValuesIn(hostile_peers()),
                         [](const ::testing::TestParamInfo<Hostile>& param_info) {
                           std::string name;
                           for (char c : param_info.param.what)
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           return name;
                         });
