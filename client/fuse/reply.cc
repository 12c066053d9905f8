#include <spdlog/spdlog.h>

#include <cerrno>

#include "client/fuse/attr.h"
#include "client/fuse/fs.h"
#include "client/fuse/open_reply.h"

namespace combfs::fuse {

Fs& fs_of(fuse_req_t req) { return *static_cast<Fs*>(fuse_req_userdata(req)); }

std::optional<Inode> inode_or_reply(fuse_req_t req, uint64_t ino) {
  auto inode = fs_of(req).inodes.get(ino);
  if (!inode) {
    // The kernel only uses node ids it holds lookups on; this means a bug.
    spdlog::warn("kernel used unknown inode {}", ino);
    fuse_reply_err(req, ESTALE);
  }
  return inode;
}

void reply_status(fuse_req_t req, const char* op, const Status& status) {
  int err = status.to_errno();
  if (err == 0) err = EIO;
  if (err == EIO || err == ETIMEDOUT || err == ECOMM || err == EPROTO || err == EAGAIN)
    spdlog::warn("{}: {}", op, status.to_string());
  else
    spdlog::debug("{}: {}", op, status.to_string());
  fuse_reply_err(req, err);
}

namespace {

fuse_entry_param entry_param(Fs& fs, uint64_t ino, const proto::EntryInfo& info) {
  fuse_entry_param e{};
  e.ino = ino;
  e.generation = 0;  // node ids are never reused
  e.attr = to_stat(info);
  e.attr_timeout = fs.config.attr_timeout;
  e.entry_timeout = fs.config.entry_timeout;
  return e;
}

uint64_t remember(Fs& fs, const proto::EntryInfo& info, uint32_t parent_owner) {
  uint64_t ino = fs.inodes.remember(EntryId::from_proto(info.attr().id()), client::owner_of(info, parent_owner));
  if (info.attr().type() == proto::FT_REG && info.has_layout()) fs.inodes.set_layout(ino, info.layout());
  return ino;
}

}  // namespace

void reply_entry(fuse_req_t req, const proto::EntryInfo& info, uint32_t parent_owner) {
  Fs& fs = fs_of(req);
  uint64_t ino = remember(fs, info, parent_owner);
  auto e = entry_param(fs, ino, info);
  if (fuse_reply_entry(req, &e) != 0) fs.inodes.forget(ino, 1);
}

void reply_create(fuse_req_t req, const proto::EntryInfo& info, uint32_t parent_owner, fuse_file_info* fi,
                  std::unique_ptr<client::OpenFile> file) {
  Fs& fs = fs_of(req);
  uint64_t ino = remember(fs, info, parent_owner);
  auto e = entry_param(fs, ino, info);
  client::OpenFile* raw = file.release();
  fi->fh = reinterpret_cast<uint64_t>(raw);
  fi->keep_cache = 0;
  uint32_t extra = direct_write_bits(fs.config, fi->flags, info.attr(), *raw);
  if (reply_create_flags(req, e, fi, extra) != 0) {
    // No release will come for this open: give it back now.
    fs.inodes.forget(ino, 1);
    std::unique_ptr<client::OpenFile> owned(raw);
    (void)fs.files.close(*owned);
  }
}

}  // namespace combfs::fuse
