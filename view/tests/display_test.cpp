// Display rules shared by both viewers: names, severities, the events query's supervisor
// filter, the client's token and address, and the synthetic system that shows every state.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "actorscope/view/client.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/events.hpp"
#include "actorscope/view/format.hpp"
#include "actorscope/view/synthetic.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

view::Actor actor(uint64_t id, std::string name, std::string child_id) {
  view::Actor a;
  a.row.node = 1;
  a.row.actor = id;
  a.row.name = std::move(name);
  a.row.child_id = std::move(child_id);
  return a;
}

view::Actor supervisor(uint32_t used, uint32_t intensity) {
  view::Actor a = actor(1, "sup", "");
  a.row.kind = proto::ActorKind::Supervisor;
  a.row.intensity = intensity;
  a.stats.restarts_in_period = used;
  return a;
}

// Sets an environment variable for one test and puts the old value back after it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old, had_ = true;
    if (value) setenv(name, value, 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_) setenv(name_, old_.c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

std::string temp_file(const std::string& content) {
  char path[] = "/tmp/actorscope-view-token-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace

TEST(DisplayName, NameThenChildIdThenNumber) {
  EXPECT_EQ(view::display_name(actor(7, "parser", "p-1")), "parser");
  EXPECT_EQ(view::display_name(actor(7, "", "worker-3")), "worker-3");
  EXPECT_EQ(view::display_name(actor(7, "", "")), "<7>");
}

TEST(DisplayName, ActorsEventsAndWarningsThatOutliveTheirActor) {
  view::SyntheticSystem sys;
  const view::Replica& r = sys.replica();
  const view::ActorKey slow = sys.slow_consumer();
  EXPECT_EQ(view::actor_name(r, slow), "audit_log");
  EXPECT_EQ(view::actor_name(r, {slow.node, 999'999}), "<999999>");
  pv::Event e;
  e.actor = 42;
  EXPECT_EQ(view::event_name(e), "<42>");
  e.name = "db.query.stop";
  EXPECT_EQ(view::event_name(e), "db.query.stop");
  EXPECT_EQ(view::warning_subject(r, pv::Warning{slow.node, slow.actor, "k", pv::Severity::Warning, ""}), "audit_log");
  EXPECT_EQ(view::warning_subject(r, pv::Warning{slow.node, 999'999, "k", pv::Severity::Warning, ""}), "<999999> (gone)");
  EXPECT_EQ(view::warning_subject(r, pv::Warning{slow.node, 0, "k", pv::Severity::Info, ""}), "(node)");
}

// A supervisor that gave up (and was replaced) before this viewer joined was never a row of its
// replica: the escalation event names it, and so its children's crashes name it too.
TEST(DisplayName, ASupervisorGoneBeforeTheViewerJoinedIsNamedByItsEscalation) {
  view::Replica r;
  auto event = [&](uint64_t seq, pv::EventKind kind, uint64_t actor, uint64_t supervisor, std::string name,
                   proto::ExitReason reason, std::string text) {
    pv::Event e;
    e.seq = seq;
    e.node = 1;
    e.kind = kind;
    e.actor = actor;
    e.supervisor = supervisor;
    e.name = std::move(name);
    e.reason = reason;
    e.text = std::move(text);
    r.on(e);
  };
  event(1, pv::EventKind::Crashed, 352, 351, "parser2", proto::ExitReason::Error, "error: parser state corrupted");
  EXPECT_EQ(view::known_name(r, {1, 351}), "<351>");
  // A crash's own actor is not taken for a supervisor.
  EXPECT_EQ(view::known_name(r, {1, 352}), "<352>");
  event(2, pv::EventKind::Warning, 351, 340, "parser_pool", proto::ExitReason::Shutdown, "restart intensity exceeded");
  EXPECT_EQ(view::known_name(r, {1, 351}), "parser_pool");
  EXPECT_EQ(view::known_name(r, {1, 352}), "<352>");
  EXPECT_EQ(view::known_name(r, {2, 351}), "<351>") << "another node's actor 351";
}

TEST(Thresholds, DefaultsAreTheTerminalViewersOnes) {
  const view::DisplayThresholds t;
  EXPECT_EQ(view::mailbox_severity(0, t), view::Severity::normal);
  EXPECT_EQ(view::mailbox_severity(999, t), view::Severity::normal);
  EXPECT_EQ(view::mailbox_severity(1000, t), view::Severity::warn);
  EXPECT_EQ(view::mailbox_severity(9'999, t), view::Severity::warn);
  EXPECT_EQ(view::mailbox_severity(10'000, t), view::Severity::critical);
  // A restart budget is hot when all of it is used; any restart in the period warns.
  EXPECT_EQ(view::restart_budget_severity(supervisor(0, 5), t), view::Severity::normal);
  EXPECT_EQ(view::restart_budget_severity(supervisor(1, 5), t), view::Severity::warn);
  EXPECT_EQ(view::restart_budget_severity(supervisor(4, 5), t), view::Severity::warn);
  EXPECT_EQ(view::restart_budget_severity(supervisor(5, 5), t), view::Severity::critical);
  EXPECT_EQ(view::restart_budget_severity(supervisor(1, 0), t), view::Severity::warn);
  view::Actor worker = supervisor(5, 5);
  worker.row.kind = proto::ActorKind::Worker;
  EXPECT_EQ(view::restart_budget_severity(worker, t), view::Severity::normal);
  EXPECT_EQ(view::restart_rate_severity(0, t), view::Severity::normal);
  EXPECT_EQ(view::restart_rate_severity(0.01, t), view::Severity::warn);
  EXPECT_EQ(view::drops_severity(0, t), view::Severity::normal);
  EXPECT_EQ(view::drops_severity(1, t), view::Severity::warn);
  EXPECT_EQ(view::warnings_severity(2, t), view::Severity::warn);
  EXPECT_EQ(view::mailbox_total_severity(999, t), view::Severity::normal);
  EXPECT_EQ(view::mailbox_total_severity(1000, t), view::Severity::warn);
}

TEST(Thresholds, AreSettings) {
  view::DisplayThresholds t;
  t.mailbox_warn = 100;
  t.restart_budget_hot = 0.8;
  EXPECT_EQ(view::mailbox_severity(100, t), view::Severity::warn);
  EXPECT_EQ(view::restart_budget_severity(supervisor(4, 5), t), view::Severity::critical);
  EXPECT_EQ(view::mailbox_depth_at(view::Severity::warn, t), 100u);
  t.mailbox_warn = 0;  // 0 turns a level off
  EXPECT_EQ(view::mailbox_severity(5'000, t), view::Severity::normal);
}

TEST(Thresholds, WarningsAndEventsHaveTheirLevels) {
  EXPECT_EQ(view::warning_severity(pv::Warning{1, 0, "", pv::Severity::Critical, ""}), view::Severity::critical);
  EXPECT_EQ(view::warning_severity(pv::Warning{1, 0, "", pv::Severity::Warning, ""}), view::Severity::warn);
  EXPECT_EQ(view::warning_severity(pv::Warning{1, 0, "", pv::Severity::Info, ""}), view::Severity::normal);
  pv::Event e;
  e.kind = pv::EventKind::Crashed;
  EXPECT_EQ(view::event_severity(e), view::Severity::critical);
  e.kind = pv::EventKind::Restarted;
  EXPECT_EQ(view::event_severity(e), view::Severity::warn);
  e.kind = pv::EventKind::Telemetry;
  EXPECT_EQ(view::event_severity(e), view::Severity::normal);
}

TEST(Format, MeasurementsHaveFourSignificantDigits) {
  EXPECT_EQ(view::format_measurement(12.3456), "12.35");
  EXPECT_EQ(view::format_measurement(0.004), "0.004");
  EXPECT_EQ(view::format_measurement(180.0), "180");
  EXPECT_EQ(view::format_measurement(std::optional<double>()), "-");
}

TEST(EventsList, FiltersBySupervisor) {
  view::SyntheticSystem sys;
  for (int i = 0; i < 40; ++i) sys.tick();  // crashes and restarts every 7 ticks
  const view::Replica& r = sys.replica();
  const pv::Event* restart = nullptr;
  for (const auto& e : r.events())
    if (e.kind == pv::EventKind::Restarted) restart = &e;
  ASSERT_NE(restart, nullptr);
  view::EventsQuery q;
  q.kinds = pv::kAllEventKinds;
  view::EventsList all;
  all.update(r, q);
  q.supervisor = {restart->node, restart->supervisor};
  view::EventsList list;
  list.update(r, q);
  ASSERT_FALSE(list.rows().empty());
  EXPECT_LT(list.size(), all.size());
  for (const pv::Event* e : list.rows()) {
    EXPECT_EQ(e->node, q.supervisor.node);
    EXPECT_TRUE(e->supervisor == q.supervisor.actor || e->actor == q.supervisor.actor) << e->name;
  }
  // Clearing the filter is a new query: every event comes back.
  q.supervisor = {};
  EXPECT_TRUE(list.update(r, q));
  EXPECT_EQ(list.size(), all.size());
}

TEST(ClientOptions, DefaultAddress) {
  EXPECT_EQ(view::ClientOptions{}.address, std::string(view::kDefaultCollectorAddress));
  EXPECT_EQ(std::string(view::kDefaultCollectorAddress), "tcp:127.0.0.1:7411");
}

TEST(ClientOptions, TokenFromFlagThenFileVariableThenVariable) {
  const std::string flag_file = temp_file("from-flag \n\n");
  const std::string env_file = temp_file("from-env-file\r\n");
  std::string token, error;
  {
    ScopedEnv f("ACTORSCOPE_TOKEN_FILE", env_file.c_str());
    ScopedEnv t("ACTORSCOPE_TOKEN", "from-env");
    ASSERT_TRUE(view::read_token(flag_file, token, error)) << error;
    EXPECT_EQ(token, "from-flag");
    ASSERT_TRUE(view::read_token("", token, error)) << error;
    EXPECT_EQ(token, "from-env-file");
  }
  {
    ScopedEnv f("ACTORSCOPE_TOKEN_FILE", nullptr);
    ScopedEnv t("ACTORSCOPE_TOKEN", "from-env\n");
    ASSERT_TRUE(view::read_token("", token, error)) << error;
    EXPECT_EQ(token, "from-env");
  }
  {
    // The environment's token goes through the same parser as a file's: two lines are refused.
    ScopedEnv f("ACTORSCOPE_TOKEN_FILE", nullptr);
    ScopedEnv t("ACTORSCOPE_TOKEN", "one\ntwo\n");
    EXPECT_FALSE(view::read_token("", token, error));
    EXPECT_NE(error.find("ACTORSCOPE_TOKEN"), std::string::npos) << error;
  }
  {
    ScopedEnv f("ACTORSCOPE_TOKEN_FILE", nullptr);
    ScopedEnv t("ACTORSCOPE_TOKEN", nullptr);
    ASSERT_TRUE(view::read_token("", token, error)) << error;
    EXPECT_EQ(token, "");
    EXPECT_FALSE(view::read_token("/nonexistent/actorscope-token", token, error));
    EXPECT_NE(error.find("/nonexistent/actorscope-token"), std::string::npos) << error;
  }
  std::remove(flag_file.c_str());
  std::remove(env_file.c_str());
}

// The generator is the panels' specification: each state a panel can show must appear.
TEST(SyntheticSystem, ShowsEveryStateAPanelCanBeIn) {
  view::SyntheticSystem sys;
  for (int i = 0; i < 30; ++i) sys.tick();
  const view::Replica& r = sys.replica();
  const view::DisplayThresholds t;
  bool mailbox[3] = {}, budget[3] = {}, by_child_id = false, by_number = false, restarting = false;
  for (const view::Actor& a : r.actors()) {
    mailbox[static_cast<int>(view::mailbox_severity(a.stats.mailbox, t))] = true;
    if (a.is_supervisor()) budget[static_cast<int>(view::restart_budget_severity(a, t))] = true;
    by_child_id = by_child_id || (a.row.name.empty() && !a.row.child_id.empty());
    by_number = by_number || view::display_name(a) == "<" + std::to_string(a.row.actor) + ">";
    restarting = restarting || a.stats.state != pv::ActorState::Running;
  }
  for (int s = 0; s < 3; ++s) {
    EXPECT_TRUE(mailbox[s]) << "no mailbox at severity " << s;
    EXPECT_TRUE(budget[s]) << "no restart budget at severity " << s;
  }
  EXPECT_TRUE(by_child_id);
  EXPECT_TRUE(by_number);
  bool kinds[pv::kEventKindCount] = {};
  for (const auto& e : r.events()) kinds[static_cast<size_t>(e.kind)] = true;
  EXPECT_TRUE(kinds[static_cast<size_t>(pv::EventKind::Crashed)]);
  EXPECT_TRUE(kinds[static_cast<size_t>(pv::EventKind::Restarted)]);
  EXPECT_TRUE(kinds[static_cast<size_t>(pv::EventKind::Telemetry)]);
  EXPECT_TRUE(kinds[static_cast<size_t>(pv::EventKind::NodeUp)]);
  bool warning[3] = {};
  for (const auto& l : r.warnings()) warning[static_cast<int>(view::warning_severity(l))] = true;
  EXPECT_TRUE(warning[0] && warning[1] && warning[2]);
  bool with_buckets = false, without = false;
  for (const auto& [key, row] : r.telemetry())
    for (const auto& m : row.measurements) {
      uint64_t n = 0;
      for (uint64_t b : m.buckets) n += b;
      (n ? with_buckets : without) = true;
      if (n) {
        EXPECT_EQ(n, m.count) << row.event;
      }
    }
  EXPECT_TRUE(with_buckets);
  EXPECT_TRUE(without);
  // restarting is periodic: within 10 ticks it was shown
  for (int i = 0; i < 10 && !restarting; ++i) {
    sys.tick();
    for (const view::Actor& a : r.actors()) restarting = restarting || a.stats.state != pv::ActorState::Running;
  }
  EXPECT_TRUE(restarting);
}

// Issue: once a node was gone, its restart events read "(by 4611686018427387910)". A name
// once known is shown for as long as the event that needs it is kept.
TEST(Events, ARestartNamesItsSupervisorAfterTheNodeIsGone) {
  namespace pv = actorscope::proto::viewer;
  actorscope::view::Replica r;
  std::vector<uint8_t> buf;
  actorscope::proto::Writer w(buf);
  pv::encode(w, pv::SnapshotBegin{1, 1, 2});
  pv::NodeRow n;
  n.node = 1;
  n.name = "orders";
  n.connected = true;
  pv::encode(w, n);
  pv::ActorRow sup;
  sup.node = 1;
  sup.actor = 4611686018427387910ull;
  sup.name = "parser_pool";
  sup.type = "pool_sup";
  sup.kind = actorscope::proto::ActorKind::Supervisor;
  sup.strategy = actorscope::proto::Strategy::OneForOne;
  pv::encode(w, sup);
  pv::encode(w, pv::SnapshotEnd{1});
  pv::Event restart{7, 0, 1, pv::EventKind::Restarted, 12, sup.actor, actorscope::proto::ExitReason::Error, "parser_3",
                    "bad input"};
  pv::encode(w, restart);
  pv::encode(w, pv::Tick{1, 0, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  EXPECT_NE(actorscope::view::event_text(r.events().back(), &r).find("(by parser_pool)"), std::string::npos);

  buf.clear();
  actorscope::proto::Writer w2(buf);
  pv::encode(w2, pv::NodeRemoved{1});
  pv::encode(w2, pv::Tick{2, 0, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
  ASSERT_EQ(r.actor({1, sup.actor}), nullptr) << "the node and its actors are gone";
  ASSERT_FALSE(r.events().empty());
  const std::string text = actorscope::view::event_text(r.events().back(), &r);
  EXPECT_NE(text.find("(by parser_pool)"), std::string::npos) << text;
  EXPECT_EQ(text.find("4611686018427387910"), std::string::npos) << text;
}

// A mailbox's pressure: fill less drain, signed; "-" where the fill rate is not known; the
// detail's line says how long it takes to empty at its drain rate. Expected strings are
// written out from the numbers given.
TEST(MailboxPressure, GrowthIsFillLessDrainAndTheDetailSaysWhenItEmpties) {
  pv::ActorStats s;
  s.mailbox = 1500;
  s.msgs_per_s_x100 = 300'00;  // drains 300/s
  s.fill_per_s_x100 = 0;       // fill not known (an older collector, a BEAM node)
  EXPECT_FALSE(view::growth_x100(s).has_value());
  EXPECT_EQ(view::growth_cell(s), "-");
  EXPECT_EQ(view::mailbox_pressure_text(s), "");
  s.fill_per_s_x100 = 500'00 + 1;  // fills 500/s
  ASSERT_TRUE(view::growth_x100(s).has_value());
  EXPECT_EQ(*view::growth_x100(s), 200'00);
  EXPECT_EQ(view::growth_cell(s), "+200");
  EXPECT_EQ(view::growth_severity(s), view::Severity::warn);
  EXPECT_EQ(view::mailbox_pressure_text(s),
            "mailbox 1.5k: fill 500/s, drain 300/s, growing 200/s; empties in 5.0s at its drain rate");
  s.fill_per_s_x100 = 50 + 1;  // fills 0.5/s: it shrinks
  EXPECT_EQ(view::growth_cell(s), "-300");
  EXPECT_EQ(view::growth_severity(s), view::Severity::normal);
  EXPECT_EQ(view::mailbox_pressure_text(s),
            "mailbox 1.5k: fill 0.5/s, drain 300/s, shrinking 300/s; empties in 5.0s at its drain rate");
  s.msgs_per_s_x100 = 50;
  EXPECT_EQ(view::growth_cell(s), "0");
  s.msgs_per_s_x100 = 0;  // nothing taken out
  EXPECT_EQ(view::mailbox_pressure_text(s), "mailbox 1.5k: fill 0.5/s, drain 0/s, growing 0.5/s; not draining");
  s.mailbox = 0;
  EXPECT_EQ(view::mailbox_pressure_text(s), "mailbox 0: fill 0.5/s, drain 0/s, growing 0.5/s");
}
