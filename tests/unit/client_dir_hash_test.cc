// client/lib/dir_hash.h and dir_merge.h: which shard keeps a name, the merged
// readdir cookies, and a merged listing over fake shards, also while names
// are added.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "client/fuse/dir_offsets.h"
#include "client/lib/dir_hash.h"
#include "client/lib/dir_merge.h"

namespace combfs::client {
namespace {

TEST(DirHash, Fnv1a64MatchesTheReferenceValues) {
  // The published FNV-1a 64-bit test vectors: the hash is part of the format.
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST(DirHash, NamesSpreadEvenlyOverTheShards) {
  std::map<uint32_t, int> count;
  for (int i = 0; i < 20000; ++i) count[shard_of_name("file." + std::to_string(i), 4)]++;
  ASSERT_EQ(count.size(), 4u);
  for (auto [shard, n] : count) {
    EXPECT_LT(shard, 4u);
    EXPECT_GT(n, 4500) << "shard " << shard;
    EXPECT_LT(n, 5500) << "shard " << shard;
  }
  EXPECT_EQ(shard_of_name("x", 1), 0u);
}

TEST(DirHash, EveryBitOfANameChoosesTheShard) {
  // Plain FNV-1a mod 4 sees only the low two bits of each byte; 'f' and 'r'
  // (and 'a' and 'A') agree there. Names that differ in such a character
  // must still land on different shards about 3 times in 4.
  int moved = 0, upper = 0;
  for (int i = 0; i < 1000; ++i) {
    moved += shard_of_name("f" + std::to_string(i), 4) != shard_of_name("r" + std::to_string(i), 4);
    upper += shard_of_name("a" + std::to_string(i), 4) != shard_of_name("A" + std::to_string(i), 4);
  }
  EXPECT_GT(moved, 650);
  EXPECT_GT(upper, 650);
  EXPECT_EQ(mix64(0), 0u);
  EXPECT_NE(mix64(1), 1u);
}

TEST(DirHash, MergedCookiesRoundTripAndFitTheKernelsOffsets) {
  for (uint32_t shard : {0u, 1u, 3u, kMaxCookieShards - 1}) {
    for (uint64_t c : {uint64_t{0}, uint64_t{1}, uint64_t{123456789}, kShardCookieMask}) {
      uint64_t merged = merge_cookie(shard, c);
      EXPECT_EQ(split_cookie(merged).shard, shard);
      EXPECT_EQ(split_cookie(merged).cookie, c);
      // The kernel's directory offsets are signed 64-bit.
      EXPECT_LT(fuse::offset_of_cookie(merged), uint64_t{1} << 63);
    }
  }
  // Later shards sort after every entry of earlier ones.
  EXPECT_LT(merge_cookie(0, kShardCookieMask), merge_cookie(1, 1));
}

// Shards as metad keeps them: names with increasing sequence numbers (the
// cookie), listed after a cookie in that order.
struct FakeShards {
  explicit FakeShards(uint32_t k) : shards(k) {}
  void add(const std::string& name) { shards[shard_of_name(name, shards.size())][++seq] = name; }
  ShardFetch fetch() {
    return [this](uint32_t shard, uint64_t cookie, uint32_t max) -> Result<proto::ReadDirResponse> {
      ++calls;
      proto::ReadDirResponse r;
      auto& s = shards.at(shard);
      auto it = s.upper_bound(cookie);
      for (; it != s.end() && r.entries_size() < static_cast<int>(max); ++it) {
        auto* e = r.add_entries();
        e->set_name(it->second);
        e->set_cookie(it->first);
      }
      r.set_eof(it == s.end());
      if (after_call) after_call();
      return r;
    };
  }
  std::vector<std::map<uint64_t, std::string>> shards;
  uint64_t seq = 0;
  int calls = 0;
  std::function<void()> after_call;
};

// Lists everything in batches of `batch`; returns the names in listing order.
std::vector<std::string> list_all(FakeShards& fake, uint32_t batch) {
  std::vector<std::string> names;
  uint64_t cookie = 0;
  for (int guard = 0; guard < 100000; ++guard) {
    auto r = merged_readdir(static_cast<uint32_t>(fake.shards.size()), cookie, batch, fake.fetch());
    EXPECT_TRUE(r.has_value());
    if (!r) break;
    EXPECT_LE(r->entries_size(), static_cast<int>(batch));
    for (const auto& e : r->entries()) {
      EXPECT_GT(e.cookie(), cookie) << "cookies must grow along the listing";
      cookie = e.cookie();
      names.push_back(e.name());
    }
    if (r->eof()) return names;
    if (r->entries_size() == 0) ADD_FAILURE() << "a batch without entries that is not the end";
  }
  ADD_FAILURE() << "the listing does not end";
  return names;
}

TEST(DirMerge, ListsEveryNameOnceWhateverTheBatchSize) {
  FakeShards fake(4);
  for (int i = 0; i < 1000; ++i) fake.add("n" + std::to_string(i));
  for (uint32_t batch : {1u, 2u, 7u, 250u, 1000u, 5000u}) {
    auto names = list_all(fake, batch);
    std::set<std::string> unique(names.begin(), names.end());
    EXPECT_EQ(names.size(), 1000u) << "batch " << batch;
    EXPECT_EQ(unique.size(), 1000u) << "batch " << batch;
  }
}

TEST(DirMerge, EmptyShardsAndAnEmptyDirectory) {
  FakeShards empty(8);
  auto r = merged_readdir(8, 0, 100, empty.fetch());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->entries_size(), 0);
  EXPECT_TRUE(r->eof());

  FakeShards one(8);
  one.add("only");
  EXPECT_EQ(list_all(one, 1), std::vector<std::string>{"only"});
}

TEST(DirMerge, NamesAddedDuringTheListingAreNeverListedTwiceNorAreOldOnesMissed) {
  FakeShards fake(4);
  for (int i = 0; i < 500; ++i) fake.add("old" + std::to_string(i));
  int added = 0;
  fake.after_call = [&] {
    for (int j = 0; j < 3; ++j) fake.add("new" + std::to_string(added++));
  };
  auto names = list_all(fake, 16);
  std::multiset<std::string> seen(names.begin(), names.end());
  for (const auto& n : seen) EXPECT_EQ(seen.count(n), 1u) << n << " listed twice";
  for (int i = 0; i < 500; ++i) EXPECT_EQ(seen.count("old" + std::to_string(i)), 1u) << "old" << i << " missed";
  EXPECT_GT(added, 0);
}

TEST(DirMerge, ACookieTooLargeToMergeIsAnError) {
  ShardFetch bad = [](uint32_t, uint64_t, uint32_t) -> Result<proto::ReadDirResponse> {
    proto::ReadDirResponse r;
    r.add_entries()->set_cookie(kShardCookieMask + 1);
    r.set_eof(true);
    return r;
  };
  auto r = merged_readdir(2, 0, 10, bad);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), proto::INTERNAL);
}

TEST(DirMerge, ResumesInTheShardItsCookieNames) {
  FakeShards fake(3);
  for (int i = 0; i < 60; ++i) fake.add("n" + std::to_string(i));
  // Start right after the last entry of shard 0: the next entries come from shard 1.
  const uint64_t last0 = fake.shards[0].rbegin()->first;
  auto r = merged_readdir(3, merge_cookie(0, last0), 5, fake.fetch());
  ASSERT_TRUE(r.has_value());
  ASSERT_GT(r->entries_size(), 0);
  EXPECT_EQ(split_cookie(r->entries(0).cookie()).shard, 1u);
  EXPECT_EQ(r->entries(0).name(), fake.shards[1].begin()->second);
}

}  // namespace
}  // namespace combfs::client
