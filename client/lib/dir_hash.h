// Hashed directories (fsctl mkdir --hashed K, docs/metadata.md): which shard
// keeps a name, and the cookies of a listing merged over the shards. Pure and
// header-only, so metad's checker uses the very same rule as the client.
#pragma once

#include <cstdint>
#include <string_view>

namespace combfs::client {

// 64-bit FNV-1a: fixed by the format (proto/meta.proto: EntryInfo.shards), a
// name must hash the same on every client, forever.
constexpr uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (char c : text) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return h;
}

// MurmurHash3's 64-bit finalizer: every output bit depends on every input bit.
constexpr uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// The shard of a directory with `shards` (> 0) shards that keeps `name`.
// Not fnv1a64 % K alone: the low bits of FNV-1a depend only on the low bits
// of each byte, so with K = 4 "f1" and "r1" ('f' and 'r' end in the same two
// bits) would always share a shard. mix64 spreads every bit first.
constexpr uint32_t shard_of_name(std::string_view name, uint32_t shards) {
  return static_cast<uint32_t>(mix64(fnv1a64(name)) % shards);
}

// A merged listing walks shard 0, 1, ... K-1, each in its own cookie order.
// Its cookie is the shard index in bits 56..62 and the shard's own cookie (a
// dentry sequence number) below, so it stays below 2^63 (the kernel's
// directory offsets are signed) and resumes exactly where the entry was:
// entries added meanwhile get higher shard cookies and are listed later, none
// twice.
inline constexpr int kShardCookieShift = 56;
inline constexpr uint64_t kShardCookieMask = (uint64_t{1} << kShardCookieShift) - 1;
inline constexpr uint32_t kMaxCookieShards = 64;  // shard indices that fit below bit 63 with room

struct ShardCookie {
  uint32_t shard = 0;
  uint64_t cookie = 0;  // the shard's own cookie; 0 = from the shard's start
};

// REQUIRES: shard < kMaxCookieShards, cookie <= kShardCookieMask.
constexpr uint64_t merge_cookie(uint32_t shard, uint64_t cookie) {
  return (uint64_t{shard} << kShardCookieShift) | cookie;
}

constexpr ShardCookie split_cookie(uint64_t merged) {
  return ShardCookie{static_cast<uint32_t>(merged >> kShardCookieShift), merged & kShardCookieMask};
}

}  // namespace combfs::client
