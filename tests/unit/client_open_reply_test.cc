// client/fuse/open_reply: which opens get direct I/O with parallel writes.
#include <fcntl.h>
#include <gtest/gtest.h>

#include "client/fuse/open_reply.h"

namespace combfs::fuse {
namespace {

TEST(ParallelWrites, ReadersNeverGetIt) {
  EXPECT_FALSE(wants_parallel_writes(O_RDONLY, 0));
  EXPECT_FALSE(wants_parallel_writes(O_RDONLY, 5));
}

TEST(ParallelWrites, WriteOnlyOpensGetIt) {
  EXPECT_TRUE(wants_parallel_writes(O_WRONLY, 1));
  EXPECT_TRUE(wants_parallel_writes(O_WRONLY | O_CREAT | O_TRUNC, 1));
}

TEST(ParallelWrites, ReadWriteOpensOnlyWhenSharedWithOtherWriters) {
  // A lone O_RDWR open may mmap the file: it keeps the page cache.
  EXPECT_FALSE(wants_parallel_writes(O_RDWR, 1));
  EXPECT_TRUE(wants_parallel_writes(O_RDWR, 2));
  EXPECT_TRUE(wants_parallel_writes(O_RDWR | O_APPEND, 4));
}

}  // namespace
}  // namespace combfs::fuse
