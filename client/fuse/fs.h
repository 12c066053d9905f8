// The state behind the FUSE low-level operations: one per mount. Operations
// (ops_*.cc) are free functions that find the Fs through fuse_req_userdata().
#pragma once

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 34
#endif
#include <fuse_lowlevel.h>

#include <mutex>
#include <optional>
#include <string>

#include "client/fuse/inode_table.h"
#include "client/fuse/no_caps_cache.h"
#include "client/fuse/options.h"
#include "client/fuse/write_behind.h"
#include "client/lib/cluster.h"
#include "client/lib/data_path.h"
#include "client/lib/files.h"
#include "client/lib/lease.h"
#include "client/lib/locks.h"
#include "client/lib/meta_client.h"

namespace combfs::fuse {

struct FsConfig {
  double attr_timeout = 1.0;
  double entry_timeout = 1.0;
  std::string mgmtd;        // host:port, for the entryinfo xattr
  std::string secret_file;  // absolute path, for the entryinfo xattr
  // Which opens get direct I/O with parallel writes (open_reply.h).
  ParallelWrites parallel_writes = ParallelWrites::kWriteOnly;
  // Whether writes through the page cache go behind (write_behind.h).
  bool write_behind = true;
};

struct Fs {
  Fs(client::Cluster& c, FsConfig cfg)
      : cluster(c),
        meta(c),
        data(c),
        flush_data(c, std::chrono::milliseconds(0)),
        lease(c, client::new_client_id()),
        files(meta, data, lease),
        locks(c, lease),
        config(std::move(cfg)),
        no_caps(std::chrono::duration_cast<NoCapsCache::Clock::duration>(
            std::chrono::duration<double>(config.attr_timeout))),
        behind(WriteBehind::Limits{}) {}

  client::Cluster& cluster;
  client::MetaClient meta;
  client::DataPath data;
  // One attempt, no retries: the size recorded at close(2) (op_flush) must
  // not make close wait for a target that is down; RELEASE retries.
  client::DataPath flush_data;
  client::LeaseKeeper lease;  // this mount's lease on the metads: open files and locks need it
  client::Files files;
  client::LockClient locks;  // global fcntl/flock locks (ops_lock.cc)
  InodeTable inodes;
  FsConfig config;
  NoCapsCache no_caps;  // getxattr("security.capability") answers (no_caps_cache.h)
  // After files and data: its writes use them until it is gone.
  WriteBehind behind;
  // Set by run_mount once the session exists; for notifications to the kernel.
  fuse_session* session = nullptr;
  // The kernel enforces POSIX ACLs (FUSE_CAP_POSIX_ACL negotiated in op_init,
  // before any request): only then are system.posix_acl_* accepted.
  bool posix_acl = false;
  std::string mountpoint;  // absolute; set by run_mount
  // Readahead is raised on the first request after INIT (readahead.h).
  std::once_flag readahead_once;

  // The inode's owner with 0 (root) resolved through the cluster map.
  uint32_t owner(const Inode& inode) { return inode.owner ? inode.owner : cluster.root_owner(); }
};

// The table of operations handed to fuse_session_new (ops_table.cc).
const fuse_lowlevel_ops& fs_operations();

// Helpers shared by the operations (reply.cc).
Fs& fs_of(fuse_req_t req);
// The inode behind `ino`, or replies ESTALE and returns nullopt.
std::optional<Inode> inode_or_reply(fuse_req_t req, uint64_t ino);
// Replies with the errno of `status`, logging it (warn for I/O-class errors).
void reply_status(fuse_req_t req, const char* op, const Status& status);
// Remembers the entry (one lookup) and replies with it; takes the lookup back
// when the kernel did not accept the reply. `parent_owner` is the directory's.
void reply_entry(fuse_req_t req, const proto::EntryInfo& info, uint32_t parent_owner);
// The same for create: `file` is the open handle (closed again on failure).
void reply_create(fuse_req_t req, const proto::EntryInfo& info, uint32_t parent_owner, fuse_file_info* fi,
                  std::unique_ptr<client::OpenFile> file);

// Operations, grouped by file.
// ops_entry.cc
void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets);
void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi);
// ops_namespace.cc
void op_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev);
void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode);
void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char* name);
void op_symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name);
void op_readlink(fuse_req_t req, fuse_ino_t ino);
void op_rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
               unsigned int flags);
void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname);
// ops_file.cc
void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi);
void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void op_write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi);
void op_flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void op_release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);
void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, fuse_file_info* fi);
// ops_dir.cc
void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
void op_releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
// ops_xattr.cc
void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags);
void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char* name);
// ops_statfs.cc
void op_statfs(fuse_req_t req, fuse_ino_t ino);
// ops_lock.cc
void op_getlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock);
void op_setlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep);
void op_flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op);
// Whose lock a request on the open file `fi` is about (fi->lock_owner).
client::LockSubject lock_subject(const fuse_file_info* fi);
// ops_table.cc
void op_init(void* userdata, fuse_conn_info* conn);
// Raises the mount's readahead once, from the first requests after INIT.
void after_init(Fs& fs);

}  // namespace combfs::fuse
