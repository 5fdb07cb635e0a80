// Drives the real actorscope-gui on a private Xvfb display with xdotool, as a user would:
// an idle window waits instead of drawing, a click shorter than a frame still switches the
// tab, and what the window reports about itself (--status-file) is what the test reads.
#include <gtest/gtest.h>
#include <unistd.h>

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
        std::vector<std::string>{"--collector", sock, "--size", "1200x760", "--status-file", status_.string()},
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
  GuiDrivenManyActors() { actors_ = 100000; }
};

// Nothing the window shows changes: it draws about once a second (the clock), not 60 times.
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
