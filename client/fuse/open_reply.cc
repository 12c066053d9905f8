#include "client/fuse/open_reply.h"

#include "common/set_id_bits.h"

#include <fcntl.h>
#include <linux/fuse.h>
#include <sys/uio.h>

#include <cmath>
#include <cstdint>

namespace combfs::fuse {
namespace {

fuse_open_out open_out(const fuse_file_info* fi, uint32_t extra_flags) {
  fuse_open_out o{};
  o.fh = fi->fh;
  o.open_flags = extra_flags;
  if (fi->direct_io) o.open_flags |= FOPEN_DIRECT_IO;
  if (fi->keep_cache) o.open_flags |= FOPEN_KEEP_CACHE;
  if (fi->nonseekable) o.open_flags |= FOPEN_NONSEEKABLE;
  if (fi->cache_readdir) o.open_flags |= FOPEN_CACHE_DIR;
  if (fi->noflush) o.open_flags |= FOPEN_NOFLUSH;
  return o;
}

// Seconds and nanoseconds of a timeout, as libfuse's calc_timeout_* do.
uint64_t timeout_sec(double t) {
  if (t <= 0) return 0;
  if (t > static_cast<double>(UINT64_MAX)) return UINT64_MAX;
  return static_cast<uint64_t>(t);
}
uint32_t timeout_nsec(double t) {
  if (t <= 0) return 0;
  double f = t - static_cast<double>(timeout_sec(t));
  return static_cast<uint32_t>(std::min(f * 1e9, 999999999.0));
}

fuse_entry_out entry_out(const fuse_entry_param& e) {
  fuse_entry_out o{};
  o.nodeid = e.ino;
  o.generation = e.generation;
  o.entry_valid = timeout_sec(e.entry_timeout);
  o.entry_valid_nsec = timeout_nsec(e.entry_timeout);
  o.attr_valid = timeout_sec(e.attr_timeout);
  o.attr_valid_nsec = timeout_nsec(e.attr_timeout);
  const struct stat& st = e.attr;
  fuse_attr& a = o.attr;
  a.ino = st.st_ino;
  a.mode = st.st_mode;
  a.nlink = static_cast<uint32_t>(st.st_nlink);
  a.uid = st.st_uid;
  a.gid = st.st_gid;
  a.rdev = static_cast<uint32_t>(st.st_rdev);
  a.size = static_cast<uint64_t>(st.st_size);
  a.blksize = static_cast<uint32_t>(st.st_blksize);
  a.blocks = static_cast<uint64_t>(st.st_blocks);
  a.atime = static_cast<uint64_t>(st.st_atim.tv_sec);
  a.mtime = static_cast<uint64_t>(st.st_mtim.tv_sec);
  a.ctime = static_cast<uint64_t>(st.st_ctim.tv_sec);
  a.atimensec = static_cast<uint32_t>(st.st_atim.tv_nsec);
  a.mtimensec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
  a.ctimensec = static_cast<uint32_t>(st.st_ctim.tv_nsec);
  return o;
}

}  // namespace

bool wants_parallel_writes(ParallelWrites policy, int open_flags, uint32_t open_writers) {
  int mode = open_flags & O_ACCMODE;
  if (policy == ParallelWrites::kOff || mode == O_RDONLY) return false;
  return mode == O_WRONLY || (policy == ParallelWrites::kShared && open_writers > 1);
}

uint32_t parallel_write_bits(ParallelWrites policy, int open_flags, uint32_t open_writers) {
  return wants_parallel_writes(policy, open_flags, open_writers) ? FOPEN_DIRECT_IO | FOPEN_PARALLEL_DIRECT_WRITES : 0;
}

uint32_t direct_write_bits(const FsConfig& config, int open_flags, const proto::Attr& attr, client::OpenFile& file) {
  const uint32_t bits = parallel_write_bits(config.parallel_writes, open_flags, attr.open_writers());
  file.kill_privs_on_write = bits != 0 && set_id_bits_killed_by_write(attr.mode()) != 0;
  file.write_behind = config.write_behind && bits == 0 && (open_flags & O_ACCMODE) != O_RDONLY;
  return bits;
}

int reply_open_flags(fuse_req_t req, const fuse_file_info* fi, uint32_t extra_flags) {
  fuse_open_out o = open_out(fi, extra_flags);
  iovec iov{&o, sizeof o};  // libfuse puts the reply header in front
  return fuse_reply_iov(req, &iov, 1);
}

int reply_create_flags(fuse_req_t req, const fuse_entry_param& e, const fuse_file_info* fi, uint32_t extra_flags) {
  fuse_entry_out entry = entry_out(e);
  fuse_open_out o = open_out(fi, extra_flags);
  iovec iov[2] = {{&entry, sizeof entry}, {&o, sizeof o}};
  return fuse_reply_iov(req, iov, 2);
}

}  // namespace combfs::fuse
