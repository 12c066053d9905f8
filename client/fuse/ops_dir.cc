// Directory listing. Offsets follow dir_offsets.h; each kernel call fetches
// one batch from metad, continuing after the cookie the offset names, so no
// state is kept between calls (opendir/releasedir have nothing to do).
#include <algorithm>
#include <vector>

#include "client/fuse/attr.h"
#include "client/fuse/dir_offsets.h"
#include "client/fuse/fs.h"

namespace combfs::fuse {
namespace {

void list(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus) {
  Fs& fs = fs_of(req);
  auto dir = inode_or_reply(req, ino);
  if (!dir) return;
  uint32_t owner = fs.owner(*dir);
  std::vector<char> buf(size);
  size_t used = 0;
  std::vector<uint64_t> remembered;  // lookups taken for readdirplus entries

  // "." and "..": plain entries (node id 0 in readdirplus makes the kernel
  // skip them, as it must: they are not lookups).
  auto add_dot = [&](const char* name, uint64_t next) {
    struct stat st {};
    st.st_ino = stable_ino(dir->id);
    st.st_mode = S_IFDIR;
    size_t need;
    if (plus) {
      fuse_entry_param e{};
      e.attr = st;
      need = fuse_add_direntry_plus(req, buf.data() + used, size - used, name, &e, static_cast<off_t>(next));
    } else {
      need = fuse_add_direntry(req, buf.data() + used, size - used, name, &st, static_cast<off_t>(next));
    }
    if (need > size - used) return false;
    used += need;
    return true;
  };
  uint64_t offset = static_cast<uint64_t>(off);
  bool full = false;
  if (wants_dot(offset)) full = !add_dot(".", kDotOffset);
  if (!full && wants_dotdot(offset)) full = !add_dot("..", kDotDotOffset);

  uint64_t cookie = cookie_of_offset(offset);
  // Roughly as many entries as fit; a short name takes ~32 bytes (plus: ~160).
  uint32_t batch = static_cast<uint32_t>(std::clamp<size_t>(size / (plus ? 160 : 32), 8, 1024));
  while (!full) {
    auto resp = fs.meta.readdir(owner, dir->id, cookie, batch, plus);
    if (!resp) {
      if (used > 0) break;  // give what we have; the next call retries
      return reply_status(req, plus ? "readdirplus" : "readdir", resp.error());
    }
    for (const auto& e : resp->entries()) {
      uint64_t next = offset_of_cookie(e.cookie());
      size_t need;
      if (plus) {
        auto info = fs.files.live_size(e.info());
        if (!info) {
          if (used > 0) {
            full = true;
            break;
          }
          for (uint64_t i : remembered) fs.inodes.forget(i, 1);
          return reply_status(req, "readdirplus", info.error());
        }
        uint64_t child = fs.inodes.remember(EntryId::from_proto(e.id()), client::owner_of(*info, e.owner_node() ? e.owner_node() : owner));
        fuse_entry_param p{};
        p.ino = child;
        p.attr = to_stat(*info);
        p.attr_timeout = fs.config.attr_timeout;
        p.entry_timeout = fs.config.entry_timeout;
        need = fuse_add_direntry_plus(req, buf.data() + used, size - used, e.name().c_str(), &p,
                                      static_cast<off_t>(next));
        if (need > size - used) {
          fs.inodes.forget(child, 1);
        } else {
          remembered.push_back(child);
          if (info->attr().type() == proto::FT_REG && info->has_layout()) fs.inodes.set_layout(child, info->layout());
        }
      } else {
        struct stat st {};
        st.st_ino = stable_ino(EntryId::from_proto(e.id()));
        st.st_mode = type_bits(e.type());
        need = fuse_add_direntry(req, buf.data() + used, size - used, e.name().c_str(), &st, static_cast<off_t>(next));
      }
      if (need > size - used) {
        full = true;
        break;
      }
      used += need;
      cookie = e.cookie();
    }
    if (full || resp->eof() || resp->entries_size() == 0) break;
  }
  if (fuse_reply_buf(req, buf.data(), used) != 0)
    for (uint64_t i : remembered) fs.inodes.forget(i, 1);
}

}  // namespace

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (!inode_or_reply(req, ino)) return;
  fi->fh = 0;
  fuse_reply_open(req, fi);
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  list(req, ino, size, off, false);
}

void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  list(req, ino, size, off, true);
}

void op_releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { fuse_reply_err(req, 0); }

}  // namespace combfs::fuse
