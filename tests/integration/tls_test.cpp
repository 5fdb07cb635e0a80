// TLS between a real agent (loadgen), the collector and actorscope-top, with certificates
// made at test time by the commands of docs/OPERATIONS.md (tls_certs.sh): a good certificate,
// mutual TLS, a wrong CA, an expired certificate, plaintext to a TLS port and TLS to a
// plaintext port, a stalled handshake. Each failure is one clear line on the side that
// fails, and a good agent and viewer beside it go on.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "loopback.hpp"
#include "stack.hpp"

using namespace actorscope::testing;

namespace {

// The certificates, made once for the suite.
class Certs {
 public:
  Certs() {
    std::string cmd = std::string("sh '") + ACTORSCOPE_TLS_CERTS_SCRIPT + "' '" + dir_.path() + "' 127.0.0.1";
    ok_ = std::system("command -v openssl >/dev/null 2>&1") == 0 && std::system(cmd.c_str()) == 0;
  }
  bool ok() const { return ok_; }
  std::string operator()(const std::string& name) const { return dir_.file(name); }

 private:
  TempDir dir_;
  bool ok_ = false;
};

Certs* certs = nullptr;

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!certs) certs = new Certs();
  }
  void SetUp() override {
    if (!certs->ok()) GTEST_SKIP() << "the openssl command is needed to make the test certificates";
  }
  static std::string cert(const std::string& name) { return (*certs)(name); }

  static std::vector<std::string> server_tls(const std::string& pem = "collector.pem", const std::string& key = "collector.key") {
    return {"--tls-cert", cert(pem), "--tls-key", cert(key)};
  }
  static std::vector<std::string> agent_env(const std::string& ca, bool with_cert = false) {
    std::vector<std::string> env{"ACTORSCOPE_TLS_CA=" + cert(ca)};
    if (with_cert) {
      env.push_back("ACTORSCOPE_TLS_CERT=" + cert("agent.pem"));
      env.push_back("ACTORSCOPE_TLS_KEY=" + cert("agent.key"));
    }
    return env;
  }
};

using TopRun = FinishedRun;

// One frame of actorscope-top --batch against `address`, with `extra` flags.
TopRun top(const std::string& address, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"--collector", address, "--batch", "--view", "tree", "--size", "160x60"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_to_end(ACTORSCOPE_TOP_BIN, args);
}

// The agent's line (stderr) that says why it is not connected.
std::string agent_line(Loadgen& lg, const std::string& pattern) {
  auto line = lg.process().wait_for_line("^actorscope: .*" + pattern, 60s, true);
  return line ? (*line)[0] : std::string();
}

std::string collector_line(Collector& c, const std::string& pattern) {
  auto line = c.process().wait_for_line(pattern, 60s, true);
  return line ? (*line)[0] : std::string();
}

// A good agent over `address`, its numbers checked through /metrics.
void expect_good_agent(Collector& c, Loadgen& lg, const std::string& node) {
  auto counts = lg.counts();
  ASSERT_TRUE(counts) << lg.process().output();
  EXPECT_EQ(wait_for_model(c, node, *counts), "") << lg.process().output() << c.process().output();
}

}  // namespace

TEST_F(Tls, GoodCertificateCarriesAgentAndViewer) {
  Collector c(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, server_tls());
  Loadgen lg(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "tls-node"), agent_env("ca.pem"));
  expect_good_agent(c, lg, "tls-node");
  EXPECT_NE(agent_line(lg, "connected to " + c.address()), "");
  TopRun v = top(c.address(), {"--tls-ca", cert("ca.pem")});
  EXPECT_EQ(v.code, 0) << v.all();
  EXPECT_TRUE(v.shows("tls-node")) << v.all();
}

TEST_F(Tls, MutualTlsRefusesClientsWithoutCertificate) {
  std::vector<std::string> args = server_tls();
  args.insert(args.end(), {"--tls-client-ca", cert("ca.pem")});
  Collector c(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, args);
  Loadgen good(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "mtls-node"), agent_env("ca.pem", true));
  Loadgen anonymous(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "anonymous-node"), agent_env("ca.pem"));

  std::string why = agent_line(anonymous, "certificate required");
  EXPECT_TRUE(std::regex_search(why, std::regex("TLS session with the collector at " + c.address() + " failed: .*certificate required")))
      << anonymous.process().output();
  EXPECT_NE(collector_line(c, "TLS handshake failed: .*certificate"), "") << c.process().output();

  TopRun refused = top(c.address(), {"--tls-ca", cert("ca.pem")});
  EXPECT_EQ(refused.code, 1) << refused.all();
  ASSERT_EQ(refused.err.size(), 1u) << refused.all();
  EXPECT_NE(refused.err[0].find("certificate required"), std::string::npos) << refused.all();

  expect_good_agent(c, good, "mtls-node");
  TopRun viewer = top(c.address(), {"--tls-ca", cert("ca.pem"), "--tls-cert", cert("viewer.pem"), "--tls-key", cert("viewer.key")});
  EXPECT_EQ(viewer.code, 0) << viewer.all();
  EXPECT_TRUE(viewer.shows("mtls-node")) << viewer.all();
  EXPECT_FALSE(viewer.shows("anonymous-node")) << viewer.all();
}

TEST_F(Tls, WrongCaIsRefusedByTheClient) {
  Collector c(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, server_tls());
  Loadgen good(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "trusting-node"), agent_env("ca.pem"));
  Loadgen wrong(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "wrong-ca-node"), agent_env("other-ca.pem"));

  std::string why = agent_line(wrong, "certificate verify failed");
  EXPECT_TRUE(std::regex_search(why, std::regex("TLS handshake with the collector at " + c.address() + " failed: certificate verify failed")))
      << wrong.process().output();
  TopRun refused = top(c.address(), {"--tls-ca", cert("other-ca.pem")});
  EXPECT_EQ(refused.code, 1) << refused.all();
  ASSERT_EQ(refused.err.size(), 1u) << refused.all();
  EXPECT_NE(refused.err[0].find("TLS handshake with " + c.address() + " failed: certificate verify failed"), std::string::npos)
      << refused.all();

  expect_good_agent(c, good, "trusting-node");
  TopRun viewer = top(c.address(), {"--tls-ca", cert("ca.pem")});
  EXPECT_EQ(viewer.code, 0) << viewer.all();
  EXPECT_TRUE(viewer.shows("trusting-node")) << viewer.all();
}

TEST_F(Tls, ExpiredCertificateIsRefusedAndTheUnixSocketGoesOn) {
  TempDir dir;
  std::string sock = "unix:" + dir.file("c.sock");
  Collector c(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0", sock}, 0, server_tls("expired.pem", "expired.key"));
  Loadgen expired(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(0), "expired-node"), agent_env("ca.pem"));
  Loadgen local(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(1), "local-node"));

  EXPECT_NE(agent_line(expired, "failed: certificate verify failed \\(certificate has expired\\)"), "") << expired.process().output();
  TopRun refused = top(c.address(0), {"--tls-ca", cert("ca.pem")});
  EXPECT_EQ(refused.code, 1) << refused.all();
  ASSERT_EQ(refused.err.size(), 1u) << refused.all();
  EXPECT_NE(refused.err[0].find("certificate has expired"), std::string::npos) << refused.all();

  expect_good_agent(c, local, "local-node");
  TopRun viewer = top(c.address(1), {});
  EXPECT_EQ(viewer.code, 0) << viewer.all();
  EXPECT_TRUE(viewer.shows("local-node")) << viewer.all();
}

TEST_F(Tls, PlaintextClientOnTlsPortIsToldSo) {
  Collector c(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, server_tls());
  Loadgen good(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "tls-node"), agent_env("ca.pem"));
  Loadgen plain(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "plain-node"));

  EXPECT_NE(agent_line(plain, "collector refused this agent: plaintext on a TLS port: .*ACTORSCOPE_TLS_CA"), "")
      << plain.process().output();
  EXPECT_NE(collector_line(c, "rejected .*plaintext on a TLS port"), "") << c.process().output();
  TopRun refused = top(c.address(), {});
  EXPECT_EQ(refused.code, 1) << refused.all();
  ASSERT_EQ(refused.err.size(), 1u) << refused.all();
  EXPECT_NE(refused.err[0].find("plaintext on a TLS port"), std::string::npos) << refused.all();

  expect_good_agent(c, good, "tls-node");
  TopRun viewer = top(c.address(), {"--tls-ca", cert("ca.pem")});
  EXPECT_EQ(viewer.code, 0) << viewer.all();
  EXPECT_TRUE(viewer.shows("tls-node")) << viewer.all();
}

TEST_F(Tls, TlsClientOnPlaintextPortIsToldSo) {
  Collector c(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, {});
  Loadgen good(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "plain-node"));
  Loadgen tls(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "tls-node"), agent_env("ca.pem"));

  EXPECT_NE(agent_line(tls, "TLS handshake with the collector at " + c.address() + " failed"), "") << tls.process().output();
  EXPECT_NE(collector_line(c, "a TLS client on a plaintext port"), "") << c.process().output();
  TopRun refused = top(c.address(), {"--tls-ca", cert("ca.pem")});
  EXPECT_EQ(refused.code, 1) << refused.all();
  ASSERT_EQ(refused.err.size(), 1u) << refused.all();
  EXPECT_NE(refused.err[0].find("TLS handshake with " + c.address() + " failed"), std::string::npos) << refused.all();

  expect_good_agent(c, good, "plain-node");
  TopRun viewer = top(c.address(), {});
  EXPECT_EQ(viewer.code, 0) << viewer.all();
  EXPECT_TRUE(viewer.shows("plain-node")) << viewer.all();
}

TEST_F(Tls, StalledHandshakeStallsNobodyElse) {
  Collector c(ACTORSCOPE_COLLECTOR_BIN, {"tcp:127.0.0.1:0"}, 0, [] {
    auto a = server_tls();
    a.insert(a.end(), {"--handshake-timeout-ms", "1000"});
    return a;
  }());
  // The start of a ClientHello record, and then nothing.
  auto stalled = RawConnection::tcp(c.tcp_port());
  ASSERT_TRUE(stalled);
  ASSERT_TRUE(stalled->send({0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00}));

  Loadgen good(ACTORSCOPE_LOADGEN_BIN, small_workload(c.address(), "tls-node"), agent_env("ca.pem"));
  expect_good_agent(c, good, "tls-node");
  TopRun viewer = top(c.address(), {"--tls-ca", cert("ca.pem")});
  EXPECT_EQ(viewer.code, 0) << viewer.all();
  EXPECT_TRUE(viewer.shows("tls-node")) << viewer.all();
  // Its handshake deadline closes it.
  EXPECT_TRUE(stalled->closed_by_peer(60s));
  EXPECT_NE(collector_line(c, "no Hello within 1000 ms"), "") << c.process().output();
}
