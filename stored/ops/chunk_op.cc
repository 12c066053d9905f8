#include "stored/ops/chunk_op.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace combfs::stored {

Result<ChunkRef> resolve_chunk(const StoredState& state, uint32_t target_id, const proto::EntryId& file,
                               uint32_t mirror_group) {
  EntryId id = EntryId::from_proto(file);
  if (id.is_null())
    return error(proto::INVALID_ARGUMENT, fmt::format("chunk request for target {} without a file id", target_id));
  auto target = COMBFS_TRY(state.targets.find(target_id));
  if (mirror_group != 0) target = target->mirror();
  return ChunkRef{target_id, std::move(target), id};
}

Status storage_error(const ChunkRef& ref, const char* op, const Status& cause) {
  Status status;
  if (cause.code() == proto::STORAGE_CHECKSUM_MISMATCH)
    status = Status(proto::STORAGE_CHECKSUM_MISMATCH,
                    fmt::format("target {} ({}): {} of file {} failed: {}; the file's data there is lost unless a copy "
                                "exists elsewhere",
                                ref.target_id, ref.target->path(), op, ref.file.to_string(), cause.message()));
  else if (cause.code() == proto::NO_SPACE)
    status = Status(proto::STORAGE_NO_SPACE, fmt::format("target {} ({}) is full: {} of file {} failed: {}", ref.target_id,
                                                         ref.target->path(), op, ref.file.to_string(), cause.message()));
  else
    status = Status(proto::STORAGE_IO,
                    fmt::format("target {} ({}): {} of file {} failed: {}; check the disk (dmesg, smartctl)",
                                ref.target_id, ref.target->path(), op, ref.file.to_string(), cause.message()));
  spdlog::error("{}", status.message());
  return status;
}

}  // namespace combfs::stored
