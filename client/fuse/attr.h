// Conversions from metad's EntryInfo to what the kernel wants.
#pragma once

#include <sys/stat.h>

#include "common/entry_id.h"
#include "proto/meta.pb.h"

namespace combfs::fuse {

// st_ino reported to applications: stable across mounts and clients (the
// FUSE node id is not), unique while node ids < 2^24 and counters < 2^40.
uint64_t stable_ino(const EntryId& id);

// S_IFREG etc. for a file type.
uint32_t type_bits(proto::FileType type);

struct stat to_stat(const proto::EntryInfo& info);

}  // namespace combfs::fuse
