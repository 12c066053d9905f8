// The operation table and the session's init: negotiated FUSE capabilities.
#include <spdlog/spdlog.h>

#include "client/fuse/fs.h"
#include "client/fuse/readahead.h"

namespace combfs::fuse {

inline constexpr unsigned kMaxIo = 1u << 20;  // one FUSE request carries up to 1 MiB

void op_init(void* userdata, fuse_conn_info* conn) {
  conn->max_write = kMaxIo;
  conn->max_read = kMaxIo;  // must match -o max_read (see mount.cc)
  // The kernel offers 128 KiB and takes the smaller value; after_init()
  // raises the bdi's readahead past it.
  conn->max_readahead = kMaxIo;
  // Readahead and parallel direct writes keep several requests of one file in
  // flight; the kernel's default of 12 background requests would cap them.
  conn->max_background = 64;
  conn->congestion_threshold = 48;
  // Splice stays off until measured (docs/performance); writeback caching off:
  // writes must reach the targets synchronously for close-to-open semantics.
  conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE | FUSE_CAP_WRITEBACK_CACHE);
  // O_TRUNC arrives with open, saving a separate setattr round trip.
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  // POSIX ACLs: the kernel enforces them from the system.posix_acl_* xattrs
  // that metad stores and keeps in step with the mode. It then leaves the
  // umask to the file system (metad applies it, or the parent's default ACL
  // instead; requests carry the caller's umask), which DONT_MASK makes so on
  // every kernel. Both or neither: without DONT_MASK the kernel would apply
  // the umask before metad could apply a default ACL.
  const unsigned acl_caps = FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK;
  if ((conn->capable & acl_caps) == acl_caps) {
    conn->want |= acl_caps;
    static_cast<Fs*>(userdata)->posix_acl = true;
  } else {
    spdlog::warn("the FUSE kernel module cannot enforce POSIX ACLs (capabilities {:#x}): system.posix_acl_* are "
                 "refused with EOPNOTSUPP on this mount",
                 conn->capable);
  }
  spdlog::info("FUSE session: protocol {}.{}, max_write {}, capabilities {:#x}", conn->proto_major, conn->proto_minor,
               conn->max_write, conn->want);
}

void after_init(Fs& fs) {
  if (fs.mountpoint.empty()) return;
  std::call_once(fs.readahead_once, [&] {
    auto raised = raise_readahead(fs.mountpoint, kReadaheadKib);
    if (raised)
      spdlog::info("readahead of {} raised to {} KiB", fs.mountpoint, kReadaheadKib);
    else
      spdlog::warn("{}", raised.error().message());
  });
}

const fuse_lowlevel_ops& fs_operations() {
  static const fuse_lowlevel_ops ops = [] {
    fuse_lowlevel_ops o{};
    o.init = op_init;
    o.lookup = op_lookup;
    o.forget = op_forget;
    o.forget_multi = op_forget_multi;
    o.getattr = op_getattr;
    o.setattr = op_setattr;
    o.readlink = op_readlink;
    o.mknod = op_mknod;
    o.mkdir = op_mkdir;
    o.unlink = op_unlink;
    o.rmdir = op_rmdir;
    o.symlink = op_symlink;
    o.rename = op_rename;
    o.link = op_link;
    o.open = op_open;
    o.read = op_read;
    o.write = op_write;
    o.flush = op_flush;
    o.release = op_release;
    o.fsync = op_fsync;
    o.fallocate = op_fallocate;
    o.opendir = op_opendir;
    o.readdir = op_readdir;
    o.readdirplus = op_readdirplus;
    o.releasedir = op_releasedir;
    o.statfs = op_statfs;
    o.setxattr = op_setxattr;
    o.getxattr = op_getxattr;
    o.listxattr = op_listxattr;
    o.removexattr = op_removexattr;
    o.create = op_create;
    // Setting these makes libfuse ask for FUSE_CAP_POSIX_LOCKS and
    // FUSE_CAP_FLOCK_LOCKS: the kernel then forwards every lock to us.
    o.getlk = op_getlk;
    o.setlk = op_setlk;
    o.flock = op_flock;
    return o;
  }();
  return ops;
}

}  // namespace combfs::fuse
