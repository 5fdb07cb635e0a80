// The waker's thread: poll() on the update signal with a short timeout, so that it stops promptly.
#include "data_waker.hpp"

#include <poll.h>

namespace actorscope::gui {

DataWaker::DataWaker(int fd, std::function<void()> consume, std::function<void()> wake) {
  if (fd < 0) return;
  thread_ = std::thread([this, fd, drain = std::move(consume), ring = std::move(wake)] {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 200) > 0 && (p.revents & POLLIN)) {
        drain();
        ring();
      }
    }
  });
}

DataWaker::~DataWaker() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace actorscope::gui
