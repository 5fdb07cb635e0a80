// Waiting for a condition in a test: polls until it holds or a generous deadline passes.
// A condition, not a timing: tests never assert how long something took.
#pragma once

#include <chrono>
#include <thread>

namespace actorscope::testing {

using namespace std::chrono_literals;

// Polls `condition` until it holds or `timeout` passes; true when it held.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 30s,
                std::chrono::milliseconds every = 5ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(every);
  }
}

}  // namespace actorscope::testing
