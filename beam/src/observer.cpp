// The observation schedule of one BEAM node and its translation into agent-protocol records.
#include "observer.hpp"

#include "actorscope/protocol/node_gauges.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

namespace actorscope::beam {
namespace {

uint64_t now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

proto::Strategy strategy_of(const Term& t) {
  if (t.is_atom("one_for_one")) return proto::Strategy::OneForOne;
  if (t.is_atom("one_for_all")) return proto::Strategy::OneForAll;
  if (t.is_atom("rest_for_one")) return proto::Strategy::RestForOne;
  if (t.is_atom("simple_one_for_one") || t.is_atom("dynamic")) return proto::Strategy::SimpleOneForOne;
  return proto::Strategy::None;
}

proto::RestartType restart_of(const Term& t) {
  if (t.is_atom("transient")) return proto::RestartType::Transient;
  if (t.is_atom("temporary")) return proto::RestartType::Temporary;
  return proto::RestartType::Permanent;
}

proto::ExitReason reason_of(const std::string& cls) {
  if (cls == "normal") return proto::ExitReason::Normal;
  if (cls == "shutdown") return proto::ExitReason::Shutdown;
  if (cls == "shutdown_term") return proto::ExitReason::ShutdownTerm;
  if (cls == "killed") return proto::ExitReason::Killed;
  if (cls == "error") return proto::ExitReason::Error;
  return proto::ExitReason::Unknown;
}

}  // namespace

void NodeObserver::reset() {
  procs_.clear();
  sups_.clear();
  pending_.clear();
  rewalk_.clear();
  scanning_ = false;
  scan_started_ms_ = 0;
  last_walk_ms_ = 0;
  last_vm_ms_ = 0;
  prev_reductions_ = -1;
  batch_ = 256;
  scan_backoff_ = walk_backoff_ = 0;
  duty_wait_ms_ = 0;
  next_scan_ms_ = 0;
  scan_live_ = -1;
}

// The next scan at the base interval from the last one's start (still within the duty limit
// when it is the longer wait: that is the scan's own cost, not staleness).
void NodeObserver::scan_soon() {
  scan_backoff_ = 0;
  if (scanning_ || scan_started_ms_ == 0) return;
  next_scan_ms_ = std::min(next_scan_ms_, scan_started_ms_ + std::max<uint64_t>(settings_.scan_interval_ms, duty_wait_ms_));
}

uint64_t NodeObserver::now_us() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

uint32_t NodeObserver::type_index(const std::string& type) {
  auto it = type_ids_.find(type);
  if (it != type_ids_.end()) return it->second;
  uint32_t i = static_cast<uint32_t>(types_.size());
  types_.push_back(type);
  type_ids_.emplace(type, i);
  return i;
}

NodeObserver::Process& NodeObserver::ensure(const Pid& pid, uint64_t now, bool& created) {
  uint64_t id = actor_id(pid);
  auto [it, inserted] = procs_.try_emplace(id);
  created = inserted;
  Process& p = it->second;
  if (inserted) p.pid = pid;
  p.last_seen_ms = now;
  return p;
}

// ---- records ------------------------------------------------------------------------------
void NodeObserver::announce(uint64_t id, Process& p) {
  if (!linked()) {
    p.announced = false;
    return;
  }
  proto::ActorSpawned r;
  r.t_ns = link_.t_ns();
  r.actor = id;
  r.parent = p.parent;
  r.name = link_.str(p.name.empty() && p.child_id.empty() ? pid_text(p.pid) : p.name);
  r.type = link_.str(types_[p.type]);
  r.child_id = link_.str(p.child_id);
  r.kind = p.kind;
  r.restart = p.restart;
  r.strategy = p.strategy;
  r.intensity = p.intensity;
  r.period_ms = p.period_ms;
  link_.add(r);
  p.announced = true;
  p.stats_dirty = true;
}

void NodeObserver::send_stats(uint64_t id, Process& p) {
  if (!linked() || !p.announced) return;
  // Reductions are a BEAM process's work: they stand in for processed messages, so the
  // viewers' rate column shows reductions/s for BEAM nodes (see beam/README.md).
  proto::ActorStats s;
  s.actor = id;
  s.mailbox = p.mailbox;
  s.dequeued = p.reductions - p.reductions_base;
  s.enqueued = s.dequeued + p.mailbox;
  s.restarts = p.restarts;
  link_.add(s);
  p.stats_dirty = false;
}

// Links and monitors as Link records: the collector keeps both ends, and drops them when
// either process exits.
void NodeObserver::send_ties(uint64_t id, const Process& p) {
  if (!linked() || !p.announced) return;
  for (uint64_t t : p.ties) {
    proto::Link l;
    l.t_ns = link_.t_ns();
    l.a = id;
    l.b = t & ~kMonitorTie;
    l.op = t & kMonitorTie ? proto::LinkOp::Monitor : proto::LinkOp::Link;
    link_.add(l);
  }
}

void NodeObserver::exited(uint64_t id, proto::ExitReason reason, const std::string& text) {
  auto it = procs_.find(id);
  if (it == procs_.end()) return;
  bool announced = it->second.announced;
  procs_.erase(it);
  sups_.erase(id);
  pending_.erase(id);
  if (!linked() || !announced) return;
  proto::ActorExited r;
  r.t_ns = link_.t_ns();
  r.actor = id;
  r.reason = reason;
  r.reason_inline = text;  // not interned: a reason holds pids and values, one text per crash
  link_.add(r);
}

void NodeObserver::restarted(uint64_t sup, const std::string& child_id, uint64_t old_id, uint64_t new_id,
                             proto::ExitReason reason, const std::string& text) {
  auto s = procs_.find(sup);
  if (s != procs_.end()) {
    ++s->second.restarts;
    s->second.stats_dirty = true;
  }
  if (!linked()) return;
  proto::ChildRestarted r;
  r.t_ns = link_.t_ns();
  r.supervisor = sup;
  r.child_id = link_.str(child_id);
  r.old_actor = old_id;
  r.new_actor = new_id;
  r.reason = reason;
  r.reason_inline = text;
  link_.add(r);
}

void NodeObserver::set_identity(uint64_t id, Process& p, uint64_t parent, const std::string& type,
                                const std::string& child_id, proto::ActorKind kind) {
  uint32_t t = type.empty() ? p.type : type_index(type);
  bool changed = p.parent != parent || p.type != t || p.child_id != child_id || p.kind != kind;
  p.parent = parent;
  p.type = t;
  p.child_id = child_id;
  p.kind = kind;
  p.supervised = true;
  if (changed) tree_changed_ = true;
  if (pending_.count(id)) return;  // announced when the scan ends
  if (!p.announced || changed) announce(id, p);
}

void NodeObserver::send_snapshot() {
  if (!linked()) return;
  proto::SnapshotBegin b;
  b.snapshot = ++snapshot_id_;
  b.actors = procs_.size() - pending_.size();
  link_.add(b);
  for (auto& [id, p] : procs_) {
    if (pending_.count(id)) continue;
    announce(id, p);
    send_stats(id, p);
  }
  for (auto& [id, p] : procs_)
    if (!pending_.count(id)) send_ties(id, p);
  link_.add(proto::Dropped{});
  link_.add(proto::SnapshotEnd{b.snapshot});
}

// ---- the supervision walk ------------------------------------------------------------------
bool NodeObserver::walk(std::string& error) {
  uint64_t now = now_ms();
  last_walk_ms_ = now;
  ++counters_.walks;
  unsigned tmo = target_.options().inner_timeout_ms;
  Term apps;
  if (!target_.call([tmo](ei_x_buff& x) {
        ei_x_encode_tuple_header(&x, 2);
        ei_x_encode_atom(&x, "apps");
        ei_x_encode_ulong(&x, tmo);
      }, apps, error))
    return target_.connected();  // a timeout is not fatal
  std::vector<uint64_t> queue;
  for (const Term& a : apps.items) {
    if (!a.is_tuple(3) || a.items[1].kind != Term::Kind::Pid) continue;
    bool created = false;
    uint64_t master_id = actor_id(a.items[1].pid);
    Process& master = ensure(a.items[1].pid, now, created);
    if (master.name != a.items[0].text) {  // named after its application: re-announce
      master.name = a.items[0].text;
      master.announced = false;
    }
    set_identity(master_id, master, 0, "application", "", proto::ActorKind::Supervisor);
    const Term& top = a.items[2];
    if (top.is_tuple(2) && top.items[0].kind == Term::Kind::Pid) {
      // OTP requires an application's start/2 to return its top supervisor's pid: that is
      // the one process trusted to be a supervisor without a parent's child spec saying so.
      uint64_t top_id = actor_id(top.items[0].pid);
      Process& t = ensure(top.items[0].pid, now, created);
      set_identity(top_id, t, master_id, display_name(top.items[1].text), "", proto::ActorKind::Supervisor);
      queue.push_back(top_id);
    }
  }
  size_t walked = 0;
  while (!queue.empty() && walked < settings_.max_supervisors) {
    uint64_t sup = queue.back();
    queue.pop_back();
    ++walked;
    if (!walk_supervisor(sup, queue, error) && !target_.connected()) return false;
  }
  return true;
}

bool NodeObserver::walk_supervisor(uint64_t sup, std::vector<uint64_t>& queue, std::string& error, bool after_report) {
  auto it = procs_.find(sup);
  if (it == procs_.end()) return true;
  Pid pid = it->second.pid;
  unsigned tmo = target_.options().inner_timeout_ms;
  SupervisorData& data = sups_[sup];
  if (now_ms() < data.quiet_until_ms) return true;
  if (!it->second.flags_read) {
    Term flags;
    if (!target_.call([&](ei_x_buff& x) {
          ei_x_encode_tuple_header(&x, 3);
          ei_x_encode_atom(&x, "flags");
          target_.encode_pid(x, pid);
          ei_x_encode_ulong(&x, tmo);
        }, flags, error)) {
      ++counters_.timeouts;
      return false;
    }
    it = procs_.find(sup);
    if (it == procs_.end()) return true;
    Process& s = it->second;
    if (flags.is_atom("timeout")) {
      data.quiet_until_ms = now_ms() + settings_.quiet_ms;
      return true;
    }
    s.flags_read = true;
    if (flags.is_tuple(5) && flags.items[0].is_atom("ok")) {
      s.strategy = strategy_of(flags.items[1]);
      s.intensity = static_cast<uint32_t>(flags.items[2].as_int());
      s.period_ms = static_cast<uint32_t>(flags.items[3].as_int() * 1000);
      for (const Term& r : flags.items[4].items)
        if (r.is_tuple(2)) data.restart_types[r.items[0].text] = restart_of(r.items[1]);
      if (s.announced) announce(sup, s);
    }
  }
  Term reply;
  // A dynamic supervisor's children come raw: their ids are all `undefined`, and thousands of
  // them are not worth interpreting one by one on the node.
  bool raw = procs_.count(sup) && procs_[sup].strategy == proto::Strategy::SimpleOneForOne;
  if (!target_.call([&](ei_x_buff& x) {
        ei_x_encode_tuple_header(&x, 3);
        ei_x_encode_atom(&x, raw ? "children_raw" : "children");
        target_.encode_pid(x, pid);
        ei_x_encode_ulong(&x, tmo);
      }, reply, error)) {
    ++counters_.timeouts;
    return false;
  }
  if (reply.is_atom("timeout")) data.quiet_until_ms = now_ms() + settings_.quiet_ms;
  if (!reply.is_tuple(2) || !reply.items[0].is_atom("ok")) return true;  // timeout or not a supervisor after all
  // A report from this supervisor is waiting: its handling walks it again and pairs the
  // restarted children; a diff now would call them inferred.
  if (!after_report && target_.report_pending_from(pid)) return true;
  it = procs_.find(sup);
  if (it == procs_.end()) return true;
  proto::Strategy strategy = it->second.strategy;
  bool dynamic = strategy == proto::Strategy::SimpleOneForOne;
  uint64_t now = now_ms();
  std::unordered_map<std::string, uint64_t> children;
  for (const Term& c : reply.items[1].items) {
    // {IdText, Child, Type, Module}
    if (!c.is_tuple(4) || c.items[1].kind != Term::Kind::Pid) continue;
    const std::string& id_text = c.items[0].text;
    bool is_sup = c.items[2].is_atom("supervisor");
    std::string cid = dynamic && id_text == "undefined" ? std::string() : id_text;
    bool created = false;
    uint64_t child = actor_id(c.items[1].pid);
    Process& p = ensure(c.items[1].pid, now, created);
    if (created) scan_soon();  // placed before any scan saw it: its name and figures next
    // The child spec's module: an atom, or raw, the first of its modules list (or `dynamic`).
    const Term& modules = c.items[3];
    const Term& module = modules.kind == Term::Kind::List && !modules.items.empty() ? modules.items[0] : modules;
    std::string type = module.kind == Term::Kind::Atom && module.text != "undefined" && module.text != "dynamic"
                           ? display_name(module.text) : std::string();
    if (type.empty() && created) type = "dynamic";
    auto rt = data.restart_types.find(dynamic && data.restart_types.size() == 1 ? data.restart_types.begin()->first : cid);
    if (rt != data.restart_types.end()) p.restart = rt->second;
    set_identity(child, p, sup, type, cid, is_sup ? proto::ActorKind::Supervisor : proto::ActorKind::Worker);
    if (is_sup) queue.push_back(child);
    if (!cid.empty()) {
      children[cid] = child;
      auto prev = data.children.find(cid);
      auto old = prev != data.children.end() ? procs_.find(prev->second) : procs_.end();
      bool reported = old != procs_.end() && target_.report_pending_for(old->second.pid);
      if (prev != data.children.end() && prev->second != child && !reported) {
        if (after_report) {
          exited(prev->second, proto::ExitReason::Shutdown, "restarted with a sibling");
          restarted(sup, cid, prev->second, child, proto::ExitReason::Shutdown, "restarted with a sibling");
        } else {
          // No report arrived for this one (a logger without our filter, or a level that
          // hides errors): the pid under the same child id changed, so it was restarted.
          ++counters_.restarts_inferred;
          exited(prev->second, proto::ExitReason::Unknown, "inferred from which_children");
          restarted(sup, cid, prev->second, child, proto::ExitReason::Unknown, "inferred from which_children");
        }
      }
    }
  }
  data.children = std::move(children);
  return true;
}

// ---- the process scan ----------------------------------------------------------------------
namespace {

// "m:f/a" and the module of an {M, F, A} tuple at b[*i]; anything else is skipped.
bool read_mfa(const char* b, int* i, std::string& text, std::string& module) {
  int arity = 0, type = 0, size = 0;
  if (ei_get_type(b, i, &type, &size) == 0 && (type == ERL_SMALL_TUPLE_EXT || type == ERL_LARGE_TUPLE_EXT)) {
    int at = *i;
    char m[MAXATOMLEN_UTF8], f[MAXATOMLEN_UTF8];
    long a = 0;
    if (ei_decode_tuple_header(b, &at, &arity) == 0 && arity == 3 && ei_decode_atom(b, &at, m) == 0 &&
        ei_decode_atom(b, &at, f) == 0 && ei_decode_long(b, &at, &a) == 0) {
      *i = at;
      module = display_name(m);
      text = module + ":" + f + "/" + std::to_string(a);
      return true;
    }
  }
  return ei_skip_term(b, i) == 0;
}

}  // namespace

// A first-sight batch read in place, without a Term tree (a million of them at attach):
// [{Pid, [{current_function, MFA}, {links, [...]}, {monitors, [...]}, {initial_call, MFA}
// (, {{dictionary, '$initial_call'}, MFA})] | undefined}, ...]. False when malformed.
bool NodeObserver::read_full_batch(const std::string& raw, int at, uint64_t now) {
  const char* b = raw.data();
  int i = at, count = 0, arity = 0, type = 0, size = 0;
  char atom[MAXATOMLEN_UTF8];
  if (ei_get_type(b, &i, &type, &size) != 0) return false;
  if (type == ERL_NIL_EXT) return true;
  if (ei_decode_list_header(b, &i, &count) != 0) return false;
  erlang_pid pid;
  FullItems f;
  for (int k = 0; k < count; ++k) {
    if (ei_decode_tuple_header(b, &i, &arity) != 0 || arity != 2 || ei_decode_pid(b, &i, &pid) != 0 ||
        ei_get_type(b, &i, &type, &size) != 0)
      return false;
    if (type != ERL_LIST_EXT && type != ERL_NIL_EXT) {  // undefined: it exited
      if (ei_skip_term(b, &i) != 0) return false;
      continue;
    }
    int items = 0;
    if (ei_decode_list_header(b, &i, &items) != 0) return false;
    f.initial.clear(), f.dict_initial.clear(), f.current.clear(), f.links.clear(), f.monitors.clear();
    std::string ignored;
    for (int j = 0; j < items; ++j) {
      if (ei_decode_tuple_header(b, &i, &arity) != 0 || arity != 2 || ei_get_type(b, &i, &type, &size) != 0) return false;
      if (type == ERL_SMALL_TUPLE_EXT) {  // {dictionary, '$initial_call'}
        if (ei_skip_term(b, &i) != 0) return false;
        std::string module;
        if (!read_mfa(b, &i, ignored, module)) return false;
        f.dict_initial = module;
        continue;
      }
      if (ei_decode_atom(b, &i, atom) != 0) return false;
      if (std::strcmp(atom, "initial_call") == 0) {
        std::string module;
        if (!read_mfa(b, &i, f.initial, module)) return false;
      } else if (std::strcmp(atom, "current_function") == 0) {
        if (!read_mfa(b, &i, ignored, f.current)) return false;
      } else if (std::strcmp(atom, "links") == 0 || std::strcmp(atom, "monitors") == 0) {
        bool links = atom[0] == 'l';
        int n = 0;
        if (ei_get_type(b, &i, &type, &size) != 0) return false;
        if (type == ERL_NIL_EXT || type == ERL_STRING_EXT) {  // [] (a string cannot hold pids)
          if (ei_skip_term(b, &i) != 0) return false;
          continue;
        }
        if (ei_decode_list_header(b, &i, &n) != 0) return false;
        for (int e = 0; e < n; ++e) {
          erlang_pid other;
          if (ei_get_type(b, &i, &type, &size) != 0) return false;
          if (links && (type == ERL_PID_EXT || type == ERL_NEW_PID_EXT)) {
            if (ei_decode_pid(b, &i, &other) != 0) return false;
            f.links.push_back(Pid{other.num, other.serial, other.creation});
            continue;
          }
          // monitors: {process, Pid}; named and remote ones ({process, {Name, Node}}) are left out
          int inner = i, ta = 0, pt = 0, ps = 0;
          char kind[MAXATOMLEN_UTF8];
          if (!links && ei_decode_tuple_header(b, &inner, &ta) == 0 && ta == 2 && ei_decode_atom(b, &inner, kind) == 0 &&
              std::strcmp(kind, "process") == 0 && ei_get_type(b, &inner, &pt, &ps) == 0 &&
              (pt == ERL_PID_EXT || pt == ERL_NEW_PID_EXT) && ei_decode_pid(b, &inner, &other) == 0) {
            f.monitors.push_back(Pid{other.num, other.serial, other.creation});
            i = inner;
            continue;
          }
          if (ei_skip_term(b, &i) != 0) return false;
        }
        if (n > 0 && ei_skip_term(b, &i) != 0) return false;  // the list's tail
      } else if (ei_skip_term(b, &i) != 0) {
        return false;
      }
    }
    if (items > 0 && ei_skip_term(b, &i) != 0) return false;  // the list's tail
    absorb_full(Pid{pid.num, pid.serial, pid.creation}, f, now);
  }
  return true;
}

// A process's full items, read once, at first sight: its links and monitors, and the type
// that stays with it.
void NodeObserver::absorb_full(const Pid& pid, const FullItems& f, uint64_t now) {
  uint64_t id = actor_id(pid);
  auto it = procs_.find(id);
  if (it == procs_.end()) return;  // gone meanwhile
  Process& p = it->second;
  p.last_seen_ms = now;
  p.described = true;
  p.ties.clear();
  for (const Pid& l : f.links) p.ties.push_back(actor_id(l));
  for (const Pid& m : f.monitors) p.ties.push_back(actor_id(m) | kMonitorTie);
  p.ties.shrink_to_fit();
  if (!pending_.count(id)) send_ties(id, p);
  if (p.supervised || p.type != 0) return;
  // A type that stays: the proc_lib initial call where the node tells it, else the initial
  // call, else where the process runs at first sight.
  std::string type = !f.dict_initial.empty() ? f.dict_initial
                     : !f.initial.empty() && f.initial.rfind("proc_lib:", 0) != 0 ? f.initial.substr(0, f.initial.find(':'))
                                                                                   : f.current;
  if (f.initial == "erlang:apply/2") type = "erlang:apply";
  p.type = type_index(type);
  // An application master's helper process belongs under its master.
  if (type == "application_master")
    for (const Pid& l : f.links) {
      auto m = procs_.find(actor_id(l));
      if (m != procs_.end() && types_[m->second.type] == "application") p.parent = m->first;
    }
}

// One process's scan items (mailbox, reductions, registered name): the cheap, frequent path.
void NodeObserver::absorb_scan(const Pid& pid, uint64_t mailbox, uint64_t reductions, const char* registered, uint64_t now,
                               std::vector<Pid>& unknown) {
  bool created = false;
  uint64_t id = actor_id(pid);
  Process& p = ensure(pid, now, created);
  if (created) {
    p.reductions_base = reductions;
    pending_.insert(id);
    scan_changed_ = true;
  }
  if (!p.described) unknown.push_back(pid);  // its full items next (pinfo)
  if (p.mailbox != mailbox) scan_changed_ = true;
  if (*registered) {
    std::string name = display_name(registered);
    if (p.name != name) {
      p.name = std::move(name);
      if (p.announced) announce(id, p);
    }
  }
  if (p.mailbox != mailbox || p.reductions != reductions) {
    p.mailbox = mailbox;
    p.reductions = reductions;
    p.stats_dirty = true;
  }
  if (p.stats_dirty) send_stats(id, p);
}

// A scan batch read in place, without a Term tree (a million processes per scan):
// {more | done, [{Pid, [{Key, Value}, ...] | undefined}, ...]}. False when malformed.
bool NodeObserver::read_scan_batch(const std::string& raw, int at, bool& done, size_t& seen, uint64_t now,
                                   std::vector<Pid>& unknown) {
  const char* b = raw.data();
  int i = at, arity = 0, count = 0, type = 0, size = 0;
  char atom[MAXATOMLEN_UTF8];
  if (ei_decode_tuple_header(b, &i, &arity) != 0 || arity != 2 || ei_decode_atom(b, &i, atom) != 0) return false;
  done = std::strcmp(atom, "done") == 0;
  if (ei_decode_list_header(b, &i, &count) != 0) return false;
  erlang_pid pid;
  char registered[MAXATOMLEN_UTF8];
  for (int k = 0; k < count; ++k) {
    if (ei_decode_tuple_header(b, &i, &arity) != 0 || arity != 2 || ei_decode_pid(b, &i, &pid) != 0 ||
        ei_get_type(b, &i, &type, &size) != 0)
      return false;
    ++seen;
    if (type != ERL_LIST_EXT && type != ERL_NIL_EXT) {  // undefined: it exited
      if (ei_skip_term(b, &i) != 0) return false;
      continue;
    }
    int items = 0;
    if (ei_decode_list_header(b, &i, &items) != 0) return false;
    unsigned long long mailbox = 0, reductions = 0, v = 0;
    registered[0] = 0;
    for (int j = 0; j < items; ++j) {
      if (ei_decode_tuple_header(b, &i, &arity) != 0 || arity != 2 || ei_decode_atom(b, &i, atom) != 0) return false;
      bool number = std::strcmp(atom, "message_queue_len") == 0 || std::strcmp(atom, "reductions") == 0;
      if (number) {
        if (ei_decode_ulonglong(b, &i, &v) != 0) return false;
        (atom[0] == 'm' ? mailbox : reductions) = v;
      } else if (std::strcmp(atom, "registered_name") == 0 && ei_get_type(b, &i, &type, &size) == 0 &&
                 type != ERL_NIL_EXT && type != ERL_LIST_EXT) {
        if (ei_decode_atom(b, &i, registered) != 0) return false;
      } else if (ei_skip_term(b, &i) != 0) {
        return false;
      }
    }
    if (items > 0 && ei_skip_term(b, &i) != 0) return false;  // the list's tail
    absorb_scan(Pid{pid.num, pid.serial, pid.creation}, mailbox, reductions, registered, now, unknown);
  }
  return true;
}

bool NodeObserver::scan_step(uint64_t budget_ms, std::string& error) {
  uint64_t start = now_ms();
  if (!scanning_) {
    if (scan_started_ms_ != 0 && start < next_scan_ms_) return true;
    Term count;
    if (!target_.call([](ei_x_buff& x) { ei_x_encode_atom(&x, "scan_start"); }, count, error)) {
      ++counters_.timeouts;
      return target_.connected();
    }
    scanning_ = true;
    scan_started_ms_ = start;
    scan_processes_ = 0;
    scan_busy_us_ = 0;
    scan_changed_ = false;
  }
  while (now_ms() - start < budget_ms) {
    uint64_t t0 = now_ms(), t0_us = now_us();
    unsigned n = batch_;
    if (!target_.call_raw([n](ei_x_buff& x) {
          ei_x_encode_tuple_header(&x, 2);
          ei_x_encode_atom(&x, "scan_next");
          ei_x_encode_ulong(&x, n);
        }, scan_reply_, scan_at_, error)) {
      ++counters_.timeouts;
      batch_ = std::max(64u, batch_ / 4);
      return target_.connected();
    }
    uint64_t dt = now_ms() - t0;
    scan_busy_us_ += now_us() - t0_us;
    bool done = false;
    size_t seen = 0;
    std::vector<Pid> unknown;
    if (!read_scan_batch(scan_reply_, scan_at_, done, seen, now_ms(), unknown)) {
      scanning_ = false;  // not a batch (the relay crashed on it, say): start again later
      return true;
    }
    scan_processes_ += seen;
    // First sight (pinfo) is not counted: it is paid once per process, mostly at attach.
    if (!unknown.empty() && !describe_new(unknown, error)) return target_.connected();
    // Aim at ~5 ms per request: short enough to keep the node's scheduler fair.
    if (dt < 3) batch_ = std::min(settings_.max_batch, batch_ * 2);
    else if (dt > 10) batch_ = std::max(64u, static_cast<unsigned>(batch_ * 5 / dt));
    if (done) {
      scanning_ = false;
      // New processes are placed in the tree before they are announced: the walk runs now
      // when the scan found any (on a quiet node it does not).
      if (!pending_.empty() && !walk(error) && !target_.connected()) return false;
      finish_scan();
      break;
    }
    if (link_.wants_flush() && !link_.flush(error)) return true;
  }
  return true;
}

// First-seen processes: their full items (initial call, current function, links, monitors).
bool NodeObserver::describe_new(std::vector<Pid>& pids, std::string& error) {
  for (size_t at = 0; at < pids.size(); at += settings_.max_batch) {
    size_t end = std::min(pids.size(), at + settings_.max_batch);
    uint64_t t0 = now_us();
    int reply_at = 0;
    if (!target_.call_raw([&](ei_x_buff& x) {
          ei_x_encode_tuple_header(&x, 2);
          ei_x_encode_atom(&x, "pinfo");
          ei_x_encode_list_header(&x, static_cast<long>(end - at));
          for (size_t i = at; i < end; ++i) target_.encode_pid(x, pids[i]);
          ei_x_encode_empty_list(&x);
        }, full_reply_, reply_at, error)) {
      ++counters_.timeouts;
      return false;
    }
    uint64_t t1 = now_us();
    read_full_batch(full_reply_, reply_at, now_ms());  // malformed: left undescribed, asked again
    counters_.first_sight_wait_us += t1 - t0;
    counters_.first_sight_read_us += now_us() - t1;
  }
  return true;
}

void NodeObserver::finish_scan() {
  ++counters_.scans;
  counters_.last_scan_processes = scan_processes_;
  counters_.last_scan_seconds = static_cast<double>(now_ms() - scan_started_ms_) / 1000.0;
  // New processes, now that the walk has placed the supervised ones.
  std::vector<uint64_t> fresh(pending_.begin(), pending_.end());
  pending_.clear();
  for (uint64_t id : fresh) {
    auto it = procs_.find(id);
    if (it == procs_.end()) continue;
    announce(id, it->second);
    send_stats(id, it->second);
  }
  // Links and monitors once both ends are announced.
  for (uint64_t id : fresh)
    if (auto it = procs_.find(id); it != procs_.end()) send_ties(id, it->second);
  // Gone: not seen by this scan nor by a walk since it started.
  std::vector<uint64_t> gone;
  for (const auto& [id, p] : procs_)
    if (p.last_seen_ms < scan_started_ms_) gone.push_back(id);
  for (uint64_t id : gone) exited(id, proto::ExitReason::Unknown, "");
  // When the next scan starts: later on a quiet node, and never more often than the share of
  // the node's time that a scan may take (scan_duty_percent).
  if (!gone.empty()) scan_changed_ = true;
  scan_backoff_ = scan_changed_ ? 0 : std::min(2u, scan_backoff_ + 1);
  scan_live_ = static_cast<int64_t>(procs_.size());
  uint64_t wait = uint64_t{settings_.scan_interval_ms} << scan_backoff_;
  duty_wait_ms_ = settings_.scan_duty_percent > 0 ? scan_busy_us_ / 10 / settings_.scan_duty_percent : 0;  // busy_ms * 100 / duty
  wait = std::max(wait, duty_wait_ms_);
  if (loaded_) wait *= 2;
  next_scan_ms_ = scan_started_ms_ + wait;
  counters_.next_scan_wait_ms = wait;
}

// ---- restarts as they happen ---------------------------------------------------------------
bool NodeObserver::handle_reports(std::string& error) {
  auto reports = target_.take_reports();
  if (!reports.empty()) {
    walk_backoff_ = 0;
    scan_soon();  // the restarted children's names and figures come with the next scan
  }
  for (const RestartReport& r : reports) {
    if (!r.has_supervisor || !r.has_old) continue;
    uint64_t sup = actor_id(r.supervisor);
    uint64_t old_id = actor_id(r.old_pid);
    proto::ExitReason reason = reason_of(r.reason_class);
    proto::RestartType restart = proto::RestartType::Permanent;
    if (auto o = procs_.find(old_id); o != procs_.end()) restart = o->second.restart;
    exited(old_id, reason, r.reason_text);
    if (r.context != "child_terminated") continue;  // the supervisor gave up: it exits itself
    ++counters_.restarts_reported;
    auto it = procs_.find(sup);
    if (it == procs_.end()) {
      rewalk_.insert(sup);
      continue;
    }
    // The new pid: ask the supervisor now (its report precedes the restart it performs).
    bool dynamic = it->second.strategy == proto::Strategy::SimpleOneForOne;
    std::string cid = dynamic && r.child_id == "undefined" ? std::string() : r.child_id;
    SupervisorData& data = sups_[sup];
    if (!cid.empty()) data.children.erase(cid);  // paired below, not inferred by the walk
    std::unordered_set<uint64_t> known;
    if (dynamic)
      for (const auto& [id, p] : procs_)
        if (p.parent == sup) known.insert(id);
    std::vector<uint64_t> queue;
    if (!walk_supervisor(sup, queue, error, true)) {
      if (!target_.connected()) return false;
      restarted(sup, cid, old_id, 0, reason, r.reason_text);
      continue;
    }
    uint64_t new_id = 0;
    if (!cid.empty()) {
      const SupervisorData& d = sups_[sup];
      auto now = d.children.find(cid);
      if (now != d.children.end() && now->second != old_id) new_id = now->second;
    } else {
      std::vector<uint64_t> fresh;
      for (const auto& [id, p] : procs_)
        if (p.parent == sup && !known.count(id)) fresh.push_back(id);
      if (fresh.size() == 1) new_id = fresh[0];
    }
    // A temporary child, or a transient one that ended cleanly, is not restarted.
    bool expected = restart == proto::RestartType::Permanent ||
                    (restart == proto::RestartType::Transient && !proto::exit_is_clean(reason));
    if (new_id != 0 || expected) restarted(sup, cid, old_id, new_id, reason, r.reason_text);
    for (uint64_t s : queue) rewalk_.insert(s);
  }
  return true;
}

// ---- VM statistics --------------------------------------------------------------------------
bool NodeObserver::vm_stats(std::string& error) {
  Term vm;
  if (!target_.call([](ei_x_buff& x) { ei_x_encode_atom(&x, "vm"); }, vm, error)) {
    ++counters_.timeouts;
    return target_.connected();
  }
  uint64_t now = now_ms();
  // {stats, [Reductions, GC, RunQueues, SchedulerWallTime]}, {info, [system_info values]},
  // {own, [{reductions, R}, {memory, M}]}, {memory, erlang:memory()}: see relay.exprs.
  static const Term kNone;
  auto field = [&vm](const char* k) -> const Term& {
    const Term* t = vm.get(k);
    return t ? *t : kNone;
  };
  auto nth = [](const Term& list, size_t i) -> const Term& { return i < list.items.size() ? list.items[i] : kNone; };
  auto ints = [](const Term& t) {  // a list of integers; small ones come as a string
    std::vector<int64_t> out;
    if (t.kind == Term::Kind::String)
      for (unsigned char c : t.text) out.push_back(c);
    else
      for (const Term& i : t.items) out.push_back(i.as_int());
    return out;
  };
  const Term& stats = field("stats");
  std::vector<int64_t> info = ints(field("info"));
  info.resize(10, 0);
  enum { kProcessCount, kProcessLimit, kAtomCount, kAtomLimit, kPortCount, kPortLimit, kEtsCount, kEtsLimit, kWordsize, kSchedulers };
  std::map<std::string, int64_t> values;
  auto get = [&values](const char* k) -> int64_t {
    auto it = values.find(k);
    return it == values.end() ? 0 : it->second;
  };
  const Term& reductions = nth(stats, 0);
  const Term& gc = nth(stats, 1);
  values["reductions"] = reductions.is_tuple(2) ? reductions.items[0].as_int() : 0;
  values["gcs"] = gc.is_tuple(3) ? gc.items[0].as_int() : 0;
  values["gc_words_reclaimed"] = gc.is_tuple(3) ? gc.items[1].as_int() : 0;
  std::vector<int64_t> queues = ints(nth(stats, 2));
  int64_t queued = 0;
  for (int64_t q : queues) queued += q;
  values["run_queue"] = queued;
  int64_t active = 0, total = 0;  // normal schedulers only (ids up to `schedulers`)
  for (const Term& w : nth(stats, 3).items)
    if (w.is_tuple(3) && w.items[0].as_int() <= info[kSchedulers]) {
      active += w.items[1].as_int();
      total += w.items[2].as_int();
    }
  values["scheduler_active"] = active;
  values["scheduler_total"] = total;
  for (const Term& kv : field("own").items)
    if (kv.is_tuple(2)) values[std::string("own_") + kv.items[0].text] = kv.items[1].as_int();
  const char* names[] = {"process_count", "process_limit", "atom_count", "atom_limit", "port_count",
                         "port_limit", "ets_count", "ets_limit", "wordsize", "schedulers"};
  for (size_t i = 0; i < 10; ++i) values[names[i]] = info[i];
  const Term& memory = field("memory");
  auto mem = [&memory](const char* k) -> double {
    for (const Term& kv : memory.items)
      if (kv.is_tuple(2) && kv.items[0].is_atom(k)) return static_cast<double>(kv.items[1].as_int());
    return 0;
  };
  int64_t reds = get("reductions"), gcs = get("gcs"), reclaimed = get("gc_words_reclaimed");
  int64_t own = get("own_reductions");
  int64_t run_queue = get("run_queue");
  double word = static_cast<double>(std::max<int64_t>(1, get("wordsize")));
  loaded_ = run_queue > 2 * std::max(1, target_.info().schedulers);
  // Processes came or went since the last scan: the next one is due at the base interval.
  if (scan_live_ >= 0 && get("process_count") != scan_live_ && scan_backoff_ > 0) scan_soon();
  if (prev_reductions_ >= 0 && now > prev_vm_ms_)
    counters_.own_reductions_per_s = double(own - prev_own_reductions_) / (static_cast<double>(now - prev_vm_ms_) / 1000.0);
  if (linked()) {
    using G = proto::NodeGauge;
    proto::NodeGauges g;
    g.t_ns = link_.t_ns();
    auto put = [&g](G id, double v) { g.values[g.n++] = proto::NodeGaugeValue{static_cast<uint32_t>(id), v}; };
    put(G::BeamProcesses, double(get("process_count")));
    put(G::BeamProcessLimit, double(get("process_limit")));
    put(G::BeamRunQueueLength, double(run_queue));
    put(G::BeamSchedulersOnline, double(target_.info().schedulers));
    // Utilisation needs two readings of scheduler_wall_time (enabled by the relay while it
    // lives; see relay.exprs).
    if (prev_reductions_ >= 0 && total > prev_sched_total_)
      put(G::BeamSchedulerUtilization, double(active - prev_sched_active_) / double(total - prev_sched_total_));
    put(G::BeamMemoryAllocated, mem("total"));
    put(G::BeamMemoryProcesses, mem("processes"));
    put(G::BeamMemorySystem, mem("system"));
    put(G::BeamMemoryAtom, mem("atom"));
    put(G::BeamMemoryBinary, mem("binary"));
    put(G::BeamMemoryCode, mem("code"));
    put(G::BeamMemoryEts, mem("ets"));
    put(G::BeamAtoms, double(get("atom_count")));
    put(G::BeamAtomLimit, double(get("atom_limit")));
    put(G::BeamPorts, double(get("port_count")));
    put(G::BeamPortLimit, double(get("port_limit")));
    put(G::BeamEtsTables, double(get("ets_count")));
    put(G::BeamEtsTableLimit, double(get("ets_limit")));
    put(G::BeamReductions, double(reds));
    put(G::BeamGcRuns, double(gcs));
    put(G::BeamGcReclaimed, double(reclaimed) * word);
    put(G::BeamAttachReductions, double(own));
    put(G::BeamAttachMemory, double(get("own_memory")));
    if (counters_.scans > 0) {
      put(G::BeamAttachScanDuration, counters_.last_scan_seconds);
      put(G::BeamAttachScanProcesses, double(counters_.last_scan_processes));
    }
    link_.add(g);
  }
  prev_vm_ms_ = now;
  prev_reductions_ = reds;
  prev_gcs_ = gcs;
  prev_reclaimed_ = reclaimed;
  prev_own_reductions_ = own;
  prev_sched_active_ = active;
  prev_sched_total_ = total;
  return true;
}

bool NodeObserver::tick(std::string& error) {
  uint64_t now = now_ms();
  if (!handle_reports(error)) return false;
  if (!rewalk_.empty()) {
    std::vector<uint64_t> queue(rewalk_.begin(), rewalk_.end());
    rewalk_.clear();
    while (!queue.empty()) {
      uint64_t s = queue.back();
      queue.pop_back();
      if (!walk_supervisor(s, queue, error) && !target_.connected()) return false;
    }
  }
  if (now - last_vm_ms_ >= settings_.vm_interval_ms) {
    last_vm_ms_ = now;
    if (!vm_stats(error)) return false;
  }
  if (last_walk_ms_ == 0 || now - last_walk_ms_ >= (uint64_t{settings_.tree_interval_ms} << walk_backoff_)) {
    tree_changed_ = false;
    if (!walk(error) && !target_.connected()) return false;
    walk_backoff_ = tree_changed_ ? 0 : std::min(3u, walk_backoff_ + 1);
  }
  // A loaded node (long run queues) gets a quarter of the scan budget.
  uint64_t budget = loaded_ ? std::max(1u, settings_.scan_budget_ms / 4) : settings_.scan_budget_ms;
  if (!scan_step(budget, error)) return false;
  if (linked()) {
    proto::Heartbeat hb;
    hb.t_ns = link_.t_ns();
    hb.live_actors = procs_.size();
    hb.agent_bytes = procs_.size() * (sizeof(Process) + 48);
    hb.flushes = counters_.scans;
    link_.add(hb);
    std::string ignored;
    link_.flush(ignored);
  }
  return target_.connected();
}

}  // namespace actorscope::beam
