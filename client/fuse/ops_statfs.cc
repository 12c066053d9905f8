// statfs: capacity of all targets and the number of entries, from mgmtd.
#include <sys/statvfs.h>

#include "client/fuse/fs.h"

namespace combfs::fuse {

void op_statfs(fuse_req_t req, fuse_ino_t ino) {
  Fs& fs = fs_of(req);
  auto s = fs.cluster.mgmt().statfs();
  if (!s) return reply_status(req, "statfs", s.error());
  constexpr uint64_t kBlock = 4096;
  struct statvfs st {};
  st.f_bsize = kBlock;
  st.f_frsize = kBlock;
  st.f_blocks = s->total_bytes() / kBlock;
  st.f_bfree = s->free_bytes() / kBlock;
  st.f_bavail = st.f_bfree;
  // Entries have no fixed limit: report free "inodes" as free blocks, like
  // file systems with dynamic inode tables.
  st.f_ffree = st.f_bfree;
  st.f_favail = st.f_bfree;
  st.f_files = s->entries() + st.f_ffree;
  st.f_namemax = 255;
  fuse_reply_statfs(req, &st);
}

}  // namespace combfs::fuse
