// The single error table: every code maps to the errno a local file system
// would return, and only transient failures are retryable.
#include "common/status.h"

#include <gtest/gtest.h>

namespace combfs {
namespace {

TEST(Status, ErrnoMapping) {
  EXPECT_EQ(error_to_errno(proto::OK), 0);
  EXPECT_EQ(error_to_errno(proto::META_NOT_FOUND), ENOENT);
  EXPECT_EQ(error_to_errno(proto::META_EXISTS), EEXIST);
  EXPECT_EQ(error_to_errno(proto::META_NOT_DIR), ENOTDIR);
  EXPECT_EQ(error_to_errno(proto::META_IS_DIR), EISDIR);
  EXPECT_EQ(error_to_errno(proto::META_NOT_EMPTY), ENOTEMPTY);
  EXPECT_EQ(error_to_errno(proto::META_NAME_TOO_LONG), ENAMETOOLONG);
  EXPECT_EQ(error_to_errno(proto::META_INVALID), EINVAL);
  EXPECT_EQ(error_to_errno(proto::META_XDEV), EXDEV);
  EXPECT_EQ(error_to_errno(proto::META_TOO_MANY_LINKS), EMLINK);
  EXPECT_EQ(error_to_errno(proto::META_NO_XATTR), ENODATA);
  EXPECT_EQ(error_to_errno(proto::PERMISSION_DENIED), EPERM);
  EXPECT_EQ(error_to_errno(proto::ACCESS_DENIED), EACCES);
  EXPECT_EQ(error_to_errno(proto::STORAGE_NO_SPACE), ENOSPC);
  EXPECT_EQ(error_to_errno(proto::STORAGE_IO), EIO);
  EXPECT_EQ(error_to_errno(proto::STORAGE_CHECKSUM_MISMATCH), EIO);
  EXPECT_EQ(error_to_errno(proto::STORAGE_CHUNK_MISSING), EIO);
  EXPECT_EQ(error_to_errno(proto::STORAGE_MIRROR_FAILED), EIO);
  EXPECT_EQ(error_to_errno(proto::INTERNAL), EIO);
}

TEST(Status, EveryCodeHasANameAndAnErrno) {
  const auto* desc = proto::ErrorCode_descriptor();
  for (int i = 0; i < desc->value_count(); ++i) {
    auto code = static_cast<ErrorCode>(desc->value(i)->number());
    EXPECT_STRNE(error_name(code), "UNKNOWN_ERROR");
    if (code != proto::OK) EXPECT_GT(error_to_errno(code), 0) << error_name(code);
  }
}

TEST(Status, Retryable) {
  EXPECT_TRUE(Status(proto::TIMEOUT, "").retryable());
  EXPECT_TRUE(Status(proto::RPC_CONNECTION_LOST, "").retryable());
  EXPECT_TRUE(Status(proto::META_NOT_OWNER, "").retryable());
  EXPECT_FALSE(Status(proto::META_EXISTS, "").retryable());
  // A stale map about who is a mirror group's primary: refresh and retry.
  EXPECT_TRUE(Status(proto::STORAGE_NOT_PRIMARY, "").retryable());
  EXPECT_FALSE(Status(proto::STORAGE_MIRROR_FAILED, "").retryable());
  EXPECT_FALSE(Status(proto::RPC_AUTH_FAILED, "").retryable());
}

TEST(Status, TryMacroPropagates) {
  auto inner = [](bool fail) -> Result<int> {
    if (fail) return error(proto::META_NOT_FOUND, "gone");
    return 5;
  };
  auto outer = [&](bool fail) -> Result<int> {
    int v = COMBFS_TRY(inner(fail));
    return v + 1;
  };
  EXPECT_EQ(*outer(false), 6);
  EXPECT_EQ(outer(true).error().code(), proto::META_NOT_FOUND);
  EXPECT_EQ(Status(proto::META_NOT_FOUND, "gone").to_string(), "META_NOT_FOUND: gone");
}

}  // namespace
}  // namespace combfs
