// Sockets to the collector: non-blocking connect with a timeout, sends with a deadline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "settings.hpp"

namespace actorscope::agent {

// A connected, non-blocking socket, or -1 with a one-line reason.
int connect_to(const Address& a, int timeout_ms, std::string& error);
// Sends everything before deadline_ns (mono_ns); false on error or timeout.
bool send_all(int fd, const uint8_t* p, size_t n, uint64_t deadline_ns, std::string& error);
// Reads what is available, waiting at most wait_ms. Returns bytes read, 0 on orderly
// close, -1 on error; -2 when nothing arrived in time.
long receive(int fd, uint8_t* buf, size_t cap, int wait_ms);
void close_socket(int fd);

}  // namespace actorscope::agent
