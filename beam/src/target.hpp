// The connection to one Erlang/Elixir node: a hidden C node, the relay bootstrapped through
// erl_eval (nothing loaded on the target), and calls to it, one at a time, each with a timeout.
#pragma once

#include <ei.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "term.hpp"

namespace actorscope::beam {

struct TargetOptions {
  std::string node;                // name@host of the node to attach to
  std::string cookie;              // never from argv: a file or ERLANG_COOKIE
  std::string cookie_origin;       // where the cookie came from, for error messages
  unsigned call_timeout_ms = 3000; // every request to the node
  unsigned inner_timeout_ms = 1000;  // calls the relay makes on the node (which_children, ...)
};

// A supervisor report forwarded by the relay.
struct RestartReport {
  std::string context;   // child_terminated | shutdown (the supervisor gave up)
  Pid supervisor{};
  bool has_supervisor = false;
  std::string child_id;
  Pid old_pid{};
  bool has_old = false;
  std::string reason_class;  // normal | shutdown | shutdown_term | killed | error
  std::string reason_text;
};

struct TargetInfo {
  std::string otp_release;
  std::string erts_version;
  uint64_t os_pid = 0;
  int schedulers = 1;
  bool restart_reports = false;  // the logger filter is in place
  bool initial_call_key = false; // process_info(P, {dictionary, '$initial_call'}) works
  bool iterator = false;         // OTP >= 28 process iterator
};

class Target {
 public:
  explicit Target(TargetOptions options);
  ~Target();
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  // epmd check, handshake, version gate, relay. False with a one-line `error`.
  bool connect(std::string& error);
  bool connected() const { return fd_ >= 0; }
  const TargetInfo& info() const { return info_; }
  const std::string& node() const { return options_.node; }
  // Random per start of the target node (its distribution creation).
  uint32_t creation() const { return creation_; }

  // Sends {Ref, Request} to the relay and waits for its reply. `encode` writes Request.
  bool call(const std::function<void(ei_x_buff&)>& encode, Term& reply, std::string& error);
  // The same, with the reply left in the external format (reply[at..] is the term): for
  // large replies that are read in place, without a Term tree.
  bool call_raw(const std::function<void(ei_x_buff&)>& encode, std::string& reply, int& at, std::string& error);
  // Waits up to `ms` for reports while idle (answers distribution ticks meanwhile).
  bool idle(unsigned ms, std::string& error);
  std::vector<RestartReport> take_reports();
  // True when a report about this child is waiting to be taken.
  bool report_pending_for(const Pid& child) const;
  // True when a report from this supervisor is waiting to be taken.
  bool report_pending_from(const Pid& supervisor) const;
  // Writes a pid of the attached node into a request.
  void encode_pid(ei_x_buff& x, const Pid& p) const;
  // Asks the relay to remove what it created, then closes the connection.
  void close();

  const TargetOptions& options() const { return options_; }

 private:
  bool check_epmd(std::string& error);
  bool rpc(const char* mod, const char* fun, const ei_x_buff& args, Term& reply, std::string& raw, std::string& error);
  bool bootstrap_relay(std::string& error);
  bool receive(unsigned ms, ei_x_buff& x, erlang_msg& msg, bool& got, std::string& error);
  void handle_async(const Term& t);
  // A message from the relay: true with *ref and *at (where its reply term starts) when it is
  // {actorscope_reply, Ref, Reply}; anything else is handed to handle_async.
  bool reply_of(const ei_x_buff& x, uint64_t& ref, int& at);
  void drop(std::string& error, const std::string& why);

  TargetOptions options_;
  ei_cnode ec_{};
  int fd_ = -1;
  erlang_pid relay_{};
  std::string tag_;  // the relay's message tag, in the external format: {Tag, Payload}
  bool have_relay_ = false;
  uint64_t next_ref_ = 1;
  uint64_t pending_ref_ = 0;  // a call that timed out: its late reply is still expected
  int timeouts_in_row_ = 0;
  uint32_t creation_ = 0;
  TargetInfo info_;
  std::vector<RestartReport> reports_;
};

}  // namespace actorscope::beam
