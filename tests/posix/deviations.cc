#include "tests/posix/deviations.h"

#include <algorithm>

namespace combfs::posix {

std::string label_of(const std::string& line) {
  size_t a = line.find(": "), b = line.find(" = ");
  return line.substr(0, std::min(a, b));
}

// Keep in the order of docs/posix.md, "Known deviations".
const std::vector<Deviation>& known_deviations() {
  static const std::vector<Deviation> list = {
      // 1. Holes are not visible: st_blocks comes from the size, SEEK_DATA/SEEK_HOLE see one data extent.
      {"*", "files.sparse_holes", "st_blocks below size/512 (holes not allocated) = no",
       "st_blocks is computed from st_size (chunk files are sparse, but metad does not know their allocation)"},
      {"*", "files.sparse_holes", "SEEK_HOLE from 0 = 8392704",
       "no FUSE lseek: the kernel treats the whole file as data (allowed by POSIX)"},
      {"*", "files.sparse_holes", "SEEK_DATA in hole = 1048576",
       "no FUSE lseek: the kernel treats the whole file as data (allowed by POSIX)"},
      // 2. fallocate: only mode 0 (size grows, nothing reserved).
      {"*", "files.fallocate_modes", "fallocate KEEP_SIZE beyond: EOPNOTSUPP",
       "targets cannot reserve space: a reservation-only request is refused, not faked"},
      {"*", "files.fallocate_punch_hole", "punch hole: EOPNOTSUPP", "no hole punching on the targets"},
      {"*", "files.fallocate_punch_hole", "punched range = data", "follows from the refused punch"},
      {"*", "files.fallocate_punch_hole", "zero range: EOPNOTSUPP", "no zero-range on the targets"},
      // 3. Names must be UTF-8 (protobuf string fields).
      {"*", "names.lengths", "name with high bytes: EPROTO",
       "names travel in protobuf string fields, which must be UTF-8; fix: make them bytes in proto/meta.proto"},
      // 4. Device nodes cannot be opened: FUSE mounts are nodev unless mounted with -o dev.
      {"root", "special.mknod", "open char device: EACCES", "the mount is nodev by default (libfuse); -o dev allows it"},
      {"root", "special.mknod", "write to /dev/null clone = -1", "follows from the refused open"},
      // 5. S_ISGID without group-execute survives a write by another user (FUSE kernel rule).
      {"root", "perms.suid_cleared_on_write", "[1002] sgid without group exec kept = 0102666",
       "the FUSE kernel module clears S_ISGID on write only together with S_IXGRP"},
  };
  return list;
}

}  // namespace combfs::posix
