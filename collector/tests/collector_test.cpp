// The Collector object: what the daemon and the viewers' --listen both run.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actorscope/collector/collector.hpp"
#include "actorscope/collector/log.hpp"
#include "wire_client.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

TEST(Collector, ServesAgentsOnItsLoopAndReportsRealAddresses) {
  CollectorSettings s = Collector::inside_viewer("tcp:127.0.0.1:0", "", "test collector");
  s.metrics = "127.0.0.1:0";
  Collector c(s);
  std::string error;
  ASSERT_TRUE(c.start_in_background(error)) << error;
  ASSERT_EQ(c.bound_addresses().size(), 1u);
  EXPECT_NE(c.bound_addresses()[0], "tcp:127.0.0.1:0");  // the real port
  EXPECT_EQ(c.metrics_url().rfind("http://127.0.0.1:", 0), 0u) << c.metrics_url();
  EXPECT_NE(c.metrics_url(), "http://127.0.0.1:0/metrics");

  testing::Client agent(c.bound_addresses()[0]);
  ASSERT_TRUE(agent.connected());
  ASSERT_TRUE(agent.send_hello(testing::hello("orders@h")));
  proto::FrameHeader h;
  std::vector<uint8_t> payload;
  ASSERT_TRUE(agent.read_frame(h, payload));
  EXPECT_EQ(h.type, proto::FrameType::Welcome);
  EXPECT_TRUE(testing::eventually([&] {
    std::lock_guard<std::mutex> lock(c.model_mutex());
    return c.model().find_node("orders@h") != 0;
  }));
  c.stop();
  c.stop();  // idempotent
}

TEST(Collector, RefusesMetricsOnARemoteAddressWithoutAllowRemote) {
  CollectorSettings s;
  s.server.listen = {"tcp:127.0.0.1:0"};
  s.metrics = "0.0.0.0:0";
  Collector c(s);
  std::string error;
  EXPECT_FALSE(c.start(error));
  EXPECT_NE(error.find("non-loopback"), std::string::npos) << error;
}

TEST(CollectorLog, ASinkReceivesWholeLinesAndStderrComesBack) {
  std::vector<std::string> lines;
  set_log_sink([&](std::string_view line) { lines.emplace_back(line); });
  log_line(LogLevel::Error, "one line");
  set_log_sink({});
  log_line(LogLevel::Debug, "not captured");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "actorscope-collector: one line\n");
}

}  // namespace
}  // namespace actorscope::collector
