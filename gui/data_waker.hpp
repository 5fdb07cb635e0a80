// Wakes the GUI's event wait when the collector's data arrives: a small thread waits on the
// feed's update signal and posts an empty event to the window.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace actorscope::gui {

class DataWaker {
 public:
  // `fd` readable means "updated"; `consume` empties it; `wake` ends the window's wait.
  DataWaker(int fd, std::function<void()> consume, std::function<void()> wake);
  ~DataWaker();
  DataWaker(const DataWaker&) = delete;
  DataWaker& operator=(const DataWaker&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace actorscope::gui
