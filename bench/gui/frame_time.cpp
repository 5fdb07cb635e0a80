// Frame time of actorscope-gui at a million actors (a generated system fed straight into
// the replica), per panel: a frame without new data, and a frame right after a collector
// tick (when the view-models rebuild). Run under xvfb-run with LIBGL_ALWAYS_SOFTWARE=1.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "app.hpp"
#include "style.hpp"
#include "synthetic_feed.hpp"
#include "window.hpp"
#include <GL/gl.h>
#include "imgui.h"

using namespace actorscope::gui;

namespace {

// Actors in the generated system; ACTORSCOPE_BENCH_ACTORS overrides (e.g. for a quick run).
uint64_t actor_count() {
  if (const char* s = std::getenv("ACTORSCOPE_BENCH_ACTORS")) return std::strtoull(s, nullptr, 10);
  return 1'000'000;
}

struct Fixture {
  Window window;
  std::unique_ptr<SyntheticFeed> feed;
  bool ok = false;
  std::string error;
  Fixture() {
    WindowSettings ws;
    ws.width = 1600;
    ws.height = 1000;
    ws.vsync = false;
    ws.ignore_mouse = true;
    if (!window.open(ws, error)) return;
    style::apply(1.0f);
    actorscope::view::SyntheticSettings s;
    s.actors = actor_count();
    feed = std::make_unique<SyntheticFeed>(s);
    ok = true;
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void frame(App& app) {
  Fixture& f = fixture();
  f.window.begin_frame();
  app.draw();
  f.window.render();
  glFinish();  // count the GPU (llvmpipe) work inside the frame
  f.window.present();
}

void BM_Frame(benchmark::State& state, Panel panel, bool open_actor, bool with_tick) {
  Fixture& f = fixture();
  if (!f.ok) {
    state.SkipWithError(("no display: " + f.error).c_str());
    return;
  }
  App app(*f.feed, panel);
  if (open_actor) app.state().open_actor(f.feed->replica().actors().front().key());
  for (int i = 0; i < 3; ++i) frame(app);  // tables settle their widths, series arrive
  for (auto _ : state) {
    if (with_tick) {
      state.PauseTiming();
      f.feed->tick();  // the generated system's own work is not the GUI's
      state.ResumeTiming();
    }
    frame(app);
  }
  state.counters["actors"] = static_cast<double>(f.feed->replica().actor_count());
}

// The floor: an empty ImGui frame of the same size (clear, swap). What the panels add is
// the difference; under llvmpipe the floor depends on how busy the CPU cores are.
void BM_EmptyFrame(benchmark::State& state) {
  Fixture& f = fixture();
  if (!f.ok) {
    state.SkipWithError(("no display: " + f.error).c_str());
    return;
  }
  for (auto _ : state) {
    f.window.begin_frame();
    f.window.render();
    glFinish();
    f.window.present();
  }
}
BENCHMARK(BM_EmptyFrame)->Unit(benchmark::kMillisecond);

#define ACTORSCOPE_FRAME(name, panel, actor)                                                   \
  BENCHMARK_CAPTURE(BM_Frame, name##_steady, panel, actor, false)->Unit(benchmark::kMillisecond); \
  BENCHMARK_CAPTURE(BM_Frame, name##_after_tick, panel, actor, true)->Unit(benchmark::kMillisecond);

ACTORSCOPE_FRAME(overview, Panel::Overview, false)
ACTORSCOPE_FRAME(tree, Panel::Tree, false)
ACTORSCOPE_FRAME(actors, Panel::Actors, false)
ACTORSCOPE_FRAME(actor_window, Panel::Actors, true)
ACTORSCOPE_FRAME(events, Panel::Events, false)
ACTORSCOPE_FRAME(telemetry, Panel::Telemetry, false)
ACTORSCOPE_FRAME(warnings, Panel::Warnings, false)

}  // namespace

BENCHMARK_MAIN();
