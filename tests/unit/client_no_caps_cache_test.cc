// client/fuse/no_caps_cache: "no security.capability" answers per inode, for a while.
#include "client/fuse/no_caps_cache.h"

#include <gtest/gtest.h>

namespace combfs::fuse {
namespace {

using namespace std::chrono_literals;

TEST(NoCapsCache, RemembersAbsenceUntilTheTtlEnds) {
  NoCapsCache cache(1s);
  const auto t0 = NoCapsCache::Clock::now();
  EXPECT_FALSE(cache.known_absent(7, t0));
  cache.remember_absent(7, t0);
  EXPECT_TRUE(cache.known_absent(7, t0 + 999ms));
  EXPECT_FALSE(cache.known_absent(7, t0 + 1s));
  EXPECT_FALSE(cache.known_absent(8, t0));
}

TEST(NoCapsCache, ForgetsWhenTheAttributeChangesHere) {
  NoCapsCache cache(10s);
  cache.remember_absent(7);
  cache.forget(7);
  EXPECT_FALSE(cache.known_absent(7));
}

TEST(NoCapsCache, ZeroTtlKeepsNothing) {
  NoCapsCache cache(0s);
  cache.remember_absent(7);
  EXPECT_FALSE(cache.known_absent(7));
}

TEST(NoCapsCache, ExpiredEntriesArePrunedAsItGrows) {
  NoCapsCache cache(1s);
  const auto t0 = NoCapsCache::Clock::now();
  for (uint64_t ino = 0; ino < 5000; ++ino) cache.remember_absent(ino, t0);
  cache.remember_absent(9999, t0 + 2s);  // prunes the 5000 expired ones
  EXPECT_TRUE(cache.known_absent(9999, t0 + 2s));
  EXPECT_FALSE(cache.known_absent(1, t0 + 500ms));
}

}  // namespace
}  // namespace combfs::fuse
