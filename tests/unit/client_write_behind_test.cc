// client/fuse/write_behind: writes answered at once, sent by a pool, in order
// where they overlap, bounded, and their errors handed to the right handle.
#include "client/fuse/write_behind.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>

namespace combfs::fuse {
namespace {

using namespace std::chrono_literals;

// Holds sends until opened; records what was sent, in order.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  int running = 0;
  int most_running = 0;
  std::vector<std::string> sent;

  WriteBehind::Send send(Result<void> result = {}) {
    return [this, result](const char* data, size_t size, uint64_t offset) {
      std::unique_lock<std::mutex> lock(mutex);
      most_running = std::max(most_running, ++running);
      cv.wait(lock, [&] { return open; });
      --running;
      sent.push_back(std::to_string(offset) + ":" + std::string(data, size));
      return result;
    };
  }
  void release() {
    std::lock_guard<std::mutex> guard(mutex);
    open = true;
    cv.notify_all();
  }
  // Waits (up to 10 s, for a loaded machine) until `n` sends are held at the gate.
  bool holding(int n) {
    for (int i = 0; i < 5000; ++i) {
      {
        std::lock_guard<std::mutex> guard(mutex);
        if (running >= n) return true;
      }
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }
};

WriteBehind::Limits limits(size_t per_file = 1 << 20, size_t total = 1 << 20) { return {4, per_file, total}; }

TEST(WriteBehind, AnswersBeforeTheSendAndWaitWaitsForIt) {
  Gate gate;
  WriteBehind behind(limits());
  std::string data = "abc";
  ASSERT_TRUE(behind.write({1, 10}, data.data(), data.size(), 0, gate.send()));
  data = "xyz";  // the caller's buffer is free once write() returns
  ASSERT_TRUE(gate.holding(1));
  auto waited = std::async(std::launch::async, [&] { behind.wait(1); });
  EXPECT_EQ(waited.wait_for(50ms), std::future_status::timeout);
  behind.wait(2);  // another inode has nothing in flight
  gate.release();
  waited.get();
  EXPECT_EQ(gate.sent, (std::vector<std::string>{"0:abc"}));
}

// A reader's wait is not held up by a writer that keeps writing after it began.
TEST(WriteBehind, WaitCoversOnlyWritesQueuedBeforeIt) {
  Gate first;
  Gate later;
  WriteBehind behind(limits());
  ASSERT_TRUE(behind.write({1, 10}, "aa", 2, 0, first.send()));
  ASSERT_TRUE(first.holding(1));
  auto waited = std::async(std::launch::async, [&] { behind.wait(1); });
  std::this_thread::sleep_for(200ms);  // let the wait begin (it takes the queue as it is then)
  ASSERT_TRUE(behind.write({1, 10}, "bb", 2, 2, later.send()));
  ASSERT_TRUE(later.holding(1));
  EXPECT_EQ(waited.wait_for(20ms), std::future_status::timeout);
  first.release();
  EXPECT_EQ(waited.wait_for(5s), std::future_status::ready) << "the wait waited for a later write";
  later.release();
  behind.wait_all();
}

TEST(WriteBehind, DisjointWritesTravelTogether) {
  Gate gate;
  WriteBehind behind(limits());
  ASSERT_TRUE(behind.write({1, 10}, "aa", 2, 0, gate.send()));
  ASSERT_TRUE(behind.write({1, 10}, "bb", 2, 2, gate.send()));
  EXPECT_TRUE(gate.holding(2));
  gate.release();
  behind.wait_all();
  EXPECT_EQ(gate.most_running, 2);
}

TEST(WriteBehind, AnOverlappingWriteWaitsForTheEarlierOne) {
  Gate gate;
  WriteBehind behind(limits());
  ASSERT_TRUE(behind.write({1, 10}, "old", 3, 4, gate.send()));
  ASSERT_TRUE(gate.holding(1));
  auto second = std::async(std::launch::async, [&] { return behind.write({1, 11}, "new", 3, 6, gate.send()); });
  EXPECT_EQ(second.wait_for(50ms), std::future_status::timeout);  // would overtake "old"
  gate.release();
  ASSERT_TRUE(second.get());
  behind.wait(1);
  EXPECT_EQ(gate.sent, (std::vector<std::string>{"4:old", "6:new"}));
}

TEST(WriteBehind, TheWindowBoundsBytesInFlight) {
  Gate gate;
  WriteBehind behind(limits(4, 6));
  ASSERT_TRUE(behind.write({1, 10}, "aa", 2, 0, gate.send()));
  ASSERT_TRUE(behind.write({1, 10}, "bb", 2, 2, gate.send()));
  ASSERT_TRUE(behind.write({2, 20}, "cc", 2, 0, gate.send()));
  // Inode 1 is at its 4 bytes and the mount at its 6: both must wait.
  auto same_file = std::async(std::launch::async, [&] { return behind.write({1, 10}, "dd", 2, 4, gate.send()); });
  auto other_file = std::async(std::launch::async, [&] { return behind.write({3, 30}, "ee", 2, 0, gate.send()); });
  EXPECT_EQ(same_file.wait_for(50ms), std::future_status::timeout);
  EXPECT_EQ(other_file.wait_for(1ms), std::future_status::timeout);
  gate.release();
  EXPECT_TRUE(same_file.get());
  EXPECT_TRUE(other_file.get());
  behind.wait_all();
  EXPECT_EQ(gate.sent.size(), 5u);
}

TEST(WriteBehind, AWriteLargerThanTheWindowGoesAlone) {
  Gate gate;
  gate.release();
  WriteBehind behind(limits(2, 2));
  ASSERT_TRUE(behind.write({1, 10}, "abcdef", 6, 0, gate.send()));
  behind.wait_all();
  EXPECT_EQ(gate.sent, (std::vector<std::string>{"0:abcdef"}));
}

TEST(WriteBehind, AnErrorGoesToItsHandleOnceAndStopsItsWrites) {
  Gate gate;
  gate.release();
  WriteBehind behind(limits());
  ASSERT_TRUE(behind.write({1, 10}, "aa", 2, 0, gate.send(error(proto::IO_ERROR, "disk gone"))));
  ASSERT_TRUE(behind.write({1, 11}, "bb", 2, 8, gate.send()));
  behind.wait(1);
  auto refused = behind.write({1, 10}, "cc", 2, 2, gate.send());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "disk gone");
  EXPECT_TRUE(behind.settle({1, 11}));  // the other handle's writes arrived
  auto reported = behind.settle({1, 10});
  ASSERT_FALSE(reported);
  EXPECT_EQ(reported.error().code(), proto::IO_ERROR);
  EXPECT_TRUE(behind.settle({1, 10}));  // reported once
  EXPECT_TRUE(behind.write({1, 10}, "dd", 2, 4, gate.send()));
  behind.wait_all();
  EXPECT_EQ(gate.sent.size(), 3u);
}

TEST(WriteBehind, DestructionWaitsForWritesInFlight) {
  Gate gate;
  std::atomic<bool> done{false};
  {
    WriteBehind behind(limits());
    ASSERT_TRUE(behind.write({1, 10}, "aa", 2, 0, [&](const char*, size_t, uint64_t) -> Result<void> {
      std::this_thread::sleep_for(20ms);
      done = true;
      return {};
    }));
  }
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace combfs::fuse
