// client/fuse/inode_table: node ids, lookup counts and forget.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "client/fuse/inode_table.h"

namespace combfs::fuse {
namespace {

TEST(InodeTable, RootIsKnownFromTheStart) {
  InodeTable t;
  auto root = t.get(kRootIno);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->id, EntryId::root());
  EXPECT_EQ(root->owner, 0u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(InodeTable, SameEntryKeepsItsNodeIdAndCountsLookups) {
  InodeTable t;
  EntryId a{1, 42};
  uint64_t ino = t.remember(a, 1);
  EXPECT_NE(ino, kRootIno);
  EXPECT_EQ(t.lookups(ino), 1u);
  EXPECT_EQ(t.remember(a, 1), ino);
  EXPECT_EQ(t.lookups(ino), 2u);
  uint64_t other = t.remember(EntryId{1, 43}, 1);
  EXPECT_NE(other, ino);
  EXPECT_EQ(t.size(), 3u);
}

TEST(InodeTable, ForgetRemovesAtZeroAndNodeIdsAreNeverReused) {
  InodeTable t;
  EntryId a{1, 42};
  uint64_t ino = t.remember(a, 1);
  t.remember(a, 1);
  t.remember(a, 1);
  t.forget(ino, 2);
  ASSERT_TRUE(t.get(ino));
  EXPECT_EQ(t.lookups(ino), 1u);
  t.forget(ino, 1);
  EXPECT_FALSE(t.get(ino));
  EXPECT_EQ(t.size(), 1u);
  // The entry comes back under a new node id: the kernel may still hold stale
  // references to the old one.
  uint64_t again = t.remember(a, 1);
  EXPECT_NE(again, ino);
  EXPECT_EQ(t.lookups(again), 1u);
}

TEST(InodeTable, ForgetMoreThanCountedRemovesAndUnknownIsIgnored) {
  InodeTable t;
  uint64_t ino = t.remember(EntryId{1, 7}, 1);
  t.forget(ino, 100);
  EXPECT_FALSE(t.get(ino));
  t.forget(ino, 1);
  t.forget(12345, 1);
  EXPECT_EQ(t.size(), 1u);
}

TEST(InodeTable, RootIsNeverForgotten) {
  InodeTable t;
  EXPECT_EQ(t.remember(EntryId::root(), 5), kRootIno);
  t.forget(kRootIno, 1000);
  ASSERT_TRUE(t.get(kRootIno));
  // The root's owner follows the cluster map (0), not whatever a reply said.
  EXPECT_EQ(t.get(kRootIno)->owner, 0u);
}

TEST(InodeTable, OwnerIsUpdatedByLaterRepliesButNotErasedByZero) {
  InodeTable t;
  EntryId a{1, 9};
  uint64_t ino = t.remember(a, 1);
  t.remember(a, 3);
  EXPECT_EQ(t.get(ino)->owner, 3u);
  t.remember(a, 0);
  EXPECT_EQ(t.get(ino)->owner, 3u);
}

TEST(InodeTable, LayoutIsKeptOnceKnown) {
  InodeTable t;
  uint64_t ino = t.remember(EntryId{1, 5}, 1);
  EXPECT_FALSE(t.get(ino)->layout);
  proto::Layout l;
  l.mutable_pattern()->set_chunk_size(1 << 20);
  l.add_targets(3);
  l.add_targets(4);
  t.set_layout(ino, l);
  auto got = t.get(ino)->layout;
  ASSERT_TRUE(got);
  EXPECT_EQ(got->targets_size(), 2);
  EXPECT_EQ(got->targets(1), 4u);
  t.set_layout(777, l);  // unknown inode: no effect, no crash
  EXPECT_FALSE(t.get(777));
}

TEST(InodeTable, ConcurrentLookupsAndForgetsBalanceOut) {
  InodeTable t;
  constexpr int kThreads = 8, kEntries = 200, kRounds = 50;
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th)
    threads.emplace_back([&] {
      for (int r = 0; r < kRounds; ++r)
        for (int e = 0; e < kEntries; ++e) {
          uint64_t ino = t.remember(EntryId{1, uint64_t(e + 2)}, 1);
          t.forget(ino, 1);
        }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(t.size(), 1u);
}

}  // namespace
}  // namespace combfs::fuse
