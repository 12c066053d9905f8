// Wire frame: a fixed 32-byte little-endian header, a protobuf body and an
// optional raw bulk payload (file data) that is never copied into a protobuf.
//
//   magic u32 | version u16 | flags u16 | type u32 | reserved u32 |
//   request_id u64 | body_len u32 | bulk_len u32
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace combfs::rpc {

inline constexpr uint32_t kMagic = 0x53464243;  // "CBFS" on the wire
inline constexpr uint16_t kVersion = 1;
inline constexpr size_t kHeaderSize = 32;

enum FrameFlags : uint16_t {
  kFlagReply = 1,
  kFlagError = 2,  // reply body is a proto::ErrorReply
  kKnownFlags = kFlagReply | kFlagError,
};

struct FrameLimits {
  uint32_t max_body = 4u << 20;   // protobuf bodies: metadata is small
  uint32_t max_bulk = 64u << 20;  // file data per request
};

struct FrameHeader {
  uint32_t magic = kMagic;
  uint16_t version = kVersion;
  uint16_t flags = 0;
  uint32_t type = 0;
  uint32_t reserved = 0;
  uint64_t request_id = 0;
  uint32_t body_len = 0;
  uint32_t bulk_len = 0;

  bool is_reply() const { return flags & kFlagReply; }
  bool is_error() const { return flags & kFlagError; }
};

using HeaderBytes = std::array<unsigned char, kHeaderSize>;

HeaderBytes encode_header(const FrameHeader& h);

// Decodes and validates a header. Any violation (bad magic, unknown version or
// flags, non-zero reserved field, body or bulk over the limits) is an error
// whose message says what was wrong; the caller closes the connection.
Result<FrameHeader> decode_header(const unsigned char* bytes, size_t size, const FrameLimits& limits);

}  // namespace combfs::rpc
