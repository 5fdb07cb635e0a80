// actorscope_start / actorscope_stop: settings, calibration, and the flusher thread.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

#include "actorscope/agent.h"
#include "cells.hpp"
#include "clock.hpp"
#include "flusher.hpp"
#include "settings.hpp"
#include "shared.hpp"
#include "strings.hpp"
#include "thread_state.hpp"

using namespace actorscope::agent;

namespace {

std::mutex g_start_mu;
Flusher* g_flusher = nullptr;
std::thread* g_thread = nullptr;

// One per process, drawn once: a stop and a start in the same process are a reconnect of
// the same incarnation (its live actors and counters carry on), not an app restart.
uint64_t process_incarnation() {
  static const uint64_t incarnation = [] {
    std::random_device rd;
    uint64_t r = (uint64_t(rd()) << 32) ^ rd();
    return r ^ mono_ns() ^ (uint64_t(getpid()) << 48);
  }();
  return incarnation;
}

// The agent thread takes no signals: the app's handlers run on the app's threads.
std::thread* start_thread(Flusher* f) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  std::thread* t = nullptr;
  try {
    t = new std::thread([f] { f->run(); });
  } catch (...) {
    t = nullptr;
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

}  // namespace

extern "C" void actorscope_config_init(actorscope_config* c) {
  if (c) std::memset(c, 0, sizeof *c);
}

extern "C" int actorscope_start(const actorscope_config* c) {
  try {
    std::lock_guard<std::mutex> lock(g_start_mu);
    if (g_flusher) return 0;
    Settings s;
    std::string error;
    if (!resolve_settings(c, s, error)) {
      std::fprintf(stderr, "actorscope: %s; the agent stays off, the app runs on\n", error.c_str());
      return -1;
    }
    if (s.disabled) return 0;  // kill switch: every hook stays a no-op
    Shared& sh = shared();
    sh.ring_bytes.store(s.ring_bytes);
    sh.flow_edges.store(s.flow_sample_every ? s.flow_edges : 0);
    sh.budget_limit.store(s.memory_budget);
    strings().set_max(s.max_strings);
    calibrate_ticks();
    set_anchor_once();
    auto* f = new Flusher(std::move(s), process_incarnation());
    std::thread* t = start_thread(f);
    if (!t) {
      delete f;
      std::fprintf(stderr, "actorscope: cannot start the agent thread; the agent stays off\n");
      return -1;
    }
    g_flusher = f;
    g_thread = t;
    sh.rescan.store(true);  // cells touched while stopped kept their dirty bytes
    sh.enabled.store(true);
    return 0;
  } catch (...) {
    std::fprintf(stderr, "actorscope: out of memory at start; the agent stays off\n");
    return -1;
  }
}

extern "C" void actorscope_stop(void) {
  try {
    std::lock_guard<std::mutex> lock(g_start_mu);
    if (!g_flusher) return;
    shared().enabled.store(false);
    g_flusher->request_stop();
    g_thread->join();
    delete g_thread;
    delete g_flusher;
    g_thread = nullptr;
    g_flusher = nullptr;
  } catch (...) {
  }
}

extern "C" int actorscope_enabled(void) { return shared().enabled.load(std::memory_order_relaxed) ? 1 : 0; }

extern "C" void actorscope_get_stats(actorscope_stats* out) {
  if (!out) return;
  Shared& sh = shared();
  std::memset(out, 0, sizeof *out);
  out->live_actors = sh.live_actors.load();
  for (size_t i = 0; i < 6; ++i) out->dropped[i] = sh.drops[i].load();
  out->flushes = sh.flushes.load();
  out->connects = sh.connects.load();
  out->connected = sh.connected.load();
  out->bytes_sent = sh.bytes_sent.load();
  out->agent_bytes = cells().bytes() + sh.budget_used.load();
}
