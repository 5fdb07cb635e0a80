// Hidden C node connection, epmd probe, relay bootstrap and relay calls.
#include "target.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "relay_source.hpp"

namespace actorscope::beam {
namespace {

std::atomic<unsigned> g_instance{0};

struct Buffer {  // an ei_x_buff that frees itself
  ei_x_buff x{};
  explicit Buffer(bool version) { version ? ei_x_new_with_version(&x) : ei_x_new(&x); }
  ~Buffer() { ei_x_free(&x); }
};

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

bool split_node(const std::string& node, std::string& alive, std::string& host) {
  auto at = node.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == node.size()) return false;
  alive = node.substr(0, at);
  host = node.substr(at + 1);
  return true;
}

bool is_long_host(const std::string& host) { return host.find('.') != std::string::npos || host.find(':') != std::string::npos; }

std::string own_host(const std::string& target_host, bool long_names) {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  std::string h = buf;
  if (!long_names) return h.substr(0, h.find('.'));
  // A target on loopback or named by address: share its form, so the names match.
  in6_addr a6;
  in_addr a4;
  if (target_host == "localhost" || inet_pton(AF_INET, target_host.c_str(), &a4) == 1 ||
      inet_pton(AF_INET6, target_host.c_str(), &a6) == 1)
    return target_host;
  addrinfo hints{}, *res = nullptr;
  hints.ai_flags = AI_CANONNAME;
  if (getaddrinfo(h.c_str(), nullptr, &hints, &res) == 0 && res) {
    if (res->ai_canonname && std::strchr(res->ai_canonname, '.')) h = res->ai_canonname;
    freeaddrinfo(res);
  }
  return h;
}

// Connects a TCP socket within timeout_ms; -1 on failure.
int dial(const std::string& host, int port, unsigned timeout_ms, std::string& why) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    why = std::string("cannot resolve host: ") + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  why = "connection refused";
  for (addrinfo* ai = res; ai && fd < 0; ai = ai->ai_next) {
    int s = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) continue;
    if (::connect(s, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      why = std::strerror(errno);
      ::close(s);
      continue;
    }
    pollfd p{s, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, static_cast<int>(timeout_ms)) != 1 || getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
      why = err ? std::strerror(err) : "timed out";
      ::close(s);
      continue;
    }
    fd = s;
  }
  freeaddrinfo(res);
  return fd;
}

bool read_full(int fd, uint8_t* p, size_t n, unsigned timeout_ms) {
  uint64_t deadline = now_ms() + timeout_ms;
  while (n > 0) {
    uint64_t now = now_ms();
    if (now >= deadline) return false;
    pollfd pf{fd, POLLIN, 0};
    if (poll(&pf, 1, static_cast<int>(deadline - now)) != 1) return false;
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

Target::Target(TargetOptions options) : options_(std::move(options)) {}

Target::~Target() { close(); }

void Target::drop(std::string& error, const std::string& why) {
  error = why;
  if (fd_ >= 0) ei_close_connection(fd_);
  fd_ = -1;
  have_relay_ = false;
  pending_ref_ = 0;
}

// Asks epmd on the target's host whether the node is registered (PORT_PLEASE2_REQ), so that
// "no epmd" and "node not running" get their own messages before the handshake is tried.
bool Target::check_epmd(std::string& error) {
  std::string alive, host;
  split_node(options_.node, alive, host);
  int port = 4369;
  if (const char* p = std::getenv("ERL_EPMD_PORT")) port = std::atoi(p);
  std::string why;
  int fd = dial(host, port, options_.call_timeout_ms, why);
  if (fd < 0) {
    error = "no epmd on " + host + ":" + std::to_string(port) + " (" + why +
            "): is the node running? epmd starts with the first distributed node";
    return false;
  }
  std::vector<uint8_t> req;
  uint16_t len = static_cast<uint16_t>(alive.size() + 1);
  req.push_back(static_cast<uint8_t>(len >> 8));
  req.push_back(static_cast<uint8_t>(len));
  req.push_back(122);  // PORT_PLEASE2_REQ
  req.insert(req.end(), alive.begin(), alive.end());
  bool sent = ::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size());
  uint8_t resp[2] = {};
  bool ok = sent && read_full(fd, resp, 2, options_.call_timeout_ms);
  ::close(fd);
  if (!ok || resp[0] != 119) {
    error = "epmd on " + host + ":" + std::to_string(port) + " did not answer: is it an epmd?";
    return false;
  }
  if (resp[1] != 0) {
    error = "node " + options_.node + " is not running (epmd on " + host + " does not know '" + alive + "')";
    return false;
  }
  return true;
}

bool Target::connect(std::string& error) {
  close();
  std::string alive, host;
  if (!split_node(options_.node, alive, host)) {
    error = "node name '" + options_.node + "': expected name@host";
    return false;
  }
  if (!check_epmd(error)) return false;

  bool long_names = is_long_host(host);
  std::string self_host = own_host(host, long_names);
  std::string self_alive = "actorscope_beam_" + std::to_string(getpid()) + "_" + std::to_string(g_instance++);
  std::string self_node = self_alive + "@" + self_host;
  in_addr any{};
  if (ei_connect_xinit(&ec_, self_host.c_str(), self_alive.c_str(), self_node.c_str(), &any,
                       options_.cookie.c_str(), 0) < 0) {
    error = "cannot set up the C node '" + self_node + "'";
    return false;
  }
  std::string name = options_.node;
  int fd = ei_connect_tmo(&ec_, name.data(), options_.call_timeout_ms);
  if (fd < 0) {
    int e = erl_errno;
    if (e == ETIMEDOUT)
      error = "node " + options_.node + " did not complete the handshake within " +
              std::to_string(options_.call_timeout_ms) + " ms (node busy or unreachable)";
    else
      error = "node " + options_.node + " refused the handshake: wrong cookie? (cookie from " +
              options_.cookie_origin + ")" + (long_names ? "" : "; or the node uses long names (-name)");
    return false;
  }
  fd_ = fd;
  // Requests are small and answered at once: without this, Nagle and delayed ACKs add tens
  // of milliseconds to each of them.
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!bootstrap_relay(error)) {
    close();
    return false;
  }
  creation_ = relay_.creation;

  Term reply;
  if (!call([](ei_x_buff& x) { ei_x_encode_atom(&x, "info"); }, reply, error)) return false;
  if (const Term* t = reply.get("otp_release")) info_.otp_release = t->text;
  if (const Term* t = reply.get("erts_version")) info_.erts_version = t->text;
  if (const Term* t = reply.get("os_pid")) info_.os_pid = std::strtoull(t->text.c_str(), nullptr, 10);
  if (const Term* t = reply.get("schedulers")) info_.schedulers = static_cast<int>(t->as_int(1));
  if (const Term* t = reply.get("restart_reports")) info_.restart_reports = t->is_atom("true");
  if (const Term* t = reply.get("initial_call_key")) info_.initial_call_key = t->is_atom("true");
  if (const Term* t = reply.get("iterator")) info_.iterator = t->is_atom("true");
  int release = std::atoi(info_.otp_release.c_str());
  if (release < 23) {
    error = "node " + options_.node + " runs OTP " + info_.otp_release + ": actorscope-beam needs OTP 23 or later";
    close();
    return false;
  }
  return true;
}

// One rpc through the node's rex server, for the bootstrap only. `raw` receives the reply
// term's bytes (with a version byte), so that a reply can be passed on unchanged.
bool Target::rpc(const char* mod, const char* fun, const ei_x_buff& args, Term& reply, std::string& raw,
                 std::string& error) {
  if (ei_rpc_to(&ec_, fd_, const_cast<char*>(mod), const_cast<char*>(fun), args.buff, args.index) < 0) {
    drop(error, "lost the connection to " + options_.node + " during attach");
    return false;
  }
  uint64_t deadline = now_ms() + options_.call_timeout_ms;
  Buffer x(false);
  for (;;) {
    uint64_t now = now_ms();
    if (now >= deadline) {
      drop(error, "node " + options_.node + " did not answer " + mod + ":" + fun + " within " +
                      std::to_string(options_.call_timeout_ms) + " ms");
      return false;
    }
    erlang_msg msg{};
    bool got = false;
    if (!receive(static_cast<unsigned>(deadline - now), x.x, msg, got, error)) return false;
    if (!got) continue;
    int index = 0, version = 0, arity = 0;
    char atom[MAXATOMLEN_UTF8];
    if (ei_decode_version(x.x.buff, &index, &version) != 0 || ei_decode_tuple_header(x.x.buff, &index, &arity) != 0 ||
        arity != 2 || ei_decode_atom(x.x.buff, &index, atom) != 0 || std::strcmp(atom, "rex") != 0)
      continue;
    int start = index;
    if (!decode_term(x.x.buff, &index, reply)) {
      drop(error, std::string("unreadable answer to ") + mod + ":" + fun);
      return false;
    }
    raw.assign(1, static_cast<char>(131));  // the external format's version byte
    raw.append(x.x.buff + start, x.x.buff + index);
    return true;
  }
}

bool Target::bootstrap_relay(std::string& error) {
  Term reply;
  std::string raw;
  {  // erl_scan:string(Source)
    Buffer args(false);
    ei_x_encode_list_header(&args.x, 1);
    ei_x_encode_string(&args.x, relay_source());
    ei_x_encode_empty_list(&args.x);
    if (!rpc("erl_scan", "string", args.x, reply, raw, error)) return false;
  }
  // {ok, Tokens, EndLocation}: pass Tokens back as they came.
  auto element = [](const std::string& raw_term, int n, std::string& out) {
    int index = 1, arity = 0;
    if (ei_decode_tuple_header(raw_term.data(), &index, &arity) != 0 || arity <= n) return false;
    for (int i = 0; i < n; ++i)
      if (ei_skip_term(raw_term.data(), &index) != 0) return false;
    int start = index;
    if (ei_skip_term(raw_term.data(), &index) != 0) return false;
    out.assign(raw_term.data() + start, raw_term.data() + index);
    return true;
  };
  std::string tokens, exprs;
  if (!reply.is_tuple(3) || !reply.items[0].is_atom("ok") || !element(raw, 1, tokens)) {
    drop(error, "node " + options_.node + " could not scan the relay's source");
    return false;
  }
  {  // erl_parse:parse_exprs(Tokens)
    Buffer args(false);
    ei_x_encode_list_header(&args.x, 1);
    ei_x_append_buf(&args.x, tokens.data(), static_cast<int>(tokens.size()));
    ei_x_encode_empty_list(&args.x);
    if (!rpc("erl_parse", "parse_exprs", args.x, reply, raw, error)) return false;
  }
  if (!reply.is_tuple(2) || !reply.items[0].is_atom("ok") || !element(raw, 1, exprs)) {
    drop(error, "node " + options_.node + " could not parse the relay's source");
    return false;
  }
  {  // erl_eval:exprs(Exprs, [{'Owner', Self}]): spawns the relay
    Buffer args(false);
    ei_x_encode_list_header(&args.x, 2);
    ei_x_append_buf(&args.x, exprs.data(), static_cast<int>(exprs.size()));
    ei_x_encode_list_header(&args.x, 1);
    ei_x_encode_tuple_header(&args.x, 2);
    ei_x_encode_atom(&args.x, "Owner");
    ei_x_encode_pid(&args.x, ei_self(&ec_));
    ei_x_encode_empty_list(&args.x);
    ei_x_encode_empty_list(&args.x);
    if (!rpc("erl_eval", "exprs", args.x, reply, raw, error)) return false;
  }
  if (!reply.is_tuple(3) || !reply.items[0].is_atom("value") || !reply.items[1].is_tuple(2) ||
      reply.items[1].items[0].kind != Term::Kind::Pid) {
    drop(error, "node " + options_.node + " could not start the relay");
    return false;
  }
  {  // the relay's full pid, node name included, and the tag of its messages:
     // {value, {Pid, Tag}, Bindings}
    int index = 1, arity = 0, inner = 0;
    if (ei_decode_tuple_header(raw.data(), &index, &arity) != 0 || ei_skip_term(raw.data(), &index) != 0 ||
        ei_decode_tuple_header(raw.data(), &index, &inner) != 0 || inner != 2 ||
        ei_decode_pid(raw.data(), &index, &relay_) != 0) {
      drop(error, "node " + options_.node + " could not start the relay");
      return false;
    }
    int start = index;
    if (ei_skip_term(raw.data(), &index) != 0) {
      drop(error, "node " + options_.node + " could not start the relay");
      return false;
    }
    tag_.assign(raw.data() + start, raw.data() + index);
  }
  have_relay_ = true;
  return true;
}

// One message, or none within ms. False (and the connection dropped) when the link is lost.
bool Target::receive(unsigned ms, ei_x_buff& x, erlang_msg& msg, bool& got, std::string& error) {
  got = false;
  x.index = 0;
  int r = ei_xreceive_msg_tmo(fd_, &msg, &x, ms == 0 ? 1 : ms);
  if (r == ERL_TICK) return true;  // ei has answered the tick
  if (r == ERL_ERROR) {
    if (erl_errno == ETIMEDOUT || erl_errno == EAGAIN) return true;
    drop(error, "lost the connection to " + options_.node + " (node down?)");
    return false;
  }
  got = msg.msgtype == ERL_SEND || msg.msgtype == ERL_REG_SEND;
  return true;
}

void Target::handle_async(const Term& t) {
  // {actorscope_event, restart, Ctx, Sup, Id, Old, Class, Why}
  if (!t.is_tuple(8) || !t.items[0].is_atom("actorscope_event") || !t.items[1].is_atom("restart")) return;
  if (reports_.size() >= 10000) return;  // a storm: the tree diff catches up
  RestartReport r;
  r.context = t.items[2].text;
  if (t.items[3].kind == Term::Kind::Pid) r.supervisor = t.items[3].pid, r.has_supervisor = true;
  r.child_id = t.items[4].text;
  if (t.items[5].kind == Term::Kind::Pid) r.old_pid = t.items[5].pid, r.has_old = true;
  r.reason_class = t.items[6].text;
  r.reason_text = t.items[7].text;
  reports_.push_back(std::move(r));
}

bool Target::reply_of(const ei_x_buff& x, uint64_t& ref, int& at) {
  int index = 0, version = 0, arity = 0, type = 0, size = 0;
  char atom[MAXATOMLEN_UTF8];
  unsigned long long r = 0;
  if (ei_decode_version(x.buff, &index, &version) != 0) return false;
  int start = index;
  if (ei_decode_tuple_header(x.buff, &index, &arity) == 0 && arity == 3 && ei_get_type(x.buff, &index, &type, &size) == 0 &&
      (type == ERL_ATOM_EXT || type == ERL_SMALL_ATOM_EXT || type == ERL_ATOM_UTF8_EXT || type == ERL_SMALL_ATOM_UTF8_EXT) &&
      ei_decode_atom(x.buff, &index, atom) == 0 && std::strcmp(atom, "actorscope_reply") == 0 &&
      ei_decode_ulonglong(x.buff, &index, &r) == 0) {
    ref = r;
    at = index;
    return true;
  }
  Term t;
  index = start;
  if (decode_term(x.buff, &index, t)) handle_async(t);
  return false;
}

bool Target::call(const std::function<void(ei_x_buff&)>& encode, Term& reply, std::string& error) {
  std::string raw;
  int at = 0;
  if (!call_raw(encode, raw, at, error)) return false;
  if (!decode_term(raw.data(), &at, reply)) {
    error = "unreadable answer from " + options_.node;
    return false;
  }
  return true;
}

bool Target::call_raw(const std::function<void(ei_x_buff&)>& encode, std::string& reply, int& at, std::string& error) {
  if (fd_ < 0 || !have_relay_) {
    error = "not connected to " + options_.node;
    return false;
  }
  Buffer x(false);
  erlang_msg msg{};
  uint64_t deadline = now_ms() + options_.call_timeout_ms;
  auto timed_out = [&](const std::string& why) {
    if (++timeouts_in_row_ >= 3)
      drop(error, "node " + options_.node + " stopped answering (3 calls timed out); reconnecting");
    else
      error = why;
    return false;
  };
  // One outstanding call: a late reply to a timed-out call is awaited first.
  while (pending_ref_ != 0) {
    uint64_t now = now_ms();
    if (now >= deadline) return timed_out("node " + options_.node + " is slow: a previous request is still unanswered");
    bool got = false;
    if (!receive(static_cast<unsigned>(deadline - now), x.x, msg, got, error)) return false;
    uint64_t ref = 0;
    int start = 0;
    if (got && reply_of(x.x, ref, start) && ref == pending_ref_) pending_ref_ = 0;
  }
  uint64_t ref = next_ref_++;
  {
    Buffer req(true);
    ei_x_encode_tuple_header(&req.x, 2);
    ei_x_append_buf(&req.x, tag_.data(), static_cast<int>(tag_.size()));
    ei_x_encode_tuple_header(&req.x, 2);
    ei_x_encode_ulong(&req.x, ref);
    encode(req.x);
    if (ei_send_tmo(fd_, &relay_, req.x.buff, req.x.index, options_.call_timeout_ms) < 0) {
      drop(error, "lost the connection to " + options_.node + " (send failed)");
      return false;
    }
  }
  for (;;) {
    uint64_t now = now_ms();
    if (now >= deadline) {
      pending_ref_ = ref;
      return timed_out("node " + options_.node + " did not answer within " + std::to_string(options_.call_timeout_ms) + " ms");
    }
    bool got = false;
    if (!receive(static_cast<unsigned>(deadline - now), x.x, msg, got, error)) return false;
    uint64_t got_ref = 0;
    int start = 0;
    if (!got || !reply_of(x.x, got_ref, start) || got_ref != ref) continue;  // a late answer to an abandoned call
    reply.assign(x.x.buff, static_cast<size_t>(x.x.buffsz));  // the term delimits itself
    at = start;
    timeouts_in_row_ = 0;
    return true;
  }
}

bool Target::idle(unsigned ms, std::string& error) {
  if (fd_ < 0) {
    error = "not connected to " + options_.node;
    return false;
  }
  Buffer x(false);
  uint64_t deadline = now_ms() + ms;
  for (;;) {
    uint64_t now = now_ms();
    if (now >= deadline) return true;
    erlang_msg msg{};
    bool got = false;
    if (!receive(static_cast<unsigned>(deadline - now), x.x, msg, got, error)) return false;
    if (!got) continue;
    uint64_t ref = 0;
    int start = 0;
    if (reply_of(x.x, ref, start) && pending_ref_ != 0 && ref == pending_ref_) pending_ref_ = 0;
  }
}

std::vector<RestartReport> Target::take_reports() {
  std::vector<RestartReport> out;
  out.swap(reports_);
  return out;
}

bool Target::report_pending_for(const Pid& child) const {
  for (const RestartReport& r : reports_)
    if (r.has_old && actor_id(r.old_pid) == actor_id(child)) return true;
  return false;
}

bool Target::report_pending_from(const Pid& supervisor) const {
  for (const RestartReport& r : reports_)
    if (r.has_supervisor && actor_id(r.supervisor) == actor_id(supervisor)) return true;
  return false;
}

void Target::encode_pid(ei_x_buff& x, const Pid& p) const {
  erlang_pid full = relay_;  // same node: name and creation
  full.num = p.num;
  full.serial = p.serial;
  full.creation = p.creation;
  ei_x_encode_pid(&x, &full);
}

void Target::close() {
  if (fd_ >= 0 && have_relay_) {
    Buffer req(true);
    ei_x_encode_tuple_header(&req.x, 2);
    ei_x_append_buf(&req.x, tag_.data(), static_cast<int>(tag_.size()));
    ei_x_encode_tuple_header(&req.x, 2);
    ei_x_encode_ulong(&req.x, 0);
    ei_x_encode_atom(&req.x, "stop");
    ei_send_tmo(fd_, &relay_, req.x.buff, req.x.index, 500);
  }
  if (fd_ >= 0) ei_close_connection(fd_);
  fd_ = -1;
  have_relay_ = false;
  pending_ref_ = 0;
  timeouts_in_row_ = 0;
}

}  // namespace actorscope::beam
