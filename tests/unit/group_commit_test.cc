// GroupCommit: one sync answers every commit made before it began.
#include "common/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace combfs {
namespace {

using namespace std::chrono_literals;

TEST(GroupCommitTest, AWaitRunsASyncThatCoversEveryEarlierCommit) {
  uint64_t syncs = 0;
  GroupCommit gc([&]() -> Result<void> {
    ++syncs;
    return {};
  });
  uint64_t a = gc.committed();
  uint64_t b = gc.committed();
  EXPECT_EQ(b, a + 1);
  ASSERT_TRUE(gc.wait_durable(a));
  EXPECT_EQ(syncs, 1u);
  ASSERT_TRUE(gc.wait_durable(b)) << "b was committed before the sync began";
  EXPECT_EQ(syncs, 1u);
  ASSERT_TRUE(gc.wait_durable(0)) << "nothing to wait for";
  EXPECT_EQ(syncs, 1u);
}

TEST(GroupCommitTest, ACommitAfterTheSyncBeganWaitsForTheNextOne) {
  std::atomic<int> in_sync{0};
  std::atomic<bool> release{false};
  std::atomic<uint64_t> syncs{0};
  GroupCommit gc([&]() -> Result<void> {
    in_sync = 1;
    while (!release) std::this_thread::sleep_for(1ms);
    ++syncs;
    return {};
  });
  uint64_t first = gc.committed();
  std::thread t1([&] { ASSERT_TRUE(gc.wait_durable(first)); });
  while (!in_sync) std::this_thread::sleep_for(1ms);
  uint64_t second = gc.committed();  // reached the file after the sync began
  std::atomic<bool> second_done{false};
  std::thread t2([&] {
    ASSERT_TRUE(gc.wait_durable(second));
    second_done = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(second_done) << "answered by a sync that began before it was committed";
  release = true;
  t1.join();
  t2.join();
  EXPECT_EQ(syncs.load(), 2u);
}

TEST(GroupCommitTest, ManyWritersShareFewSyncs) {
  std::atomic<uint64_t> syncs{0};
  std::mutex db;  // the owner's lock: commits are numbered in commit order
  GroupCommit gc([&]() -> Result<void> {
    std::this_thread::sleep_for(2ms);  // an fsync
    ++syncs;
    return {};
  });
  constexpr int kThreads = 8, kCommits = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kCommits; ++i) {
        uint64_t seq;
        {
          std::lock_guard lock(db);
          seq = gc.committed();
        }
        ASSERT_TRUE(gc.wait_durable(seq));
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_LT(syncs.load(), uint64_t{kThreads * kCommits} / 2) << "commits were not batched";
  EXPECT_EQ(gc.syncs(), syncs.load());
}

TEST(GroupCommitTest, AFailedSyncFailsThatWaitAndEveryLaterOne) {
  int calls = 0;
  GroupCommit gc([&]() -> Result<void> {
    ++calls;
    return error(proto::IO_ERROR, "fdatasync: Input/output error");
  });
  auto r = gc.wait_durable(gc.committed());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::IO_ERROR);
  EXPECT_FALSE(gc.wait_durable(gc.committed())) << "nothing committed after a failed sync can be promised";
  EXPECT_EQ(calls, 1) << "no second sync after a failure";
}

TEST(GroupCommitTest, APatientWaitRidesOnTheNextSyncAnotherThreadRuns) {
  std::atomic<uint64_t> syncs{0};
  GroupCommit gc([&]() -> Result<void> {
    ++syncs;
    return {};
  });
  uint64_t close = gc.committed();
  std::atomic<bool> answered{false};
  std::thread patient([&] {
    ASSERT_TRUE(gc.wait_durable(close, 10s));
    answered = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(answered) << "answered before its commit was synced";
  EXPECT_EQ(syncs.load(), 0u) << "a patient wait ran a sync of its own at once";
  ASSERT_TRUE(gc.wait_durable(gc.committed()));  // the next create: one sync for both
  patient.join();
  EXPECT_TRUE(answered);
  EXPECT_EQ(syncs.load(), 1u);
}

TEST(GroupCommitTest, APatientWaitSyncsItselfWhenNobodyElseDoes) {
  std::atomic<uint64_t> syncs{0};
  GroupCommit gc([&]() -> Result<void> {
    ++syncs;
    return {};
  });
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(gc.wait_durable(gc.committed(), 30ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
  EXPECT_EQ(syncs.load(), 1u);
}

TEST(GroupCommitTest, WithoutASyncWaitsReturnAtOnce) {
  GroupCommit gc(nullptr);
  EXPECT_TRUE(gc.wait_durable(gc.committed()));
  EXPECT_EQ(gc.syncs(), 0u);
}

}  // namespace
}  // namespace combfs
