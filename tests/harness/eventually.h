// Polling for a fact that becomes true in the background (a removal queue
// drained, a lease expired): tests wait for it with a bound, not a sleep.
#pragma once

#include <chrono>
#include <thread>

namespace combfs::test {

// Polls `done` every 100 ms until it holds or `timeout` passes; returns whether it held.
template <class F>
bool eventually(F done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace combfs::test
