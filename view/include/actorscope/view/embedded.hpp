// A collector inside the viewer's process (--listen): Model + Server + viewer sessions, so
// that one command suffices on a laptop. The viewer then connects to it like to any other.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace actorscope::view {

struct EmbeddedOptions {
  std::vector<std::string> listen;  // tcp:HOST:PORT or unix:PATH; agents connect here
  std::string token;
  std::string log_file;  // when set, the collector's log lines go here instead of stderr
  std::string name = "actorscope (embedded collector)";  // announced in the Welcome (status bars show it)
  bool allow_commands = false;  // route viewers' commands (kill) to agents that allow them
};

class EmbeddedCollector {
 public:
  EmbeddedCollector();
  ~EmbeddedCollector();
  // Binds and starts the loop thread; false with a one-line error.
  bool start(const EmbeddedOptions& options, std::string& error);
  void stop();
  // The first bound address, for the viewer's own connection.
  std::string address() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace actorscope::view
