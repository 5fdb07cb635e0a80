// actorscope-top's panels rendered into text from a known replica, and the --help snapshot.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>

#include "panels.hpp"
#include "actorscope/view/replica.hpp"
#include "actorscope/view/synthetic.hpp"
#include "replica_builder.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

view::Replica sample() {
  using tui::test::ActorSpec;
  return tui::test::ReplicaBuilder("orders")
      .actor(ActorSpec(1, 0, "root", "root_sup").as_supervisor().with_restarts(2, 1))
      .actor(ActorSpec(2, 1, "parser", "parser").with_mailbox(12))
      .actor(ActorSpec(3, 1, "slow-consumer", "consumer").with_mailbox(4200))
      .event(pv::Event{1, 0, 1, pv::EventKind::Crashed, 2, 0, proto::ExitReason::Error, "parser", "bad input"})
      .build();
}

std::string render(view::Replica& r, tui::UiState& ui, int w = 80, int h = 24) {
  tui::TextCanvas c(w, h);
  tui::draw_frame(c, r, ui);
  return c.str();
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Keeps the style of each line's text, to check what a renderer made of a severity.
class StyleCanvas final : public tui::Canvas {
 public:
  StyleCanvas(int w, int h) : text_(w, h), styles_(static_cast<size_t>(h), tui::Style::Normal) {}
  int width() const override { return text_.width(); }
  int height() const override { return text_.height(); }
  void text(int y, int x, std::string_view s, tui::Style st, int max_width) override {
    text_.text(y, x, s, st, max_width);
    if (y >= 0 && y < height() && x == 0) styles_[static_cast<size_t>(y)] = st;
  }
  void fill(int, tui::Style) override {}
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(text_.str());
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  tui::Style style(size_t y) const { return styles_[y]; }

 private:
  tui::TextCanvas text_;
  std::vector<tui::Style> styles_;
};

}  // namespace

TEST(Panels, TreeShowsSupervisorsWithStrategyAndBudget) {
  auto r = sample();
  tui::UiState ui;
  auto screen = lines(render(r, ui));
  ASSERT_GE(screen.size(), 24u);
  EXPECT_NE(screen[4].find("node orders"), std::string::npos) << screen[4];
  EXPECT_NE(screen[5].find("root"), std::string::npos);
  EXPECT_NE(screen[5].find("one_for_one"), std::string::npos);
  EXPECT_NE(screen[5].find("1/3"), std::string::npos);
  for (const auto& l : screen) EXPECT_LE(l.size(), 80u) << l;  // ASCII glyphs: bytes = columns
}

TEST(Panels, ActorsSortedByMailboxPutTheSlowConsumerFirst) {
  auto r = sample();
  tui::UiState ui;
  ui.view = tui::ViewId::Actors;
  auto screen = lines(render(r, ui, 100, 30));
  EXPECT_NE(screen[3].find("vMAILBOX"), std::string::npos) << screen[3];
  EXPECT_NE(screen[4].find("slow-consumer"), std::string::npos) << screen[4];
  EXPECT_NE(screen[4].find("4.2k"), std::string::npos) << screen[4];
  ui.actors_query.inverted = true;
  screen = lines(render(r, ui, 100, 30));
  EXPECT_EQ(screen[4].find("slow-consumer"), std::string::npos) << screen[4];
}

TEST(Panels, EventsAndDetail) {
  auto r = sample();
  tui::UiState ui;
  ui.view = tui::ViewId::Events;
  auto text = render(r, ui);
  EXPECT_NE(text.find("crashed"), std::string::npos);
  EXPECT_NE(text.find("error: bad input"), std::string::npos);
  ui.view = tui::ViewId::Detail;
  ui.detail = view::ActorKey{1, 2};
  text = render(r, ui);
  EXPECT_NE(text.find("parser  <2>  on orders"), std::string::npos) << text;
  EXPECT_NE(text.find("parents: root"), std::string::npos) << text;
}

TEST(Panels, EveryViewFitsA80x24Terminal) {
  auto r = sample();
  for (size_t v = 0; v < tui::kViewCount; ++v) {
    tui::UiState ui;
    ui.view = static_cast<tui::ViewId>(v);
    auto screen = lines(render(r, ui));
    EXPECT_EQ(screen.size(), 24u);
    for (const auto& l : screen) EXPECT_LE(l.size(), 80u) << tui::name(ui.view) << ": " << l;
  }
}

// Numbers at 80 columns are the numbers at 160: a narrow terminal cuts names (with an
// ellipsis) and leaves out whole columns, never a digit.
namespace {
view::Replica wide_numbers() {
  using tui::test::ActorSpec;
  return tui::test::ReplicaBuilder("checkout@a-rather-long-host-name")
      .actor(ActorSpec(1, 0, "payment_gateway_connection_pool", "payment_gateway_pool_supervisor")
                 .as_supervisor(proto::Strategy::SimpleOneForOne, 1000)
                 .with_restarts(757, 757))
      .actor(ActorSpec(2, 1, "payment_gateway_connection_worker_with_a_long_name", "payment_gateway_connection")
                 .with_mailbox(250000)
                 .with_restarts(32, 0))
      .actor(ActorSpec(3, 1, "w2", "payment_gateway_connection").with_mailbox(7))
      .build();
}

// The tokens of a line that are numbers ("757", "250k", "757/1000"), in order.
std::vector<std::string> numbers(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string t; in >> t;) {
    bool num = !t.empty() && std::isdigit(static_cast<unsigned char>(t[0]));
    for (char ch : t) num = num && (std::isdigit(static_cast<unsigned char>(ch)) || ch == '.' || ch == '/' || ch == 'k' || ch == 'M' || ch == 'G');
    if (num) out.push_back(t);
  }
  return out;
}
}  // namespace

TEST(Panels, NarrowTerminalsCutNamesNeverNumbers) {
  auto r = wide_numbers();
  for (tui::ViewId v : {tui::ViewId::Tree, tui::ViewId::Actors}) {
    tui::UiState ui;
    ui.view = v;
    auto wide = lines(render(r, ui, 200, 24));
    auto narrow = lines(render(r, ui, 80, 24));
    ASSERT_EQ(wide.size(), narrow.size());
    size_t rows_with_numbers = 0;
    // The header's totals too (line 0): the long node name gives way, not the numbers.
    ui.pinned_node = "checkout@a-rather-long-host-name";
    wide = lines(render(r, ui, 200, 24));
    narrow = lines(render(r, ui, 80, 24));
    EXPECT_EQ(numbers(narrow[0]), numbers(wide[0])) << narrow[0];
    for (size_t y = 3; y + 1 < wide.size(); ++y) {
      EXPECT_EQ(numbers(narrow[y]), numbers(wide[y])) << tui::name(v) << "\n 80: " << narrow[y] << "\n200: " << wide[y];
      EXPECT_LE(narrow[y].size(), 80u) << narrow[y];
      rows_with_numbers += !numbers(wide[y]).empty();
    }
    EXPECT_GE(rows_with_numbers, 3u) << tui::name(v);
  }
  // The values themselves, from what was fed in.
  tui::UiState ui;
  auto tree = render(r, ui, 80, 24);
  EXPECT_NE(tree.find(" 757/1000 "), std::string::npos) << tree;
  EXPECT_NE(tree.find(" 250k "), std::string::npos) << tree;
  EXPECT_NE(tree.find("~"), std::string::npos) << "a cut name is marked:\n" << tree;
  ui.view = tui::ViewId::Actors;
  auto actors = render(r, ui, 80, 24);
  EXPECT_NE(actors.find(" 250k "), std::string::npos) << actors;
  // The restarts, whole (the last column shown at 80 columns, or followed by another).
  EXPECT_TRUE(actors.find(" 32 ") != std::string::npos || actors.find(" 32\n") != std::string::npos) << actors;
  EXPECT_NE(actors.find("GROWTH"), std::string::npos) << "the mailbox's growth is kept at 80 columns:\n" << actors;
  // Wide enough, the strategy is whole.
  ui.view = tui::ViewId::Tree;
  EXPECT_NE(render(r, ui, 160, 24).find("simple_one_for_one"), std::string::npos);
}

// Started with --node, the screen names that node (the only one subscribed) and drops the
// NODE column, which could only repeat it.
TEST(Panels, APinnedNodeIsNamedNotAllNodes) {
  auto r = sample();
  tui::UiState ui;
  ui.pinned_node = "orders";
  auto screen = lines(render(r, ui, 100, 24));
  EXPECT_EQ(screen[0].find("all nodes"), std::string::npos) << screen[0];
  EXPECT_NE(screen[0].find("orders"), std::string::npos) << screen[0];
  ui.view = tui::ViewId::Actors;
  screen = lines(render(r, ui, 100, 24));
  EXPECT_EQ(screen[3].find("NODE"), std::string::npos) << screen[3];
  EXPECT_EQ(screen[3].rfind("NAME", 0), 0u) << screen[3];
  tui::UiState all;
  all.view = tui::ViewId::Actors;
  screen = lines(render(r, all, 100, 24));
  EXPECT_NE(screen[0].find("all nodes"), std::string::npos) << screen[0];
  EXPECT_EQ(screen[3].rfind("NODE", 0), 0u) << screen[3];
}

// The Flow view: busiest edge first, under the pipeline's order; the edge into a deep
// backlog is drawn critical.
TEST(Panels, FlowShowsTheBusiestEdgeFirstAndTheBacklogItFeeds) {
  using tui::test::ActorSpec;
  auto frames = tui::test::ReplicaBuilder("shop").actor(ActorSpec(1, 0, "ingest-1", "ingest")).frames();
  proto::Writer w(frames);
  auto flow = [&](const std::string& from, const std::string& to, uint64_t rate, uint64_t to_max) {
    pv::FlowRow f;
    f.node = 1;
    f.from_type = from;
    f.to_type = to;
    f.rate_x100 = rate * 100;
    f.messages = rate * 60;
    f.sample_every = 32;
    f.to_mailbox_max = to_max;
    pv::encode(w, f);
  };
  flow("ingest", "parser", 990, 3);
  flow("parser", "store", 40, 18'000);
  flow("", "ingest", 100, 0);
  pv::encode(w, pv::Tick{9, 0, 0});
  view::Replica r;
  ASSERT_TRUE(r.apply(frames.data(), frames.size())) << r.error();
  tui::UiState ui;
  ui.view = tui::ViewId::Flow;
  StyleCanvas c(80, 24);
  tui::draw_frame(c, r, ui);
  auto screen = c.lines();
  size_t at = 0;
  while (at < screen.size() && screen[at].rfind("estimated from sampled sends", 0) != 0) ++at;
  ASSERT_LT(at + 4, screen.size()) << render(r, ui);
  EXPECT_NE(screen[at].find("(1 in 32)"), std::string::npos) << screen[at];
  EXPECT_NE(screen[at].find("(outside) \xE2\x86\x92 ingest \xE2\x86\x92 parser \xE2\x86\x92 store"), std::string::npos) << screen[at];
  EXPECT_EQ(screen[at + 1].rfind("NODE", 0), 0u) << screen[at + 1];
  auto first = numbers(screen[at + 2]);
  EXPECT_NE(screen[at + 2].find("ingest"), std::string::npos) << screen[at + 2];
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first[0], "990") << screen[at + 2];
  EXPECT_NE(screen[at + 3].find("(outside)"), std::string::npos) << screen[at + 3];
  EXPECT_NE(screen[at + 4].find("store"), std::string::npos) << screen[at + 4];
  EXPECT_EQ(c.style(at + 4), tui::Style::Critical) << "18 000 waiting at the store";
  EXPECT_EQ(c.style(at + 3), tui::Style::Normal) << "nothing waits at the ingest";
}

// Enter on an edge: its rate since this viewer connected, under the table. Five ticks a
// second apart, the ingest's rate climbing, make a rising sparkline; the whole 80x24 screen
// is compared with golden/flow-history.txt (ASCII glyphs; ACTORSCOPE_UPDATE_GOLDEN=1 rewrites it).
TEST(Panels, FlowShowsTheSelectedEdgesHistoryUnderTheTable) {
  using tui::test::ActorSpec;
  auto frames = tui::test::ReplicaBuilder("shop").actor(ActorSpec(1, 0, "ingest-1", "ingest")).frames();
  view::Replica r;
  ASSERT_TRUE(r.apply(frames.data(), frames.size())) << r.error();
  tui::UiState ui;
  ui.view = tui::ViewId::Flow;
  constexpr uint64_t kT0 = 1'700'000'000'000'000'000ull;  // 2023-11-14 22:13:20 UTC
  for (uint64_t i = 0; i < 5; ++i) {
    std::vector<uint8_t> buf;
    proto::Writer w(buf);
    auto flow = [&](const std::string& from, const std::string& to, uint64_t rate, uint64_t to_max) {
      pv::FlowRow f;
      f.node = 1;
      f.from_type = from;
      f.to_type = to;
      f.rate_x100 = rate * 100;
      f.messages = rate * 60;
      f.sample_every = 32;
      f.to_mailbox_max = to_max;
      pv::encode(w, f);
    };
    flow("", "ingest", 100 + 200 * i, 0);
    flow("ingest", "parser", 990, 3);
    flow("parser", "store", 40, 18'000);
    pv::encode(w, pv::Tick{10 + i, kT0 + i * 1'000'000'000ull, 0});
    ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
    render(r, ui);  // every frame feeds the history, whatever is selected
  }
  ui.flow_edge = view::Replica::FlowKey{1, "", "ingest"};
  const std::string screen = render(r, ui);
  const auto l = lines(screen);
  size_t at = 0;
  while (at < l.size() && l[at].find("(outside) \xE2\x86\x92 ingest on shop") == std::string::npos) ++at;
  ASSERT_LT(at + 3, l.size()) << screen;
  EXPECT_NE(l[at].find("~900/s now"), std::string::npos) << l[at];
  // five points, each higher: the sparkline climbs to its top glyph
  const std::string spark = l[at + 1].substr(l[at + 1].find_first_not_of(' ', 7));
  EXPECT_EQ(spark.size(), 5u) << l[at + 1];
  std::vector<size_t> level;
  for (char ch : spark)
    for (size_t k = 0; k < tui::kAsciiGlyphs.spark.size(); ++k)
      if (tui::kAsciiGlyphs.spark[k] == std::string_view(&ch, 1)) level.push_back(k);
  ASSERT_EQ(level.size(), 5u) << spark;
  EXPECT_TRUE(std::adjacent_find(level.begin(), level.end(), std::greater_equal<size_t>()) == level.end())
      << "each point higher than the last: " << spark;
  EXPECT_EQ(level.back(), 7u) << spark;
  EXPECT_NE(l[at + 2].find("~100/s .. ~900/s over 5 points (4.0s)"), std::string::npos) << l[at + 2];
  EXPECT_EQ(l[at + 3].rfind("since this viewer connected", 0), 0u) << l[at + 3];
  const std::string golden_path = std::string(ACTORSCOPE_GOLDEN_DIR) + "/flow-history.txt";
  if (std::getenv("ACTORSCOPE_UPDATE_GOLDEN")) std::ofstream(golden_path) << screen;
  std::ifstream golden(golden_path);
  std::stringstream want;
  want << golden.rdbuf();
  EXPECT_EQ(screen, want.str()) << "golden: " << golden_path;
}

TEST(Help, MatchesTheSnapshot) {
  FILE* p = popen(ACTORSCOPE_TOP " --help", "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  EXPECT_EQ(status, 0);
  std::ifstream golden(ACTORSCOPE_HELP_GOLDEN);
  std::stringstream want;
  want << golden.rdbuf();
  EXPECT_EQ(out, want.str());
}

TEST(Help, BadFlagExitsTwoWithUsage) {
  FILE* p = popen(ACTORSCOPE_TOP " --no-such-flag 2>&1", "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_EQ(out.rfind("actorscope-top: unknown flag '--no-such-flag'\nusage:", 0), 0u) << out;
}

// The view library's generated system shows every state; the terminal draws each severity
// in the style the view's thresholds call for.
TEST(Panels, SeveritiesOfTheSyntheticSystemBecomeStyles) {
  view::SyntheticSystem sys;
  for (int i = 0; i < 20; ++i) sys.tick();
  const view::Replica& r = sys.replica();
  tui::UiState ui;
  ui.view = tui::ViewId::Actors;
  ui.cursor[static_cast<size_t>(tui::ViewId::Actors)].selected = 34;  // the selection bar out of the way
  ui.cursor[static_cast<size_t>(tui::ViewId::Actors)].at_top = false;
  StyleCanvas c(120, 40);
  tui::draw_frame(c, r, ui);
  auto screen = c.lines();
  // sorted by mailbox: the slow consumer is past the critical depth
  ASSERT_NE(screen[4].find("audit_log"), std::string::npos) << screen[4];
  EXPECT_EQ(c.style(4), tui::Style::Critical);
  bool warn = false, normal = false;
  for (size_t y = 5; y + 1 < screen.size(); ++y) {
    warn = warn || c.style(y) == tui::Style::Warning;
    normal = normal || c.style(y) == tui::Style::Normal;
  }
  EXPECT_TRUE(warn);
  EXPECT_TRUE(normal);

  // Tree: db_sup used its whole restart budget (critical), jobs_sup some (warning).
  ui.view = tui::ViewId::Tree;
  tui::draw_frame(c, r, ui);
  screen = c.lines();
  bool db = false, jobs = false;
  for (size_t y = 0; y < screen.size(); ++y) {
    if (screen[y].find("db_sup") != std::string::npos) {
      db = true;
      EXPECT_EQ(c.style(y), tui::Style::Critical) << screen[y];
    }
    if (screen[y].find("jobs_sup") != std::string::npos) {
      jobs = true;
      EXPECT_EQ(c.style(y), tui::Style::Warning) << screen[y];
    }
  }
  EXPECT_TRUE(db && jobs);

  // A stricter setting moves the line: the thresholds are the view's, not the panel's.
  ui.view = tui::ViewId::Actors;
  ui.thresholds.mailbox_critical = 1'000'000;
  tui::draw_frame(c, r, ui);
  EXPECT_EQ(c.style(4), tui::Style::Warning);
}
