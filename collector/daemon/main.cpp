// actorscope-collector: the daemon that serves agents and viewers and exports /metrics.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "actorscope/collector/collector.hpp"
#include "actorscope/collector/log.hpp"
#include "actorscope/http/basic_auth.hpp"
#include "actorscope/tls/tls.hpp"
#include "config_file.hpp"
#include "options.hpp"

using namespace actorscope::collector;

int main(int argc, char** argv) {
  DaemonOptions opt;
  std::string error;
  // --config FILE puts the file's options in its place; --check-config stops after checking.
  ExpandedArgs expanded;
  if (!expand_config_args(argc, argv, expanded, error)) {
    std::cerr << "actorscope-collector: " << error << "\n";
    return 2;
  }
  std::vector<char*> args;
  for (std::string& a : expanded.args) args.push_back(a.data());
  switch (parse_options(static_cast<int>(args.size()), args.data(), opt, error)) {
    case ParseOutcome::Help:
      std::cout << usage() << config_usage();
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
  if (!opt.metrics_token_file.empty() && !read_token_file(opt.metrics_token_file, opt.exporter.metrics_token, error)) {
    log_line(LogLevel::Error, "--metrics-token-file: " + error);
    return 1;
  }
  if (expanded.check) {
    // What can be checked without taking the addresses: the options (above), the token
    // files (above), and the TLS certificate and key.
    if (!opt.exporter.tls_cert_file.empty() &&
        !actorscope::tls::Context::server(opt.exporter.tls_cert_file, opt.exporter.tls_key_file, error)) {
      log_line(LogLevel::Error, error);
      return 1;
    }
    std::vector<actorscope::http::BasicAuthUser> users;
    if (!opt.exporter.metrics_basic_auth_file.empty() &&
        !actorscope::http::read_basic_auth_file(opt.exporter.metrics_basic_auth_file, users, error)) {
      log_line(LogLevel::Error, error);
      return 1;
    }
    if (opt.server.tls()) {
      if (opt.server.tls_cert_file.empty() || opt.server.tls_key_file.empty()) {
        log_line(LogLevel::Error, "TLS needs both --tls-cert and --tls-key");
        return 1;
      }
      if (!actorscope::tls::Context::server(opt.server.tls_cert_file, opt.server.tls_key_file, error,
                                            opt.server.tls_client_ca_file)) {
        log_line(LogLevel::Error, error);
        return 1;
      }
    }
    std::string from;
    for (const std::string& f : expanded.files) from += (from.empty() ? " (" : ", ") + f;
    std::printf("actorscope-collector: configuration valid%s\n", from.empty() ? "" : (from + ")").c_str());
    return 0;
  }

  // Signals go to one waiting thread; every other thread (including the HTTP one) blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CollectorSettings settings;
  settings.server = opt.server;
  settings.model = opt.model;
  settings.history = opt.history;
  settings.exporter = opt.exporter;
  settings.serve.allow_commands = opt.allow_commands;
  settings.serve.max_past_views = opt.max_past_views;
  settings.serve.max_exports = opt.max_exports;
  settings.metrics = opt.metrics;
  settings.replay = opt.replay;
  settings.replay_speed = opt.replay_speed;
  Collector collector(settings);

  std::atomic<bool> exiting{false};    // set before waking the signal thread ourselves
  std::atomic<bool> signalled{false};  // the signal thread has returned from sigwait
  std::thread signal_thread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    signalled.store(true);
    if (exiting.load()) return;
    log_line(LogLevel::Info, std::string("stopping on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
    collector.stop();
  });
  auto end_signal_thread = [&] {
    exiting.store(true);
    if (!signalled.load()) pthread_kill(signal_thread.native_handle(), SIGTERM);  // wakes it
    signal_thread.join();
  };

  if (!collector.start(error)) {
    log_line(LogLevel::Error, error);
    end_signal_thread();
    return 1;
  }
  for (const std::string& a : collector.bound_addresses()) std::printf("actorscope-collector: listening on %s\n", a.c_str());
  if (opt.server.tls())
    log_line(LogLevel::Info, std::string("TLS ") + opt.server.tls_min_version + "+ on TCP listeners" +
                                 (opt.server.tls_client_ca_file.empty() ? "" : ", client certificates required"));
  if (!collector.metrics_url().empty()) std::printf("actorscope-collector: metrics on %s\n", collector.metrics_url().c_str());
  std::fflush(stdout);

  collector.run();
  end_signal_thread();
  log_line(LogLevel::Info, "stopped");
  return 0;
}
