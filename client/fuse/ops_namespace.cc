// Operations that change names: mknod, mkdir, unlink, rmdir, symlink, rename,
// link (and readlink). Each goes to the metad that owns the directory (rename:
// the source directory's, told the target directory's owner; link: the new
// parent's, told the file's owner).
#include <cstdio>  // RENAME_NOREPLACE, RENAME_EXCHANGE

#include "client/fuse/fs.h"

namespace combfs::fuse {

void op_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  Fs& fs = fs_of(req);
  auto dir = inode_or_reply(req, parent);
  if (!dir) return;
  uint32_t owner = fs.owner(*dir);
  const fuse_ctx* ctx = fuse_req_ctx(req);
  proto::CreateRequest r;
  dir->id.to_proto(r.mutable_parent());
  r.set_name(name);
  r.set_mode((mode & S_IFMT) ? mode : (mode | S_IFREG));
  r.set_uid(ctx->uid);
  r.set_gid(ctx->gid);
  r.set_rdev(rdev);
  r.set_umask(ctx->umask);
  r.set_exclusive(true);
  r.set_client_id(fs.files.client_id());
  auto resp = fs.meta.create(owner, r);
  if (!resp) return reply_status(req, "mknod", resp.error());
  reply_entry(req, resp->info(), owner);
}

void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  Fs& fs = fs_of(req);
  auto dir = inode_or_reply(req, parent);
  if (!dir) return;
  uint32_t owner = fs.owner(*dir);
  const fuse_ctx* ctx = fuse_req_ctx(req);
  proto::MkDirRequest r;
  dir->id.to_proto(r.mutable_parent());
  r.set_name(name);
  r.set_mode((mode & 07777) | S_IFDIR);
  r.set_uid(ctx->uid);
  r.set_gid(ctx->gid);
  r.set_umask(ctx->umask);
  auto info = fs.meta.mkdir(owner, r);
  if (!info) return reply_status(req, "mkdir", info.error());
  reply_entry(req, *info, owner);
}

void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Fs& fs = fs_of(req);
  auto dir = inode_or_reply(req, parent);
  if (!dir) return;
  auto r = fs.meta.unlink(fs.owner(*dir), dir->id, name);
  if (!r) return reply_status(req, "unlink", r.error());
  fuse_reply_err(req, 0);
}

void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Fs& fs = fs_of(req);
  auto dir = inode_or_reply(req, parent);
  if (!dir) return;
  auto r = fs.meta.rmdir(fs.owner(*dir), dir->id, name);
  if (!r) return reply_status(req, "rmdir", r.error());
  fuse_reply_err(req, 0);
}

void op_symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  Fs& fs = fs_of(req);
  auto dir = inode_or_reply(req, parent);
  if (!dir) return;
  uint32_t owner = fs.owner(*dir);
  const fuse_ctx* ctx = fuse_req_ctx(req);
  proto::SymlinkRequest r;
  dir->id.to_proto(r.mutable_parent());
  r.set_name(name);
  r.set_target(link);
  r.set_uid(ctx->uid);
  r.set_gid(ctx->gid);
  auto info = fs.meta.symlink(owner, r);
  if (!info) return reply_status(req, "symlink", info.error());
  reply_entry(req, *info, owner);
}

void op_readlink(fuse_req_t req, fuse_ino_t ino) {
  Fs& fs = fs_of(req);
  auto inode = inode_or_reply(req, ino);
  if (!inode) return;
  auto target = fs.meta.readlink(fs.owner(*inode), inode->id);
  if (!target) return reply_status(req, "readlink", target.error());
  fuse_reply_readlink(req, target->c_str());
}

void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
               unsigned int flags) {
  Fs& fs = fs_of(req);
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
    fuse_reply_err(req, EINVAL);  // RENAME_WHITEOUT: overlayfs only
    return;
  }
  auto src = inode_or_reply(req, parent);
  if (!src) return;
  auto dst = inode_or_reply(req, newparent);
  if (!dst) return;
  proto::RenameRequest r;
  src->id.to_proto(r.mutable_src_parent());
  r.set_src_name(name);
  dst->id.to_proto(r.mutable_dst_parent());
  r.set_dst_name(newname);
  uint32_t pflags = 0;
  if (flags & RENAME_NOREPLACE) pflags |= proto::RENAME_FLAG_NOREPLACE;
  if (flags & RENAME_EXCHANGE) pflags |= proto::RENAME_FLAG_EXCHANGE;
  r.set_flags(pflags);
  r.set_dst_owner(fs.owner(*dst));
  auto done = fs.meta.rename(fs.owner(*src), r);
  if (!done) return reply_status(req, "rename", done.error());
  fuse_reply_err(req, 0);
}

void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  Fs& fs = fs_of(req);
  auto inode = inode_or_reply(req, ino);
  if (!inode) return;
  auto dir = inode_or_reply(req, newparent);
  if (!dir) return;
  uint32_t owner = fs.owner(*dir);
  auto info = fs.meta.link(owner, inode->id, dir->id, newname, fs.owner(*inode));
  if (info) info = fs.files.live_size(std::move(*info));
  if (!info) return reply_status(req, "link", info.error());
  reply_entry(req, *info, owner);
}

}  // namespace combfs::fuse
