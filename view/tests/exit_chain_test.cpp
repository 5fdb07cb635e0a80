// Why did this die? The exit chain over events built here the way the collector sends them (a
// rest_for_one parent over a one_for_all pool that gives up, with unrelated events between);
// each expected chain is written out from the scenario, not computed.
#include <gtest/gtest.h>

#include <algorithm>

#include "actorscope/view/exit_chain.hpp"

using namespace actorscope;
namespace pv = proto::viewer;
using K = view::ChainStepKind;
using R = proto::ExitReason;

namespace {

constexpr uint64_t kSec = 1'000'000'000ull;
constexpr uint64_t kT0 = 1'700'000'000ull * kSec;
constexpr uint64_t kIngestSup = 2, kSessions = 3, kPool = 11, kAggregator = 12, kStore = 13;

struct Feed {
  view::Replica& r;
  std::vector<uint8_t> buf;
  proto::Writer w{buf};
  uint64_t seq = 0;
  explicit Feed(view::Replica& replica) : r(replica) {
    pv::encode(w, pv::SnapshotBegin{1, 2, 4});
    for (pv::NodeId id : {1u, 2u}) {
      pv::NodeRow n;
      n.node = id;
      n.name = id == 1 ? "demo" : "other";
      n.connected = true;
      pv::encode(w, n);
    }
    auto sup = [&](uint64_t id, uint64_t parent, const char* name, proto::Strategy s, uint32_t intensity) {
      pv::ActorRow a;
      a.node = 1;
      a.actor = id;
      a.parent = parent;
      a.name = name;
      a.kind = proto::ActorKind::Supervisor;
      a.strategy = s;
      a.intensity = intensity;
      a.period_ms = 5000;
      pv::encode(w, a);
    };
    sup(1, 0, "app_sup", proto::Strategy::OneForOne, 3);
    sup(kIngestSup, 1, "ingest_sup", proto::Strategy::RestForOne, 3);
    sup(kSessions, 1, "sessions", proto::Strategy::SimpleOneForOne, 10);
    sup(kPool, kIngestSup, "parser_pool", proto::Strategy::OneForAll, 3);
    pv::encode(w, pv::SnapshotEnd{1});
    flush();
  }
  uint64_t event(uint64_t wall, pv::NodeId node, pv::EventKind kind, uint64_t actor, uint64_t supervisor, R reason,
                 const std::string& name, const std::string& text = "") {
    pv::Event e;
    e.seq = ++seq;
    e.wall_ns = wall;
    e.node = node;
    e.kind = kind;
    e.actor = actor;
    e.supervisor = supervisor;
    e.reason = reason;
    e.name = name;
    e.text = text;
    pv::encode(w, e);
    return e.seq;
  }
  void flush() {
    pv::encode(w, pv::Tick{seq + 1, 0, 0});
    ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
    buf.clear();
  }
};

struct Expected {
  K kind;
  std::string who;
  std::string supervisor;
};

void expect_chain(const view::ExitChain& c, const std::vector<Expected>& want) {
  ASSERT_EQ(c.steps.size(), want.size()) << [&] {
    std::string all;
    for (const auto& s : c.steps) all += view::chain_step_text(s) + "\n";
    return all;
  }();
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(c.steps[i].kind, want[i].kind) << "step " << i << ": " << view::chain_step_text(c.steps[i]);
    EXPECT_EQ(c.steps[i].who, want[i].who) << "step " << i;
    EXPECT_EQ(c.steps[i].supervisor, want[i].supervisor) << "step " << i;
  }
  for (size_t i = 1; i < c.steps.size(); ++i) EXPECT_LE(c.steps[i - 1].wall_ns, c.steps[i].wall_ns) << "in the order they happened";
}

// Four parser crashes in 4 s under parser_pool (one_for_all, 3 in 5 s): three restarts, then
// the pool gives up; ingest_sup (rest_for_one) stops aggregator and store and restarts all three.
// Sessions come and go under another supervisor, and another node crashes, in between.
struct Storm {
  uint64_t store_restart = 0, pool_escalation = 0, store_stop = 0, first_crash = 0, last_crash = 0;
};
Storm storm(Feed& f) {
  Storm s;
  uint64_t parser = 100;
  for (int round = 0; round < 4; ++round) {
    const uint64_t t = kT0 + static_cast<uint64_t>(round) * kSec;
    const uint64_t crashed = parser;
    const uint64_t c = f.event(t, 1, pv::EventKind::Crashed, crashed, kPool, R::Error, "parser" + std::to_string(crashed),
                               "malformed record");
    if (round == 0) s.first_crash = c;
    s.last_crash = c;
    if (round == 3)  // one failure too many: the pool gives up first, then stops its children
      s.pool_escalation = f.event(t + 500, 1, pv::EventKind::Warning, kPool, kIngestSup, R::Shutdown, "parser_pool",
                                  "restart intensity exceeded: more than 3 restarts in 5.0 s");
    f.event(t + 1000, 1, pv::EventKind::Exited, 900 + static_cast<uint64_t>(round), kSessions, R::Normal, "session");
    for (uint64_t sib = 1; sib <= 3; ++sib)
      f.event(t + 2000 + sib, 1, pv::EventKind::Exited, crashed + sib, kPool, R::Shutdown, "parser" + std::to_string(crashed + sib));
    f.event(t + 3000, 2, pv::EventKind::Crashed, 7, 0, R::Error, "elsewhere", "unrelated");
    if (round < 3)
      for (uint64_t p = 0; p < 4; ++p)
        f.event(t + 4000 + p, 1, pv::EventKind::Restarted, crashed + p, kPool, p == 0 ? R::Error : R::Shutdown,
                "parser" + std::to_string(crashed + p));
    parser += 10;
  }
  const uint64_t t = kT0 + 3 * kSec + 10'000;
  f.event(t + 1, 1, pv::EventKind::Exited, kPool, kIngestSup, R::Shutdown, "parser_pool");
  f.event(t + 2, 1, pv::EventKind::Exited, 950, kSessions, R::Normal, "session");
  s.store_stop = f.event(t + 3, 1, pv::EventKind::Exited, kStore, kIngestSup, R::Shutdown, "store");
  f.event(t + 4, 1, pv::EventKind::Exited, kAggregator, kIngestSup, R::Shutdown, "aggregator");
  f.event(t + 5, 1, pv::EventKind::Restarted, kPool, kIngestSup, R::Shutdown, "parser_pool");
  f.event(t + 6, 1, pv::EventKind::Restarted, kAggregator, kIngestSup, R::Shutdown, "aggregator");
  s.store_restart = f.event(t + 7, 1, pv::EventKind::Restarted, kStore, kIngestSup, R::Shutdown, "store");
  // Later, a new incident under the new pool (another chain).
  f.event(t + 5 * kSec, 1, pv::EventKind::Crashed, 500, 21, R::Error, "parser500", "malformed record");
  f.event(t + 5 * kSec + 1, 1, pv::EventKind::Exited, kStore + 100, kIngestSup, R::Shutdown, "store");
  f.flush();
  return s;
}

const std::vector<Expected> kEscalationChain = {
    {K::Crash, "parser130", "parser_pool"},
    {K::Escalation, "parser_pool", "ingest_sup"},
    {K::SiblingStopped, "parser131", "parser_pool"},
    {K::SiblingStopped, "parser132", "parser_pool"},
    {K::SiblingStopped, "parser133", "parser_pool"},
    {K::SupervisorExit, "parser_pool", "ingest_sup"},
    {K::SiblingStopped, "store", "ingest_sup"},
    {K::SiblingStopped, "aggregator", "ingest_sup"},
    {K::Restart, "parser_pool", "ingest_sup"},
    {K::Restart, "aggregator", "ingest_sup"},
    {K::Restart, "store", "ingest_sup"},
};

}  // namespace

TEST(ExitChain, AStoreRestartedAfterItsPoolGaveUpLeadsBackToTheLastCrashThroughTheEscalation) {
  view::Replica r;
  Feed f(r);
  const Storm s = storm(f);
  const view::ExitChain c = view::explain_exit(r, s.store_restart);
  ASSERT_TRUE(c.found);
  EXPECT_TRUE(c.origin_known);
  expect_chain(c, kEscalationChain);
  EXPECT_EQ(c.steps.front().seq, s.last_crash);
  EXPECT_EQ(c.steps.front().text, "error: malformed record");
  EXPECT_TRUE(c.steps.back().selected);
  EXPECT_EQ(std::count_if(c.steps.begin(), c.steps.end(), [](const auto& st) { return st.selected; }), 1);
  // The pool's budget up to the escalation: its four children's crashes, 3 allowed in 5 s.
  const view::ChainStep& esc = c.steps[1];
  EXPECT_EQ(esc.depth, 0u);
  EXPECT_EQ(c.steps[6].depth, 1u) << "ingest_sup's stops are one escalation up";
  EXPECT_EQ(esc.intensity, 3u);
  EXPECT_EQ(esc.period_ms, 5000u);
  ASSERT_EQ(esc.budget.size(), 4u);
  EXPECT_EQ(esc.budget[0].child, "parser100");
  EXPECT_EQ(esc.budget[3].child, "parser130");
  EXPECT_EQ(esc.budget[0].wall_ns, kT0);
  EXPECT_NE(view::chain_step_text(esc).find("4 failures in 5.0 s, 3 restarts allowed"), std::string::npos)
      << view::chain_step_text(esc);
  EXPECT_TRUE(c.note.empty()) << c.note;
}

// An agent that reported the last crash after the escalation it caused (its threads out of
// order): the budget shows the three failures held before it, and the chain says one is missing
// rather than reading "3 failures, 3 restarts allowed" as if that were a reason to give up.
TEST(ExitChain, AnEscalationWithFewerFailuresHeldThanItTakesSaysOneIsMissing) {
  view::Replica r;
  Feed f(r);
  for (int round = 0; round < 3; ++round)
    f.event(kT0 + static_cast<uint64_t>(round) * kSec, 1, pv::EventKind::Crashed, 100 + static_cast<uint64_t>(round), kPool,
            R::Error, "parser" + std::to_string(100 + round), "malformed record");
  const uint64_t t = kT0 + 3 * kSec;
  const uint64_t esc = f.event(t, 1, pv::EventKind::Warning, kPool, kIngestSup, R::Shutdown, "parser_pool",
                               "restart intensity exceeded: more than 3 restarts in 5.0 s");
  f.event(t + 1, 1, pv::EventKind::Crashed, 103, kPool, R::Error, "parser103", "malformed record");
  f.event(t + 2, 1, pv::EventKind::Exited, kPool, kIngestSup, R::Shutdown, "parser_pool");
  f.flush();
  const view::ExitChain c = view::explain_exit(r, esc);
  const auto it = std::find_if(c.steps.begin(), c.steps.end(), [](const auto& st) { return st.kind == K::Escalation; });
  ASSERT_NE(it, c.steps.end());
  EXPECT_EQ(it->budget.size(), 3u);
  EXPECT_NE(c.note.find("parser_pool gave up after more than 3 restarts, but only 3 of its children's crashes"),
            std::string::npos)
      << c.note;
}

TEST(ExitChain, EveryStepOfTheSameIncidentGivesTheSameChain) {
  view::Replica r;
  Feed f(r);
  const Storm s = storm(f);
  for (uint64_t seq : {s.store_stop, s.pool_escalation, s.last_crash}) {
    const view::ExitChain c = view::explain_exit(r, seq);
    expect_chain(c, kEscalationChain);
    for (const auto& st : c.steps) EXPECT_EQ(st.selected, st.seq == seq);
  }
}

TEST(ExitChain, AOneForOneRestartIsTheCrashThenTheRestart) {
  view::Replica r;
  Feed f(r);
  f.event(kT0, 1, pv::EventKind::Crashed, 40, kSessions, R::Error, "session-40", "timeout");
  f.event(kT0 + 1, 1, pv::EventKind::Exited, 41, kSessions, R::Normal, "session-41");
  const uint64_t restart = f.event(kT0 + 2, 1, pv::EventKind::Restarted, 40, kSessions, R::Error, "session-40", "timeout");
  f.flush();
  const view::ExitChain c = view::explain_exit(r, restart);
  EXPECT_TRUE(c.origin_known);
  // session-41's normal exit between them was its own doing: not a step.
  ASSERT_EQ(c.steps.size(), 2u);
  EXPECT_EQ(c.steps.front().kind, K::Crash);
  EXPECT_EQ(c.steps.front().who, "session-40");
  EXPECT_EQ(c.steps.back().kind, K::Restart);
  EXPECT_EQ(c.steps.back().supervisor, "sessions");
  EXPECT_TRUE(c.note.empty()) << c.note;
}

TEST(ExitChain, AnExitNothingExplainsSaysSoInsteadOfGuessing) {
  view::Replica r;
  Feed f(r);
  f.event(kT0, 1, pv::EventKind::Crashed, 40, kSessions, R::Error, "session-40", "timeout");
  f.event(kT0 + 1, 1, pv::EventKind::Restarted, 40, kSessions, R::Error, "session-40", "timeout");
  // After that cascade ended, a worker of the same supervisor stops: nothing held explains it.
  const uint64_t stop = f.event(kT0 + 2, 1, pv::EventKind::Exited, 44, kSessions, R::Shutdown, "session-44");
  f.flush();
  const view::ExitChain c = view::explain_exit(r, stop);
  ASSERT_TRUE(c.found);
  EXPECT_FALSE(c.origin_known);
  ASSERT_EQ(c.steps.size(), 1u);
  EXPECT_EQ(c.steps[0].kind, K::Unexplained);
  EXPECT_TRUE(c.steps[0].selected);
  EXPECT_NE(c.note.find("link or a monitor"), std::string::npos) << c.note;
  EXPECT_NE(c.note.find("not known"), std::string::npos) << c.note;
}

TEST(ExitChain, ACrashWithTheWordsOfAnotherJustBeforeNamesItWithoutClaimingALink) {
  view::Replica r;
  Feed f(r);
  f.event(kT0, 1, pv::EventKind::Crashed, 60, kSessions, R::Error, "session-60", "db down");
  const uint64_t second = f.event(kT0 + 200'000'000, 1, pv::EventKind::Crashed, 70, kPool, R::Error, "parser70", "db down");
  f.flush();
  const view::ExitChain c = view::explain_exit(r, second);
  EXPECT_TRUE(c.origin_known);
  EXPECT_EQ(c.steps.front().who, "parser70");
  EXPECT_NE(c.note.find("session-60"), std::string::npos) << c.note;
  EXPECT_NE(c.note.find("knows no link"), std::string::npos) << c.note;
}

TEST(ExitChain, AnEventNoLongerHeldOrNotAnExitHasNoChain) {
  view::Replica r;
  Feed f(r);
  const uint64_t spawn = f.event(kT0, 1, pv::EventKind::Spawned, 80, kSessions, R::Normal, "session-80");
  f.flush();
  EXPECT_FALSE(view::explain_exit(r, 12345).found);
  const view::ExitChain c = view::explain_exit(r, spawn);
  EXPECT_TRUE(c.found);
  EXPECT_TRUE(c.steps.empty());
  EXPECT_FALSE(c.note.empty());
}

TEST(ExitChain, AnOlderCollectorsEscalationIsKnownByItsText) {
  pv::Event e;
  e.kind = pv::EventKind::Warning;
  e.actor = 5;
  e.text = "restart intensity exceeded: more than 1 restarts in 5.0 s";
  EXPECT_TRUE(view::is_escalation(e));
  e.text = "raised: mailbox_growing";
  EXPECT_FALSE(view::is_escalation(e));
  e.reason = R::Shutdown;
  EXPECT_TRUE(view::is_escalation(e));
}
