#include "stored/ops/repair.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "buddy/role.h"
#include "common/checksum.h"
#include "stored/ops/mirrored.h"

namespace combfs::stored {
namespace {

// What the repairs share: this target's role (primary), its secondary's
// address, and a forward slot and the order lock held while they copy.
struct Repair {
  buddy::Role role;
  rpc::Endpoint secondary;
  MirrorLink::Slot slot;
  std::unique_lock<std::mutex> order;
};

Result<Repair> begin_repair(StoredState& state, const ChunkRef& ref, uint32_t group) {
  const auto role = COMBFS_TRY(mirror_role(state, group, ref.target_id, false));
  auto ep = COMBFS_TRY(state.mirror.endpoint_of(role.secondary));
  auto slot = COMBFS_TRY(state.mirror.forward_slot());
  return Repair{role, ep, std::move(slot), state.mirror.order_lock(ref.target_id, ref.file)};
}

Status cannot(const Repair& r, const Status& cause) {
  return Status(cause.code(), fmt::format("cannot repair it from the secondary, target {}: {}", r.role.secondary,
                                          cause.message()));
}

// Copies local bytes [begin, begin + length) (begin on a block boundary) of
// the secondary's copy, read with its check, over this target's; fewer at
// the end of the secondary's copy. Returns how many bytes it copied.
Result<size_t> copy_range(StoredState& state, const ChunkRef& ref, uint32_t group, const Repair& r, uint64_t begin,
                          uint64_t length) {
  proto::ReadChunkRequest req;
  req.set_target_id(r.role.secondary);
  ref.file.to_proto(req.mutable_file());
  req.set_offset(begin);
  req.set_length(static_cast<uint32_t>(length));
  req.set_verify(true);  // the secondary checks its copy before it sends it
  req.set_mirror_group(group);
  std::vector<char> good(length);
  size_t got = 0;
  auto resp = state.mirror.peers()->call(r.secondary, req, rpc::CallBulk{.out = {}, .in = good}, &got);
  if (!resp) return std::unexpected(cannot(r, resp.error()));
  if (resp->absent())
    return std::unexpected(cannot(r, Status(proto::STORAGE_CHUNK_MISSING, "it has no chunk file either")));
  good.resize(got);
  std::span<const uint32_t> crcs(resp->crcs().data(), static_cast<size_t>(resp->crcs().size()));
  if (!resp->checksummed() || checksum::first_mismatch(begin, good, crcs))
    return std::unexpected(cannot(r, Status(proto::STORAGE_CHECKSUM_MISMATCH,
                                            "its copy has no checksums to prove it right or came damaged")));
  if (auto done = state.chunks.write(*ref.target, ref.file, begin, good, crcs); !done)
    return std::unexpected(storage_error(ref, "repair", done.error()));
  return got;
}

}  // namespace

Result<void> repair_from_secondary(StoredState& state, const ChunkRef& ref, uint32_t group, uint64_t offset,
                                   uint64_t length) {
  auto r = COMBFS_TRY(begin_repair(state, ref, group));
  const uint64_t begin = offset / checksum::kBlockSize * checksum::kBlockSize;
  const uint64_t end = (offset + length + checksum::kBlockSize - 1) / checksum::kBlockSize * checksum::kBlockSize;
  const size_t copied = COMBFS_TRY(copy_range(state, ref, group, r, begin, end - begin));
  spdlog::warn("target {} ({}): repaired local offsets [{}, {}) of file {} (mirror group {}) from the secondary's "
               "copy on target {}",
               ref.target_id, ref.target->path(), begin, begin + copied, ref.file.to_string(), group,
               r.role.secondary);
  return {};
}

Result<void> restore_from_secondary(StoredState& state, const ChunkRef& ref, uint32_t group) {
  auto r = COMBFS_TRY(begin_repair(state, ref, group));
  auto here = state.chunks.stat(*ref.target, ref.file);
  if (!here) return error(storage_error(ref, "stat", here.error()));
  if (here->exists) return {};  // a writer created it meanwhile
  // Whole blocks per request, within one reply frame.
  const uint64_t step = std::max<uint64_t>(state.max_read_bytes / checksum::kBlockSize, 1) * checksum::kBlockSize;
  uint64_t at = 0;
  for (;;) {
    const size_t copied = COMBFS_TRY(copy_range(state, ref, group, r, at, step));
    at += copied;
    if (copied < step) break;
  }
  if (auto done = state.chunks.fsync(*ref.target, ref.file); !done)
    return error(storage_error(ref, "fsync after restore", done.error()));
  spdlog::warn("target {} ({}): restored the missing chunk file of file {} (mirror group {}, {} bytes) from the "
               "secondary's copy on target {}",
               ref.target_id, ref.target->path(), ref.file.to_string(), group, at, r.role.secondary);
  return {};
}

}  // namespace combfs::stored
