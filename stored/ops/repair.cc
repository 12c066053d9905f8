#include "stored/ops/repair.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "buddy/role.h"
#include "common/checksum.h"
#include "stored/ops/mirrored.h"

namespace combfs::stored {

Result<void> repair_from_secondary(StoredState& state, const ChunkRef& ref, uint32_t group, uint64_t offset,
                                   uint64_t length) {
  const auto role = COMBFS_TRY(mirror_role(state, group, ref.target_id, false));
  auto map = COMBFS_TRY(state.mirror.map(false));
  auto ep = COMBFS_TRY(map->target_endpoint_or_error(role.secondary));
  const uint64_t begin = offset / checksum::kBlockSize * checksum::kBlockSize;
  const uint64_t end = (offset + length + checksum::kBlockSize - 1) / checksum::kBlockSize * checksum::kBlockSize;

  auto slot = COMBFS_TRY(state.mirror.forward_slot());
  auto order = state.mirror.order_lock(ref.target_id, ref.file);
  proto::ReadChunkRequest req;
  req.set_target_id(role.secondary);
  ref.file.to_proto(req.mutable_file());
  req.set_offset(begin);
  req.set_length(static_cast<uint32_t>(end - begin));
  req.set_verify(true);  // the secondary checks its copy before it sends it
  req.set_mirror_group(group);
  std::vector<char> good(end - begin);
  size_t got = 0;
  auto resp = state.mirror.peers()->call(ep, req, rpc::CallBulk{.out = {}, .in = good}, &got);
  if (!resp)
    return error(resp.error().code(),
                 fmt::format("cannot repair it from the secondary, target {}: {}", role.secondary,
                             resp.error().message()));
  good.resize(got);
  std::span<const uint32_t> crcs(resp->crcs().data(), static_cast<size_t>(resp->crcs().size()));
  if (!resp->checksummed() || checksum::first_mismatch(begin, good, crcs))
    return error(proto::STORAGE_CHECKSUM_MISMATCH,
                 fmt::format("cannot repair it from the secondary, target {}: its copy has no checksums to prove "
                             "it right or came damaged",
                             role.secondary));
  if (auto done = state.chunks.write(*ref.target, ref.file, begin, good, crcs); !done)
    return error(storage_error(ref, "repair", done.error()));
  spdlog::warn("target {} ({}): repaired local offsets [{}, {}) of file {} (mirror group {}) from the secondary's "
               "copy on target {}",
               ref.target_id, ref.target->path(), begin, begin + good.size(), ref.file.to_string(), group,
               role.secondary);
  return {};
}

}  // namespace combfs::stored
