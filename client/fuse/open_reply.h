// Replies to OPEN and CREATE that can carry FOPEN_PARALLEL_DIRECT_WRITES.
//
// N ranks writing one file through FUSE are serialized by the kernel's inode
// lock unless the open is direct I/O with FOPEN_PARALLEL_DIRECT_WRITES (kernel
// >= 6.2); then non-extending writes of one file run in parallel. Debian 12's
// libfuse 3.14.0 cannot express the bit (fuse_file_info got it in 3.14.1), so
// these replies are built from <linux/fuse.h> and sent with fuse_reply_iov.
// The policy and its costs are in docs/performance.md ("N-1 writes").
#pragma once

#include "client/fuse/fs.h"

namespace combfs::fuse {

// Whether an open of a regular file gets direct I/O with parallel writes
// under `policy`: a write-only open (such a descriptor cannot be mmap'ed and
// does not read, so bypassing the page cache costs it nothing); with kShared
// also a read-write open of a file that has other writers (open_writers counts
// this open too; such a descriptor cannot be mmap'ed MAP_SHARED: ENODEV).
bool wants_parallel_writes(ParallelWrites policy, int open_flags, uint32_t open_writers);
// The FOPEN_* bits that go with it: FOPEN_DIRECT_IO | FOPEN_PARALLEL_DIRECT_WRITES, or 0.
uint32_t parallel_write_bits(ParallelWrites policy, int open_flags, uint32_t open_writers);
// The same bits for an open of the regular file `attr` through `file` under
// the mount's `config`, which also marks the handle: a direct-write handle of
// a file with set-ID bits a write would clear clears them at its first write
// (the kernel leaves that to the file system on the direct path); any other
// writable handle writes through the page cache, behind (write_behind.h).
uint32_t direct_write_bits(const FsConfig& config, int open_flags, const proto::Attr& attr, client::OpenFile& file);

// fuse_reply_open / fuse_reply_create with extra FOPEN_* bits in open_flags
// (the bits fuse_file_info expresses are taken from fi as libfuse would).
// Return as fuse_reply_*: 0, or -errno when the kernel did not take the reply.
int reply_open_flags(fuse_req_t req, const fuse_file_info* fi, uint32_t extra_flags);
int reply_create_flags(fuse_req_t req, const fuse_entry_param& e, const fuse_file_info* fi, uint32_t extra_flags);

}  // namespace combfs::fuse
