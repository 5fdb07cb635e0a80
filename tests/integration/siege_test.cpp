// The collector under siege: each attack of the hostile-peer table, at a scale that runs in
// seconds, while a well-behaved agent (loadgen) and a viewer stay connected. After each
// attack: the viewer still receives deltas, /metrics answers and passes promtool, the good
// agent's numbers are exact, and the collector's memory stays under its bounds.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "eventually.hpp"
#include "loopback.hpp"
#include "metric_names.hpp"
#include "stack.hpp"
#include "wire_client.hpp"
#include "actorscope/protocol/codec.hpp"
#include "actorscope/protocol/viewer.hpp"

using namespace actorscope::testing;
namespace proto = actorscope::proto;
namespace pv = actorscope::proto::viewer;
using WireClient = actorscope::collector::testing::Client;

namespace {

const std::string kGoodNode = "good-agent-under-siege";
const std::string kToken = "siege token";

// The bounds the collector runs with: small, so that each attack reaches them quickly.
const std::vector<std::string> kBounds = {
    "--max-text-bytes", "64",           "--max-types",          "50",  "--max-telemetry-events", "50",
    "--max-series",     "400",          "--frame-timeout-ms",   "1000", "--max-pending-connections", "16",
    "--log-interval-ms", "60000",       "--max-input-bytes",    "30000000"};

proto::Hello hello(const std::string& node, proto::Role role, uint64_t incarnation = 1) {
  proto::Hello h;
  h.token = kToken;
  h.role = role;
  h.node = node;
  h.incarnation = incarnation;
  h.host = "localhost";
  h.program = "siege";
  if (role == proto::Role::Viewer) h.capabilities = proto::kCapCommands;
  return h;
}

// An agent written by hand: whatever records the attack needs.
class RawAgent {
 public:
  RawAgent(const std::string& address, const std::string& node, uint64_t incarnation = 1) : c_(address) {
    ok_ = c_.connected() && c_.send_hello(hello(node, proto::Role::Agent, incarnation));
    proto::FrameHeader h;
    std::vector<uint8_t> p;
    ok_ = ok_ && c_.read_frame(h, p);
    welcomed_ = ok_ && h.type == proto::FrameType::Welcome;
    if (ok_ && h.type == proto::FrameType::Reject) {
      proto::Reader r(p.data(), p.size());
      std::string err;
      proto::decode(r, reject_, err);
    }
  }
  bool welcomed() const { return welcomed_; }
  const proto::Reject& reject() const { return reject_; }
  template <class R>
  RawAgent& add(const R& r) {
    proto::Writer w(batch_);
    proto::encode(w, r);
    if (batch_.size() > 200'000) flush();
    return *this;
  }
  bool flush() {
    if (batch_.empty()) return true;
    bool sent = c_.send_frame(proto::FrameType::Batch, batch_);
    batch_.clear();
    return sent;
  }
  WireClient& wire() { return c_; }

 private:
  WireClient c_;
  bool ok_ = false;
  bool welcomed_ = false;
  proto::Reject reject_;
  std::vector<uint8_t> batch_;
};

// A viewer that subscribed and counts the Ticks (deltas) it receives.
class Viewer {
 public:
  explicit Viewer(const std::string& address) : c_(address) {
    ok_ = c_.connected() && c_.send_hello(hello("viewer", proto::Role::Viewer));
    proto::FrameHeader h;
    std::vector<uint8_t> p;
    ok_ = ok_ && c_.read_frame(h, p) && h.type == proto::FrameType::Welcome;
    std::vector<uint8_t> m;
    proto::Writer w(m);
    pv::encode(w, pv::Subscribe{});
    ok_ = ok_ && c_.send_frame(proto::FrameType::View, m);
  }
  bool ok() const { return ok_; }
  // Reads until `n` more Ticks arrived; false when the collector closed or went silent.
  bool receives_ticks(int n) {
    int seen = 0;
    while (seen < n) {
      proto::FrameHeader h;
      std::vector<uint8_t> p;
      if (!c_.read_frame(h, p)) return false;
      if (h.type != proto::FrameType::View) continue;
      Handler handler{*this};
      if (!pv::decode_messages(p.data(), p.size(), handler).ok) return false;
      seen += handler.ticks;
    }
    return true;
  }
  bool send(const std::vector<uint8_t>& view_payload) { return c_.send_frame(proto::FrameType::View, view_payload); }
  size_t requests_failed = 0;
  size_t pages = 0;
  std::vector<std::string> last_page_texts;  // the texts of the last EventsPage's events
  uint64_t started_wall_ns = 0;

 private:
  struct Handler {
    Viewer& v;
    int ticks = 0;
    void on(const pv::Tick&) { ++ticks; }
    void on(const pv::RequestFailed&) { ++v.requests_failed; }
    void on(const pv::EventsPage& page) {
      ++v.pages;
      v.last_page_texts.clear();
      for (const auto& e : page.events) v.last_page_texts.push_back(e.text);
    }
    void on(const pv::SnapshotBegin& b) { v.started_wall_ns = b.collector_started_wall_ns; }
    template <class T>
    void on(const T&) {}
  };
  WireClient c_;
  bool ok_ = false;
};

bool promtool_clean(const std::string& text, std::string& output) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) return true;
  TempDir dir;
  write_file(dir.file("metrics"), text);
  std::string cmd = "promtool check metrics < " + dir.file("metrics") + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return false;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) output += buf;
  return ::pclose(p) == 0;
}

// Resident memory of a process, in bytes (from /proc).
uint64_t rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

class Siege : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_.file("token"), kToken + "\n");
    std::vector<std::string> args = {"--token-file", dir_.file("token")};
    args.insert(args.end(), kBounds.begin(), kBounds.end());
    collector_ = std::make_unique<Collector>(ACTORSCOPE_COLLECTOR_BIN, std::vector<std::string>{"tcp:127.0.0.1:0"}, 0, args);
    auto lg = small_workload(collector_->address(), kGoodNode);
    lg.insert(lg.end(), {"--token-file", dir_.file("token")});
    loadgen_ = std::make_unique<Loadgen>(ACTORSCOPE_LOADGEN_BIN, lg);
    auto counts = loadgen_->counts();
    ASSERT_TRUE(counts) << loadgen_->process().output();
    counts_ = *counts;
    ASSERT_EQ(wait_for_model(*collector_, kGoodNode, counts_), "") << collector_->process().output();
    viewer_ = std::make_unique<Viewer>(collector_->address());
    ASSERT_TRUE(viewer_->ok());
    ASSERT_TRUE(viewer_->receives_ticks(1));
  }
  void TearDown() override {
    if (loadgen_) loadgen_->process().signal(SIGTERM);
  }

  // What must hold after every attack.
  void expect_still_serving(const std::string& attack) {
    SCOPED_TRACE(attack);
    EXPECT_TRUE(collector_->process().running()) << collector_->process().output();
    EXPECT_TRUE(viewer_->receives_ticks(2)) << "the viewer stopped receiving deltas\n" << collector_->process().output();
    auto text = collector_->scrape_text();
    ASSERT_TRUE(text) << "/metrics did not answer";
    std::string warning;
    EXPECT_TRUE(promtool_clean(*text, warning)) << warning;
    EXPECT_EQ(wait_for_model(*collector_, kGoodNode, counts_), "") << "the good agent's numbers moved";
    MetricsText m(*text);
    EXPECT_EQ(m.sum("actorscope_collector_viewers_dropped_total"), 0) << "a viewer was dropped";
    EXPECT_LT(rss_bytes(collector_->process().pid()), 400ull << 20) << "collector RSS";
  }
  std::string address() const { return collector_->address(); }

  TempDir dir_;
  std::unique_ptr<Collector> collector_;
  std::unique_ptr<Loadgen> loadgen_;
  std::unique_ptr<Viewer> viewer_;
  Counts counts_;
};

// Row 1: actor ids chosen to share low and high bits (the old index's weak spot).
TEST_F(Siege, CollidingActorIds) {
  RawAgent a(address(), "colliding");
  ASSERT_TRUE(a.welcomed());
  proto::StringId type = 1;
  a.add(proto::StringDef{type, "t"});
  for (uint64_t i = 1; i <= 20'000; ++i) {
    proto::ActorSpawned s;
    s.actor = i << 40;
    s.type = type;
    a.add(s);
  }
  ASSERT_TRUE(a.flush());
  expect_still_serving("colliding actor ids");
}

// The soak's slope: every crash reason distinct. Sent inline (as agents now send them), they
// live in the bounded event log and leave the string pool as it was.
TEST_F(Siege, DistinctCrashReasonsKeepNoStrings) {
  auto before = collector_->scrape();
  ASSERT_TRUE(before);
  double strings_before = *before->sum("actorscope_collector_strings");
  RawAgent a(address(), "crashing");
  ASSERT_TRUE(a.welcomed());
  a.add(proto::StringDef{1, "t"});
  std::vector<std::string> reasons;
  for (uint64_t i = 1; i <= 20'000; ++i) {
    proto::ActorSpawned s;
    s.actor = i;
    s.type = 1;
    a.add(s);
    reasons.push_back("{badmatch,{error," + std::to_string(i) + "}}");
    proto::ActorExited e;
    e.actor = i;
    e.reason = proto::ExitReason::Error;
    e.reason_inline = reasons.back();
    a.add(e);
    if (i % 2000 == 0) {
      ASSERT_TRUE(a.flush());
    }
  }
  expect_still_serving("20 000 distinct crash reasons");
  std::optional<MetricsText> after;
  EXPECT_TRUE(eventually([&] {
    after = collector_->scrape();
    auto exits = after ? after->sum("actorscope_actor_exits_total", {{"node", "crashing"}}) : std::nullopt;
    return exits && *exits == 20'000;
  }));
  ASSERT_TRUE(after);
  EXPECT_LT(*after->sum("actorscope_collector_strings") - strings_before, 100.0);
  // And the texts are there: a viewer's search finds the last one.
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::EventsRequest q;
  q.request = 7;
  q.text = reasons.back();
  pv::encode(w, q);
  size_t pages = viewer_->pages;
  ASSERT_TRUE(viewer_->send(m));
  while (viewer_->pages == pages) ASSERT_TRUE(viewer_->receives_ticks(1));
  EXPECT_EQ(viewer_->last_page_texts, std::vector<std::string>{reasons.back()});
}

// Row 2: one frame of many filtered event searches.
TEST_F(Siege, ManySearchesInOneFrame) {
  std::vector<uint8_t> m;
  proto::Writer w(m);
  for (uint64_t r = 1; r <= 1000; ++r) {
    pv::EventsRequest q;
    q.request = r;
    q.text = "matches nothing at all";
    pv::encode(w, q);
  }
  ASSERT_TRUE(viewer_->send(m));
  expect_still_serving("a frame of 1000 searches");
  EXPECT_GT(viewer_->pages + viewer_->requests_failed, 0u);
}

// Rows 4a and 6b, 6c: names with invalid UTF-8, thousands of long types and telemetry names.
TEST_F(Siege, BadAndManyNames) {
  RawAgent a(address(), "bad\xff\xfe name");
  ASSERT_TRUE(a.welcomed());
  proto::StringId next = 1;
  for (uint64_t i = 1; i <= 3000; ++i) {
    std::string name = "type\xc3\x28" + std::to_string(i) + std::string(3000, 'x');
    a.add(proto::StringDef{next, name});
    proto::ActorSpawned s;
    s.actor = i;
    s.type = next++;
    a.add(s);
    a.add(proto::StringDef{next, "event." + std::to_string(i) + std::string(3000, 'y')});
    proto::Telemetry t;
    t.event = next++;
    a.add(t);
  }
  ASSERT_TRUE(a.flush());
  expect_still_serving("invalid UTF-8 and thousands of long names");
  auto m = collector_->scrape();
  ASSERT_TRUE(m);
  EXPECT_GT(*m->sum("actorscope_collector_model_anomalies_total", {{"kind", "too_many_types"}}), 0);
  EXPECT_GT(*m->sum("actorscope_collector_text_invalid_bytes_total"), 0);
}

// Row 6a: one string definition with a huge id.
TEST_F(Siege, HugeStringId) {
  std::vector<std::unique_ptr<RawAgent>> agents;
  for (int i = 0; i < 20; ++i) {
    agents.push_back(std::make_unique<RawAgent>(address(), "sparse-" + std::to_string(i)));
    ASSERT_TRUE(agents.back()->welcomed());
    agents.back()->add(proto::StringDef{4'194'303, "x"});
    ASSERT_TRUE(agents.back()->flush());
  }
  expect_still_serving("string ids near the limit");
  auto m = collector_->scrape();
  ASSERT_TRUE(m);
  EXPECT_LT(*m->sum("actorscope_collector_model_memory_bytes"), 200e6);
}

// Row 6d: connect and disconnect cycles with long node and program names.
TEST_F(Siege, ConnectDisconnectCycles) {
  for (int i = 0; i < 300; ++i) {
    RawAgent a(address(), "cycle-" + std::to_string(i) + std::string(4000, 'n'));
    ASSERT_TRUE(a.welcomed()) << i;
  }
  expect_still_serving("300 connect/disconnect cycles with 4 KB names");
}

// Row 7: a node with many types first; the good node keeps its own series.
TEST_F(Siege, GreedyNodeDoesNotFoldOthers) {
  RawAgent a(address(), "greedy");
  ASSERT_TRUE(a.welcomed());
  for (uint64_t i = 1; i <= 2000; ++i) {
    a.add(proto::StringDef{static_cast<proto::StringId>(i), "type" + std::to_string(i)});
    proto::ActorSpawned s;
    s.actor = i;
    s.type = static_cast<proto::StringId>(i);
    a.add(s);
  }
  ASSERT_TRUE(a.flush());
  expect_still_serving("a greedy node");
  auto text = collector_->scrape_text();
  ASSERT_TRUE(text);
  EXPECT_EQ(text->find("node=\"other\""), std::string::npos) << "a node folded into other";
}

// Row 8: unauthenticated connections that never finish their handshake.
TEST_F(Siege, PendingConnectionFlood) {
  std::vector<RawConnection> idle;
  for (int i = 0; i < 200; ++i) {
    auto c = RawConnection::tcp(collector_->tcp_port());
    if (c) idle.push_back(std::move(*c));
  }
  Viewer another(address());
  EXPECT_TRUE(another.ok()) << "a viewer with the token could not get in";
  EXPECT_TRUE(another.receives_ticks(1));
  expect_still_serving("200 idle unauthenticated connections");
}

// Row 10: a Hello that reuses the live good node's name.
TEST_F(Siege, TakeoverOfALiveNodeIsRefused) {
  auto before = collector_->scrape();
  ASSERT_TRUE(before);
  RawAgent a(address(), kGoodNode, 999);
  EXPECT_FALSE(a.welcomed());
  EXPECT_EQ(a.reject().code, proto::RejectCode::NodeInUse);
  expect_still_serving("takeover");
  auto after = collector_->scrape();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->sum(metric::kNodeConnected, {{metric::kNodeLabel, kGoodNode}}), 1);
  EXPECT_EQ(after->sum("actorscope_actor_exits_total", {{metric::kNodeLabel, kGoodNode}}),
            before->sum("actorscope_actor_exits_total", {{metric::kNodeLabel, kGoodNode}}))
      << "a failed takeover changed a counter";
}

// Row 11: a malformed request answers RequestFailed; the viewer stays.
TEST_F(Siege, MalformedViewerRequest) {
  size_t failed = viewer_->requests_failed;
  ASSERT_TRUE(viewer_->send({0x32, 0x7f, 0x01}));
  expect_still_serving("malformed request");
  EXPECT_GT(viewer_->requests_failed, failed);
  EXPECT_NE(viewer_->started_wall_ns, 0u) << "the snapshot did not say when the collector started";
}

// Row 15: many connections each holding most of a large frame.
TEST_F(Siege, PartialFramesAreReleased) {
  std::vector<std::unique_ptr<RawAgent>> agents;
  for (int i = 0; i < 20; ++i) {
    agents.push_back(std::make_unique<RawAgent>(address(), "partial-" + std::to_string(i)));
    ASSERT_TRUE(agents.back()->welcomed()) << i << ": " << agents.back()->reject().message << "\n"
                                           << collector_->process().output();
    std::vector<uint8_t> frame;
    size_t at = proto::begin_frame(frame, proto::FrameType::Batch, 1);
    frame.resize(frame.size() + 500'000, 0);
    proto::finish_frame(frame, at);
    frame.resize(frame.size() - 1);  // never complete
    agents.back()->wire().send_raw(frame);
  }
  EXPECT_TRUE(eventually([&] {
    auto m = collector_->scrape();
    return m && m->sum("actorscope_collector_input_buffered_bytes") < 1e6 &&
           m->sum("actorscope_collector_refusals_total", {{"reason", "frame_timeout"}}) >= 20;
  })) << "incomplete frames were kept";
  expect_still_serving("partial frames");
}

// Row 4b: HTTP clients that send their request a byte at a time.
TEST_F(Siege, SlowHttpClients) {
  std::vector<RawConnection> slow;
  for (int i = 0; i < 4; ++i) {
    auto c = RawConnection::tcp(collector_->metrics_port());
    ASSERT_TRUE(c);
    c->send({'G'});
    slow.push_back(std::move(*c));
  }
  expect_still_serving("slow HTTP clients");
}

}  // namespace

// Row 9: a regular file at the unix listen path is never deleted.
// Row 3: more connections than the collector has descriptors. Past the limit accept fails
// with EMFILE; the reserve descriptor takes each such connection and closes it, so the loop
// does not spin on it. The refusals are counted and logged once per interval, and once the
// flood is gone a good agent and a viewer are served.
TEST(DescriptorExhaustion, RefusedCountedLoggedOnceAndServingAfterIt) {
#ifdef ACTORSCOPE_SANITIZED_BUILD
  // Under UBSan the collector cannot run out of descriptors: the runtime checks that memory is
  // readable through a pipe it opens, which fails when no descriptor is left, and it then
  // reports a valid object's vptr as invalid and aborts (-fno-sanitize-recover). 40
  // connections under the 64 limit: no report; 192: one, in ~Conn. The plain and
  // ThreadSanitizer builds run this test.
  GTEST_SKIP() << "UBSan needs free descriptors for its own checks";
#endif
  TempDir dir;
  write_file(dir.file("token"), kToken + "\n");
  constexpr unsigned long kDescriptorLimit = 64;
  constexpr int kFlood = 3 * static_cast<int>(kDescriptorLimit);
  // Pending connections are not evicted here: the flood must hold the descriptors.
  Collector collector(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0,
                      {"--token-file", dir.file("token"), "--max-pending-connections", "100000",
                       "--handshake-timeout-ms", "60000", "--log-interval-ms", "60000"},
                      kDescriptorLimit);
  {
    std::vector<RawConnection> flood;
    for (int i = 0; i < kFlood; ++i)
      if (auto c = RawConnection::tcp(collector.tcp_port())) flood.push_back(std::move(*c));
    ASSERT_EQ(flood.size(), static_cast<size_t>(kFlood));
    // The last ones came after the descriptors ran out: taken and closed at once.
    EXPECT_TRUE(flood.back().closed_by_peer(20s)) << collector.process().output();
  }  // the flood closes

  auto lg = small_workload(collector.address(), kGoodNode);
  lg.insert(lg.end(), {"--token-file", dir.file("token")});
  Loadgen loadgen(ACTORSCOPE_LOADGEN_BIN, lg);
  auto counts = loadgen.counts();
  ASSERT_TRUE(counts) << loadgen.process().output();
  EXPECT_EQ(wait_for_model(collector, kGoodNode, *counts), "") << collector.process().output();
  Viewer viewer(collector.address());
  ASSERT_TRUE(viewer.ok()) << collector.process().output();
  EXPECT_TRUE(viewer.receives_ticks(2));

  auto m = collector.scrape();
  ASSERT_TRUE(m) << "/metrics did not answer";
  EXPECT_GT(m->sum("actorscope_collector_refusals_total", {{"reason", "out_of_descriptors"}}).value_or(0), 0)
      << collector.process().output();
  size_t lines = 0;
  for (const auto& l : collector.process().stderr_lines())
    if (l.find("out of file descriptors") != std::string::npos) ++lines;
  EXPECT_GE(lines, 1u) << collector.process().output();
  EXPECT_LE(lines, 2u) << "one line per interval, not one per refused connection";
  loadgen.process().signal(SIGTERM);
}

TEST(CollectorStart, ARegularFileAtTheUnixPathIsKept) {
  TempDir dir;
  write_file(dir.file("not-a-socket"), "precious");
  ChildProcess p(ACTORSCOPE_COLLECTOR_BIN, {"--listen", "unix:" + dir.file("not-a-socket"), "--metrics", "none"});
  EXPECT_EQ(p.wait_exit(30s), 1) << p.output();
  std::ifstream in(dir.file("not-a-socket"));
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "precious");
  EXPECT_NE(p.output().find("not a socket"), std::string::npos) << p.output();
}

// Row 13: clear messages for bad metrics addresses and a directory as the token file.
TEST(CollectorStart, BadMetricsAddressesAndTokenFilesSayWhy) {
  TempDir dir;
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {{"--metrics", "127.0.0.1:99999"}, "from 0 to 65535"},
           {{"--metrics", "127.0.0.1"}, "HOST:PORT"},
           {{"--metrics", "127.evil.example:9464"}, "resolve"},
           {{"--metrics", "none", "--token-file", dir.path()}, "is a directory"},
       }) {
    std::vector<std::string> args = {"--listen", "tcp:127.0.0.1:0"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    ChildProcess p(ACTORSCOPE_COLLECTOR_BIN, args);
    EXPECT_EQ(p.wait_exit(30s), 1) << p.output();
    EXPECT_NE(p.output().find(c.says), std::string::npos) << p.output();
    EXPECT_EQ(p.output().find("null context"), std::string::npos) << p.output();
  }
}
