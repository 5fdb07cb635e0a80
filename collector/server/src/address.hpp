// Listening addresses: parsing "tcp:HOST:PORT" / "unix:PATH" and binding them.
#pragma once

#include <string>

namespace actorscope::collector {

struct ListenAddress {
  bool unix_socket = false;
  std::string host;  // tcp
  int port = 0;      // tcp
  std::string path;  // unix
};

bool parse_listen_address(const std::string& text, ListenAddress& out, std::string& error);
// Opens a non-blocking listening socket. Refuses a non-loopback TCP host unless
// allow_remote. On success returns the fd and the bound address text (real port).
int open_listener(const ListenAddress& a, bool allow_remote, std::string& bound, std::string& error);

}  // namespace actorscope::collector
