// client/fuse/open_reply: which opens get direct I/O with parallel writes.
#include <fcntl.h>
#include <sys/stat.h>
#include <gtest/gtest.h>
#include <linux/fuse.h>

#include "client/fuse/open_reply.h"

namespace combfs::fuse {
namespace {

constexpr auto kOff = ParallelWrites::kOff;
constexpr auto kWriteOnly = ParallelWrites::kWriteOnly;
constexpr auto kShared = ParallelWrites::kShared;

TEST(ParallelWrites, ReadersNeverGetIt) {
  for (auto policy : {kOff, kWriteOnly, kShared}) {
    EXPECT_FALSE(wants_parallel_writes(policy, O_RDONLY, 0));
    EXPECT_FALSE(wants_parallel_writes(policy, O_RDONLY, 5));
  }
}

TEST(ParallelWrites, WriteOnlyOpensGetItUnlessOff) {
  EXPECT_TRUE(wants_parallel_writes(kWriteOnly, O_WRONLY, 1));
  EXPECT_TRUE(wants_parallel_writes(kWriteOnly, O_WRONLY | O_CREAT | O_TRUNC, 1));
  EXPECT_TRUE(wants_parallel_writes(kShared, O_WRONLY, 1));
  EXPECT_FALSE(wants_parallel_writes(kOff, O_WRONLY, 3));
}

TEST(ParallelWrites, ReadWriteOpensOnlyWhenSharedAndPolicySaysSo) {
  // A read-write open may mmap the file: by default it keeps the page cache,
  // even when another writer (or its own earlier, not yet released open) exists.
  EXPECT_FALSE(wants_parallel_writes(kWriteOnly, O_RDWR, 1));
  EXPECT_FALSE(wants_parallel_writes(kWriteOnly, O_RDWR, 2));
  EXPECT_FALSE(wants_parallel_writes(kShared, O_RDWR, 1));
  EXPECT_TRUE(wants_parallel_writes(kShared, O_RDWR, 2));
  EXPECT_TRUE(wants_parallel_writes(kShared, O_RDWR | O_APPEND, 4));
  EXPECT_FALSE(wants_parallel_writes(kOff, O_RDWR, 4));
}

TEST(ParallelWrites, BitsAreDirectIoWithParallelWrites) {
  EXPECT_EQ(parallel_write_bits(kWriteOnly, O_WRONLY, 1), FOPEN_DIRECT_IO | FOPEN_PARALLEL_DIRECT_WRITES);
  EXPECT_EQ(parallel_write_bits(kWriteOnly, O_RDWR, 1), 0u);
}

// What a direct write must clear (the kernel's rule): S_ISUID always, S_ISGID
// only with group execute; a handle without direct writes leaves it to the kernel.
TEST(ParallelWrites, PrivsToKill) {
  auto marks = [](ParallelWrites policy, int flags, uint32_t mode) {
    proto::Attr attr;
    attr.set_mode(mode);
    attr.set_open_writers(1);
    client::OpenFile file;
    FsConfig config;
    config.parallel_writes = policy;
    (void)direct_write_bits(config, flags, attr, file);
    return file.kill_privs_on_write.load();
  };
  EXPECT_TRUE(marks(kWriteOnly, O_WRONLY, S_IFREG | 04755));
  EXPECT_TRUE(marks(kWriteOnly, O_WRONLY, S_IFREG | 02755));
  EXPECT_TRUE(marks(kWriteOnly, O_WRONLY, S_IFREG | 06644));
  EXPECT_FALSE(marks(kWriteOnly, O_WRONLY, S_IFREG | 02644));  // mandatory-locking style: kept
  EXPECT_FALSE(marks(kWriteOnly, O_WRONLY, S_IFREG | 0777));
  EXPECT_FALSE(marks(kWriteOnly, O_RDWR, S_IFREG | 04755));  // page cache path: the kernel clears
  EXPECT_FALSE(marks(kOff, O_WRONLY, S_IFREG | 04755));
}

// Writes go behind exactly on writable handles that use the page cache.
TEST(ParallelWrites, WriteBehindOnPageCacheWriters) {
  auto behind = [](ParallelWrites policy, int flags, bool enabled) {
    proto::Attr attr;
    attr.set_mode(S_IFREG | 0644);
    attr.set_open_writers(1);
    client::OpenFile file;
    FsConfig config;
    config.parallel_writes = policy;
    config.write_behind = enabled;
    (void)direct_write_bits(config, flags, attr, file);
    return file.write_behind;
  };
  EXPECT_TRUE(behind(kWriteOnly, O_RDWR, true));
  EXPECT_TRUE(behind(kOff, O_WRONLY, true));
  EXPECT_FALSE(behind(kWriteOnly, O_WRONLY, true));  // direct writes: synchronous
  EXPECT_FALSE(behind(kWriteOnly, O_RDONLY, true));
  EXPECT_FALSE(behind(kWriteOnly, O_RDWR, false));  // -o no_write_behind
}

}  // namespace
}  // namespace combfs::fuse
