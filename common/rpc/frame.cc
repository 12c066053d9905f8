#include "common/rpc/frame.h"

#include <fmt/format.h>

namespace combfs::rpc {
namespace {

template <class T>
void put(unsigned char* p, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
template <class T>
T get(const unsigned char* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(p[i]) << (8 * i);
  return v;
}

}  // namespace

HeaderBytes encode_header(const FrameHeader& h) {
  HeaderBytes b{};
  put<uint32_t>(&b[0], h.magic);
  put<uint16_t>(&b[4], h.version);
  put<uint16_t>(&b[6], h.flags);
  put<uint32_t>(&b[8], h.type);
  put<uint32_t>(&b[12], h.reserved);
  put<uint64_t>(&b[16], h.request_id);
  put<uint32_t>(&b[24], h.body_len);
  put<uint32_t>(&b[28], h.bulk_len);
  return b;
}

Result<FrameHeader> decode_header(const unsigned char* b, size_t size, const FrameLimits& limits) {
  if (size < kHeaderSize)
    return error(proto::RPC_MALFORMED_FRAME, fmt::format("truncated frame header: {} of {} bytes", size, kHeaderSize));
  FrameHeader h;
  h.magic = get<uint32_t>(&b[0]);
  h.version = get<uint16_t>(&b[4]);
  h.flags = get<uint16_t>(&b[6]);
  h.type = get<uint32_t>(&b[8]);
  h.reserved = get<uint32_t>(&b[12]);
  h.request_id = get<uint64_t>(&b[16]);
  h.body_len = get<uint32_t>(&b[24]);
  h.bulk_len = get<uint32_t>(&b[28]);

  if (h.magic != kMagic)
    return error(proto::RPC_MALFORMED_FRAME,
                 fmt::format("bad frame magic {:#010x} (not a combfs peer, or a corrupted stream)", h.magic));
  if (h.version != kVersion)
    return error(proto::RPC_BAD_VERSION,
                 fmt::format("protocol version {} not supported (this build speaks {}); upgrade the older side",
                             h.version, kVersion));
  if (h.flags & ~kKnownFlags) return error(proto::RPC_MALFORMED_FRAME, fmt::format("unknown frame flags {:#x}", h.flags));
  if (h.reserved != 0) return error(proto::RPC_MALFORMED_FRAME, "reserved header field is not zero");
  if (h.body_len > limits.max_body)
    return error(proto::RPC_FRAME_TOO_LARGE,
                 fmt::format("frame body of {} bytes exceeds the limit of {}", h.body_len, limits.max_body));
  if (h.bulk_len > limits.max_bulk)
    return error(proto::RPC_FRAME_TOO_LARGE,
                 fmt::format("bulk payload of {} bytes exceeds the limit of {}", h.bulk_len, limits.max_bulk));
  return h;
}

}  // namespace combfs::rpc
