#include "client/fuse/attr.h"

#include <algorithm>

namespace combfs::fuse {

uint64_t stable_ino(const EntryId& id) {
  if (id == EntryId::root()) return 1;
  return (id.hi << 40) ^ id.lo;
}

uint32_t type_bits(proto::FileType type) {
  switch (type) {
    case proto::FT_REG: return S_IFREG;
    case proto::FT_DIR: return S_IFDIR;
    case proto::FT_SYMLINK: return S_IFLNK;
    case proto::FT_FIFO: return S_IFIFO;
    case proto::FT_CHR: return S_IFCHR;
    case proto::FT_BLK: return S_IFBLK;
    case proto::FT_SOCK: return S_IFSOCK;
    default: return 0;
  }
}

namespace {

// Nanoseconds since the epoch to a timespec with 0 <= tv_nsec < 1e9, also
// before 1970 (C++ division truncates toward zero).
timespec to_timespec(int64_t ns) {
  int64_t sec = ns / 1000000000, rem = ns % 1000000000;
  if (rem < 0) {
    sec -= 1;
    rem += 1000000000;
  }
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(sec);
  ts.tv_nsec = static_cast<long>(rem);
  return ts;
}

}  // namespace

struct stat to_stat(const proto::EntryInfo& info) {
  const auto& a = info.attr();
  struct stat st {};
  st.st_ino = stable_ino(EntryId::from_proto(a.id()));
  st.st_mode = a.mode();
  if ((st.st_mode & S_IFMT) == 0) st.st_mode |= type_bits(a.type());
  st.st_nlink = a.nlink();
  st.st_uid = a.uid();
  st.st_gid = a.gid();
  st.st_rdev = a.rdev();
  st.st_size = static_cast<off_t>(a.size());
  st.st_blocks = static_cast<blkcnt_t>((a.size() + 511) / 512);
  // Big I/O for tools that size their buffers by st_blksize (cp, dd with no bs):
  // one chunk, at most the 1 MiB a FUSE request carries.
  uint32_t chunk = info.layout().pattern().chunk_size();
  st.st_blksize = a.type() == proto::FT_REG && chunk ? std::min<uint32_t>(chunk, 1u << 20) : 4096;
  st.st_atim = to_timespec(a.atime_ns());
  st.st_mtim = to_timespec(a.mtime_ns());
  st.st_ctim = to_timespec(a.ctime_ns());
  return st;
}

}  // namespace combfs::fuse
