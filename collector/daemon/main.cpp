// actorscope-collector: the daemon that serves agents and viewers and exports /metrics.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include <prometheus/exposer.h>

#include "actorscope/collector/exporter.hpp"
#include "actorscope/collector/log.hpp"
#include "actorscope/collector/model.hpp"
#include "actorscope/collector/record.hpp"
#include "actorscope/collector/server.hpp"
#include "options.hpp"
#ifdef ACTORSCOPE_HAVE_SERVE
#include "actorscope/serve/serve.hpp"
#endif

using namespace actorscope::collector;

namespace {

bool metrics_host_is_loopback(const std::string& hostport) {
  return hostport.rfind("127.", 0) == 0 || hostport.rfind("localhost:", 0) == 0 || hostport.rfind("[::1]:", 0) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  DaemonOptions opt;
  std::string error;
  switch (parse_options(argc, argv, opt, error)) {
    case ParseOutcome::Help:
      std::cout << usage();
      return 0;
    case ParseOutcome::Error:
      std::cerr << "actorscope-collector: " << error << "\n" << usage();
      return 2;
    case ParseOutcome::Run:
      break;
  }
  set_log_level(opt.log_level);
  if (!opt.token_file.empty() && !read_token_file(opt.token_file, opt.server.token, error)) {
    log_line(LogLevel::Error, error);
    return 1;
  }

  // Signals go to one waiting thread; every other thread (including the HTTP ones) blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Model model(opt.model);
  std::mutex model_mutex;
  Server server(model, model_mutex, opt.server);
#ifdef ACTORSCOPE_HAVE_SERVE
  actorscope::serve::ServeOptions serve_options;
  serve_options.allow_commands = opt.allow_commands;
  serve_options.token = opt.server.token;
  serve_options.connection_bound_bytes = opt.server.max_output_bytes;
  auto serve_counters = actorscope::serve::install(server, model, serve_options);
#endif

  std::unique_ptr<prometheus::Exposer> exposer;
  std::shared_ptr<MetricsCollectable> collectable;
  if (opt.metrics != "none") {
    if (!opt.server.allow_remote && !metrics_host_is_loopback(opt.metrics)) {
      log_line(LogLevel::Error, "refusing to serve metrics on non-loopback address " + opt.metrics +
                                    " (pass --allow-remote)");
      return 1;
    }
    try {
      exposer = std::make_unique<prometheus::Exposer>(opt.metrics, 2);
    } catch (const std::exception& e) {
      log_line(LogLevel::Error, "cannot serve metrics on " + opt.metrics + ": " + e.what());
      return 1;
    }
    collectable = std::make_shared<MetricsCollectable>(model, model_mutex, opt.exporter,
                                                       [&server] { return server.counters(); });
    exposer->RegisterCollectable(collectable);
  }

  std::atomic<bool> exiting{false};    // set before waking the signal thread ourselves
  std::atomic<bool> signalled{false};  // the signal thread has returned from sigwait
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    signalled.store(true);
    if (exiting.load()) return;
    log_line(LogLevel::Info, std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
    server.stop();
  });

  if (!opt.replay.empty()) {
    // The replay runs on the loop, after the listeners open: viewers and /metrics see it
    // progress. At a real-time speed the entries arrive as if live (the collector's own
    // clock); at full speed the recorded clock drives the model until the end.
    ReplayOptions ro;
    ro.speed = opt.replay_speed;
    ro.model_mutex = &model_mutex;
    ro.live_clock = opt.replay_speed > 0;
    auto replayer = std::make_unique<Replayer>(model, ro);
    if (!replayer->open(opt.replay, error)) {
      log_line(LogLevel::Error, "replay failed: " + error);
      exiting.store(true);
      pthread_kill(signal_thread.native_handle(), SIGTERM);
      signal_thread.join();
      return 1;
    }
    std::string path = opt.replay;
    server.replay_on_loop(std::move(replayer), [path](const ReplayResult& r) {
      if (!r.ok) {
        log_line(LogLevel::Error, "replay stopped: " + r.error + " (what came before stays loaded)");
        return;
      }
      log_line(LogLevel::Info, "replayed " + std::to_string(r.records) + " records in " + std::to_string(r.batches) +
                                   " batches from " + std::to_string(r.connections) + " connections of " + path);
    });
  }

  if (!server.start(error)) {
    log_line(LogLevel::Error, error);
    exiting.store(true);
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    return 1;
  }
  for (const std::string& a : server.bound_addresses()) std::printf("actorscope-collector: listening on %s\n", a.c_str());
  if (exposer) {
    std::string host = opt.metrics.substr(0, opt.metrics.rfind(':'));
    auto ports = exposer->GetListeningPorts();
    std::printf("actorscope-collector: metrics on http://%s:%d/metrics\n", host.c_str(), ports.empty() ? 0 : ports[0]);
  }
  std::fflush(stdout);

  server.run();
  if (signal_thread.joinable()) {
    exiting.store(true);
    if (!signalled.load()) pthread_kill(signal_thread.native_handle(), SIGTERM);  // wakes it
    signal_thread.join();
  }
  log_line(LogLevel::Info, "stopped");
  return 0;
}
