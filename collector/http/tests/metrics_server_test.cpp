// /metrics served by one epoll thread: a scrape gets through 200 slow clients, every refusal
// is a one-line answer that is counted, the bearer token and TLS work, and the Collector wires
// them from its settings.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <thread>

#include "actorscope/collector/collector.hpp"
#include "actorscope/http/metrics_server.hpp"
#include "actorscope/tls/tls.hpp"

using namespace actorscope;
using namespace std::chrono_literals;

namespace {

// A fixed page: one gauge.
class FixedPage : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily f;
    f.name = "test_page_value";
    f.help = "A value";
    f.type = prometheus::MetricType::Gauge;
    prometheus::ClientMetric m;
    m.gauge.value = 42;
    f.metric.push_back(m);
    return {f};
  }
};

// Polls `cond` until it holds or `limit` passes (a bound on a wait, not a timing assertion).
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = 20s) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return cond();
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// A page larger than what the sockets between server and client can buffer: a response a
// client does not read stays in the middle of being written.
class LargePage : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily f;
    f.name = "test_large_page";
    f.help = std::string(16u << 20, 'x');
    f.type = prometheus::MetricType::Gauge;
    f.metric.emplace_back();
    return {f};
  }
};

struct Served {
  std::unique_ptr<http::MetricsServer> server;
  explicit Served(http::MetricsServerSettings s,
                  std::shared_ptr<prometheus::Collectable> page = std::make_shared<FixedPage>()) {
    server = std::make_unique<http::MetricsServer>(std::move(s), std::move(page));
    sockaddr_in a = loopback(0);
    std::string error;
    EXPECT_TRUE(server->start(reinterpret_cast<sockaddr*>(&a), sizeof a, error)) << error;
  }
  uint64_t refused(http::HttpRefusal r) const { return server->counters().refused[static_cast<size_t>(r)]; }
};

// A blocking client socket with a receive deadline, so that a broken server fails the test
// instead of hanging it.
int connect_to(uint16_t port, const char* from = nullptr) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (from) {  // another loopback address (127.0.0.0/8): another client address to the server
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &local.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in a = loopback(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

struct Response {
  int status = 0;
  std::string head;
  std::string body;
};

// Reads one response: the head, then Content-Length bytes (or to the end for HEAD-less).
// `carry` keeps bytes read past this response (the next one's, when requests are pipelined).
template <typename ReadFn>
Response read_response(ReadFn read_fn, bool head_only = false, std::string* carry = nullptr) {
  Response r;
  std::string buf;
  if (carry) buf.swap(*carry);
  char tmp[4096];
  size_t end = std::string::npos;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    long n = read_fn(tmp, sizeof tmp);
    if (n <= 0) return r;
    buf.append(tmp, static_cast<size_t>(n));
  }
  r.head = buf.substr(0, end + 2);
  std::sscanf(r.head.c_str(), "HTTP/1.1 %d", &r.status);
  size_t length = 0;
  if (size_t cl = r.head.find("Content-Length: "); cl != std::string::npos) length = std::stoul(r.head.substr(cl + 16));
  if (head_only) length = 0;
  r.body = buf.substr(end + 4);
  while (r.body.size() < length) {
    long n = read_fn(tmp, sizeof tmp);
    if (n <= 0) break;
    r.body.append(tmp, static_cast<size_t>(n));
  }
  if (carry && r.body.size() > length) {
    *carry = r.body.substr(length);
    r.body.resize(length);
  }
  return r;
}

Response exchange(int fd, const std::string& request, bool head_only = false) {
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  return read_response([fd](char* b, size_t n) { return static_cast<long>(::recv(fd, b, n, 0)); }, head_only);
}

Response get(uint16_t port, const std::string& request) {
  int fd = connect_to(port);
  Response r = exchange(fd, request);
  ::close(fd);
  return r;
}

const std::string kGet = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n";

std::string run(const std::string& command) {
  std::string out;
  if (std::FILE* p = ::popen((command + " 2>&1").c_str(), "r")) {
    char b[256];
    while (std::fgets(b, sizeof b, p)) out += b;
    ::pclose(p);
  }
  return out;
}

// A directory with a self-signed certificate for 127.0.0.1 and its key, plus a second key.
struct Certs {
  std::string dir;
  Certs() {
    char tmpl[] = "/tmp/actorscope-tls-XXXXXX";
    dir = ::mkdtemp(tmpl);
    std::string ossl = ACTORSCOPE_OPENSSL_BIN;
    run(ossl + " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1"
               " -addext subjectAltName=IP:127.0.0.1 -keyout " + key() + " -out " + cert());
    run(ossl + " genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out " + other_key());
  }
  ~Certs() { run("rm -rf " + dir); }
  std::string cert() const { return dir + "/cert.pem"; }
  std::string key() const { return dir + "/key.pem"; }
  std::string other_key() const { return dir + "/other-key.pem"; }
};

}  // namespace

TEST(MetricsHttp, ScrapeSucceedsWhile200SlowClientsHoldHalfARequest) {
  http::MetricsServerSettings s;
  s.max_connections = 512;       // every slow client is held, none evicted
  s.max_connections_per_address = 0;
  s.header_timeout_ms = 600'000; // and none times out during the test
  Served served(s);
  std::vector<int> slow;
  for (int i = 0; i < 200; ++i) {
    int fd = connect_to(served.server->port());
    ASSERT_GE(fd, 0);
    ::send(fd, "GET /metr", 9, MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  ASSERT_TRUE(eventually([&] { return served.server->counters().connections >= 200; }));
  Response r = get(served.server->port(), kGet);
  EXPECT_EQ(r.status, 200) << r.head;
  EXPECT_NE(r.body.find("test_page_value 42"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("actorscope_collector_http_connections "), std::string::npos);
  // The slow clients are still held: each costs a connection, not a thread.
  EXPECT_GE(served.server->counters().connections, 200u);
  EXPECT_EQ(served.refused(http::HttpRefusal::Evicted), 0u);
  for (int fd : slow) ::close(fd);
}

TEST(MetricsHttp, AtTheConnectionBoundTheOldestSlowClientGivesWay) {
  http::MetricsServerSettings s;
  s.max_connections = 32;
  s.max_connections_per_address = 0;  // the bound of all addresses, alone
  s.header_timeout_ms = 600'000;
  Served served(s);
  std::vector<int> slow;
  for (int i = 0; i < 200; ++i) {
    int fd = connect_to(served.server->port());
    ASSERT_GE(fd, 0);
    ::send(fd, "GET /metr", 9, MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  ASSERT_TRUE(eventually([&] { return served.refused(http::HttpRefusal::Evicted) >= 168; }));
  Response r = get(served.server->port(), kGet);
  EXPECT_EQ(r.status, 200) << r.head;
  EXPECT_LE(served.server->counters().connections, 32u);
  for (int fd : slow) ::close(fd);
}

TEST(MetricsHttp, AFloodFromOneAddressEvictsItsOwnConnectionsNotAScrapersKeptAlive) {
  http::MetricsServerSettings s;
  s.max_connections = 32;
  s.header_timeout_ms = 600'000;
  Served served(s);
  int scraper = connect_to(served.server->port(), "127.0.0.2");
  ASSERT_GE(scraper, 0);
  EXPECT_EQ(exchange(scraper, kGet).status, 200);  // now idle, kept alive
  std::vector<int> slow;
  for (int i = 0; i < 200; ++i) {
    int fd = connect_to(served.server->port());
    ASSERT_GE(fd, 0);
    ::send(fd, "GET /metr", 9, MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  ASSERT_TRUE(eventually([&] { return served.refused(http::HttpRefusal::Evicted) >= 169; }));
  // The scraper's connection was older than all of them, and is still there.
  Response again = exchange(scraper, kGet);
  EXPECT_EQ(again.status, 200) << again.head;
  ::close(scraper);
  for (int fd : slow) ::close(fd);
}

TEST(MetricsHttp, OneAddressCannotFillTheBoundWithResponsesItNeverReads) {
  // Responses being written cannot be evicted: without a bound per address, one address
  // asking for the page on every connection and reading none would hold them all, and a
  // scraper from another address would be turned away.
  http::MetricsServerSettings s;
  s.max_connections = 8;
  s.max_connections_per_address = 4;
  s.idle_timeout_ms = 600'000;  // no response times out during the test
  Served served(s, std::make_shared<LargePage>());
  std::vector<int> greedy;
  int answered = 0;
  for (int i = 0; i < 8; ++i) {
    int fd = connect_to(served.server->port());
    ASSERT_GE(fd, 0);
    int small = 4096;  // the page stays in the server's queue, mostly unsent
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    ::send(fd, kGet.data(), kGet.size(), MSG_NOSIGNAL);
    char b = 0;
    // The first bytes of the answer: the server is writing it (or it closed this connection).
    if (::recv(fd, &b, 1, MSG_PEEK) > 0) ++answered;
    greedy.push_back(fd);
  }
  EXPECT_EQ(answered, 4);
  EXPECT_EQ(served.refused(http::HttpRefusal::TooManyFromAddress), 4u);
  EXPECT_EQ(served.refused(http::HttpRefusal::Evicted), 0u);
  int scraper = connect_to(served.server->port(), "127.0.0.2");
  ASSERT_GE(scraper, 0);
  Response r = exchange(scraper, kGet);
  EXPECT_EQ(r.status, 200) << r.head;
  EXPECT_GT(r.body.size(), 16u << 20);
  EXPECT_NE(r.body.find("test_large_page"), std::string::npos);
  ::close(scraper);
  for (int fd : greedy) ::close(fd);
}

TEST(MetricsHttp, AtItsBoundAnAddressGivesUpItsOldestConnection) {
  http::MetricsServerSettings s;
  s.max_connections_per_address = 4;
  s.header_timeout_ms = 600'000;
  Served served(s);
  std::vector<int> slow;
  for (int i = 0; i < 10; ++i) {
    int fd = connect_to(served.server->port());
    ASSERT_GE(fd, 0);
    ::send(fd, "GET /metr", 9, MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  ASSERT_TRUE(eventually([&] {
    return served.refused(http::HttpRefusal::TooManyFromAddress) == 6 && served.server->counters().connections == 4;
  }));
  // The oldest six were closed (reset: their half request was never read), the newest four
  // are held; and a scrape from the same address is the newest again.
  char b;
  for (int i = 0; i < 6; ++i) EXPECT_LE(::recv(slow[i], &b, 1, 0), 0) << i;
  for (int i = 6; i < 10; ++i) EXPECT_EQ(::recv(slow[i], &b, 1, MSG_DONTWAIT), -1) << i;  // open, nothing sent
  Response r = get(served.server->port(), kGet);
  EXPECT_EQ(r.status, 200) << r.head;
  EXPECT_EQ(served.refused(http::HttpRefusal::TooManyFromAddress), 7u);
  for (int fd : slow) ::close(fd);
}

TEST(MetricsHttp, AHeadThatDoesNotCompleteInTimeIsClosedAndCounted) {
  http::MetricsServerSettings s;
  s.header_timeout_ms = 50;
  Served served(s);
  int fd = connect_to(served.server->port());
  ::send(fd, "GET /metr", 9, MSG_NOSIGNAL);
  char b[16];
  EXPECT_EQ(::recv(fd, b, sizeof b, 0), 0);  // closed by the server, nothing sent
  ::close(fd);
  EXPECT_TRUE(eventually([&] { return served.refused(http::HttpRefusal::HeaderTimeout) == 1; }));
}

TEST(MetricsHttp, EachRefusalIsAOneLineAnswerAndCounted) {
  http::MetricsServerSettings s;
  s.max_header_bytes = 1024;
  Served served(s);
  uint16_t port = served.server->port();

  Response big = get(port, "GET /metrics HTTP/1.1\r\nX-Filler: " + std::string(20'000, 'a') + "\r\n\r\n");
  EXPECT_EQ(big.status, 431) << big.head;
  EXPECT_EQ(big.body, "request header over 1024 bytes\n");

  Response garbage = get(port, std::string("\x16\x03\x01 garbage\r\n\r\n"));
  EXPECT_EQ(garbage.status, 400) << garbage.head;

  Response post = get(port, "POST /metrics HTTP/1.1\r\n\r\n");
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(post.head.find("Allow: GET, HEAD"), std::string::npos);

  Response other = get(port, "GET /other HTTP/1.1\r\n\r\n");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body, "only /metrics is served here\n");

  EXPECT_EQ(served.refused(http::HttpRefusal::HeaderTooLarge), 1u);
  EXPECT_EQ(served.refused(http::HttpRefusal::BadRequest), 1u);
  EXPECT_EQ(served.refused(http::HttpRefusal::MethodNotAllowed), 1u);
  EXPECT_EQ(served.refused(http::HttpRefusal::NotFound), 1u);
  Response page = get(port, kGet);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("actorscope_collector_http_refused_total{reason=\"header_too_large\"} 1"), std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("actorscope_collector_http_refused_total{reason=\"not_found\"} 1"), std::string::npos);
}

TEST(MetricsHttp, KeepAliveHeadAndGzip) {
  Served served(http::MetricsServerSettings{});
  int fd = connect_to(served.server->port());
  Response first = exchange(fd, kGet);
  EXPECT_EQ(first.status, 200);
  Response head = exchange(fd, "HEAD /metrics HTTP/1.1\r\n\r\n", true);
  EXPECT_EQ(head.status, 200);
  Response packed = exchange(fd, "GET /metrics HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n");
  ASSERT_EQ(packed.status, 200);
  ASSERT_NE(packed.head.find("Content-Encoding: gzip"), std::string::npos);
  ::close(fd);
  std::string plain(1 << 16, '\0');
  z_stream z{};
  ASSERT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(packed.body.data());
  z.avail_in = static_cast<uInt>(packed.body.size());
  z.next_out = reinterpret_cast<Bytef*>(plain.data());
  z.avail_out = static_cast<uInt>(plain.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  plain.resize(z.total_out);
  inflateEnd(&z);
  EXPECT_NE(plain.find("test_page_value 42"), std::string::npos);
  EXPECT_EQ(served.server->counters().connections_total, 1u);
}

TEST(MetricsHttp, BearerTokenRequiredWhenConfigured) {
  http::MetricsServerSettings s;
  s.token = "s3cret-token";
  Served served(s);
  uint16_t port = served.server->port();
  Response none = get(port, kGet);
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.head.find("WWW-Authenticate: Bearer"), std::string::npos) << none.head;
  EXPECT_EQ(none.body.find("test_page_value"), std::string::npos);
  Response wrong = get(port, "GET /metrics HTTP/1.1\r\nAuthorization: Bearer s3cret-tokem\r\n\r\n");
  EXPECT_EQ(wrong.status, 401);
  Response prefix = get(port, "GET /metrics HTTP/1.1\r\nAuthorization: Bearer s3cret\r\n\r\n");
  EXPECT_EQ(prefix.status, 401);
  Response right = get(port, "GET /metrics HTTP/1.1\r\nAuthorization: Bearer s3cret-token\r\n\r\n");
  EXPECT_EQ(right.status, 200);
  EXPECT_NE(right.body.find("test_page_value 42"), std::string::npos);
  EXPECT_EQ(served.refused(http::HttpRefusal::Unauthorized), 3u);
}

TEST(MetricsHttp, BasicAuthUsersFileSaysByLineWhatIsWrong) {
  char dir[] = "/tmp/actorscope-basic-auth-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  auto file = [&](const std::string& text) {
    std::string path = std::string(dir) + "/users";
    std::ofstream(path) << text;
    return path;
  };
  std::vector<http::BasicAuthUser> users;
  std::string error;
  ASSERT_TRUE(http::read_basic_auth_file(
      file("# who may scrape\nalice:wonderland\n\nbob:sha256:df6b07176a9b17cc4c9afc257bd404732e7d09b76436c7890f7b7be14e579794\n"),
      users, error))
      << error;
  ASSERT_EQ(users.size(), 2u);
  EXPECT_FALSE(users[0].hashed);
  EXPECT_TRUE(users[1].hashed);
  EXPECT_TRUE(http::basic_auth_matches("YWxpY2U6d29uZGVybGFuZA==", users));    // alice:wonderland
  EXPECT_FALSE(http::basic_auth_matches("YWxpY2U6d29uZGVybGFueA==", users));   // alice:wonderlanx
  EXPECT_TRUE(http::basic_auth_matches("Ym9iOmJ1aWxkZXI=", users));            // bob:builder (hashed)
  EXPECT_FALSE(http::basic_auth_matches("Ym9iOndvbmRlcmxhbmQ=", users));       // bob:wonderland
  EXPECT_FALSE(http::basic_auth_matches("Y2Fyb2w6eA==", users));               // carol:x
  EXPECT_FALSE(http::basic_auth_matches("not base64!", users));
  EXPECT_FALSE(http::read_basic_auth_file(file("alice:one\nnocolon\n"), users, error));
  EXPECT_NE(error.find("users:2: expected user:password"), std::string::npos) << error;
  EXPECT_FALSE(http::read_basic_auth_file(file("bob:sha256:abc\n"), users, error));
  EXPECT_NE(error.find("users:1: sha256: wants the 64 hex digits"), std::string::npos) << error;
  EXPECT_FALSE(http::read_basic_auth_file(file("a:1\na:2\n"), users, error));
  EXPECT_NE(error.find("named twice"), std::string::npos) << error;
  EXPECT_FALSE(http::read_basic_auth_file(file("# nobody\n"), users, error));
  EXPECT_NE(error.find("names no user"), std::string::npos) << error;
  std::string cleanup = std::string("rm -rf '") + dir + "'";
  EXPECT_EQ(std::system(cleanup.c_str()), 0);
}

TEST(MetricsHttp, BasicAuthOrTokenRequiredWhenConfigured) {
  http::MetricsServerSettings s;
  s.token = "s3cret-token";
  s.basic_auth = {{"alice", "wonderland", false}};
  Served served(s);
  uint16_t port = served.server->port();
  Response none = get(port, kGet);
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.head.find("WWW-Authenticate: Basic"), std::string::npos) << none.head;
  EXPECT_NE(none.head.find("WWW-Authenticate: Bearer"), std::string::npos) << none.head;
  Response wrong = get(port, "GET /metrics HTTP/1.1\r\nAuthorization: Basic YWxpY2U6d29uZGVybGFueA==\r\n\r\n");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body.find("test_page_value"), std::string::npos);
  Response user = get(port, "GET /metrics HTTP/1.1\r\nAuthorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n\r\n");
  EXPECT_EQ(user.status, 200);
  EXPECT_NE(user.body.find("test_page_value 42"), std::string::npos);
  Response token = get(port, "GET /metrics HTTP/1.1\r\nAuthorization: Bearer s3cret-token\r\n\r\n");
  EXPECT_EQ(token.status, 200);
  EXPECT_EQ(served.refused(http::HttpRefusal::Unauthorized), 2u);
}

TEST(MetricsHttp, TlsScrapeWithASelfSignedCertificate) {
  Certs certs;
  std::string error;
  std::shared_ptr<tls::Context> server_ctx = tls::Context::server(certs.cert(), certs.key(), error);
  ASSERT_TRUE(server_ctx) << error;
  http::MetricsServerSettings s;
  s.tls = server_ctx;
  s.token = "tls-token";
  Served served(s);

  auto client_ctx = tls::Context::client(certs.cert(), error);
  ASSERT_TRUE(client_ctx) << error;
  int fd = connect_to(served.server->port());
  tls::Session session(*client_ctx, fd, "127.0.0.1");
  ASSERT_EQ(session.handshake(), tls::Io::Done) << session.error();
  auto send_tls = [&](const std::string& text) {
    size_t put = 0;
    EXPECT_EQ(session.write(text.data(), text.size(), put), tls::Io::Done);
    EXPECT_EQ(put, text.size());
  };
  auto read_tls = [&](char* b, size_t n) {
    size_t got = 0;
    return session.read(b, n, got) == tls::Io::Done ? static_cast<long>(got) : -1L;
  };
  send_tls(kGet);
  EXPECT_EQ(read_response(read_tls).status, 401);
  send_tls("GET /metrics HTTP/1.1\r\nAuthorization: Bearer tls-token\r\n\r\n");
  Response r = read_response(read_tls);
  EXPECT_EQ(r.status, 200) << r.head;
  EXPECT_NE(r.body.find("test_page_value 42"), std::string::npos);
  // Pipelined requests, in one record and in two: what the server has read may wait inside
  // the TLS session rather than on the socket.
  std::string one = "GET /metrics HTTP/1.1\r\nAuthorization: Bearer tls-token\r\n\r\n";
  send_tls(one + one);
  send_tls(one);
  send_tls(one);
  std::string carry;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(read_response(read_tls, false, &carry).status, 200) << i;
  ::close(fd);

  // Plain HTTP to the HTTPS port: the handshake fails, is counted, and the server goes on.
  Response plain = get(served.server->port(), kGet);
  EXPECT_EQ(plain.status, 0);
  EXPECT_TRUE(eventually([&] { return served.refused(http::HttpRefusal::TlsHandshake) == 1; }));
}

TEST(MetricsHttp, AClientThatDoesNotTrustTheCertificateIsToldWhy) {
  Certs certs, stranger;
  std::string error;
  http::MetricsServerSettings s;
  s.tls = tls::Context::server(certs.cert(), certs.key(), error);
  ASSERT_TRUE(s.tls) << error;
  Served served(s);
  auto client_ctx = tls::Context::client(stranger.cert(), error);  // trusts another CA
  ASSERT_TRUE(client_ctx) << error;
  int fd = connect_to(served.server->port());
  tls::Session session(*client_ctx, fd, "127.0.0.1");
  EXPECT_EQ(session.handshake(), tls::Io::Error);
  EXPECT_NE(session.error().find("certificate verify failed"), std::string::npos) << session.error();
  ::close(fd);
  EXPECT_TRUE(eventually([&] { return served.refused(http::HttpRefusal::TlsHandshake) == 1; }));
  // The server goes on for a client that trusts it.
  auto good_ctx = tls::Context::client(certs.cert(), error);
  int good = connect_to(served.server->port());
  tls::Session ok(*good_ctx, good, "127.0.0.1");
  EXPECT_EQ(ok.handshake(), tls::Io::Done) << ok.error();
  ::close(good);
}

TEST(MetricsHttp, CertificateProblemsAreOneLineErrors) {
  Certs certs;
  std::string error;
  EXPECT_FALSE(tls::Context::server(certs.dir + "/missing.pem", certs.key(), error));
  EXPECT_EQ(error, "cannot read TLS certificate " + certs.dir + "/missing.pem: No such file or directory");
  EXPECT_FALSE(tls::Context::server(certs.key(), certs.key(), error));
  EXPECT_EQ(error.rfind("cannot load TLS certificate " + certs.key() + ": ", 0), 0u) << error;
  EXPECT_FALSE(tls::Context::server(certs.cert(), certs.cert(), error));
  EXPECT_EQ(error.rfind("cannot load TLS key " + certs.cert() + ": ", 0), 0u) << error;
  EXPECT_FALSE(tls::Context::server(certs.cert(), certs.other_key(), error));
  EXPECT_EQ(error, "TLS key " + certs.other_key() + " does not belong to certificate " + certs.cert());
  for (const std::string& e : {error}) EXPECT_EQ(e.find('\n'), std::string::npos);
}

TEST(MetricsHttp, TheCollectorServesHttpsWithItsSettings) {
  Certs certs;
  collector::CollectorSettings settings;
  settings.server.listen = {"tcp:127.0.0.1:0"};
  settings.metrics = "127.0.0.1:0";
  settings.exporter.tls_cert_file = certs.cert();
  settings.exporter.tls_key_file = certs.key();
  settings.exporter.metrics_token = "collector-token";
  collector::Collector c(settings);
  std::string error;
  ASSERT_TRUE(c.start_in_background(error)) << error;
  std::string url = c.metrics_url();
  ASSERT_EQ(url.rfind("https://127.0.0.1:", 0), 0u) << url;
  uint16_t port = static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));

  auto client_ctx = tls::Context::client(certs.cert(), error);
  ASSERT_TRUE(client_ctx) << error;
  int fd = connect_to(port);
  tls::Session session(*client_ctx, fd, "127.0.0.1");
  ASSERT_EQ(session.handshake(), tls::Io::Done) << session.error();
  std::string req = "GET /metrics HTTP/1.1\r\nAuthorization: Bearer collector-token\r\n\r\n";
  size_t put = 0;
  ASSERT_EQ(session.write(req.data(), req.size(), put), tls::Io::Done);
  Response r = read_response([&](char* b, size_t n) {
    size_t got = 0;
    return session.read(b, n, got) == tls::Io::Done ? static_cast<long>(got) : -1L;
  });
  ::close(fd);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("actorscope_collector_connections{role=\"agent\"} 0"), std::string::npos);
  EXPECT_NE(r.body.find("actorscope_collector_http_refused_total{reason=\"unauthorized\"} 0"), std::string::npos);
  c.stop();
}

TEST(MetricsHttp, TheCollectorRefusesAMismatchedKeyAtStart) {
  Certs certs;
  collector::CollectorSettings settings;
  settings.server.listen = {"tcp:127.0.0.1:0"};
  settings.metrics = "127.0.0.1:0";
  settings.exporter.tls_cert_file = certs.cert();
  settings.exporter.tls_key_file = certs.other_key();
  collector::Collector c(settings);
  std::string error;
  EXPECT_FALSE(c.start(error));
  EXPECT_EQ(error, "TLS key " + certs.other_key() + " does not belong to certificate " + certs.cert());
}
