#include "client/lib/files.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <random>

#include "common/daemon.h"

namespace combfs::client {

uint64_t new_client_id() {
  std::random_device rd;
  uint64_t id = 0;
  while (id == 0) id = (uint64_t(rd()) << 32) ^ rd() ^ uint64_t(now_ns());
  return id;
}

Result<std::unique_ptr<OpenFile>> Files::open(uint32_t owner, const EntryId& id, bool for_write, bool truncate,
                                              proto::EntryInfo* info) {
  auto opened = COMBFS_TRY(meta_.open(owner, id, for_write, client_id()));
  lease_.hold();
  auto file = std::make_unique<OpenFile>();
  file->id = id;
  file->owner = owner_of(opened, owner);
  file->layout = opened.layout();
  file->for_write = for_write;
  file->cover.extend(opened.attr().size());
  if (truncate && for_write && opened.attr().type() == proto::FT_REG) {
    proto::SetAttrRequest req;
    req.set_valid(proto::SETATTR_MTIME_NOW);
    auto cut = truncate_or_close(*file, req);
    if (!cut) return error(cut.error());
    opened = std::move(*cut);
  }
  if (info) *info = std::move(opened);
  return file;
}

Result<proto::EntryInfo> Files::truncate_or_close(OpenFile& file, proto::SetAttrRequest req) {
  auto cut = truncate(file.owner, file.id, file.layout, 0, std::move(req));
  if (!cut) {
    // The caller never sees this handle: give the open back to metad.
    (void)close(file);
    return error(cut.error());
  }
  file.last_write_ns = now_ns();
  return cut;
}

Result<std::unique_ptr<OpenFile>> Files::create(uint32_t parent_owner, const EntryId& parent, const std::string& name,
                                                uint32_t mode, Creator creator, bool exclusive, bool for_write,
                                                bool truncate, proto::EntryInfo* info) {
  proto::CreateRequest req;
  parent.to_proto(req.mutable_parent());
  req.set_name(name);
  req.set_mode((mode & ~S_IFMT) | S_IFREG);
  req.set_uid(creator.uid);
  req.set_gid(creator.gid);
  req.set_umask(creator.umask);
  req.set_exclusive(exclusive);
  req.set_open_for_write(for_write);
  req.set_client_id(client_id());
  auto resp = COMBFS_TRY(meta_.create(parent_owner, req));
  uint32_t owner = owner_of(resp.info(), parent_owner);
  EntryId id = EntryId::from_proto(resp.info().attr().id());
  if (resp.info().attr().type() == proto::FT_DIR)
    return error(proto::META_IS_DIR, fmt::format("'{}' is a directory", name));
  // An existing file stored on another metad than its name: open it there.
  if (resp.info().partial()) return open(owner, id, for_write, truncate, info);
  // metad counted us as a writer when open_for_write (also when the file
  // already existed); a reader is counted by a separate Open.
  if (!for_write) return open(owner, id, false, false, info);
  lease_.hold();
  auto file = std::make_unique<OpenFile>();
  file->id = id;
  file->owner = owner;
  file->layout = resp.info().layout();
  file->for_write = true;
  file->cover.extend(resp.info().attr().size());
  proto::EntryInfo result = std::move(*resp.mutable_info());
  if (!resp.created() && truncate) {
    proto::SetAttrRequest cut;
    cut.set_valid(proto::SETATTR_MTIME_NOW);
    result = COMBFS_TRY(truncate_or_close(*file, cut));
  }
  if (info) *info = std::move(result);
  return file;
}

Result<void> Files::close(OpenFile& file) {
  proto::CloseRequest req;
  file.id.to_proto(req.mutable_id());
  req.set_for_write(file.for_write);
  req.set_client_id(client_id());
  Result<uint64_t> measured = 0;
  // A handle that never wrote (and never truncated) changed nothing on the
  // targets: metad's size stands and measuring it would cost one StatChunk
  // per target on every create of an empty file.
  if (file.for_write && file.last_write_ns.load() != 0) {
    measured = data_.size(file.id, file.layout, &file.epochs);
    if (measured) {
      req.set_has_size(true);
      req.set_size(*measured);
    } else {
      // Still give the open back; metad keeps the size it has.
      spdlog::warn("close of {}: cannot measure the size on the targets: {}", file.id.to_string(),
                   measured.error().to_string());
    }
    req.set_mtime_ns(file.last_write_ns.load());
  }
  lease_.release();
  auto closed = meta_.close(file.owner, req);
  if (!closed && closed.error().code() == proto::META_NOT_FOUND) {
    // Only a file removed while this handle was open: metad counted it as
    // closed when this client's lease ran out (it was cut off or stopped for
    // that long) and then finished the unlink. There is nothing left to give
    // back, and failing the application's close would help nobody.
    spdlog::warn("close of {}: metad no longer has the file (this client's lease ran out while it was open, and it "
                 "was unlinked); nothing to close",
                 file.id.to_string());
    return {};
  }
  COMBFS_CHECK(closed);
  if (!measured) return error(measured.error());
  if (auto loss = file.epochs.take_loss()) return error(*loss);
  return {};
}

Result<size_t> Files::read(OpenFile& file, char* buf, size_t length, uint64_t offset) {
  return data_.read(file.id, file.layout, buf, length, offset);
}

Result<void> Files::write(OpenFile& file, const char* buf, size_t length, uint64_t offset) {
  COMBFS_CHECK(data_.write(file.id, file.layout, buf, length, offset, &file.epochs, &file.cover));
  file.last_write_ns = now_ns();
  return {};
}

Result<proto::EntryInfo> Files::fsync(OpenFile& file) {
  const uint64_t sync = file.epochs.begin_sync();
  COMBFS_CHECK(data_.fsync(file.id, file.layout, &file.epochs));
  if (auto loss = file.epochs.take_loss()) return error(*loss);
  file.epochs.synced(sync);
  if (!file.for_write) return meta_.getattr(file.owner, file.id);
  auto size = COMBFS_TRY(data_.size(file.id, file.layout));
  return meta_.update_size(file.owner, file.id, size, file.last_write_ns.load());
}

Result<proto::EntryInfo> Files::truncate(uint32_t owner, const EntryId& id, const proto::Layout& layout, uint64_t size,
                                         proto::SetAttrRequest req) {
  COMBFS_CHECK(data_.truncate(id, layout, size));
  id.to_proto(req.mutable_id());
  req.set_valid(req.valid() | proto::SETATTR_SIZE);
  req.set_size(size);
  return meta_.setattr(owner, req);
}

Result<proto::EntryInfo> Files::live_size(proto::EntryInfo info) {
  if (info.attr().type() != proto::FT_REG || info.attr().open_writers() == 0) return info;
  auto measured = COMBFS_TRY(data_.size(EntryId::from_proto(info.attr().id()), info.layout()));
  if (measured > info.attr().size()) info.mutable_attr()->set_size(measured);
  return info;
}

Result<proto::EntryInfo> Files::getattr(uint32_t owner, const EntryId& id) {
  return live_size(COMBFS_TRY(meta_.getattr(owner, id)));
}

}  // namespace combfs::client
