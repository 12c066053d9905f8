// lookup, forget, getattr, setattr.
#include <spdlog/spdlog.h>

#include "client/fuse/attr.h"
#include "client/fuse/fs.h"
#include "common/daemon.h"

namespace combfs::fuse {

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Fs& fs = fs_of(req);
  after_init(fs);
  auto dir = inode_or_reply(req, parent);
  if (!dir) return;
  uint32_t owner = fs.owner(*dir);
  auto info = fs.meta.lookup(owner, dir->id, name);
  if (info) info = fs.files.live_size(std::move(*info));
  if (!info) return reply_status(req, "lookup", info.error());
  reply_entry(req, *info, owner);
}

void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  fs_of(req).inodes.forget(ino, nlookup);
  fuse_reply_none(req);
}

void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  Fs& fs = fs_of(req);
  for (size_t i = 0; i < count; ++i) fs.inodes.forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Fs& fs = fs_of(req);
  after_init(fs);
  auto inode = inode_or_reply(req, ino);
  if (!inode) return;
  fs.behind.wait(ino);  // the size is measured on the targets
  auto info = fs.files.getattr(fs.owner(*inode), inode->id);
  if (!info) return reply_status(req, "getattr", info.error());
  if (info->attr().type() == proto::FT_REG && info->has_layout()) fs.inodes.set_layout(ino, info->layout());
  auto st = to_stat(*info);
  fuse_reply_attr(req, &st, fs.config.attr_timeout);
}

namespace {

int64_t to_ns(const timespec& ts) { return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec; }

proto::SetAttrRequest setattr_request(const EntryId& id, const struct stat* attr, int to_set) {
  proto::SetAttrRequest r;
  id.to_proto(r.mutable_id());
  uint32_t valid = 0;
  if (to_set & FUSE_SET_ATTR_MODE) {
    valid |= proto::SETATTR_MODE;
    r.set_mode(attr->st_mode);
  }
  if (to_set & FUSE_SET_ATTR_UID) {
    valid |= proto::SETATTR_UID;
    r.set_uid(attr->st_uid);
  }
  if (to_set & FUSE_SET_ATTR_GID) {
    valid |= proto::SETATTR_GID;
    r.set_gid(attr->st_gid);
  }
  if (to_set & FUSE_SET_ATTR_ATIME_NOW) {
    valid |= proto::SETATTR_ATIME_NOW;
  } else if (to_set & FUSE_SET_ATTR_ATIME) {
    valid |= proto::SETATTR_ATIME;
    r.set_atime_ns(to_ns(attr->st_atim));
  }
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) {
    valid |= proto::SETATTR_MTIME_NOW;
  } else if (to_set & FUSE_SET_ATTR_MTIME) {
    valid |= proto::SETATTR_MTIME;
    r.set_mtime_ns(to_ns(attr->st_mtim));
  }
  if (to_set & FUSE_SET_ATTR_CTIME) {
    valid |= proto::SETATTR_CTIME;
    r.set_ctime_ns(to_ns(attr->st_ctim));
  }
  // chown(f, -1, -1) changes nothing but ctime, and the kernel (without
  // writeback caching) sends a setattr with no field at all for it.
  if (valid == 0) {
    valid = proto::SETATTR_CTIME;
    r.set_ctime_ns(now_ns());
  }
  r.set_valid(valid);
  return r;
}

// The file's layout: from the open handle, the inode cache, or metad.
Result<std::shared_ptr<const proto::Layout>> layout_of(Fs& fs, fuse_ino_t ino, const Inode& inode, fuse_file_info* fi) {
  if (fi && fi->fh) return std::make_shared<const proto::Layout>(reinterpret_cast<client::OpenFile*>(fi->fh)->layout);
  if (inode.layout) return inode.layout;
  auto info = COMBFS_TRY(fs.meta.getattr(fs.owner(inode), inode.id));
  if (info.attr().type() == proto::FT_DIR) return error(proto::META_IS_DIR, "cannot change the size of a directory");
  if (info.attr().type() != proto::FT_REG) return error(proto::META_INVALID, "only regular files have a size to set");
  fs.inodes.set_layout(ino, info.layout());
  return std::make_shared<const proto::Layout>(info.layout());
}

}  // namespace

void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  Fs& fs = fs_of(req);
  auto inode = inode_or_reply(req, ino);
  if (!inode) return;
  uint32_t owner = fs.owner(*inode);
  fs.behind.wait(ino);  // a cut must not be overtaken by writes still on their way
  auto request = setattr_request(inode->id, attr, to_set);
  Result<proto::EntryInfo> info;
  if (to_set & FUSE_SET_ATTR_SIZE) {
    // Storage first, then metad: a crash in between leaves metad's old size,
    // which the next writer's close corrects from the targets.
    auto layout = layout_of(fs, ino, *inode, fi);
    if (!layout) return reply_status(req, "setattr", layout.error());
    // The reply carries the size just set on every target and on metad: no
    // need to measure it again.
    info = fs.files.truncate(owner, inode->id, **layout, static_cast<uint64_t>(attr->st_size), request);
  } else {
    info = fs.meta.setattr(owner, request);
    if (info) info = fs.files.live_size(std::move(*info));
  }
  if (!info) return reply_status(req, "setattr", info.error());
  auto st = to_stat(*info);
  fuse_reply_attr(req, &st, fs.config.attr_timeout);
}

}  // namespace combfs::fuse
