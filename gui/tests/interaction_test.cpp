// Drives the real actorscope-gui on a private Xvfb display with xdotool, as a user would:
// an idle window waits instead of drawing, a click shorter than a frame still switches the
// tab, and what the window reports about itself (--status-file) is what the test reads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "child_process.hpp"
#include "eventually.hpp"

namespace {

namespace fs = std::filesystem;
using actorscope::testing::ChildProcess;
using actorscope::testing::eventually;
using namespace std::chrono_literals;

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "");
  std::string dir;
  while (std::getline(ss, dir, ':'))
    if (!dir.empty() && access((fs::path(dir) / name).c_str(), X_OK) == 0) return (fs::path(dir) / name).string();
  return {};
}

// The GUI's --status-file: "key|value" lines.
std::map<std::string, std::string> read_status(const fs::path& p) {
  std::map<std::string, std::string> out;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line))
    if (auto bar = line.find('|'); bar != std::string::npos) out[line.substr(0, bar)] = line.substr(bar + 1);
  return out;
}

long number(const std::map<std::string, std::string>& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() ? -1 : std::atol(it->second.c_str());
}

class GuiDriven : public ::testing::Test {
 protected:
  void SetUp() override {
    xvfb_ = find_in_path("Xvfb");
    xdotool_ = find_in_path("xdotool");
    xclip_ = find_in_path("xclip");
    ASSERT_FALSE(xvfb_.empty()) << "Xvfb is missing: install xvfb (make deps)";
    ASSERT_FALSE(xdotool_.empty()) << "xdotool is missing (make deps)";
    char tmpl[] = "/tmp/actorscope-gui-driven-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    status_ = dir_ / "status";
    unsetenv("DISPLAY");  // every child gets ours; a display the test itself runs on must not win
    // A display of our own: Xvfb picks a free number and prints it.
    x_ = std::make_unique<ChildProcess>(
        xvfb_, std::vector<std::string>{"-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"});
    auto display = x_->wait_for_line("^([0-9]+)$", 30s);
    ASSERT_TRUE(display) << x_->output();
    display_ = "DISPLAY=:" + (*display)[1];
    const std::string sock = "unix:" + (dir_ / "collector.sock").string();
    collector_ = std::make_unique<ChildProcess>(ACTORSCOPE_COLLECTOR_BIN,
                                                std::vector<std::string>{"--listen", sock, "--metrics", "none"});
    ASSERT_TRUE(eventually([&] { return fs::exists(dir_ / "collector.sock"); }, 30s)) << collector_->output();
    // Idle actors: spawned, then nothing happens, so nothing the window shows changes.
    std::vector<std::string> workload{"--collector", sock, "--node", "idle@test", "--actors", std::to_string(actors_),
                                      "--stay", "0"};
    workload.insert(workload.end(), workload_.begin(), workload_.end());
    loadgen_ = std::make_unique<ChildProcess>(ACTORSCOPE_LOADGEN_BIN, workload);
    gui_ = std::make_unique<ChildProcess>(
        ACTORSCOPE_GUI_BIN,
        gui_args(sock),
        std::vector<std::string>{display_, "LIBGL_ALWAYS_SOFTWARE=1", "LSAN_OPTIONS=detect_leaks=0",
                                 "XDG_CONFIG_HOME=" + dir_.string()});
    ASSERT_TRUE(eventually([&] { return number(read_status(status_), "actors") >= actors_; }, 120s, 100ms))
        << gui_->output() << loadgen_->output();
    const std::string win = run({xdotool_, "search", "--sync", "--onlyvisible", "--name", "^actorscope$"});
    ASSERT_FALSE(win.empty()) << "no actorscope window on " << display_;
    window_ = win.substr(0, win.find('\n'));
  }
  void TearDown() override {
    gui_.reset();
    loadgen_.reset();
    collector_.reset();
    x_.reset();
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(dir_, ec);
  }

  // Runs a helper on our display; its stdout.
  std::string run(const std::vector<std::string>& argv) {
    ChildProcess p(argv.front(), std::vector<std::string>(argv.begin() + 1, argv.end()), {display_});
    p.wait_exit(30s);
    last_run_ = p.output();
    std::string out;
    for (const auto& l : p.stdout_lines()) out += l + "\n";
    return out;
  }
  // The centre of a rectangle the window reported ("rect tab Events"), in window coordinates.
  bool centre_of(const std::string& name, int& x, int& y) {
    auto s = read_status(status_);
    auto it = s.find("rect " + name);
    if (it == s.end()) return false;
    float x0, y0, x1, y1;
    if (std::sscanf(it->second.c_str(), "%f %f %f %f", &x0, &y0, &x1, &y1) != 4) return false;
    x = static_cast<int>((x0 + x1) / 2);
    y = static_cast<int>((y0 + y1) / 2);
    return true;
  }
  void click(int x, int y, const std::vector<std::string>& how) {
    std::vector<std::string> argv{xdotool_, "mousemove", "--window", window_, std::to_string(x), std::to_string(y)};
    argv.insert(argv.end(), how.begin(), how.end());
    run(argv);
  }
  std::string panel() { return read_status(status_)["panel"]; }
  std::vector<std::string> gui_args(const std::string& sock) {
    std::vector<std::string> a{"--collector", sock, "--size", "1200x760", "--status-file", status_.string()};
    a.insert(a.end(), gui_extra_.begin(), gui_extra_.end());
    return a;
  }
  std::vector<std::string> gui_extra_;  // more flags for the window

  long actors_ = 2000;  // idle actors the loadgen spawns
  std::vector<std::string> workload_{"--scale"};  // what they do: nothing
  std::string xvfb_, xdotool_, xclip_, display_, window_;
  std::string last_run_;  // what the last helper printed, for failure messages
  fs::path dir_, status_;
  std::unique_ptr<ChildProcess> x_, collector_, loadgen_, gui_;
};

// CPU time (user + system, every thread) the process has used so far, in clock ticks.
long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atol(field.c_str());
    if (i == 15) stime = std::atol(field.c_str());
  }
  return utime + stime;
}

class GuiDrivenManyActors : public GuiDriven {
 protected:
  GuiDrivenManyActors() { actors_ = 1000000; }
};

// A million idle actors: nothing the window shows changes, so it draws at most once a second
// (the clock; less often where frames are dear), not 60 times.
// Input must still wake it at once: the same counter moves when the pointer does. The CPU it
// took meanwhile is printed, not asserted (docs/PERFORMANCE.md measures it).
TEST_F(GuiDrivenManyActors, AnIdleWindowWaitsAndInputWakesIt) {
  // Let the first frames (snapshot, layout) pass: then the count moves by at most 2 a second.
  long before = -1;
  ASSERT_TRUE(eventually(
      [&] {
        const long now = number(read_status(status_), "frames");
        const bool quiet = before >= 0 && now - before <= 2;
        before = now;
        return quiet;
      },
      60s, 1100ms))
      << gui_->output();
  // A stretch of idle time, and the frames drawn in it (the file is rewritten each second,
  // so the interval is counted one second longer).
  const long f0 = number(read_status(status_), "frames");
  const long c0 = cpu_ticks(gui_->pid());
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(8s);  // the measured interval itself, not a wait for something
  const long f1 = number(read_status(status_), "frames");
  const long c1 = cpu_ticks(gui_->pid());
  const double measured = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double seconds = measured + 1.0;
  std::printf("idle at %ld actors: %ld frames in %.1f s, CPU %.1f %%\n", actors_, f1 - f0, seconds,
              100.0 * (c1 - c0) / sysconf(_SC_CLK_TCK) / measured);
  EXPECT_LE(f1 - f0, static_cast<long>(2 * seconds)) << "an idle window kept drawing";

  // The pointer moves over the window: frames follow.
  for (int i = 0; i < 20; ++i) run({xdotool_, "mousemove", "--window", window_, std::to_string(200 + 10 * i), "300"});
  EXPECT_TRUE(eventually([&] { return number(read_status(status_), "frames") >= f1 + 10; }, 30s, 100ms))
      << "input did not wake the window: " << read_status(status_)["frames"];
}

// A press and release 10 ms apart (well inside one frame of a software renderer) switch the
// tab, and so do a press and release sent back to back. xdotool puts the pointer on the tab
// and presses at once, so the move and the press arrive together: the window must still see
// the pointer over the tab before the press (input_queue.hpp).
TEST_F(GuiDriven, AClickShorterThanAFrameSwitchesTheTab) {
  int x = 0, y = 0;
  ASSERT_TRUE(eventually([&] { return centre_of("tab Events", x, y); }, 30s)) << gui_->output();
  ASSERT_EQ(panel(), "Overview");
  click(x, y, {"mousedown", "1", "sleep", "0.01", "mouseup", "1"});
  EXPECT_TRUE(eventually([&] { return panel() == "Events"; }, 30s, 100ms)) << "panel: " << panel() << " clicked at " << x << "," << y << " in window " << window_ << "\nxdotool: " << last_run_
      << "\nstatus:\n" << [&] { std::string t; for (auto& [k, v] : read_status(status_)) t += k + "|" + v + "\n"; return t; }()
      << gui_->output();

  ASSERT_TRUE(centre_of("tab Warnings", x, y));
  click(x, y, {"click", "1"});
  EXPECT_TRUE(eventually([&] { return panel() == "Warnings"; }, 30s, 100ms)) << "panel: " << panel();
}

// Actors: the arrow keys move the selection at once, before any click; Enter opens the
// actor; Esc closes its window while the main window has the focus.
TEST_F(GuiDriven, ArrowsWorkOnFirstUseAndEscClosesTheWindowInFront) {
  int x = 0, y = 0;
  ASSERT_TRUE(eventually([&] { return centre_of("tab Actors", x, y); }, 30s)) << gui_->output();
  click(x, y, {"click", "1"});
  ASSERT_TRUE(eventually([&] { return panel() == "Actors" && !read_status(status_)["actor-row 0 name"].empty(); }, 30s,
                         100ms));
  run({xdotool_, "windowfocus", "--sync", window_});
  const std::string first = read_status(status_)["actor-row 0 name"];
  run({xdotool_, "key", "Down"});
  EXPECT_TRUE(eventually([&] { return read_status(status_)["selected"] == first; }, 30s, 100ms))
      << "selected: " << read_status(status_)["selected"] << ", first row: " << first;
  run({xdotool_, "key", "Down"});
  EXPECT_TRUE(eventually([&] { auto s = read_status(status_)["selected"]; return !s.empty() && s != first; }, 30s, 100ms));
  run({xdotool_, "key", "Return"});
  ASSERT_TRUE(eventually([&] { return number(read_status(status_), "actor windows") == 1; }, 30s, 100ms))
      << read_status(status_)["actor windows"];
  // the main window takes the focus back (a click on its tab bar); Esc still closes the actor's
  click(x, y, {"click", "1"});
  run({xdotool_, "key", "Escape"});
  EXPECT_TRUE(eventually([&] { return number(read_status(status_), "actor windows") == 0; }, 30s, 100ms))
      << read_status(status_)["actor windows"];
}

// Right-click on an actor's row, then "Copy name": the clipboard holds the actor's name.
TEST_F(GuiDriven, RightClickCopyPutsTheNameOnTheClipboard) {
  ASSERT_FALSE(xclip_.empty()) << "xclip is missing (make deps)";
  int x = 0, y = 0;
  ASSERT_TRUE(eventually([&] { return centre_of("tab Actors", x, y); }, 30s)) << gui_->output();
  click(x, y, {"click", "1"});
  ASSERT_TRUE(eventually([&] { return panel() == "Actors" && centre_of("actor-row 0", x, y); }, 30s, 100ms));
  const std::string name = read_status(status_)["actor-row 0 name"];
  ASSERT_FALSE(name.empty());
  click(x, y, {"click", "3"});
  ASSERT_TRUE(eventually([&] { return centre_of("menu Copy name", x, y); }, 30s, 100ms)) << "no context menu";
  click(x, y, {"click", "1"});
  std::string clip;
  EXPECT_TRUE(eventually(
      [&] {
        clip = run({xclip_, "-o", "-selection", "clipboard"});
        return clip == name || clip == name + "\n";
      },
      30s, 200ms))
      << "clipboard: '" << clip << "', row: '" << name << "'";
}

}  // namespace

// A pipeline sending at known rates: the Flow panel draws its edges, and a click on an edge's
// label selects it and plots its rate history, which grows as ticks arrive.
class GuiDrivenFlow : public GuiDriven {
 protected:
  GuiDrivenFlow() {
    actors_ = 20;
    workload_ = {"--rate", "100", "--duration", "240", "--traffic", "ingest>parser:3000", "--traffic",
                 "parser>aggregator:1500", "--traffic", "aggregator>store:500"};
  }
};

TEST_F(GuiDrivenFlow, AClickOnAnEdgePlotsItsRateHistory) {
  int x = 0, y = 0;
  ASSERT_TRUE(eventually([&] { return centre_of("tab Flow", x, y); }, 30s)) << gui_->output();
  click(x, y, {"click", "1"});
  ASSERT_TRUE(eventually([&] { return panel() == "Flow" && centre_of("flow-edge parser>aggregator", x, y); }, 60s, 100ms))
      << "panel: " << panel() << "\n" << gui_->output();
  EXPECT_EQ(read_status(status_)["flow selected"], "") << "nothing selected before the click";
  click(x, y, {"click", "1"});
  EXPECT_TRUE(eventually([&] { return read_status(status_)["flow selected"].rfind("parser \xE2\x86\x92 aggregator on idle@test", 0) == 0; },
                         30s, 100ms))
      << "selected: " << read_status(status_)["flow selected"] << " after a click at " << x << "," << y;
  // the viewer's own record: more points as ticks come (one a second)
  long first = 0;
  ASSERT_TRUE(eventually([&] { return (first = number(read_status(status_), "flow history points")) >= 1; }, 30s, 100ms));
  EXPECT_TRUE(eventually([&] { return number(read_status(status_), "flow history points") > first; }, 30s, 200ms))
      << "the history did not grow past " << first << " points";
}

// By supervisor subtree: with nothing selected, the flow within the node's root supervisor, as
// the collector answered it: loadgen's tree is sent to from outside it. Back to by type.
TEST_F(GuiDrivenFlow, BySubtreeShowsTheFlowWithinTheRootSupervisorAndBackToByType) {
  int x = 0, y = 0;
  ASSERT_TRUE(eventually([&] { return centre_of("tab Flow", x, y); }, 30s)) << gui_->output();
  click(x, y, {"click", "1"});
  ASSERT_TRUE(eventually([&] { return panel() == "Flow" && centre_of("flow by subtree", x, y); }, 60s, 100ms))
      << "panel: " << panel() << "\n" << gui_->output();
  EXPECT_EQ(read_status(status_)["flow mode"], "type");
  click(x, y, {"click", "1"});
  ASSERT_TRUE(eventually([&] { return read_status(status_)["flow mode"] == "subtree"; }, 30s, 100ms)) << gui_->output();
  std::string title;
  EXPECT_TRUE(eventually(
      [&] {
        title = read_status(status_)["flow subtree title"];
        return title.rfind("flow within top on idle@test: ", 0) == 0 && title.find("children sent or received") != std::string::npos &&
               !read_status(status_)["flow subtree first row"].empty();
      },
      60s, 200ms))
      << "title: " << title << "\n" << gui_->output();
  EXPECT_NE(read_status(status_)["flow subtree first row"].find("(outside top)"), std::string::npos)
      << read_status(status_)["flow subtree first row"];
  ASSERT_TRUE(centre_of("flow by type", x, y));
  click(x, y, {"click", "1"});
  EXPECT_TRUE(eventually([&] { return read_status(status_)["flow mode"] == "type"; }, 30s, 100ms));
}

namespace {

// A workload whose picture changes by itself: crashes restart workers, and the slow
// consumer's mailbox grows by a couple of hundred messages a second.
class GuiDrivenPast : public GuiDriven {
 protected:
  GuiDrivenPast() {
    actors_ = 200;
    workload_ = {"--rate", "2000", "--crash-rate", "0.002", "--slow-consumer", "--slow-every", "5",
                 "--slow-us", "5000", "--duration", "240"};
  }
  void SetUp() override {
    gui_extra_ = {"--snap-dir", (fs::temp_directory_path() / ("actorscope-gui-past-snaps." + std::to_string(::getpid()))).string()};
    fs::create_directories(gui_extra_[1]);
    GuiDriven::SetUp();
  }
  void TearDown() override {
    GuiDriven::TearDown();
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(gui_extra_[1], ec);
  }
  // The slow consumer's mailbox as actorscope-top prints it, live or at `at` ("" when absent,
  // or when a past instant was asked and not shown).
  std::string slow_mailbox(const std::string& at = "") {
    std::vector<std::string> argv{ACTORSCOPE_TOP_BIN, "--collector", "unix:" + (dir_ / "collector.sock").string(),
                                  "--batch", "--view", "actors"};
    if (!at.empty()) argv.insert(argv.end(), {"--at", at});
    const std::string out = run(argv);
    if (!at.empty() && out.find("PAST ") == std::string::npos) return {};
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string node, name, type, mailbox;
      if (f >> node >> name >> type >> mailbox && name == "slow-consumer") return mailbox;
    }
    return {};
  }
};

std::string unix_at(uint64_t wall_ns) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "@%llu.%09llu", static_cast<unsigned long long>(wall_ns / 1'000'000'000ull),
                static_cast<unsigned long long>(wall_ns % 1'000'000'000ull));
  return buf;
}

uint64_t wall_now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// An instant T is noted; once the live picture moved on, the timeline is dragged back to T.
// The window then shows that instant, whole, draws the PAST banner, and in Actors the slow
// consumer's mailbox as it was then: fewer messages than it holds now.
TEST_F(GuiDrivenPast, DraggingTheTimelineBackShowsThePast) {
  ASSERT_TRUE(eventually([&] { const auto m = slow_mailbox(); return !m.empty() && m != "0"; }, 60s, 200ms))
      << last_run_;
  const uint64_t t = wall_now_ns();
  std::string at_t;
  // T is in the collector's history once a tick after it was recorded
  ASSERT_TRUE(eventually([&] { return !(at_t = slow_mailbox(unix_at(t))).empty(); }, 30s, 200ms)) << last_run_;
  ASSERT_TRUE(eventually([&] { const auto live = slow_mailbox(); return !live.empty() && live != at_t; }, 60s, 200ms))
      << "the slow consumer's mailbox stayed at " << at_t;

  int x = 0, y = 0;
  ASSERT_TRUE(eventually([&] { return centre_of("tab Actors", x, y); }, 30s)) << gui_->output();
  click(x, y, {"click", "1"});
  ASSERT_TRUE(eventually([&] { return panel() == "Actors"; }, 30s, 100ms)) << gui_->output();
  // where T is on the strip: "x0 x1 begins ends" (the strip's span grows as history does)
  int handle = 0, strip_y = 0;
  float x0 = 0, x1 = 0;
  unsigned long long begins = 0, ends = 0;
  ASSERT_TRUE(eventually([&] {
    auto s = read_status(status_);
    return centre_of("timeline", x, strip_y) &&
           std::sscanf(s["timeline-span"].c_str(), "%f %f %llu %llu", &x0, &x1, &begins, &ends) == 4 &&
           ends > t && begins < t && (handle = static_cast<int>(number(s, "timeline-handle"))) > 0;
  }, 30s, 100ms)) << gui_->output();
  const int target = static_cast<int>(x0 + (x1 - x0) * static_cast<double>(t - begins) / static_cast<double>(ends - begins));
  ASSERT_LT(target, handle - 4) << "T is not left of the live handle";
  // press on the handle, drag through the middle to T, release there; each step waits until
  // the window saw the one before (the status file says the strip is held, the handle moved)
  run({xdotool_, "mousemove", "--window", window_, std::to_string(handle), std::to_string(strip_y), "mousedown", "1"});
  ASSERT_TRUE(eventually([&] { return read_status(status_)["timeline-held"] == "1"; }, 30s, 100ms)) << gui_->output();
  run({xdotool_, "mousemove", "--window", window_, std::to_string((handle + target) / 2), std::to_string(strip_y),
       "mousemove", "--window", window_, std::to_string(target), std::to_string(strip_y)});
  ASSERT_TRUE(eventually([&] { return std::abs(number(read_status(status_), "timeline-handle") - target) <= 1; }, 30s, 100ms))
      << "handle at " << number(read_status(status_), "timeline-handle") << ", dragged to " << target;
  run({xdotool_, "mouseup", "1"});
  // the window shows the instant it asked for last, whole
  std::string shown;
  ASSERT_TRUE(eventually([&] {
    auto s = read_status(status_);
    shown = s["instant"];
    return shown != "live" && !shown.empty() && shown == s["instant-asked"] && s["past-ready"] == "1";
  }, 60s, 100ms)) << "instant " << shown << "\n" << gui_->output();
  const uint64_t s_ns = std::stoull(shown);
  EXPECT_LT(s_ns, wall_now_ns());
  const std::string live = slow_mailbox();
  ASSERT_FALSE(live.empty()) << last_run_;

  // the frame itself, with the text it drew
  gui_->signal(SIGUSR1);
  const fs::path txt = fs::path(gui_extra_[1]) / "1.txt";
  ASSERT_TRUE(eventually([&] { return fs::exists(txt); }, 30s, 100ms)) << gui_->output();
  EXPECT_TRUE(fs::exists(fs::path(gui_extra_[1]) / "1.png"));
  std::ifstream in(txt);
  const std::string drawn((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(drawn.find("\nPAST "), std::string::npos) << drawn;
  const std::string row = "| slow-consumer | slow-consumer | idle@test | running | ";
  const size_t at = drawn.find(row);
  ASSERT_NE(at, std::string::npos) << drawn;
  const std::string past = drawn.substr(at + row.size(), drawn.find(" |", at + row.size()) - at - row.size());
  // The mailbox only grows (the consumer is slower than its senders): the instant shown, before
  // the live one, has fewer messages waiting than now.
  auto messages = [](const std::string& figure) {
    double v = std::atof(figure.c_str());
    if (!figure.empty() && figure.back() == 'k') v *= 1000;
    return v;
  };
  EXPECT_LT(messages(past), messages(live)) << "past " << past << ", live " << live;
  // actorscope-top at the same instant, for the record (see the report in the test log)
  std::printf("slow consumer's mailbox: GUI at %s: %s, actorscope-top there: %s, live: %s\n", unix_at(s_ns).c_str(),
              past.c_str(), slow_mailbox(unix_at(s_ns)).c_str(), live.c_str());
}

// Save history on the timeline writes the collector's flight recorder as a recording in the
// working directory, says so, and the file opens (--open) with the workload's actors in it.
TEST_F(GuiDrivenPast, SaveHistoryWritesARecordingThatOpens) {
  ASSERT_TRUE(eventually([&] { return !slow_mailbox().empty(); }, 60s, 200ms)) << last_run_;
  auto saved = [] {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(fs::current_path())) {
      const std::string name = e.path().filename().string();
      if (name.rfind("actorscope-history-", 0) == 0 && e.path().extension() == ".rec") out.push_back(e.path());
    }
    return out;
  };
  const size_t before = saved().size();
  int x = 0, y = 0;
  ASSERT_TRUE(eventually([&] { return centre_of("timeline-save", x, y); }, 30s)) << gui_->output();
  click(x, y, {"click", "1"});
  fs::path file;
  ASSERT_TRUE(eventually([&] {
    const auto now = saved();
    if (now.size() > before) file = now.back();
    return !file.empty();
  }, 60s, 200ms)) << gui_->output();
  const std::string out = run({ACTORSCOPE_TOP_BIN, "--open", file.string(), "--batch", "--view", "actors"});
  std::error_code ec;
  fs::remove(file, ec);
  EXPECT_NE(out.find("REPLAY"), std::string::npos) << out;
  EXPECT_NE(out.find("slow-consumer"), std::string::npos) << out;
}

}  // namespace
