// WriteEpochs: a handle learns at fsync or close that a target lost its unsynced writes.
#include "client/lib/write_epochs.h"

#include <gtest/gtest.h>

namespace combfs::client {
namespace {

const EntryId kFile{7, 42};

TEST(WriteEpochsTest, SameEpochIsNoLoss) {
  WriteEpochs e;
  e.wrote(kFile, 1, 5);
  e.wrote(kFile, 2, 9);
  e.answered(kFile, 1, 5);
  e.answered(kFile, 2, 9);
  EXPECT_FALSE(e.take_loss());
}

TEST(WriteEpochsTest, NewEpochAtFsyncAfterUnsyncedWritesIsALossReportedOnce) {
  WriteEpochs e;
  e.wrote(kFile, 1, 5);
  e.answered(kFile, 1, 6);
  auto loss = e.take_loss();
  ASSERT_TRUE(loss);
  EXPECT_EQ(loss->code(), proto::STORAGE_WRITES_LOST);
  EXPECT_EQ(loss->to_errno(), EIO);
  EXPECT_NE(loss->message().find("target 1"), std::string::npos) << loss->message();
  EXPECT_NE(loss->message().find(kFile.to_string()), std::string::npos) << loss->message();
  EXPECT_FALSE(e.take_loss()) << "reported once, as Linux reports writeback errors";
}

TEST(WriteEpochsTest, AWriteUnderANewEpochAlsoRevealsTheLoss) {
  WriteEpochs e;
  e.wrote(kFile, 1, 5);
  e.wrote(kFile, 1, 6);  // a retried write reached the restarted target
  EXPECT_TRUE(e.take_loss());
  e.answered(kFile, 1, 6);
  EXPECT_FALSE(e.take_loss()) << "the later writes are under the new epoch";
}

TEST(WriteEpochsTest, SyncedWritesCannotBeLost) {
  WriteEpochs e;
  e.wrote(kFile, 1, 5);
  uint64_t token = e.begin_sync();
  e.answered(kFile, 1, 5);
  e.synced(token);
  e.answered(kFile, 1, 6);  // the target restarted after the fsync
  EXPECT_FALSE(e.take_loss());
}

TEST(WriteEpochsTest, AWriteDuringAnFsyncStaysUnsynced) {
  WriteEpochs e;
  e.wrote(kFile, 1, 5);
  uint64_t token = e.begin_sync();
  e.wrote(kFile, 1, 5);  // acknowledged after the fsync began: maybe not covered
  e.synced(token);
  e.answered(kFile, 1, 6);
  EXPECT_TRUE(e.take_loss());
}

TEST(WriteEpochsTest, UnknownEpochIsNeverCompared) {
  WriteEpochs e;
  e.wrote(kFile, 1, 0);
  e.answered(kFile, 1, 3);
  e.wrote(kFile, 2, 4);
  e.answered(kFile, 2, 0);
  EXPECT_FALSE(e.take_loss());
}

TEST(WriteEpochsTest, OtherTargetsAreNotConfused) {
  WriteEpochs e;
  e.wrote(kFile, 1, 5);
  e.answered(kFile, 2, 8);  // never written through this handle
  EXPECT_FALSE(e.take_loss());
}

}  // namespace
}  // namespace combfs::client
