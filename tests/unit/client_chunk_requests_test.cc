// client/lib/chunk_requests: writes carry the CRC32C of each 64 KiB piece;
// read answers are checked against the CRCs stored sends, and a mismatch
// names target, file and the file offset of the bad piece.
#include "client/lib/chunk_requests.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/checksum.h"

namespace combfs::client {
namespace {

constexpr uint64_t kB = checksum::kBlockSize;
const EntryId kFile{1, 0x2a};

std::vector<char> pattern(size_t n, uint32_t seed) {
  std::vector<char> v(n);
  uint32_t x = seed + 1;
  for (auto& c : v) c = static_cast<char>((x = x * 1664525u + 1013904223u) >> 24);
  return v;
}

proto::ReadChunkResponse answer_for(uint64_t local_offset, const std::vector<char>& data) {
  proto::ReadChunkResponse resp;
  resp.set_length(static_cast<uint32_t>(data.size()));
  resp.set_checksummed(true);
  auto crcs = checksum::piece_crcs(local_offset, data);
  resp.mutable_crcs()->Add(crcs.begin(), crcs.end());
  return resp;
}

TEST(ChunkRequests, WritesCarryOneCrcPerPiece) {
  auto data = pattern(2 * kB + 10, 1);
  auto req = write_request(buddy::Route{.target = 7}, kFile, kB / 2, data);
  EXPECT_EQ(req.target_id(), 7u);
  EXPECT_EQ(req.offset(), kB / 2);
  EXPECT_EQ(std::vector<uint32_t>(req.crcs().begin(), req.crcs().end()), checksum::piece_crcs(kB / 2, data));
  EXPECT_EQ(req.crcs_size(), 3);
  EXPECT_EQ(req.mirror_group(), 0u) << "an unmirrored file";
  EXPECT_EQ(write_request(buddy::Route{.target = 7}, kFile, 0, {}).crcs_size(), 0)
      << "an empty write only creates the chunk file";
}

TEST(ChunkRequests, RequestsOfMirroredFilesGoToThePrimaryNamingTheGroup) {
  const buddy::Route route{.target = 7, .group = 3, .secondary = 8};
  auto write = write_request(route, kFile, 0, pattern(kB, 1));
  EXPECT_EQ(write.target_id(), 7u);
  EXPECT_EQ(write.mirror_group(), 3u);
  EXPECT_FALSE(write.forwarded()) << "only the primary forwards";
  auto read = read_request(route, kFile, kB, kB);
  EXPECT_EQ(read.target_id(), 7u);
  EXPECT_EQ(read.mirror_group(), 3u);
}

TEST(ChunkRequests, ReadsThatMatchPassAndAFlippedByteFailsNamingWhere) {
  // Request: 3 blocks at local offset 2 MiB of target 9, file offset 5 MiB + 4096.
  const ChunkRequest r{1, 2 << 20, 4096, 3 * kB};
  const uint64_t read_offset = 5 << 20;
  auto data = pattern(3 * kB, 2);
  auto resp = answer_for(r.local_offset, data);
  EXPECT_TRUE(verify_read(resp, data, r, read_offset, 9, kFile));

  auto damaged = data;
  damaged[kB + 100] ^= 1;  // second piece
  auto bad = verify_read(resp, damaged, r, read_offset, 9, kFile);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), proto::STORAGE_CHECKSUM_MISMATCH);
  EXPECT_EQ(bad.error().to_errno(), EIO);
  const std::string where = "target 9, file " + kFile.to_string() + ", offset " + std::to_string(read_offset + 4096 + kB);
  EXPECT_NE(bad.error().message().find(where), std::string::npos) << bad.error().message();

  // Too few CRCs for what came back is a mismatch too, never a pass.
  auto fewer = resp;
  fewer.mutable_crcs()->RemoveLast();
  EXPECT_FALSE(verify_read(fewer, data, r, read_offset, 9, kFile));
  // A short answer (end of the chunk file) is checked on what came.
  std::vector<char> head(data.begin(), data.begin() + kB + 7);
  EXPECT_TRUE(verify_read(answer_for(r.local_offset, head), head, r, read_offset, 9, kFile));
}

TEST(ChunkRequests, ChunkFilesWithoutChecksumsAreNotChecked) {
  const ChunkRequest r{0, 0, 0, kB};
  auto data = pattern(kB, 3);
  proto::ReadChunkResponse legacy;
  legacy.set_length(kB);
  EXPECT_TRUE(verify_read(legacy, data, r, 0, 1, kFile));
}

TEST(ChunkRequests, ReadFailuresGetTheFileOffsetAdded) {
  const ChunkRequest r{2, 3 * kB, 100, kB};
  Status cause(proto::STORAGE_CHECKSUM_MISMATCH, "block 3 (local offset 196608) ... corrupt");
  Status s = read_failed(cause, r, 1 << 20, 4, kFile);
  EXPECT_EQ(s.code(), proto::STORAGE_CHECKSUM_MISMATCH);
  EXPECT_NE(s.message().find("target 4, file " + kFile.to_string() + ", offset " + std::to_string((1 << 20) + 100)),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("local offset 196608"), std::string::npos);
}

}  // namespace
}  // namespace combfs::client
