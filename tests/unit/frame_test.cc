// Frame header codec: round trip, and every malformed input is rejected with the
// right error code rather than accepted or crashing.
#include "common/rpc/frame.h"

#include <gtest/gtest.h>

#include <random>

namespace combfs::rpc {
namespace {

FrameHeader sample() {
  FrameHeader h;
  h.flags = kFlagReply | kFlagError;
  h.type = 401;
  h.request_id = 0x0102030405060708ull;
  h.body_len = 1234;
  h.bulk_len = 1 << 20;
  return h;
}

TEST(Frame, RoundTrip) {
  FrameLimits limits;
  auto bytes = encode_header(sample());
  auto h = decode_header(bytes.data(), bytes.size(), limits);
  ASSERT_TRUE(h) << h.error().to_string();
  EXPECT_EQ(h->type, 401u);
  EXPECT_EQ(h->request_id, 0x0102030405060708ull);
  EXPECT_EQ(h->body_len, 1234u);
  EXPECT_EQ(h->bulk_len, 1u << 20);
  EXPECT_TRUE(h->is_reply());
  EXPECT_TRUE(h->is_error());
}

TEST(Frame, LittleEndianOnTheWire) {
  auto bytes = encode_header(sample());
  EXPECT_EQ(bytes[0], 'C');
  EXPECT_EQ(bytes[1], 'B');
  EXPECT_EQ(bytes[2], 'F');
  EXPECT_EQ(bytes[3], 'S');
  EXPECT_EQ(bytes[16], 0x08);  // request id low byte first
}

TEST(Frame, TruncatedHeader) {
  auto bytes = encode_header(sample());
  for (size_t n = 0; n < kHeaderSize; ++n) {
    auto h = decode_header(bytes.data(), n, FrameLimits{});
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error().code(), proto::RPC_MALFORMED_FRAME);
  }
}

TEST(Frame, Oversized) {
  FrameLimits limits{.max_body = 100, .max_bulk = 1000};
  auto h = sample();
  h.body_len = 101;
  h.bulk_len = 0;
  auto bytes = encode_header(h);
  EXPECT_EQ(decode_header(bytes.data(), bytes.size(), limits).error().code(), proto::RPC_FRAME_TOO_LARGE);
  h.body_len = 100;
  h.bulk_len = 1001;
  bytes = encode_header(h);
  EXPECT_EQ(decode_header(bytes.data(), bytes.size(), limits).error().code(), proto::RPC_FRAME_TOO_LARGE);
  h.bulk_len = 1000;
  bytes = encode_header(h);
  EXPECT_TRUE(decode_header(bytes.data(), bytes.size(), limits));
}

TEST(Frame, BadFields) {
  FrameLimits limits;
  auto h = sample();
  h.magic = 0xdeadbeef;
  auto b = encode_header(h);
  EXPECT_EQ(decode_header(b.data(), b.size(), limits).error().code(), proto::RPC_MALFORMED_FRAME);
  h = sample();
  h.version = 2;
  b = encode_header(h);
  EXPECT_EQ(decode_header(b.data(), b.size(), limits).error().code(), proto::RPC_BAD_VERSION);
  h = sample();
  h.flags = 0x80;
  b = encode_header(h);
  EXPECT_EQ(decode_header(b.data(), b.size(), limits).error().code(), proto::RPC_MALFORMED_FRAME);
  h = sample();
  h.reserved = 1;
  b = encode_header(h);
  EXPECT_EQ(decode_header(b.data(), b.size(), limits).error().code(), proto::RPC_MALFORMED_FRAME);
}

TEST(Frame, GarbageNeverAccepted) {
  std::mt19937_64 rng(42);
  FrameLimits limits;
  int accepted = 0;
  for (int i = 0; i < 100000; ++i) {
    HeaderBytes b;
    for (auto& c : b) c = static_cast<unsigned char>(rng());
    if (decode_header(b.data(), b.size(), limits)) ++accepted;
  }
  EXPECT_EQ(accepted, 0);  // random bytes essentially never carry the magic
}

}  // namespace
}  // namespace combfs::rpc
