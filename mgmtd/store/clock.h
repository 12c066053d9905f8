// The time source of the registry, behind an interface so tests drive
// heartbeat ages by hand instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace combfs::mgmtd {

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic milliseconds: heartbeat ages, immune to wall-clock steps.
  virtual int64_t steady_ms() = 0;
  // Unix time in milliseconds: only for display (NodeInfo.last_seen_ms).
  virtual int64_t unix_ms() = 0;
};

class SystemClock : public Clock {
 public:
  int64_t steady_ms() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  int64_t unix_ms() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that moves only when told to (tests).
class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'000'000) : now_(start_ms) {}
  int64_t steady_ms() override { return now_.load(); }
  int64_t unix_ms() override { return 1'700'000'000'000 + now_.load(); }
  void advance_ms(int64_t ms) { now_ += ms; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace combfs::mgmtd
