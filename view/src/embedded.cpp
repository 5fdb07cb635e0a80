// The in-process collector of --listen: the same Model, Server and sessions as the daemon.
#include "actorscope/view/embedded.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "actorscope/collector/model.hpp"
#include "actorscope/collector/server.hpp"
#include "actorscope/serve/serve.hpp"

namespace actorscope::view {

struct EmbeddedCollector::Impl {
  collector::Model model;
  std::mutex model_mutex;
  std::unique_ptr<collector::Server> server;
  std::thread loop;
};

EmbeddedCollector::EmbeddedCollector() : impl_(std::make_unique<Impl>()) {}
EmbeddedCollector::~EmbeddedCollector() { stop(); }

bool EmbeddedCollector::start(const EmbeddedOptions& options, std::string& error) {
  if (!options.log_file.empty()) {
    // The terminal belongs to the viewer: the collector's stderr goes to the file.
    int fd = ::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
      error = "cannot open log file " + options.log_file + ": " + std::strerror(errno);
      return false;
    }
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  collector::ServerSettings s;
  s.listen = options.listen;
  s.token = options.token;
  s.name = options.name;
  s.max_output_bytes = 64u << 20;  // its own viewer reads at memory speed
  impl_->server = std::make_unique<collector::Server>(impl_->model, impl_->model_mutex, s);
  serve::ServeOptions so;
  so.token = options.token;
  so.allow_commands = options.allow_commands;
  serve::install(*impl_->server, impl_->model, so);
  if (!impl_->server->start(error)) return false;
  impl_->loop = std::thread([this] { impl_->server->run(); });
  return true;
}

void EmbeddedCollector::stop() {
  if (impl_->server && impl_->loop.joinable()) {
    impl_->server->stop();
    impl_->loop.join();
  }
}

std::string EmbeddedCollector::address() const {
  if (!impl_->server) return {};
  auto a = impl_->server->bound_addresses();
  return a.empty() ? std::string() : a.front();
}

}  // namespace actorscope::view
