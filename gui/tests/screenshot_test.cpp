// Runs what a user runs: actorscope-collector, actorscope-loadgen reporting to it, and
// actorscope-gui taking a screenshot of every panel under Xvfb. Each PNG must exist, have
// the asked size, many colours and visible content, and the GUI must exit 0. The text the
// shot drew (--drawn-text) must show the asked panel, and in it what the workload made: the
// node in the overview, actors of its tree in the tree, the slow consumer in the actors, its
// supervisors in its window's parent chain, and the pipeline's types on the flow map.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "png_check.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;

pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

// Waits for a child, at most `timeout`; -1 when it did not end in time (then killed).
int wait_exit(pid_t pid, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The lines between the drawn panel's marker and its end: what the panel itself drew.
std::string panel_section(const std::string& text, const std::string& title) {
  const std::string begin = "[panel] " + title + "\n";
  const size_t at = text.find(begin);
  if (at == std::string::npos) return {};
  const size_t end = text.find("[end panel]", at);
  return text.substr(at + begin.size(), end == std::string::npos ? std::string::npos : end - at - begin.size());
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool poll_until(const std::function<bool()>& cond, std::chrono::seconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "");
  std::string dir;
  while (std::getline(ss, dir, ':'))
    if (!dir.empty() && access((fs::path(dir) / name).c_str(), X_OK) == 0) return (fs::path(dir) / name).string();
  return {};
}

class GuiUnderXvfb : public ::testing::Test {
 protected:
  void SetUp() override {
    xvfb_run_ = find_in_path("xvfb-run");
    ASSERT_FALSE(xvfb_run_.empty()) << "xvfb-run is missing: install xvfb and xauth (make deps)";
    char tmpl[] = "/tmp/actorscope-gui-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    socket_ = "unix:" + (dir_ / "collector.sock").string();
    collector_ = spawn({ACTORSCOPE_COLLECTOR_BIN, "--listen", socket_, "--metrics", "none"},
                       (dir_ / "collector.log").string());
    ASSERT_GT(collector_, 0);
    ASSERT_TRUE(poll_until([&] { return fs::exists(dir_ / "collector.sock"); }, std::chrono::seconds(30)))
        << read_file(dir_ / "collector.log");
    loadgen_ = spawn({ACTORSCOPE_LOADGEN_BIN, "--collector", socket_, "--node", "shop@test", "--actors", "500",
                      "--rate", "5000", "--duration", "120", "--slow-consumer", "--slow-us", "20000",
                      "--crash-rate", "0.0005", "--stay", "0", "--traffic", "ingest>parser:3000", "--traffic",
                      "parser>aggregator:1500", "--traffic", "aggregator>store:500"},
                     (dir_ / "loadgen.log").string());
    ASSERT_GT(loadgen_, 0);
    ASSERT_TRUE(poll_until([&] { return read_file(dir_ / "collector.log").find("agent shop@test") != std::string::npos; },
                           std::chrono::seconds(30)))
        << read_file(dir_ / "collector.log");
  }
  void TearDown() override {
    // Stopping the workload is not what this test checks: SIGTERM, then SIGKILL after a grace period.
    for (pid_t p : {loadgen_, collector_})
      if (p > 0) {
        kill(p, SIGTERM);
        wait_exit(p, std::chrono::seconds(5));
      }
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(dir_, ec);
  }

  std::string xvfb_run_;
  fs::path dir_;
  std::string socket_;
  pid_t collector_ = -1, loadgen_ = -1;
};

TEST_F(GuiUnderXvfb, EveryPanelIsDrawnFromTheLiveCollector) {
  setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
  // Under the sanitizers, Mesa's driver leaves allocations behind when it is unloaded at
  // exit (reported from an unknown module); leak checking of the GUI's own code is done by
  // its unit tests. Address and undefined-behaviour checks stay on.
  setenv("LSAN_OPTIONS", "detect_leaks=0", 1);
  // --panel name, the title of the panel drawn, and what that panel must show.
  struct Shot {
    const char* panel;
    const char* title;
    const char* shows;
  };
  const Shot shots[] = {
      {"overview", "Overview", "shop@test"},       // the nodes table
      {"tree", "Supervision tree", "rows shown of"},  // the toolbar; the boxes are checked below
      {"actors", "Actors", "slow-consumer"},       // sorted by mailbox
      {"actor", "Actors", "slow-consumer"},
      {"events", "Events", "dropped by the size cap"},
      {"telemetry", "Telemetry", "telemetry API"},
      {"warnings", "Warnings", "arning"},          // "No warnings: ..." or "N warnings. Click one ..."
      {"flow", "Flow", "estimated from sampled sends (1 in "},
  };
  for (const Shot& shot : shots) {
    const std::string panel = shot.panel;
    SCOPED_TRACE(panel);
    const fs::path png = dir_ / ("gui-" + panel + ".png");
    const fs::path log = dir_ / ("gui-" + panel + ".log");
    const fs::path text = dir_ / ("gui-" + panel + ".txt");
    pid_t gui = spawn({xvfb_run_, "-a", "-s", "-screen 0 1280x800x24", ACTORSCOPE_GUI_BIN, "--collector", socket_,
                       "--screenshot", png.string(), "--drawn-text", text.string(), "--panel", panel, "--size",
                       "1200x760", "--settle", "800"},
                      log.string());
    ASSERT_GT(gui, 0);
    EXPECT_EQ(wait_exit(gui, std::chrono::seconds(90)), 0) << read_file(log);
    const PngStats s = inspect_png(png.string());
    ASSERT_TRUE(s.loaded) << "no PNG at " << png << "\n" << read_file(log);
    EXPECT_EQ(s.width, 1200);
    EXPECT_EQ(s.height, 760);
    // A blank or single-colour frame has a handful of colours; text with anti-aliasing and
    // charts have hundreds.
    EXPECT_GE(s.distinct_colours, 64u) << png;
    EXPECT_GE(s.foreground_fraction, 0.03) << png;

    // Content: the asked panel was the one drawn, with what the workload put in it.
    const std::string drawn = read_file(text);
    ASSERT_FALSE(drawn.empty()) << "no drawn text at " << text << "\n" << read_file(log);
    EXPECT_EQ(count_of(drawn, "[panel] "), 1u) << drawn;  // one panel in front
    const std::string section = panel_section(drawn, shot.title);
    ASSERT_FALSE(section.empty()) << "panel '" << shot.title << "' not drawn:\n" << drawn;
    EXPECT_NE(section.find(shot.shows), std::string::npos) << section;
    if (panel == "tree") {
      // boxes of the workload's actors, named as loadgen names them; which ones are in sight
      // depends on where the deepest mailbox is at the time of the shot
      EXPECT_TRUE(std::regex_search(section, std::regex("(^|\n)(top|sup-[0-9]+\\.[0-9]+|worker-[0-9]+|slow-consumer)\n")))
          << section;
    }
    if (panel == "flow") {
      // the pipeline's types as boxes (one drawn line each), its edges labelled as estimates,
      // and the busiest edge's history, selected for the shot
      for (const char* type : {"ingest", "parser", "aggregator", "store"})
        EXPECT_NE(section.find(std::string("\n") + type + "\n"), std::string::npos) << type << " not drawn:\n" << section;
      EXPECT_TRUE(std::regex_search(section, std::regex("\n~[0-9.]+k?/s\n"))) << section;
      EXPECT_NE(section.find("since this viewer connected"), std::string::npos) << section;
    }
    if (panel == "actor") {
      // the window of the deepest mailbox (the slow consumer, once its backlog leads)
      const size_t window = drawn.find("[window] Actor ");
      ASSERT_NE(window, std::string::npos) << drawn;
      EXPECT_NE(drawn.find(" on shop@test", window), std::string::npos) << drawn.substr(window);
      // the parent chain names its supervisors, up to the root ("top")
      EXPECT_TRUE(std::regex_search(drawn.substr(window), std::regex("\\[ top \\]|\\(a root\\)"))) << drawn.substr(window);
    }
  }
}

TEST(GuiCommandLine, HelpExitsZeroAndABadFlagExitsTwo) {
  pid_t help = spawn({ACTORSCOPE_GUI_BIN, "--help"}, "/dev/null");
  ASSERT_GT(help, 0);
  EXPECT_EQ(wait_exit(help, std::chrono::seconds(30)), 0);
  pid_t bad = spawn({ACTORSCOPE_GUI_BIN, "--no-such-flag"}, "/dev/null");
  ASSERT_GT(bad, 0);
  EXPECT_EQ(wait_exit(bad, std::chrono::seconds(30)), 2);
  pid_t panel = spawn({ACTORSCOPE_GUI_BIN, "--panel", "nope"}, "/dev/null");
  ASSERT_GT(panel, 0);
  EXPECT_EQ(wait_exit(panel, std::chrono::seconds(30)), 2);
}

TEST(GuiCommandLine, HelpTellsThePastFlagsAndBadOnesExitTwo) {
  const fs::path out = fs::temp_directory_path() / ("actorscope-gui-help." + std::to_string(::getpid()));
  pid_t help = spawn({ACTORSCOPE_GUI_BIN, "--help"}, out.string());
  ASSERT_GT(help, 0);
  EXPECT_EQ(wait_exit(help, std::chrono::seconds(30)), 0);
  const std::string text = read_file(out);
  fs::remove(out);
  EXPECT_NE(text.find("--at TIME"), std::string::npos) << text;
  EXPECT_NE(text.find("--open FILE"), std::string::npos) << text;
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{ACTORSCOPE_GUI_BIN, "--at", "yesterday-ish"},
        std::vector<std::string>{ACTORSCOPE_GUI_BIN, "--open", "rec.bin", "--listen", "tcp:127.0.0.1:0"},
        std::vector<std::string>{ACTORSCOPE_GUI_BIN, "--at", "-5m", "--synthetic", "100"}}) {
    pid_t bad = spawn(argv, "/dev/null");
    ASSERT_GT(bad, 0);
    EXPECT_EQ(wait_exit(bad, std::chrono::seconds(30)), 2) << argv[1] << " " << argv[2];
  }
}

}  // namespace

#ifdef ACTORSCOPE_DEMO_BIN
namespace {
// A collector and the CAF demo reporting to it as `node`, for shots of the demo's own views;
// stopped, and its folder removed when nothing failed, at the end of the test.
class DemoUnderXvfb : public ::testing::Test {
 protected:
  void start(const std::string& node, std::vector<std::string> demo_args) {
    setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
    setenv("LSAN_OPTIONS", "detect_leaks=0", 1);  // Mesa, as above
    xvfb_ = find_in_path("xvfb-run");
    ASSERT_FALSE(xvfb_.empty()) << "xvfb-run is missing: install xvfb and xauth (make deps)";
    char tmpl[] = "/tmp/actorscope-gui-demo-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    socket_ = "unix:" + (dir_ / "collector.sock").string();
    collector_ = spawn({ACTORSCOPE_COLLECTOR_BIN, "--listen", socket_, "--metrics", "none"}, (dir_ / "collector.log").string());
    ASSERT_GT(collector_, 0);
    ASSERT_TRUE(poll_until([&] { return fs::exists(dir_ / "collector.sock"); }, std::chrono::seconds(30)));
    setenv("ACTORSCOPE_COLLECTOR", socket_.c_str(), 1);
    setenv("ACTORSCOPE_NODE", node.c_str(), 1);
    demo_args.insert(demo_args.begin(), ACTORSCOPE_DEMO_BIN);
    demo_ = spawn(demo_args, (dir_ / "demo.log").string());
    unsetenv("ACTORSCOPE_COLLECTOR");
    unsetenv("ACTORSCOPE_NODE");
    ASSERT_GT(demo_, 0);
  }
  // actorscope-gui on the collector with `args`, its shot and drawn text in the folder; the
  // text it drew.
  std::string shoot(const std::vector<std::string>& args) {
    const fs::path png = dir_ / "shot.png", text = dir_ / "shot.txt", log = dir_ / "gui.log";
    std::vector<std::string> argv = {xvfb_, "-a", "-s", "-screen 0 1280x800x24", ACTORSCOPE_GUI_BIN, "--collector", socket_,
                                     "--screenshot", png.string(), "--drawn-text", text.string(), "--size", "1200x760",
                                     "--timeout", "60"};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_t gui = spawn(argv, log.string());
    EXPECT_GT(gui, 0);
    if (gui <= 0) return {};
    EXPECT_EQ(wait_exit(gui, std::chrono::seconds(120)), 0) << read_file(log);
    return read_file(text);
  }
  void TearDown() override {
    for (pid_t p : {demo_, collector_})
      if (p > 0) {
        kill(p, SIGTERM);
        wait_exit(p, std::chrono::seconds(10));
      }
    std::error_code ec;
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_, ec);
  }
  std::string xvfb_, socket_;
  fs::path dir_;
  pid_t collector_ = -1, demo_ = -1;
};
}  // namespace

// Why did the demo's store restart? --why opens the chain of its newest restart: drawn, from
// the CAF demo's real escalation, the pool's budget exhausted and ingest_sup's restarts.
TEST_F(DemoUnderXvfb, TheChainOfTheDemoStoresRestartIsDrawn) {
  ASSERT_NO_FATAL_FAILURE(start("whydemo", {"--quiet", "--storm-every", "3", "--crash-rate", "0", "--sessions", "2"}));
  // The first storm escalates within a few seconds; the shot waits for the chain (--why).
  const std::string drawn = shoot({"--node", "whydemo", "--why", "store", "--panel", "events", "--settle", "800"});
  const size_t window = drawn.find("[window] Why: store ");
  ASSERT_NE(window, std::string::npos) << drawn;
  const std::string chain = drawn.substr(window);
  const size_t crash = chain.find("  crash  parser");
  const size_t exhausted = chain.find("  budget exhausted  parser_pool: ");
  const size_t restart = chain.find("  restart  parser_pool: restarted by ingest_sup");
  ASSERT_NE(crash, std::string::npos) << chain;
  ASSERT_NE(exhausted, std::string::npos) << chain;
  ASSERT_NE(restart, std::string::npos) << chain;
  EXPECT_LT(crash, exhausted);
  EXPECT_LT(exhausted, restart);
  EXPECT_NE(chain.find("restart  store: restarted by ingest_sup"), std::string::npos) << chain;
}

// Flow by supervisor subtree: --flow-within ingest_sup draws the demo's pipeline as the
// collector grouped it for that supervisor: its children as boxes, the parsers' pool standing
// for its workers, the edges labelled as estimates, and the title naming the supervisor.
TEST_F(DemoUnderXvfb, TheDemoPipelineIsDrawnBetweenIngestSupsChildren) {
  ASSERT_NO_FATAL_FAILURE(start("withindemo", {"--quiet", "--storm-every", "0", "--crash-rate", "0", "--sessions", "2"}));
  // The settle time lets a few seconds of sampled sends reach the collector's rates.
  const std::string drawn = shoot({"--node", "withindemo", "--flow-within", "ingest_sup", "--settle", "6000"});
  const std::string section = panel_section(drawn, "Flow");
  ASSERT_FALSE(section.empty()) << "the Flow panel was not in front:\n" << drawn;
  EXPECT_NE(section.find("flow within ingest_sup on withindemo: "), std::string::npos) << section;
  for (const char* child : {"ingest", "parser_pool", "aggregator", "store"})
    EXPECT_NE(section.find(std::string("\n") + child + "\n"), std::string::npos) << child << " not drawn:\n" << section;
  EXPECT_TRUE(std::regex_search(section, std::regex("\n~[0-9.]+k?/s\n"))) << section;
}
#endif
