// The viewer's connection loop: connect, hello, subscribe, apply frames, send requests, retry.
#include "actorscope/view/client.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "actorscope/protocol/codec.hpp"
#include "actorscope/protocol/token.hpp"

namespace actorscope::view {

namespace {
uint64_t clock_ns(clockid_t c) {
  timespec ts{};
  clock_gettime(c, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

bool write_all(int fd, tls::Session* tls, const uint8_t* p, size_t n) {
  while (n > 0) {
    if (tls) {
      size_t put = 0;
      tls::Io r = tls->write(reinterpret_cast<const char*>(p), n, put);
      if (r == tls::Io::Done) {
        p += put;
        n -= put;
        continue;
      }
      if (r != tls::Io::WantRead && r != tls::Io::WantWrite) return false;
      pollfd pf{fd, static_cast<short>(r == tls::Io::WantWrite ? POLLOUT : POLLIN), 0};
      ::poll(&pf, 1, 1000);
      continue;
    }
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd pf{fd, POLLOUT, 0};
        ::poll(&pf, 1, 1000);
        continue;
      }
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}
// The host a certificate must name: HOST of tcp:HOST:PORT (brackets dropped); empty otherwise.
std::string tls_host(const std::string& address) {
  if (address.rfind("tcp:", 0) != 0) return {};
  std::string rest = address.substr(4);
  size_t colon = rest.rfind(':');
  std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host;
}
}  // namespace

bool client_tls(const std::string& ca_file, const std::string& cert_file, const std::string& key_file,
                std::shared_ptr<const tls::Context>& out, std::string& error) {
  std::unique_ptr<tls::Context> ctx = tls::Context::client(ca_file, error, cert_file, key_file);
  if (!ctx || !ctx->set_min_version("1.3", error)) return false;
  out = std::move(ctx);
  return true;
}

bool parse_collector_entry(const std::string& text, CollectorEntry& out, std::string& error) {
  out = CollectorEntry{};
  size_t eq = text.find('=');
  bool labelled = eq != std::string::npos && text.rfind("tcp:", 0) != 0 && text.rfind("unix:", 0) != 0;
  out.address = labelled ? text.substr(eq + 1) : text;
  if (out.address.rfind("tcp:", 0) != 0 && out.address.rfind("unix:", 0) != 0) {
    error = "collector '" + text + "': expected tcp:HOST:PORT, unix:PATH or LABEL=ADDR";
    return false;
  }
  if (labelled) {
    out.label = text.substr(0, eq);
  } else {
    out.label = out.address.substr(out.address.find(':') + 1);
  }
  if (out.label.empty()) {
    error = "collector '" + text + "': an empty label";
    return false;
  }
  return true;
}

bool read_collectors_file(const std::string& path, std::vector<CollectorEntry>& out, std::string& error) {
  std::ifstream f(path);
  if (!f) {
    error = "cannot read the collectors file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(f, line); ++number) {
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") + 1 - b);
    CollectorEntry e;
    if (!parse_collector_entry(line, e, error)) {
      error = path + ":" + std::to_string(number) + ": " + error;
      return false;
    }
    out.push_back(std::move(e));
  }
  return true;
}

bool read_token(const std::string& token_file, std::string& token, std::string& error) {
  token.clear();
  std::string file = token_file;
  if (file.empty())
    if (const char* f = std::getenv("ACTORSCOPE_TOKEN_FILE"); f && *f) file = f;
  // The one token reader every program shares: the same file, or the same text in the
  // environment, means the same token.
  if (!file.empty()) return proto::read_token_file(file, token, error);
  const char* t = std::getenv("ACTORSCOPE_TOKEN");
  if (!t || !*t) return true;
  if (!proto::parse_token(t, token, error)) {
    error = "ACTORSCOPE_TOKEN: " + error;
    return false;
  }
  return true;
}

int connect_address(const std::string& address, std::string& error) {
  if (address.rfind("unix:", 0) == 0) {
    std::string path = address.substr(5);
    sockaddr_un sa{};
    if (path.empty() || path.size() >= sizeof sa.sun_path) {
      error = "bad unix socket path in '" + address + "'";
      return -1;
    }
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, path.data(), path.size());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      error = "cannot connect to " + address + ": " + std::strerror(errno);
      ::close(fd);
      return -1;
    }
    return fd;
  }
  if (address.rfind("tcp:", 0) == 0) {
    std::string rest = address.substr(4);
    size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
      error = "bad address '" + address + "': expected tcp:HOST:PORT";
      return -1;
    }
    std::string host = rest.substr(0, colon), port = rest.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0) {
      error = "cannot resolve " + address + ": " + gai_strerror(rc);
      return -1;
    }
    int fd = -1;
    std::string why = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
      fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
      why = std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
    ::freeaddrinfo(res);
    if (fd < 0) {
      error = "cannot connect to " + address + ": " + why;
      return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
  }
  error = "bad address '" + address + "': expected tcp:HOST:PORT or unix:PATH";
  return -1;
}

// ---- fleet view: one member Client per collector, all applying into the parent's replica ----

struct Client::FleetSource {
  std::string label;
  std::string address;
  uint64_t last_event_seq = 0;       // the newest of its events taken (its own numbering)
  std::vector<pv::Warning> warnings;  // its warnings, node ids translated
  std::string down;                  // non-empty: why it is not connected (its row shows it)
};

namespace {
// A node of collector i is numbered (i + 1) << 24 | its own number: apart from every other
// collector's. The last number of each range is the row of a collector that is down.
constexpr unsigned kFleetShift = 24;
constexpr NodeId kLocalMask = (NodeId{1} << kFleetShift) - 1;
NodeId fleet_id(size_t index, NodeId local) {
  return local == 0 ? 0 : static_cast<NodeId>(((index + 1) << kFleetShift) | (local & kLocalMask));
}
NodeId down_row_id(size_t index) { return fleet_id(index, kLocalMask); }
bool of_source(NodeId id, size_t index) { return (id >> kFleetShift) == index + 1; }
}  // namespace

// Translates the messages of collector `index` into the fleet's replica: node numbers apart,
// node names "LABEL/name", events renumbered in arrival order, warnings of all collectors
// together, and only one collector's ticks (the first one connected) as the fleet's clock.
class Client::FleetSink {
 public:
  FleetSink(Client& fleet, size_t index) : f_(fleet), i_(index), src_(fleet.sources_[index]), r_(fleet.replica_) {}

  void on(const pv::SnapshotBegin&) {
    // This collector's picture is replaced: its nodes go, the others' stay.
    forget_nodes();  // its "collector unreachable" row too
    src_.down.clear();
    src_.warnings.clear();
    publish_warnings();
  }
  void on(const pv::SnapshotEnd& m) {
    r_.on(m);
    f_.members_[i_]->synced_ = true;
  }
  void on(const pv::NodeRow& m) {
    pv::NodeRow n = m;
    n.node = fleet_id(i_, m.node);
    n.name = src_.label + "/" + m.name;
    r_.on(n);
  }
  void on(const pv::NodeRemoved& m) { r_.on(pv::NodeRemoved{fleet_id(i_, m.node)}); }
  void on(const pv::ActorRow& m) {
    pv::ActorRow a = m;
    a.node = fleet_id(i_, m.node);
    r_.on(a);
  }
  void on(const pv::ActorStats& m) {
    pv::ActorStats a = m;
    a.node = fleet_id(i_, m.node);
    r_.on(a);
  }
  void on(const pv::ActorRemoved& m) {
    pv::ActorRemoved a = m;
    a.node = fleet_id(i_, m.node);
    r_.on(a);
  }
  void on(const pv::Event& m) {
    if (m.seq != 0 && m.seq <= src_.last_event_seq) return;  // a snapshot sends recent ones again
    src_.last_event_seq = std::max(src_.last_event_seq, m.seq);
    pv::Event e = m;
    e.node = fleet_id(i_, m.node);
    e.seq = ++f_.fleet_event_seq_;
    r_.on(e);
  }
  void on(const pv::EventsGap& m) {
    pv::EventsGap g = m;
    g.after_seq = f_.fleet_event_seq_;
    f_.fleet_event_seq_ += 1;
    g.before_seq = f_.fleet_event_seq_ + 1;
    r_.on(g);
  }
  void on(const pv::Warnings& m) {
    src_.warnings = m.warnings;
    for (auto& w : src_.warnings) w.node = fleet_id(i_, w.node);
    publish_warnings();
  }
  void on(const pv::TelemetryRow& m) {
    pv::TelemetryRow t = m;
    t.node = fleet_id(i_, m.node);
    r_.on(t);
  }
  void on(const pv::Tick& m) {
    if (f_.clock_member() == i_) r_.on(m);
  }
  void on(const pv::DetailReply& m) {
    pv::DetailReply d = m;
    d.node = fleet_id(i_, m.node);
    for (auto& e : d.events) e.node = fleet_id(i_, e.node);
    r_.on(d);
  }
  void on(const pv::EventsPage& m) {
    pv::EventsPage p = m;
    for (auto& e : p.events) e.node = fleet_id(i_, e.node);
    r_.on(p);
  }
  void on(const pv::SeriesReply& m) { r_.on(m); }
  void on(const pv::InstantShown& m) { r_.on(m); }
  void on(const pv::TimelineReply& m) { r_.on(m); }
  void on(const pv::SubtreeFlowReply& m) {
    pv::SubtreeFlowReply f = m;
    f.node = fleet_id(i_, m.node);
    r_.on(f);
  }
  void on(const pv::CommandResult& m) { r_.on(m); }
  void on(const pv::RequestFailed& m) { r_.on(m); }
  template <class Request>
  void on(const Request&) {}

 private:
  void forget_nodes() {
    std::vector<NodeId> gone;
    for (const auto& [id, n] : r_.nodes())
      if (of_source(id, i_)) gone.push_back(id);
    for (NodeId id : gone) r_.on(pv::NodeRemoved{id});
  }
  void publish_warnings() {
    pv::Warnings all;
    for (const auto& s : f_.sources_) all.warnings.insert(all.warnings.end(), s.warnings.begin(), s.warnings.end());
    r_.on(all);
  }
  Client& f_;
  size_t i_;
  FleetSource& src_;
  Replica& r_;
};

// The fleet's clock: the first collector whose snapshot arrived on a live connection.
size_t Client::clock_member() const {
  for (size_t i = 0; i < members_.size(); ++i)
    if (members_[i]->state_.load() == ClientState::Connected && members_[i]->synced_.load()) return i;
  return members_.size();
}

namespace {
// The answers to what the user asked (detail, an events page, series, a command's result, a
// failure, the timeline), as opposed to the stream of updates.
template <class T>
constexpr bool kIsReply = std::is_same_v<T, pv::DetailReply> || std::is_same_v<T, pv::EventsPage> ||
                          std::is_same_v<T, pv::SeriesReply> || std::is_same_v<T, pv::CommandResult> ||
                          std::is_same_v<T, pv::RequestFailed> || std::is_same_v<T, pv::TimelineReply> ||
                          std::is_same_v<T, pv::SubtreeFlowReply>;

// Passes on only the replies (kReplies) or only the rest of a frame. While paused the stream
// is held, but a question asked meanwhile is answered at once (Detail of an event opened in a
// paused storm used to say "asking the collector" until the pause ended); the held frames are
// applied at the end without their replies, which were applied already.
template <class Handler, bool kReplies>
struct PauseSplit {
  Handler& h;
  template <class T>
  void on(const T& m) {
    if constexpr (kIsReply<T> == kReplies && requires { h.on(m); }) h.on(m);
  }
};

// A frame that holds nothing but the collector's heartbeat (10 a second from an idle system).
bool only_ticks(const uint8_t* payload, size_t len) {
  bool ticks = true;
  proto::detail::decode_tagged(payload, len, [&](uint8_t tag, proto::Reader&, proto::DecodeResult&) {
    ticks = ticks && tag == static_cast<uint8_t>(pv::Tag::Tick);
    return ticks;
  });
  return ticks;
}
}  // namespace

// An export's parts and failures, read off a frame beside the replica (which keeps neither).
struct Client::ExportTap {
  Client& c;
  void on(const pv::ExportPart& m) { c.on_export_part(m); }
  void on(const pv::RequestFailed& m) { c.on_export_failed(m); }
  template <class T>
  void on(const T&) {}
};

bool Client::apply_payload(const uint8_t* payload, size_t len, std::string& error, PayloadPart part) {
  if (export_request_.load() != 0 && part != PayloadPart::Stream) {  // a held frame's replies were read already
    ExportTap tap{*this};
    pv::decode_messages(payload, len, tap);
  }
  auto run = [&](auto& sink) {
    auto go = [&](auto& handler) {
      auto res = pv::decode_messages(payload, len, handler);
      if (!res.ok) error = res.error ? res.error : "malformed view frame";
      return res.ok;
    };
    using Sink = std::remove_reference_t<decltype(sink)>;
    if (part == PayloadPart::Replies) {
      PauseSplit<Sink, true> only{sink};
      return go(only);
    }
    if (part == PayloadPart::Stream) {
      PauseSplit<Sink, false> only{sink};
      return go(only);
    }
    return go(sink);
  };
  if (parent_) {
    FleetSink sink(*parent_, index_);
    return run(sink);
  }
  if (!run(replica_)) return false;
  if (!synced_ && replica_.has_snapshot()) synced_ = true;
  return true;
}

void Client::member_down(size_t index, const std::string& why) {
  FleetSource& src = sources_[index];
  if (src.down == why) return;
  src.down = why;
  // Its nodes stay, marked gone, with their last state; its own row says why.
  std::vector<pv::NodeRow> rows;
  for (const auto& [id, n] : replica_.nodes())
    if (of_source(id, index) && n.connected && id != down_row_id(index)) rows.push_back(n);
  for (auto& n : rows) {
    n.connected = false;
    replica_.on(n);
  }
  pv::NodeRow row;
  row.node = down_row_id(index);
  row.name = src.label + ": collector unreachable";
  row.host = why;
  row.program = src.address;
  replica_.on(row);
  src.warnings.clear();
  FleetSink(*this, index).on(pv::Warnings{});
}

Client* Client::member_of(NodeId node, NodeId& local) {
  local = node & kLocalMask;
  size_t index = (node >> kFleetShift);
  if (index == 0 || index > members_.size()) return nullptr;
  return members_[index - 1].get();
}

Client::Client(ClientOptions options, Client* parent, size_t index) : Client(std::move(options)) {
  parent_ = parent;
  index_ = index;
}

Client::Client(ClientOptions options) : options_(std::move(options)), replica_(options_.replica) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  if (::pipe2(updated_, O_CLOEXEC | O_NONBLOCK) != 0) updated_[0] = updated_[1] = -1;
  status_ = "connecting to " + options_.address;
  if (options_.fleet.size() >= 2) {
    for (size_t i = 0; i < options_.fleet.size(); ++i) {
      ClientOptions m = options_;
      m.fleet.clear();
      m.address = options_.fleet[i].address;
      m.node.clear();  // every node of every collector: --node picks one by its labelled name
      sources_.push_back(FleetSource{options_.fleet[i].label, options_.fleet[i].address, 0, {}, {}});
      members_.push_back(std::unique_ptr<Client>(new Client(m, this, i)));
    }
    status_ = "connecting to " + std::to_string(members_.size()) + " collectors";
  }
}

Client::~Client() {
  stop();
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
  for (int fd : updated_)
    if (fd >= 0) ::close(fd);
}

void Client::signal_update() {
  if (parent_) parent_->signal_update();
  ++updates_;
  if (updated_[1] >= 0) {
    uint8_t b = 0;
    (void)!::write(updated_[1], &b, 1);  // a full pipe already says "updated"
  }
}

void Client::consume_update_signal() {
  if (updated_[0] < 0) return;
  uint8_t drain[64];
  while (::read(updated_[0], drain, sizeof drain) > 0) {
  }
}

void Client::start() {
  if (!members_.empty()) {
    for (auto& m : members_) m->start();
    return;
  }
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Client::stop() {
  for (auto& m : members_) m->stop();
  stopping_ = true;
  if (wake_[1] >= 0) {
    uint8_t b = 0;
    (void)!::write(wake_[1], &b, 1);
  }
  if (thread_.joinable()) thread_.join();
  end_export(ExportStatus::State::Failed, "the viewer stopped before the export was complete");
  state_ = ClientState::Stopped;
}

std::string Client::status() const {
  if (!members_.empty()) {
    // "a: connected, b: unreachable (Connection refused)": one short part per collector.
    std::string out;
    for (const auto& c : collectors()) {
      if (!out.empty()) out += ", ";
      out += c.label + ": ";
      if (c.state == ClientState::Connected) out += "connected";
      else if (!c.error.empty()) out += "unreachable (" + c.error + ")";
      else out += "connecting";
    }
    return out;
  }
  std::lock_guard<std::mutex> g(out_mutex_);
  return status_;
}

std::string Client::connect_error() const {
  if (!members_.empty()) {
    // A fleet goes on while any collector answers: an error only when none does.
    std::string all;
    for (const auto& m : members_) {
      std::string e = m->connect_error();
      if (e.empty()) return {};
      all += (all.empty() ? "" : "; ") + e;
    }
    return all;
  }
  std::lock_guard<std::mutex> g(out_mutex_);
  return connect_error_;
}

ClientState Client::state() const {
  if (members_.empty()) return state_.load();
  bool all_rejected = true;
  for (const auto& m : members_) {
    ClientState s = m->state();
    if (s == ClientState::Connected) return s;
    all_rejected = all_rejected && s == ClientState::Rejected;
  }
  return all_rejected ? ClientState::Rejected : state_.load() == ClientState::Stopped ? ClientState::Stopped : ClientState::Connecting;
}

bool Client::commands_allowed() const {
  if (members_.empty()) return commands_allowed_.load();
  for (const auto& m : members_)
    if (m->commands_allowed()) return true;
  return false;
}

std::vector<CollectorStatus> Client::collectors() const {
  std::vector<CollectorStatus> out;
  if (members_.empty()) {
    CollectorStatus c;
    c.label = options_.address;
    c.address = options_.address;
    c.state = state_.load();
    c.synced = synced_.load();
    c.error = connect_error();
    // Rejected, or lost and not yet back: the status line says why.
    if (c.error.empty() && (c.state == ClientState::Rejected || (c.state == ClientState::Connecting && reconnects_.load() > 0)))
      c.error = status();
    out.push_back(std::move(c));
    return out;
  }
  for (size_t i = 0; i < members_.size(); ++i) {
    CollectorStatus c = members_[i]->collectors().front();
    c.label = options_.fleet[i].label;
    out.push_back(std::move(c));
  }
  return out;
}

bool Client::settled() const {
  for (const auto& c : collectors())
    if (!c.synced && c.error.empty()) return false;
  return true;
}

void Client::set_status(std::string s) {
  std::lock_guard<std::mutex> g(out_mutex_);
  status_ = std::move(s);
}

void Client::queue(std::vector<uint8_t> messages) {
  {
    std::lock_guard<std::mutex> g(out_mutex_);
    pending_.push_back(std::move(messages));
  }
  if (wake_[1] >= 0) {
    uint8_t b = 0;
    (void)!::write(wake_[1], &b, 1);
  }
}

uint64_t Client::request_detail(NodeId node, uint64_t actor) {
  if (!members_.empty()) {
    NodeId local = 0;
    Client* m = member_of(node, local);
    return m ? m->request_detail(local, actor) : 0;
  }
  uint64_t id = next_request();
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::DetailRequest{id, node, actor});
  queue(std::move(m));
  return id;
}

uint64_t Client::request_subtree_flow(NodeId node, uint64_t supervisor, uint32_t max_children) {
  if (!members_.empty()) {
    NodeId local = 0;
    Client* m = member_of(node, local);
    return m ? m->request_subtree_flow(local, supervisor, max_children) : 0;
  }
  uint64_t id = next_request();
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::SubtreeFlowRequest{id, node, supervisor, max_children});
  queue(std::move(m));
  return id;
}

uint64_t Client::request_events(const pv::EventsRequest& q) {
  if (!members_.empty()) {
    // One node: its collector; all nodes: every collector (the last page to come is shown).
    pv::EventsRequest local = q;
    Client* m = q.node ? member_of(q.node, local.node) : nullptr;
    if (m) return m->request_events(local);
    uint64_t id = 0;
    for (auto& each : members_) id = each->request_events(q);
    return id;
  }
  pv::EventsRequest r = q;
  r.request = next_request();
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, r);
  queue(std::move(m));
  return r.request;
}

uint64_t Client::request_series(NodeId node, pv::Metric metric, uint32_t seconds) {
  if (!members_.empty()) {
    NodeId local = 0;
    Client* m = node ? member_of(node, local) : members_[std::min(clock_member(), members_.size() - 1)].get();
    return m ? m->request_series(local, metric, seconds) : 0;
  }
  uint64_t id = next_request();
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::SeriesRequest{id, node, metric, seconds});
  queue(std::move(m));
  return id;
}

uint64_t Client::request_kill(NodeId node, uint64_t actor, const std::string& token) {
  if (!members_.empty()) {
    NodeId local = 0;
    Client* m = member_of(node, local);
    return m ? m->request_kill(local, actor, token) : 0;
  }
  uint64_t id = next_request();
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::KillRequest{id, node, actor, token});
  queue(std::move(m));
  return id;
}

void Client::resubscribe(const std::string& node) {
  if (!members_.empty()) {
    // "LABEL/name": that collector narrows to its node; the others send everything.
    for (size_t i = 0; i < members_.size(); ++i) {
      std::string prefix = options_.fleet[i].label + "/";
      members_[i]->resubscribe(node.rfind(prefix, 0) == 0 ? node.substr(prefix.size()) : std::string());
    }
    return;
  }
  {
    std::lock_guard<std::mutex> g(out_mutex_);
    options_.node = node;  // used again at the next reconnect
  }
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::Subscribe{node, options_.delta_hz});
  queue(std::move(m));
}

uint64_t Client::show_instant(uint64_t wall_ns) {
  instant_wall_ns_ = wall_ns;
  uint64_t id = 0;
  if (!members_.empty()) {  // every collector of the fleet shows the same instant
    for (auto& m : members_) id = m->show_instant(wall_ns);
    return id;
  }
  id = next_request();
  instant_request_ = id;
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::ShowInstant{id, wall_ns});
  queue(std::move(m));
  return id;
}

uint64_t Client::request_timeline(uint64_t from_wall_ns, uint64_t to_wall_ns) {
  if (!members_.empty()) {
    Client* m = members_[std::min(clock_member(), members_.size() - 1)].get();
    return m->request_timeline(from_wall_ns, to_wall_ns);
  }
  uint64_t id = next_request();
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::TimelineRequest{id, from_wall_ns, to_wall_ns});
  queue(std::move(m));
  return id;
}

bool Client::start_export(const std::string& path, std::string& error) {
  if (!members_.empty()) {
    Client* m = members_[std::min(clock_member(), members_.size() - 1)].get();
    return m->start_export(path, error);
  }
  std::lock_guard<std::mutex> g(export_mutex_);
  if (export_.state == ExportStatus::State::Running) {
    error = "an export to " + export_.path + " is running";
    return false;
  }
  std::FILE* f = std::fopen((path + ".part").c_str(), "wb");
  if (!f) {
    error = "cannot write " + path + ".part: " + std::strerror(errno);
    return false;
  }
  export_file_ = f;
  export_ = ExportStatus{};
  export_.state = ExportStatus::State::Running;
  export_.path = path;
  const uint64_t id = next_request();
  std::vector<uint8_t> m;
  proto::Writer w(m);
  pv::encode(w, pv::ExportRequest{id, 0});
  {
    std::lock_guard<std::mutex> o(out_mutex_);  // see session(): asked for once, whenever the connection starts
    export_request_ = id;
    pending_.push_back(std::move(m));
  }
  if (wake_[1] >= 0) {
    uint8_t b = 0;
    (void)!::write(wake_[1], &b, 1);
  }
  return true;
}

ExportStatus Client::export_status() const {
  if (!members_.empty()) {
    ExportStatus newest;
    for (const auto& m : members_) {
      ExportStatus s = m->export_status();
      if (s.state != ExportStatus::State::None) newest = s;
    }
    return newest;
  }
  std::lock_guard<std::mutex> g(export_mutex_);
  return export_;
}

// On the client's thread: a part is appended, and the next one asked for.
void Client::on_export_part(const pv::ExportPart& m) {
  std::unique_lock<std::mutex> g(export_mutex_);
  if (m.request != export_request_.load() || !export_file_) return;
  if (m.offset != export_.bytes) {
    g.unlock();
    end_export(ExportStatus::State::Failed, "the collector sent byte " + std::to_string(m.offset) + ", not " +
                                                std::to_string(export_.bytes));
    return;
  }
  if (!m.bytes.empty() && std::fwrite(m.bytes.data(), 1, m.bytes.size(), export_file_) != m.bytes.size()) {
    const std::string why = "cannot write " + export_.path + ".part: " + std::strerror(errno);
    g.unlock();
    end_export(ExportStatus::State::Failed, why);
    return;
  }
  export_.bytes += m.bytes.size();
  export_.begins_wall_ns = m.begins_wall_ns;
  export_.ends_wall_ns = m.ends_wall_ns;
  if (m.last) {
    g.unlock();
    end_export(ExportStatus::State::Done, "");
    return;
  }
  const uint64_t id = next_request();
  export_request_ = id;
  std::vector<uint8_t> next;
  proto::Writer w(next);
  pv::encode(w, pv::ExportRequest{id, export_.bytes});
  g.unlock();
  queue(std::move(next));
}

void Client::on_export_failed(const pv::RequestFailed& m) {
  if (m.request != 0 && m.request == export_request_.load()) end_export(ExportStatus::State::Failed, m.message);
}

// Closes the file: complete, it takes its name; else the partial file goes.
void Client::end_export(ExportStatus::State state, const std::string& error) {
  std::lock_guard<std::mutex> g(export_mutex_);
  if (export_.state != ExportStatus::State::Running) return;
  export_request_ = 0;
  bool ok = state == ExportStatus::State::Done;
  if (export_file_ && std::fclose(export_file_) != 0 && ok) {
    ok = false;
    export_.error = "cannot write " + export_.path + ".part: " + std::strerror(errno);
  }
  export_file_ = nullptr;
  const std::string part = export_.path + ".part";
  if (ok && std::rename(part.c_str(), export_.path.c_str()) != 0) {
    ok = false;
    export_.error = "cannot rename " + part + " to " + export_.path + ": " + std::strerror(errno);
  }
  if (!ok) {
    std::remove(part.c_str());
    if (export_.error.empty()) export_.error = error;
  }
  export_.state = ok ? ExportStatus::State::Done : ExportStatus::State::Failed;
}

void Client::set_paused(bool paused) {
  if (!members_.empty()) {
    paused_ = paused;
    for (auto& m : members_) m->set_paused(paused);
    return;
  }
  bool resnapshot = false;
  {
    std::lock_guard<std::mutex> g(replica_mutex());
    paused_ = paused;
    if (!paused) {
      if (held_overflow_) {
        resnapshot = true;
      } else {
        std::string ignored;
        for (auto& f : held_) apply_payload(f.data(), f.size(), ignored, PayloadPart::Stream);
      }
      held_.clear();
      held_bytes_ = 0;
      held_overflow_ = false;
    }
  }
  if (resnapshot) {
    std::string node;
    {
      std::lock_guard<std::mutex> g(out_mutex_);
      node = options_.node;
    }
    resubscribe(node);
  }
  signal_update();
}

void Client::run() {
  uint32_t backoff = options_.backoff_min_ms;
  while (!stopping_) {
    std::string error;
    state_ = ClientState::Connecting;
    int fd = connect_address(options_.address, error);
    if (fd >= 0) {
      {
        std::lock_guard<std::mutex> g(out_mutex_);
        connect_error_.clear();
      }
      std::unique_ptr<tls::Session> tls;
      if (options_.tls) {
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        tls = handshake(fd);
      }
      bool handshook = false;
      if (!options_.tls || tls) {
        tls_ = tls.get();
        handshook = session(fd);
        tls_ = nullptr;
        if (tls) tls->shutdown();
      }
      tls.reset();
      ::close(fd);
      if (handshook) backoff = options_.backoff_min_ms;
      // An export's offsets belong to the connection that served it.
      if (export_request_.load() != 0) end_export(ExportStatus::State::Failed, "the connection to the collector was lost");
      if (stopping_) break;
      ++reconnects_;
      state_ = ClientState::Connecting;  // not connected any more, even before the next attempt
      if (parent_) report_down(status());
    } else {
      {
        std::lock_guard<std::mutex> g(out_mutex_);
        connect_error_ = error;
      }
      set_status(error + " (retrying)");
      if (parent_) report_down(error);
    }
    // Wait for the backoff, or for stop().
    pollfd pf{wake_[0], POLLIN, 0};
    ::poll(&pf, 1, static_cast<int>(backoff));
    backoff = std::min(backoff * 2, options_.backoff_max_ms);
  }
  state_ = ClientState::Stopped;
}

std::unique_ptr<tls::Session> Client::handshake(int fd) {
  auto tls = std::make_unique<tls::Session>(*options_.tls, fd, tls_host(options_.address));
  // Bounded like the collector's own handshake deadline, and stop() interrupts it.
  uint64_t deadline = clock_ns(CLOCK_MONOTONIC) + 10'000'000'000ull;
  for (;;) {
    tls::Io r = tls->handshake();
    if (r == tls::Io::Done) return tls;
    std::string why;
    if (r == tls::Io::Error || r == tls::Io::Closed) {
      why = tls->error();
      // What OpenSSL says when the answer is not TLS at all (a plaintext collector's Reject).
      if (why.find("wrong version number") != std::string::npos || why.find("packet length too long") != std::string::npos)
        why += " (the collector does not speak TLS on this port: start it with --tls-cert and --tls-key, or drop --tls-ca)";
    }
    else if (clock_ns(CLOCK_MONOTONIC) >= deadline) why = "no answer within 10 s";
    if (!why.empty()) {
      // A certificate that does not verify is not fixed by retrying: say it like a rejection.
      // The reason first: a reader that sees the state reads the status after it.
      set_status("TLS handshake with " + options_.address + " failed: " + why);
      state_ = ClientState::Rejected;
      return nullptr;
    }
    pollfd pf[2] = {{fd, static_cast<short>(r == tls::Io::WantWrite ? POLLOUT : POLLIN), 0}, {wake_[0], POLLIN, 0}};
    ::poll(pf, 2, 1000);
    if (stopping_) return nullptr;
  }
}

void Client::report_down(const std::string& why) {
  synced_ = false;
  {
    std::lock_guard<std::mutex> g(parent_->mutex_);
    parent_->member_down(index_, why);
  }
  parent_->signal_update();
}

// One connection's life. Returns true when the handshake succeeded.
bool Client::session(int fd) {
  commands_allowed_ = false;  // until this connection's Welcome says otherwise
  synced_ = false;
  uint32_t seq_out = 0;
  std::vector<uint8_t> out;
  proto::Hello hello;
  hello.role = proto::Role::Viewer;
  hello.token = options_.token;
  hello.node = "viewer";
  hello.pid = static_cast<uint64_t>(::getpid());
  hello.program = "actorscope-viewer";
  hello.anchor_mono_ns = clock_ns(CLOCK_MONOTONIC);
  hello.anchor_wall_ns = clock_ns(CLOCK_REALTIME);
  hello.max_frame = options_.max_frame;
  hello.capabilities = proto::kCapCommands;
  {
    size_t at = proto::begin_frame(out, proto::FrameType::Hello, seq_out++);
    proto::Writer w(out);
    proto::encode(w, hello);
    proto::finish_frame(out, at);
  }
  {
    std::string node;
    {
      std::lock_guard<std::mutex> g(out_mutex_);
      node = options_.node;
    }
    size_t at = proto::begin_frame(out, proto::FrameType::View, seq_out++);
    proto::Writer w(out);
    // A past instant shown before a reconnect is asked for again: the new session starts live.
    // (With the same request id: the answer is the one the viewer waits for.)
    if (const uint64_t instant = instant_wall_ns_.load()) pv::encode(w, pv::ShowInstant{instant_request_.load(), instant});
    pv::encode(w, pv::Subscribe{node, options_.delta_hz});
    proto::finish_frame(out, at);
  }
  // Requests made before this connection are stale: drop them. An export asked for before it
  // starts with it (one that had begun ended with the connection that served it); read under
  // the same lock as start_export() sets it, so that it is asked for once.
  {
    std::lock_guard<std::mutex> g(out_mutex_);
    pending_.clear();
    if (const uint64_t request = export_request_.load()) {
      const size_t at = proto::begin_frame(out, proto::FrameType::View, seq_out++);
      proto::Writer w(out);
      pv::encode(w, pv::ExportRequest{request, 0});
      proto::finish_frame(out, at);
    }
  }
  if (!write_all(fd, tls_, out.data(), out.size())) {
    set_status("connection to " + options_.address + " lost while saying hello (retrying)");
    return false;
  }
  proto::FrameDecoder decoder(options_.max_frame);
  bool welcomed = false;
  std::vector<uint8_t> buf(256 * 1024);
  bool tls_wants_write = false;
  while (!stopping_) {
    // Bytes TLS already holds are read without waiting for the socket.
    bool buffered = tls_ && tls_->has_pending();
    pollfd pf[2] = {{fd, static_cast<short>(tls_wants_write ? POLLOUT : POLLIN), 0}, {wake_[0], POLLIN, 0}};
    int rc = ::poll(pf, 2, buffered ? 0 : 1000);
    if (rc < 0 && errno != EINTR) break;
    if (buffered) pf[0].revents |= POLLIN;
    if (pf[1].revents & POLLIN) {
      uint8_t drain[64];
      while (::read(wake_[0], drain, sizeof drain) > 0) {
      }
      std::vector<std::vector<uint8_t>> msgs;
      {
        std::lock_guard<std::mutex> g(out_mutex_);
        msgs.swap(pending_);
      }
      if (!msgs.empty() && !welcomed) {  // asked for during the handshake: sent once welcomed
        std::lock_guard<std::mutex> g(out_mutex_);
        msgs.insert(msgs.end(), std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
        pending_.swap(msgs);
        msgs.clear();
      }
      if (!msgs.empty() && welcomed) {
        out.clear();
        size_t at = proto::begin_frame(out, proto::FrameType::View, seq_out++);
        for (auto& m : msgs) out.insert(out.end(), m.begin(), m.end());
        proto::finish_frame(out, at);
        if (!write_all(fd, tls_, out.data(), out.size())) break;
      }
    }
    if (!(pf[0].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR))) continue;
    ssize_t n = 0;
    if (tls_) {
      size_t got = 0;
      tls::Io r = tls_->read(reinterpret_cast<char*>(buf.data()), buf.size(), got);
      tls_wants_write = r == tls::Io::WantWrite;
      if (r == tls::Io::WantRead || r == tls::Io::WantWrite) continue;
      if (r == tls::Io::Error) {
        // Under TLS 1.3 a collector that refuses our certificate says so after the handshake.
        set_status("TLS session with " + options_.address + " failed: " + tls_->error() + (welcomed ? " (reconnecting)" : ""));
        if (!welcomed) state_ = ClientState::Rejected;
        return welcomed;
      }
      n = r == tls::Io::Done ? static_cast<ssize_t>(got) : 0;
    } else {
      n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    }
    if (n <= 0) {
      set_status("collector at " + options_.address + " closed the connection (reconnecting)");
      return welcomed;
    }
    decoder.feed(buf.data(), static_cast<size_t>(n));
    proto::FrameHeader h;
    const uint8_t* payload = nullptr;
    bool applied = false;
    std::unique_lock<std::mutex> replica_lock(replica_mutex(), std::defer_lock);
    while (decoder.next(h, payload)) {
      if (h.type == proto::FrameType::Welcome) {
        proto::Reader r(payload, h.length);
        proto::Welcome wm;
        std::string err;
        if (!proto::decode(r, wm, err)) {
          set_status("bad welcome from " + options_.address + ": " + err);
          return false;
        }
        welcomed = true;
        if (wake_[1] >= 0) {  // what was asked for during the handshake goes now
          uint8_t b = 0;
          (void)!::write(wake_[1], &b, 1);
        }
        commands_allowed_ = (wm.capabilities & proto::kCapCommands) != 0;
        state_ = ClientState::Connected;
        set_status("connected to " + options_.address + " (" + wm.collector + ")");
      } else if (h.type == proto::FrameType::Reject) {
        proto::Reader r(payload, h.length);
        proto::Reject rj;
        std::string err;
        proto::decode(r, rj, err);
        set_status("rejected by " + options_.address + ": " + rj.message);
        state_ = ClientState::Rejected;
        return false;
      } else if (h.type == proto::FrameType::View) {
        if (!replica_lock.owns_lock()) replica_lock.lock();
        if (paused_) {
          std::string bad;
          if (apply_payload(payload, h.length, bad, PayloadPart::Replies)) applied = true;
          if (!held_overflow_ && held_bytes_ + h.length <= options_.max_held_bytes) {
            held_.emplace_back(payload, payload + h.length);
            held_bytes_ += h.length;
          } else {
            held_overflow_ = true;
            held_.clear();
            held_bytes_ = 0;
          }
          continue;
        }
        std::string bad;
        if (!apply_payload(payload, h.length, bad)) {
          set_status("bad view frame from " + options_.address + ": " + bad);
          return welcomed;
        }
        if (options_.wake_on_ticks || !only_ticks(payload, h.length)) applied = true;
      } else if (h.type == proto::FrameType::Goodbye) {
        set_status("collector at " + options_.address + " said goodbye (reconnecting)");
        return welcomed;
      }
    }
    if (replica_lock.owns_lock()) replica_lock.unlock();
    if (applied) signal_update();
    if (decoder.failed()) {
      set_status("protocol error from " + options_.address + ": " + decoder.error());
      return welcomed;
    }
  }
  return welcomed;
}

}  // namespace actorscope::view
