// What a user does with actorscope-top besides reading: backlogs drawn loud in every view,
// a selection that stays on its item while rows arrive, the mouse, a help that scrolls, CSV
// export and copy. Each is checked against the replica (the independent reference), not
// against the panel's own view-model.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>
#include <curses.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "export_command.hpp"
#include "keys.hpp"
#include "mouse.hpp"
#include "panels.hpp"
#include "actorscope/view/display.hpp"
#include "actorscope/view/format.hpp"
#include "replica_builder.hpp"

using namespace actorscope;
namespace pv = proto::viewer;
using tui::test::ActorSpec;

namespace {

// Keeps the style of every cell, to see what a renderer made of a severity.
class CellCanvas final : public tui::Canvas {
 public:
  CellCanvas(int w, int h) : text_(w, h), styles_(static_cast<size_t>(w * h), tui::Style::Normal), w_(w), h_(h) {}
  int width() const override { return w_; }
  int height() const override { return h_; }
  void text(int y, int x, std::string_view s, tui::Style st, int max_width) override {
    text_.text(y, x, s, st, max_width);
    if (y < 0 || y >= h_) return;
    int n = tui::columns(tui::clip(s, max_width >= 0 ? max_width : w_));
    for (int i = 0; i < n && x + i < w_; ++i)
      if (x + i >= 0) styles_[static_cast<size_t>(y * w_ + x + i)] = st;
  }
  void fill(int y, tui::Style st) override {
    for (int x = 0; x < w_ && y >= 0 && y < h_; ++x) styles_[static_cast<size_t>(y * w_ + x)] = st;
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(text_.str());
    for (std::string l; std::getline(in, l);) out.push_back(l);
    while (out.size() < static_cast<size_t>(h_)) out.emplace_back();
    return out;
  }
  tui::Style style(int y, int x) const { return styles_[static_cast<size_t>(y * w_ + x)]; }

 private:
  tui::TextCanvas text_;
  std::vector<tui::Style> styles_;
  int w_, h_;
};

// A client that is never started: the tests feed its replica by hand, as its thread would.
struct Harness {
  Harness() : client(options()), ctx{ui, client} {}
  static view::ClientOptions options() {
    view::ClientOptions o;
    o.address = "unix:/nonexistent/actorscope-interaction-test.sock";
    return o;
  }
  template <typename... Messages>
  void apply(const Messages&... m) {
    std::vector<uint8_t> buf;
    proto::Writer w(buf);
    (pv::encode(w, m), ...);
    pv::encode(w, pv::Tick{1, 0, 0});
    auto lock = client.lock();
    ASSERT_TRUE(client.replica().apply(buf.data(), buf.size())) << client.replica().error();
  }
  void load(const tui::test::ReplicaBuilder& from) {
    std::vector<uint8_t> buf = from.frames();
    auto lock = client.lock();
    ASSERT_TRUE(client.replica().apply(buf.data(), buf.size())) << client.replica().error();
  }
  std::vector<std::string> draw(int w = 80, int h = 24) {
    CellCanvas c(w, h);
    auto lock = client.lock();
    tui::draw_frame(c, client.replica(), ui);
    return c.lines();
  }
  view::Client client;
  tui::UiState ui;
  tui::ActionContext ctx;
};

tui::test::ReplicaBuilder backlog_builder() {
  return tui::test::ReplicaBuilder("orders")
      .actor(ActorSpec(1, 0, "root", "root_sup").as_supervisor(proto::Strategy::OneForOne, 10).with_restarts(1, 1))
      .actor(ActorSpec(2, 1, "parser", "parser").with_mailbox(12))
      .actor(ActorSpec(3, 1, "slow-consumer", "consumer").with_mailbox(18'000))
      .actor(ActorSpec(4, 1, "indexer", "indexer").with_mailbox(4200));
}
view::Replica backlog_system() { return backlog_builder().build(); }

int find_line(const std::vector<std::string>& screen, std::string_view what) {
  for (size_t y = 0; y < screen.size(); ++y)
    if (screen[y].find(what) != std::string::npos) return static_cast<int>(y);
  return -1;
}

}  // namespace

// A slow consumer's 18 k is as loud in the tree as in Actors and Detail, by the view's
// thresholds: the depth's own cell on every row, the worker's whole line, the header's total.
TEST(Backlog, MailboxDepthIsColouredInTheTreeByTheViewsThresholds) {
  view::Replica r = backlog_system();
  tui::UiState ui;
  ui.tree = view::TreeModel(view::TreeSettings{8, 3, false});
  ui.cursor[0].selected = 0;  // the node's row: the selection bar is not on the rows looked at
  CellCanvas c(100, 24);
  tui::draw_frame(c, r, ui);
  auto screen = c.lines();
  auto depth_style = [&](std::string_view name) {
    int y = find_line(screen, name);
    EXPECT_GE(y, 0) << name;
    const view::Actor* a = nullptr;
    for (const auto& x : r.actors())
      if (view::display_name(x) == name) a = &x;
    EXPECT_NE(a, nullptr);
    // the depth the row shows: its subtree's, from the replica
    std::string shown = view::format_count(a->subtree.mailbox);
    size_t at = screen[static_cast<size_t>(y)].find(" " + shown + " ");
    EXPECT_NE(at, std::string::npos) << screen[static_cast<size_t>(y)];
    return std::pair{c.style(y, static_cast<int>(at + 1)), view::mailbox_severity(a->subtree.mailbox, ui.thresholds)};
  };
  for (const char* name : {"slow-consumer", "indexer", "parser", "root"}) {
    auto [style, severity] = depth_style(name);
    EXPECT_EQ(style, tui::style_of(severity)) << name;
  }
  EXPECT_EQ(depth_style("slow-consumer").first, tui::Style::Critical);
  EXPECT_EQ(depth_style("indexer").first, tui::Style::Warning);
  EXPECT_EQ(depth_style("parser").first, tui::Style::Normal);
  EXPECT_EQ(depth_style("root").first, tui::Style::Critical) << "a supervisor's subtree holds the backlog";
  // the worker's whole line, as in Actors
  EXPECT_EQ(c.style(find_line(screen, "slow-consumer"), 10), tui::Style::Critical);
  // the header's total
  int x = static_cast<int>(screen[0].find("mailbox "));
  ASSERT_GE(x, 0) << screen[0];
  EXPECT_EQ(c.style(0, x), tui::Style::Warning) << screen[0];
  // a stricter setting moves the colour: the thresholds are the view's
  ui.thresholds.mailbox_critical = 1'000'000;
  tui::draw_frame(c, r, ui);
  EXPECT_EQ(depth_style("slow-consumer").first, tui::Style::Warning);
}

TEST(Backlog, DetailColoursTheDepth) {
  view::Replica r = backlog_system();
  tui::UiState ui;
  ui.view = tui::ViewId::Detail;
  ui.detail = view::ActorKey{1, 3};
  CellCanvas c(100, 24);
  tui::draw_frame(c, r, ui);
  int y = find_line(c.lines(), "mailbox 18");
  ASSERT_GE(y, 0);
  EXPECT_EQ(c.style(y, 0), tui::Style::Critical);
}

// Enter on a Warnings row opens the actor named in that row, though a new warning sorted
// above it arrived after it was selected.
TEST(Selection, EnterInWarningsOpensTheActorOfTheSelectedRowWhileWarningsArrive) {
  Harness h;
  h.load(backlog_builder());
  pv::Warnings first;
  first.warnings.push_back({1, 2, "mailbox_growing", pv::Severity::Warning, "grew in 40 samples"});
  first.warnings.push_back({1, 4, "mailbox_growing", pv::Severity::Warning, "grew in 12 samples"});
  h.apply(first);
  h.ui.view = tui::ViewId::Warnings;
  auto screen = h.draw();
  tui::handle_key('j', h.ctx);  // the second row
  screen = h.draw();
  const int row_y = h.ui.list_y + 1;
  const std::string row = screen[static_cast<size_t>(row_y)];
  ASSERT_NE(row.find("indexer"), std::string::npos) << row;
  // Two new warnings sort above it: one arrives before the next frame, one between frame and key.
  pv::Warnings more = first;
  more.warnings.push_back({1, 3, "mailbox_large", pv::Severity::Critical, "18k waiting"});
  h.apply(more);
  screen = h.draw();
  const size_t sel = h.ui.cursor[static_cast<size_t>(tui::ViewId::Warnings)].selected;
  EXPECT_NE(screen[static_cast<size_t>(h.ui.list_y) + sel].find("indexer"), std::string::npos) << "the bar stays on indexer";
  more.warnings.push_back({1, 1, "restart_storm", pv::Severity::Critical, "1/10"});
  h.apply(more);
  tui::handle_key('\n', h.ctx);
  ASSERT_EQ(h.ui.view, tui::ViewId::Detail);
  ASSERT_TRUE(h.ui.detail);
  auto lock = h.client.lock();
  EXPECT_EQ(view::actor_name(h.client.replica(), *h.ui.detail), "indexer");
}

TEST(Selection, ActorsAndEventsKeepTheirItemWhenRowsMove) {
  Harness h;
  h.load(backlog_builder());
  h.ui.view = tui::ViewId::Actors;
  h.draw();
  tui::handle_key('j', h.ctx);  // by mailbox: slow-consumer, indexer, parser, ...
  auto screen = h.draw();
  ASSERT_NE(screen[static_cast<size_t>(h.ui.list_y) + 1].find("indexer"), std::string::npos);
  // parser's backlog overtakes both: row 1 is now slow-consumer, the selection stays on indexer
  pv::ActorStats s;
  s.node = 1;
  s.actor = 2;
  s.mailbox = 50'000;
  h.apply(s);
  tui::handle_key('\n', h.ctx);
  ASSERT_TRUE(h.ui.detail);
  EXPECT_EQ(h.ui.detail->actor, 4u);

  // Events: a new event comes first (newest first); the selection stays on the event it was
  // put on (a move in the list, here Up on the first row, picks the item).
  h.ui.view = tui::ViewId::Events;
  h.apply(pv::Event{10, 1, 1, pv::EventKind::Crashed, 4, 1, proto::ExitReason::Error, "indexer", "bad"});
  h.draw();
  tui::handle_key('k', h.ctx);
  h.apply(pv::Event{11, 2, 1, pv::EventKind::Crashed, 2, 1, proto::ExitReason::Error, "parser", "worse"});
  h.draw();
  tui::handle_key('\n', h.ctx);
  EXPECT_EQ(h.ui.detail->actor, 4u);
}

// A list nobody moved in shows its top, as top and htop do: sorted by mailbox, the bar stays
// on the deepest mailbox whichever actor that is now. Enter takes the actor drawn under the
// bar; a move picks an item and the bar follows it; g goes back to following the top.
TEST(Selection, AnUntouchedListFollowsItsTopUntilAMovePicksAnItem) {
  Harness h;
  h.load(backlog_builder());
  h.ui.view = tui::ViewId::Actors;
  auto screen = h.draw();  // by mailbox: slow-consumer (18 k), indexer, parser, ...
  ASSERT_NE(screen[static_cast<size_t>(h.ui.list_y)].find("slow-consumer"), std::string::npos);
  auto deepen = [&](uint32_t actor, uint64_t mailbox) {
    pv::ActorStats s;
    s.node = 1;
    s.actor = actor;
    s.mailbox = mailbox;
    h.apply(s);
  };
  deepen(2, 50'000);  // parser overtakes it
  screen = h.draw();
  ASSERT_NE(screen[static_cast<size_t>(h.ui.list_y)].find("parser"), std::string::npos);
  EXPECT_EQ(h.ui.cursor[1].selected, 0u) << "the bar stayed on the first row";
  // indexer overtakes both between the frame and the key: Enter opens what was drawn.
  deepen(4, 90'000);
  tui::handle_key('\n', h.ctx);
  ASSERT_TRUE(h.ui.detail);
  EXPECT_EQ(h.ui.detail->actor, 2u) << "Enter took the actor under the bar on screen";
  tui::handle_key(27, h.ctx);
  ASSERT_EQ(h.ui.view, tui::ViewId::Actors);

  // j picks the second row (parser now); the bar follows parser when slow-consumer overtakes it.
  h.draw();
  tui::handle_key('j', h.ctx);
  screen = h.draw();
  ASSERT_NE(screen[static_cast<size_t>(h.ui.list_y) + 1].find("parser"), std::string::npos);
  deepen(3, 200'000);
  screen = h.draw();
  EXPECT_EQ(h.ui.cursor[1].selected, 2u);
  EXPECT_NE(screen[static_cast<size_t>(h.ui.list_y) + 2].find("parser"), std::string::npos);
  // g: the top again, and it stays the top as the order changes.
  tui::handle_key('g', h.ctx);
  deepen(4, 300'000);
  screen = h.draw();
  EXPECT_EQ(h.ui.cursor[1].selected, 0u);
  EXPECT_NE(screen[static_cast<size_t>(h.ui.list_y)].find("indexer"), std::string::npos);
}

// A child is a thing: the Actors selection and Detail stay on the child "indexer" when its
// supervisor restarts it (a new actor id at the same place), and Detail says so.
TEST(Selection, ActorsAndDetailFollowARestartedChild) {
  Harness h;
  h.load(backlog_builder());
  h.ui.view = tui::ViewId::Actors;
  h.draw();
  tui::handle_key('j', h.ctx);  // by mailbox: slow-consumer, indexer, ...
  auto screen = h.draw();
  ASSERT_NE(screen[static_cast<size_t>(h.ui.list_y) + 1].find("indexer"), std::string::npos);
  // indexer (4) crashes and comes back as 40 with an empty mailbox: it sorts last now.
  pv::Event crash{20, 1, 1, pv::EventKind::Crashed, 4, 1, proto::ExitReason::Error, "indexer", "bad"};
  pv::ActorRow again;
  again.node = 1;
  again.actor = 40;
  again.parent = 1;
  again.name = "indexer";
  again.type = "indexer";
  h.apply(crash, pv::ActorRemoved{1, 4}, again);
  h.draw();
  tui::handle_key('\n', h.ctx);
  ASSERT_TRUE(h.ui.detail);
  EXPECT_EQ(h.ui.detail->actor, 40u) << "the selection followed the child to its new incarnation";

  // Detail on it follows the next restart too, and says what happened.
  pv::ActorRow third = again;
  third.actor = 41;
  h.apply(pv::Event{21, 2, 1, pv::EventKind::Crashed, 40, 1, proto::ExitReason::Error, "indexer", "worse"},
          pv::ActorRemoved{1, 40}, third);
  screen = h.draw();
  EXPECT_EQ(h.ui.detail->actor, 41u);
  EXPECT_GE(find_line(screen, "restarted: now <41> (was <40>)"), 0);
  EXPECT_TRUE(h.ui.detail_moved) << "the new incarnation's detail is to be asked for";
}

// The warnings' history is one key away in Events: raised and cleared warnings are events.
TEST(Events, WShowsTheWarningsRaisedAndCleared) {
  Harness h;
  h.load(backlog_builder());
  h.apply(pv::Event{30, 1, 1, pv::EventKind::Warning, 3, 0, proto::ExitReason::Normal, "slow-consumer",
                    "mailbox_large cleared after 42s (peak 18k)"});
  h.ui.view = tui::ViewId::Events;
  EXPECT_LT(find_line(h.draw(160), "cleared after 42s"), 0) << "hidden by default";
  tui::handle_key('w', h.ctx);
  EXPECT_GE(find_line(h.draw(160), "cleared after 42s"), 0);
  tui::handle_key('w', h.ctx);
  EXPECT_LT(find_line(h.draw(160), "cleared after 42s"), 0);
}

// Mouse: the tabs and rows found on the screen drawn, not from the viewer's own geometry.
TEST(Mouse, ClickTabsAndRowsWheelScrolls) {
  Harness h;
  h.load(backlog_builder());
  auto screen = h.draw();
  int tabs_y = find_line(screen, "1 Tree");
  ASSERT_GE(tabs_y, 0);
  for (auto [label, view] : {std::pair{"3 Events", tui::ViewId::Events}, std::pair{"5 Warnings", tui::ViewId::Warnings},
                             std::pair{"2 Actors", tui::ViewId::Actors}}) {
    int x = static_cast<int>(screen[static_cast<size_t>(tabs_y)].find(label));
    ASSERT_GE(x, 0);
    tui::handle_mouse({tui::MouseEvent::Kind::Click, x + 2, tabs_y}, h.ctx);
    EXPECT_EQ(h.ui.view, view) << label;
    screen = h.draw();
  }
  // A click on the row that shows "parser" selects parser.
  int y = find_line(screen, "parser");
  ASSERT_GT(y, tabs_y);
  tui::handle_mouse({tui::MouseEvent::Kind::Click, 5, y}, h.ctx);
  tui::handle_key('\n', h.ctx);
  ASSERT_TRUE(h.ui.detail);
  EXPECT_EQ(h.ui.detail->actor, 2u);
  // A click below the last row selects nothing.
  h.ui.view = tui::ViewId::Actors;
  screen = h.draw();
  const size_t before = h.ui.cursor[1].selected;
  tui::handle_mouse({tui::MouseEvent::Kind::Click, 5, 20}, h.ctx);
  EXPECT_EQ(h.ui.cursor[1].selected, before);
  // The wheel moves the selection by kWheelRows, within the list.
  h.ui.cursor[1] = {};
  h.draw();
  tui::handle_mouse({tui::MouseEvent::Kind::WheelDown, 5, 10}, h.ctx);
  EXPECT_EQ(h.ui.cursor[1].selected, 3u);
  tui::handle_mouse({tui::MouseEvent::Kind::WheelDown, 5, 10}, h.ctx);
  EXPECT_EQ(h.ui.cursor[1].selected, 3u) << "four actors: the last is row 3";
  tui::handle_mouse({tui::MouseEvent::Kind::WheelUp, 5, 10}, h.ctx);
  EXPECT_EQ(h.ui.cursor[1].selected, 0u);
}

// At 80x24 the help is longer than the screen: it says so, and the arrows bring every line.
TEST(Help, ScrollsAt80x24AndSaysThereIsMore) {
  Harness h;
  h.load(backlog_builder());
  tui::handle_key('?', h.ctx);
  ASSERT_EQ(h.ui.view, tui::ViewId::Help);
  auto screen = h.draw();
  // the last key's line (the status line says "q:quit" too)
  const std::string last = tui::help_lines()[tui::key_bindings().size() - 1];
  ASSERT_NE(last.find("quit"), std::string::npos) << last;
  ASSERT_EQ(find_line(screen, last), -1) << "the table fits at 80x24: this test has nothing to check";
  EXPECT_GE(find_line(screen, "more below"), 0);
  std::map<std::string, bool> seen;
  for (const auto& l : tui::help_lines())
    if (!l.empty()) seen[l] = false;
  for (int i = 0; i < 40; ++i) {
    for (auto& [help, found] : seen) found = found || find_line(screen, help) >= 0;
    for (const auto& l : screen) EXPECT_LE(l.size(), 80u) << l;
    tui::handle_key(i < 20 ? 'j' : KEY_NPAGE, h.ctx);
    screen = h.draw();
  }
  for (const auto& [help, found] : seen) EXPECT_TRUE(found) << help;
  EXPECT_EQ(find_line(screen, "more below"), -1) << "at the end";
  EXPECT_GE(find_line(screen, last), 0);
  tui::handle_key('g', h.ctx);
  screen = h.draw();
  EXPECT_GE(find_line(screen, "move up"), 0);
  tui::handle_key(27, h.ctx);
  EXPECT_EQ(h.ui.view, tui::ViewId::Tree);
}

namespace {
std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::map<std::string, std::string>> out;
  std::vector<std::string> header;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f;
    std::string cur;
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      char ch = line[i];
      if (quoted && ch == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', ++i;
      else if (ch == '"') quoted = !quoted;
      else if (ch == ',' && !quoted) f.push_back(cur), cur.clear();
      else cur += ch;
    }
    f.push_back(cur);
    if (header.empty()) {
      header = f;
      continue;
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < f.size(); ++i) row[header[i]] = f[i];
    out.push_back(row);
  }
  return out;
}
std::string path_in(const std::string& message) {
  size_t at = message.find(" to /");
  return at == std::string::npos ? std::string() : message.substr(at + 4);
}
}  // namespace

// The CSV holds the table's rows in the table's order, with the replica's raw values.
TEST(Export, ActorsCsvEqualsTheTablesRows) {
  Harness h;
  h.load(backlog_builder());
  char tmpl[] = "/tmp/actorscope-export-test.XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  h.ui.export_dir = dir;
  h.ui.view = tui::ViewId::Actors;
  auto screen = h.draw(100, 24);
  tui::handle_key('e', h.ctx);
  std::string path = path_in(h.ui.message);
  ASSERT_FALSE(path.empty()) << h.ui.message;
  EXPECT_EQ(path.rfind(dir + "/actorscope-actors-", 0), 0u) << path;
  auto rows = read_csv(path);
  {
  auto lock = h.client.lock();
  const view::Replica& r = h.client.replica();
  ASSERT_EQ(rows.size(), r.actors().size());
  EXPECT_NE(h.ui.message.find("exported " + std::to_string(rows.size()) + " actors"), std::string::npos) << h.ui.message;
  for (size_t i = 0; i < rows.size(); ++i) {
    // the screen's row i names the same actor...
    const std::string& line = screen[static_cast<size_t>(h.ui.list_y) + i];
    EXPECT_NE(line.find(" " + rows[i]["name"] + " "), std::string::npos) << line;
    // ...and the values are the replica's, unformatted
    const view::Actor* a = r.actor(view::ActorKey{1, std::stoull(rows[i]["actor_id"])});
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(rows[i]["name"], view::display_name(*a));
    EXPECT_EQ(rows[i]["mailbox"], std::to_string(a->stats.mailbox));
    EXPECT_EQ(rows[i]["restarts"], std::to_string(a->stats.restarts));
    EXPECT_EQ(rows[i]["node"], "orders");
  }
  }
  // A second export in the same second does not overwrite the first.
  tui::handle_key('e', h.ctx);
  EXPECT_NE(path_in(h.ui.message), path);
  std::filesystem::remove_all(dir);
}

TEST(Export, EventsCsvAndCopyOfARow) {
  Harness h;
  h.load(backlog_builder());
  h.apply(pv::Event{10, 1'000'000'000, 1, pv::EventKind::Crashed, 4, 1, proto::ExitReason::Error, "indexer", "bad, \"quoted\""});
  h.apply(pv::Event{11, 2'000'000'000, 1, pv::EventKind::Restarted, 4, 1, proto::ExitReason::Error, "indexer", ""});
  char tmpl[] = "/tmp/actorscope-export-test.XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  h.ui.export_dir = dir;
  h.ui.view = tui::ViewId::Events;
  h.draw();
  tui::handle_key('e', h.ctx);
  auto rows = read_csv(path_in(h.ui.message));
  ASSERT_EQ(rows.size(), 2u) << h.ui.message;
  EXPECT_EQ(rows[0]["wall_ns"], "2000000000") << "newest first, as listed";
  EXPECT_EQ(rows[1]["kind"], "crashed");
  EXPECT_NE(rows[1]["text"].find("bad, \"quoted\""), std::string::npos) << rows[1]["text"];
  std::filesystem::remove_all(dir);

  // Copy: the selected actor's CSV line, to the terminal's clipboard.
  EXPECT_EQ(tui::osc52("hello"), "\033]52;c;aGVsbG8=\a");
  EXPECT_EQ(tui::osc52("hi!?"), "\033]52;c;aGkhPw==\a");
  h.ui.view = tui::ViewId::Actors;
  h.draw();
  tui::handle_key('c', h.ctx);
  ASSERT_EQ(h.ui.terminal_out.rfind("\033]52;c;", 0), 0u);
  EXPECT_NE(h.ui.message.find(",slow-consumer,"), std::string::npos) << h.ui.message;
  EXPECT_EQ(h.ui.terminal_out, tui::osc52(h.ui.message.substr(h.ui.message.find(": ") + 2)));
}

// The status line names the file as the directory was given, so that at 80 columns the name
// is there whole: the current directory adds nothing before it, not an absolute path.
TEST(Export, TheStatusLineNamesTheFileWholeAt80Columns) {
  EXPECT_EQ(tui::shown_path(".", "a.csv"), "a.csv");
  EXPECT_EQ(tui::shown_path("", "a.csv"), "a.csv");
  EXPECT_EQ(tui::shown_path("./", "a.csv"), "a.csv");
  EXPECT_EQ(tui::shown_path("out", "a.csv"), "out/a.csv");
  EXPECT_EQ(tui::shown_path("./out/../exports/", "a.csv"), "exports/a.csv");
  EXPECT_EQ(tui::shown_path("/var/tmp", "a.csv"), "/var/tmp/a.csv");

  Harness h;
  h.load(backlog_builder());
  char tmpl[] = "/tmp/actorscope-export-test.XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const auto was = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  h.ui.view = tui::ViewId::Actors;  // export_dir: the default, "."
  h.draw();
  tui::handle_key('e', h.ctx);
  auto screen = h.draw(80, 24);
  std::filesystem::current_path(was);
  const std::string status = screen[23];
  const std::string name = h.ui.message.substr(h.ui.message.find(" to ") + 4);
  EXPECT_EQ(name.rfind("actorscope-actors-", 0), 0u) << h.ui.message;
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / name)) << name;
  EXPECT_NE(status.find(name), std::string::npos) << status;
  std::filesystem::remove_all(dir);
}

// Flow: the arrows move along the edges, Enter on one shows its history under the table
// (the edge of the row chosen, checked against the rows sent), Esc closes it, and a click on
// a row shows that row's edge.
TEST(Flow, EnterOnAnEdgeShowsItsHistoryAndEscClosesIt) {
  Harness h;
  h.load(backlog_builder());
  constexpr uint64_t kT0 = 1'700'000'000'000'000'000ull;
  for (uint64_t i = 0; i < 3; ++i) {
    std::vector<uint8_t> buf;
    proto::Writer w(buf);
    for (auto [from, to, rate] : {std::tuple{"ingest", "parser", 990}, std::tuple{"parser", "store", 400},
                                  std::tuple{"store", "audit", 7}}) {
      pv::FlowRow f;
      f.node = 1;
      f.from_type = from;
      f.to_type = to;
      f.rate_x100 = static_cast<uint64_t>(rate) * 100;
      f.sample_every = 32;
      pv::encode(w, f);
    }
    pv::encode(w, pv::Tick{2 + i, kT0 + i * 1'000'000'000ull, 0});
    {
      auto lock = h.client.lock();
      ASSERT_TRUE(h.client.replica().apply(buf.data(), buf.size())) << h.client.replica().error();
    }
    h.draw();
  }
  tui::handle_key('6', h.ctx);
  auto screen = h.draw();
  ASSERT_GE(find_line(screen, "estimated from sampled sends"), 0);
  EXPECT_EQ(find_line(screen, "since this viewer connected"), -1) << "no history before Enter";
  tui::handle_key('j', h.ctx);  // the second busiest: parser -> store
  tui::handle_key('\n', h.ctx);
  screen = h.draw();
  const int title = find_line(screen, "parser \xE2\x86\x92 store on orders: ~400/s now");
  ASSERT_GE(title, 0) << [&] { std::string t; for (auto& l : screen) t += l + "\n"; return t; }();
  EXPECT_GE(find_line(screen, "over 3 points"), title);
  EXPECT_GE(find_line(screen, "since this viewer connected"), title);
  tui::handle_key(27, h.ctx);
  screen = h.draw();
  EXPECT_EQ(find_line(screen, "since this viewer connected"), -1) << "Esc closes it";
  EXPECT_EQ(h.ui.view, tui::ViewId::Flow) << "and stays in Flow";
  // A click on the third row (store -> audit) shows that edge.
  tui::MouseEvent click;
  click.kind = tui::MouseEvent::Kind::Click;
  click.y = h.ui.list_y + 2;
  click.x = 3;
  tui::handle_mouse(click, h.ctx);
  screen = h.draw();
  EXPECT_GE(find_line(screen, "store \xE2\x86\x92 audit on orders"), 0);
}

// Flow: `a` on an edge leads to the receiving type's actors: Actors, filtered on that type.
TEST(Flow, AOnAnEdgeListsTheReceivingTypesActors) {
  Harness h;
  h.load(backlog_builder());
  std::vector<uint8_t> buf;
  proto::Writer w(buf);
  for (auto [from, to, rate] : {std::tuple{"ingest", "parser", 990}, std::tuple{"parser", "consumer", 400}}) {
    pv::FlowRow f;
    f.node = 1;
    f.from_type = from;
    f.to_type = to;
    f.rate_x100 = static_cast<uint64_t>(rate) * 100;
    f.sample_every = 32;
    pv::encode(w, f);
  }
  pv::encode(w, pv::Tick{2, 1'700'000'000'000'000'000ull, 0});
  {
    auto lock = h.client.lock();
    ASSERT_TRUE(h.client.replica().apply(buf.data(), buf.size())) << h.client.replica().error();
  }
  tui::handle_key('6', h.ctx);
  h.draw();
  tui::handle_key('j', h.ctx);  // parser -> consumer
  tui::handle_key('a', h.ctx);
  EXPECT_EQ(h.ui.view, tui::ViewId::Actors);
  EXPECT_EQ(h.ui.actors_query.filter, "consumer");
  auto screen = h.draw();
  EXPECT_NE(h.ui.message.find("filtered on 'consumer'"), std::string::npos) << h.ui.message;
  const int head = find_line(screen, "vMAILBOX");
  ASSERT_GE(head, 0);
  EXPECT_NE(screen[static_cast<size_t>(head + 1)].find("slow-consumer"), std::string::npos) << screen[static_cast<size_t>(head + 1)];
  // Elsewhere than Flow, `a` does nothing.
  tui::handle_key('1', h.ctx);
  tui::handle_key('a', h.ctx);
  EXPECT_EQ(h.ui.view, tui::ViewId::Tree);
}

// Flow by supervisor subtree: s on a worker in Actors shows the flow within its supervisor;
// the rows are the reply's edges, named by the groups they join, in the reply's order; Enter
// on a row into a child supervisor shows the flow within it, u goes back up, Esc to by type.
TEST(Flow, SOnAWorkerShowsTheFlowWithinItsSupervisorAndEnterGoesIntoAChildSupervisor) {
  Harness h;
  h.load(tui::test::ReplicaBuilder("orders")
             .actor(ActorSpec(1, 0, "root", "root_sup").as_supervisor())
             .actor(ActorSpec(2, 1, "pipeline", "pipeline_sup").as_supervisor())
             .actor(ActorSpec(3, 1, "store", "store").with_mailbox(900))
             .actor(ActorSpec(5, 2, "ingest", "ingest"))
             .actor(ActorSpec(6, 2, "parser", "parser").with_mailbox(40)));
  h.ui.view = tui::ViewId::Actors;
  auto screen = h.draw(100, 30);
  const int store_line = find_line(screen, "store");
  ASSERT_GE(store_line, h.ui.list_y);
  tui::handle_key('g', h.ctx);
  for (int i = h.ui.list_y; i < store_line; ++i) tui::handle_key('j', h.ctx);
  tui::handle_key('s', h.ctx);
  ASSERT_EQ(h.ui.view, tui::ViewId::Flow);
  ASSERT_TRUE(h.ui.flow_subtree);
  EXPECT_EQ(h.ui.flow_subtree->actor, 1u) << "a worker's subtree is its supervisor's";
  screen = h.draw(100, 30);
  EXPECT_GE(find_line(screen, "flow within root on orders"), 0);
  EXPECT_GE(find_line(screen, "asking the collector"), 0) << "no reply yet";

  pv::SubtreeFlowReply reply;
  reply.node = 1;
  reply.supervisor = 1;
  reply.found = true;
  reply.sample_every = 16;
  reply.children = 2;
  reply.groups = {{pv::FlowGroupRole::Child, 2, "pipeline", "pipeline_sup", 50'000, 40, 0},
                  {pv::FlowGroupRole::Child, 3, "store", "store", 0, 900, 0},
                  {pv::FlowGroupRole::Outside, 0, "", "", 0, 0, 0}};
  reply.edges = {{2, 0, 125'000, 0}, {0, 1, 31'050, 1'200}};  // outside -> pipeline 1250/s, pipeline -> store 310.5/s
  h.apply(reply);
  screen = h.draw(100, 30);
  const int head = find_line(screen, "OTHERS' AT MOST");
  ASSERT_GE(head, 0);
  // Each row against the reply: the groups' names, the rate, the error, the receiver's mailbox.
  const std::vector<std::vector<std::string>> want = {
      {"(outside root)", "pipeline", view::format_rate(1250.0, ""), "-", view::format_count(40)},
      {"pipeline", "store", view::format_rate(310.5, ""), view::format_rate(12.0, ""), view::format_count(900)}};
  for (size_t i = 0; i < want.size(); ++i) {
    std::istringstream row(screen[static_cast<size_t>(head) + 1 + i]);
    std::vector<std::string> cells;
    for (std::string cell; row >> cell;) cells.push_back(cell);
    std::string from = cells.empty() ? "" : cells[0];
    size_t at = 1;
    if (from == "(outside") from += " " + cells[at++];  // a name with a space
    ASSERT_EQ(cells.size(), at + 4) << screen[static_cast<size_t>(head) + 1 + i];
    EXPECT_EQ(from, want[i][0]);
    EXPECT_EQ(std::vector<std::string>(cells.begin() + static_cast<long>(at), cells.end()),
              std::vector<std::string>(want[i].begin() + 1, want[i].end()));
  }
  EXPECT_GE(find_line(screen, "2 of 2 children sent or received"), 0);
  EXPECT_GE(find_line(screen, "sampled sends (1 in 16)"), 0);
  EXPECT_GE(find_line(screen, "whole subtree"), 0) << "a note longer than the screen is wrapped, not cut";
  EXPECT_GE(find_line(screen, "may be other senders'"), 0) << "the error is said";

  // Enter on the first row: its receiver, pipeline, is a child supervisor: into it.
  tui::handle_key('g', h.ctx);
  tui::handle_key('\n', h.ctx);
  ASSERT_TRUE(h.ui.flow_subtree);
  EXPECT_EQ(h.ui.flow_subtree->actor, 2u);
  screen = h.draw(100, 30);
  EXPECT_GE(find_line(screen, "flow within pipeline on orders"), 0);
  EXPECT_GE(find_line(screen, "asking the collector"), 0) << "the reply shown was for root";
  tui::handle_key('u', h.ctx);
  ASSERT_TRUE(h.ui.flow_subtree);
  EXPECT_EQ(h.ui.flow_subtree->actor, 1u);
  // Enter on pipeline -> store: store is a worker: its detail.
  h.draw(100, 30);
  tui::handle_key('j', h.ctx);
  tui::handle_key('\n', h.ctx);
  ASSERT_EQ(h.ui.view, tui::ViewId::Detail);
  ASSERT_TRUE(h.ui.detail);
  EXPECT_EQ(h.ui.detail->actor, 3u);
  tui::handle_key(27, h.ctx);
  ASSERT_EQ(h.ui.view, tui::ViewId::Flow);
  EXPECT_TRUE(h.ui.flow_subtree) << "back from Detail: still by subtree";
  tui::handle_key(27, h.ctx);
  EXPECT_FALSE(h.ui.flow_subtree) << "Esc: by type";
  screen = h.draw(100, 30);
  EXPECT_GE(find_line(screen, "no message flow"), 0);
}

// s on a worker of no supervisor says so, and shows nothing else's subtree in its place.
TEST(Flow, SOnAWorkerOfNoSupervisorSaysSo) {
  Harness h;
  h.load(tui::test::ReplicaBuilder("orders")
             .actor(ActorSpec(1, 0, "root", "root_sup").as_supervisor())
             .actor(ActorSpec(2, 1, "parser", "parser"))
             .actor(ActorSpec(9, 0, "lonely", "worker").with_mailbox(500)));
  h.ui.view = tui::ViewId::Actors;
  auto screen = h.draw(100, 30);
  const int line = find_line(screen, "lonely");
  ASSERT_GE(line, h.ui.list_y);
  tui::handle_key('g', h.ctx);
  for (int i = h.ui.list_y; i < line; ++i) tui::handle_key('j', h.ctx);
  tui::handle_key('s', h.ctx);
  EXPECT_FALSE(h.ui.flow_subtree) << "not the root supervisor's subtree instead";
  EXPECT_EQ(h.ui.view, tui::ViewId::Actors);
  EXPECT_NE(h.ui.message.find("lonely has no supervisor"), std::string::npos) << h.ui.message;
}

// Flow by supervisor subtree follows its supervisor when that is restarted (a new id): the
// view moves to the new incarnation, found at the same place in the tree, and asks again.
TEST(Flow, BySubtreeFollowsItsSupervisorAcrossARestart) {
  Harness h;
  h.load(tui::test::ReplicaBuilder("orders")
             .actor(ActorSpec(1, 0, "root", "root_sup").as_supervisor())
             .actor(ActorSpec(2, 1, "pipeline", "pipeline_sup").as_supervisor().with_child_id("pipeline"))
             .actor(ActorSpec(5, 2, "ingest", "ingest").with_child_id("ingest")));
  h.ui.view = tui::ViewId::Tree;
  h.draw(100, 30);
  tui::handle_key('/', h.ctx);
  for (char ch : std::string("pipeline")) tui::handle_key(ch, h.ctx);
  tui::handle_key('\n', h.ctx);
  tui::handle_key('s', h.ctx);
  ASSERT_TRUE(h.ui.flow_subtree);
  ASSERT_EQ(h.ui.flow_subtree->actor, 2u);
  auto screen = h.draw(100, 30);
  ASSERT_GE(find_line(screen, "flow within pipeline on orders"), 0);
  h.ui.flow_subtree_asked_ns = 123;  // asked (the loop that asks does not run here)
  // The pipeline supervisor crashes and is restarted as actor 9, its child as 10.
  pv::Event crash;
  crash.seq = 50;
  crash.node = 1;
  crash.kind = pv::EventKind::Crashed;
  crash.reason = proto::ExitReason::Error;
  crash.actor = 2;
  crash.supervisor = 1;
  pv::ActorRow again;
  again.node = 1;
  again.actor = 9;
  again.parent = 1;
  again.name = "pipeline";
  again.child_id = "pipeline";
  again.type = "pipeline_sup";
  again.kind = proto::ActorKind::Supervisor;
  pv::ActorRow child = again;
  child.actor = 10;
  child.parent = 9;
  child.name = child.child_id = "ingest";
  child.type = "ingest";
  child.kind = proto::ActorKind::Worker;
  h.apply(crash, pv::ActorRemoved{1, 5}, pv::ActorRemoved{1, 2}, again, child);
  screen = h.draw(100, 30);
  ASSERT_TRUE(h.ui.flow_subtree);
  EXPECT_EQ(h.ui.flow_subtree->actor, 9u) << "the view follows the restarted supervisor";
  EXPECT_EQ(h.ui.flow_subtree_asked_ns, 0u) << "and asks the collector again at once";
  EXPECT_GE(find_line(screen, "flow within pipeline on orders"), 0);
}

// x on a restart in Events: the chain from the crash, each step named by its supervisor; Enter
// on a step asks for the past at its instant; Esc goes back to Events.
TEST(Chain, XOnARestartShowsTheCrashThenTheRestartAndEnterAsksForThatInstant) {
  Harness h;
  h.load(backlog_builder());
  const uint64_t t = 1'700'000'000ull * 1'000'000'000ull;
  h.apply(pv::Event{40, t, 1, pv::EventKind::Crashed, 2, 1, proto::ExitReason::Error, "parser", "malformed record"},
          pv::Event{41, t + 1'000'000, 1, pv::EventKind::Restarted, 2, 1, proto::ExitReason::Error, "parser", "malformed record"});
  h.ui.view = tui::ViewId::Events;
  h.draw(160);
  ASSERT_EQ(tui::handle_key('x', h.ctx) & tui::kRedraw, tui::kRedraw);  // the newest row: the restart
  EXPECT_EQ(h.ui.view, tui::ViewId::Chain);
  auto screen = h.draw(160);
  const int crash = find_line(screen, "crash  parser (under root): error: malformed record");
  const int restart = find_line(screen, "restart  parser: restarted by root");
  ASSERT_GE(crash, 0);
  ASSERT_GE(restart, 0);
  EXPECT_LT(crash, restart);
  EXPECT_EQ(screen[static_cast<size_t>(restart)].rfind("> ", 0), 0u) << "the event asked for is marked";
  tui::handle_key(KEY_UP, h.ctx);  // to the crash
  tui::handle_key('\n', h.ctx);
  EXPECT_NE(h.ui.instant_request, 0u) << "Enter asks for the past at the step";
  EXPECT_NE(h.ui.message.find("asking for"), std::string::npos) << h.ui.message;
  tui::handle_key(27, h.ctx);
  EXPECT_EQ(h.ui.view, tui::ViewId::Events);
}

// m marks the tree; after a restart and a growing mailbox, d lists both.
TEST(Diff, MMarksAndDListsWhatChangedSince) {
  Harness h;
  h.load(backlog_builder());
  EXPECT_EQ(tui::handle_key('d', h.ctx), tui::kRedraw);
  EXPECT_NE(h.ui.message.find("press m first"), std::string::npos) << h.ui.message;
  tui::handle_key('m', h.ctx);
  EXPECT_NE(h.ui.message.find("4 actors"), std::string::npos) << h.ui.message;
  pv::ActorRow again;
  again.node = 1;
  again.actor = 20;
  again.parent = 1;
  again.name = "parser";
  again.type = "parser";
  pv::ActorStats grown;
  grown.node = 1;
  grown.actor = 3;
  grown.mailbox = 20'000;
  h.apply(pv::ActorRemoved{1, 2}, again, grown);
  tui::handle_key('d', h.ctx);
  EXPECT_EQ(h.ui.view, tui::ViewId::Diff);
  auto screen = h.draw(120);
  EXPECT_GE(find_line(screen, "0 spawned, 0 exited, 1 restarted, 1 mailbox changed"), 0);
  const int restarted = find_line(screen, "restarted  orders/root/parser");
  const int mailbox = find_line(screen, "mailbox    orders/root/slow-consumer");
  ASSERT_GE(restarted, 0);
  ASSERT_GE(mailbox, 0);
  EXPECT_LT(restarted, mailbox);
  EXPECT_NE(screen[static_cast<size_t>(mailbox)].find("-> 20"), std::string::npos) << screen[static_cast<size_t>(mailbox)];
  EXPECT_NE(screen[static_cast<size_t>(mailbox)].find("(+2"), std::string::npos) << screen[static_cast<size_t>(mailbox)];
}

// p while live: the collector is asked where its history begins, and the play starts there
// once it says, one instant at a time.
TEST(Playback, PWhileLiveAsksWhereHistoryBeginsThenPlaysFromThere) {
  Harness h;
  h.load(backlog_builder());
  tui::handle_key('p', h.ctx);
  EXPECT_TRUE(h.ui.play_pending);
  EXPECT_NE(h.ui.message.find("where its history begins"), std::string::npos) << h.ui.message;
  const uint64_t steady = 5'000'000'000ull;
  EXPECT_EQ(tui::advance_playback(h.ctx, steady), tui::kNothing) << "no answer yet";
  const uint64_t begins = 1'700'000'000ull * 1'000'000'000ull;
  pv::TimelineReply t;
  t.begins_wall_ns = begins;
  t.ends_wall_ns = begins + 3600ull * 1'000'000'000ull;
  h.apply(t);
  EXPECT_EQ(tui::advance_playback(h.ctx, steady), tui::kRedraw);
  EXPECT_FALSE(h.ui.play_pending);
  EXPECT_TRUE(h.ui.playback.playing());
  EXPECT_NE(h.ui.instant_request, 0u);
  EXPECT_EQ(h.client.shown_instant(), begins) << "the first instant played is where history begins";
  EXPECT_EQ(tui::advance_playback(h.ctx, steady + 1'000'000'000ull), tui::kNothing) << "the last instant has not arrived";
  tui::handle_key('p', h.ctx);
  EXPECT_FALSE(h.ui.playback.playing());
}
