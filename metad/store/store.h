// MetaStore: metad's namespace in one SQLite database (<data-dir>/meta.db).
// Pure: no RPC, no cluster map; the service layer feeds it requests.
//
// Contract shared by every operation:
// - Entries are named by EntryId; an id this store does not hold answers
//   META_NOT_FOUND (with one metad that means "does not exist"; once
//   ownership can move it will mean "ask mgmtd who owns it").
// - Every mutating operation is one SQLite transaction: it happens entirely
//   or not at all, and once it returned OK it survives a kill -9.
// - Errors are the POSIX ones as META_* codes (status.cc maps them to errno):
//   names that are empty, ".", ".." or contain '/' or NUL -> META_INVALID;
//   longer than 255 bytes -> META_NAME_TOO_LONG; a parent that is not a
//   directory -> META_NOT_DIR; a missing entry -> META_NOT_FOUND naming it.
// - Thread-safe: one connection guarded by one mutex.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/entry_id.h"
#include "common/status.h"
#include "metad/store/inode.h"
#include "proto/meta.pb.h"

namespace combfs::metad {

class Db;
class Tables;

inline constexpr uint32_t kMaxNameLength = 255;
inline constexpr uint32_t kMaxSymlinkLength = 4095;
inline constexpr uint32_t kMaxLinks = 65000;
inline constexpr uint32_t kMaxXattrNameLength = 255;
inline constexpr uint32_t kMaxXattrValueLength = 64 * 1024;
inline constexpr uint32_t kDefaultReadDirEntries = 1024;
inline constexpr uint32_t kMaxReadDirEntries = 8192;
inline constexpr uint64_t kDirSize = 4096;  // what stat reports for a directory's size

struct StoreOptions {
  std::string path;      // the database file, e.g. <data-dir>/meta.db
  uint32_t node_id = 0;  // REQUIRES != 0: hi of new entry ids and Attr.owner_node
  std::function<int64_t()> clock;  // ns since the epoch; default: the system clock
};

// The root's pattern when it is created: 1 MiB chunks over 4 targets, raid0, pool 0.
proto::StripePattern default_root_pattern();

// Chooses the targets of a new regular file for the pattern it inherits
// (placement). Called inside the create transaction, only when a regular file
// is really created; an error aborts the create.
using ChooseTargets = std::function<Result<std::vector<uint32_t>>(const proto::StripePattern&)>;

struct CreateArgs {
  EntryId parent;
  std::string name;
  uint32_t mode = 0;  // full st_mode; type bits 0 mean a regular file
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t rdev = 0;
  bool exclusive = false;
  bool open_for_write = false;  // count the creator (client_id) as an open writer
  uint64_t client_id = 0;
};

struct CreateResult {
  proto::EntryInfo info;
  bool created = false;
};

struct CloseArgs {
  EntryId id;
  bool for_write = false;
  uint64_t client_id = 0;
  bool has_size = false;  // the writer measured the size on the targets: it is the truth
  uint64_t size = 0;
  int64_t mtime_ns = 0;   // 0: keep
};

class MetaStore {
 public:
  // Opens or creates the database. Enqueues the chunks of orphans that no
  // client has open (left by a crash between their last Close and removal).
  static Result<std::unique_ptr<MetaStore>> open(StoreOptions options);
  ~MetaStore();

  uint32_t node_id() const { return options_.node_id; }

  // Creates the root (mode 0755 dir, uid/gid 0, default_root_pattern) when
  // missing. Only the root owner calls it.
  Result<void> ensure_root();

  Result<proto::EntryInfo> lookup(EntryId parent, const std::string& name);
  Result<proto::EntryInfo> get_attr(EntryId id);

  // Applies the fields named by req.valid (SetAttrField bits). MODE keeps the
  // type bits; SIZE only for regular files (META_IS_DIR for directories,
  // META_INVALID for others) and also sets mtime unless MTIME is given;
  // *_NOW use the store's clock. ctime becomes now on any change (or req's
  // ctime with SETATTR_CTIME).
  Result<proto::EntryInfo> set_attr(const proto::SetAttrRequest& req);

  // Regular file or special node (FIFO/CHR/BLK/SOCK with rdev). An existing
  // name: META_EXISTS when exclusive or not a regular file (a directory:
  // META_IS_DIR); an existing regular file is returned with created = false
  // (and counted as opened when open_for_write). A new regular file inherits
  // the parent's pattern and gets the targets `choose` picks; its layout's
  // num_targets is the number of targets it got.
  Result<CreateResult> create(const CreateArgs& args, const ChooseTargets& choose);

  // New directory inheriting the parent's dir pattern; parent nlink + 1.
  Result<proto::EntryInfo> mkdir(EntryId parent, const std::string& name, uint32_t mode, uint32_t uid, uint32_t gid);

  // META_NOT_DIR for a non-directory, META_NOT_EMPTY unless empty; parent nlink - 1.
  Result<void> rmdir(EntryId parent, const std::string& name);

  // Drops the name (META_IS_DIR for directories). The last link of a file
  // that is open makes it an orphan until its last Close; otherwise its
  // chunks go into the removal queue in the same transaction.
  Result<void> unlink(EntryId parent, const std::string& name);

  // POSIX rename within this metad. flags: RenameFlags bits. Replacing:
  // dir over non-empty dir -> META_NOT_EMPTY, file over dir -> META_IS_DIR,
  // dir over non-dir -> META_NOT_DIR; a directory into its own subtree ->
  // META_INVALID; onto itself or a hard link of itself -> nothing happens;
  // NOREPLACE with an existing target name -> META_EXISTS (checked first,
  // like Linux, so also for src itself); EXCHANGE swaps two
  // existing entries (META_NOT_FOUND if the target is missing). The replaced
  // entry loses a link like unlink/rmdir.
  Result<void> rename(EntryId src_parent, const std::string& src_name, EntryId dst_parent, const std::string& dst_name,
                      uint32_t flags);

  // Entries with cookie > `cookie` in creation order (cookies never change
  // while an entry keeps its name, so a listing can continue after entries
  // were added), at most max_entries (0: default). No "." or "..". plus: each
  // entry also carries its EntryInfo.
  Result<proto::ReadDirResponse> read_dir(EntryId dir, uint64_t cookie, uint32_t max_entries, bool plus);

  Result<proto::EntryInfo> symlink(EntryId parent, const std::string& name, const std::string& target, uint32_t uid,
                                   uint32_t gid);
  // META_INVALID for anything but a symlink (readlink's EINVAL).
  Result<std::string> read_link(EntryId id);

  // Hard link of a non-directory (PERMISSION_DENIED for directories, like EPERM).
  Result<proto::EntryInfo> link(EntryId id, EntryId new_parent, const std::string& new_name);

  // Counts an open of (id, client). Directories are not counted (and cannot be
  // opened for writing: META_IS_DIR).
  Result<proto::EntryInfo> open_file(EntryId id, bool for_write, uint64_t client_id);
  // Undoes one open (counts never go below zero, so a repeated Close is
  // harmless); has_size records the measured size. The last Close of an
  // orphan removes it and enqueues its chunks.
  Result<proto::EntryInfo> close_file(const CloseArgs& args);
  // fsync: records size (and mtime when non-zero) without closing.
  Result<proto::EntryInfo> update_size(EntryId id, uint64_t size, int64_t mtime_ns);

  // Directories only (META_NOT_DIR otherwise): new children inherit `pattern`.
  // INVALID_ARGUMENT for a bad chunk size or target count; NOT_SUPPORTED for
  // buddy mirroring (not implemented yet).
  Result<proto::EntryInfo> set_pattern(EntryId id, const proto::StripePattern& pattern);

  // flags: XATTR_CREATE (META_EXISTS if present), XATTR_REPLACE (META_NO_XATTR if absent).
  Result<std::string> get_xattr(EntryId id, const std::string& name);
  Result<void> set_xattr(EntryId id, const std::string& name, const std::string& value, uint32_t flags);
  Result<std::vector<std::string>> list_xattr(EntryId id);
  Result<void> remove_xattr(EntryId id, const std::string& name);

  // Number of inodes stored (heartbeats report it to mgmtd).
  uint64_t entry_count() const;

  // The removal queue, oldest first.
  Result<std::vector<Removal>> pending_removals(size_t limit);
  // Records that `done` targets removed the chunks of queue entry `seq`; the
  // entry goes once no target is left.
  Result<void> complete_removal(int64_t seq, const std::vector<uint32_t>& done);
  Result<uint64_t> removal_queue_size();
  // Called (outside the store's lock) after a transaction added to the removal queue.
  void set_removal_listener(std::function<void()> listener);

 private:
  // What a transaction changed besides rows, applied only when it commits.
  struct TxEffects {
    int64_t entry_delta = 0;
    bool enqueued = false;
  };

  explicit MetaStore(StoreOptions options);

  // Runs f(Tables&) as one transaction under the lock; commits if it succeeded.
  template <class F>
  auto write(F&& f) -> decltype(f(std::declval<Tables&>()));
  // Runs f(Tables&) under the lock without a transaction (reads).
  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<Tables&>()));

  int64_t now() const { return options_.clock(); }
  Result<EntryId> allocate_id(Tables& t);
  Result<proto::EntryInfo> info_of(Tables& t, const Inode& inode);
  Result<Inode> load(Tables& t, EntryId id);
  Result<Inode> load_dir(Tables& t, EntryId id);
  Result<Dentry> load_dentry(Tables& t, EntryId parent, const std::string& name);
  // Takes one link from `child` (its name is already gone) and removes it
  // when none is left: directories at once, files as orphans while open,
  // otherwise with their chunks queued for removal.
  Result<void> drop_link(Tables& t, Inode& child);
  Result<void> remove_inode(Tables& t, const Inode& inode);
  Result<void> touch_dir(Tables& t, Inode& dir);  // mtime and ctime = now
  Result<bool> is_in_subtree(Tables& t, EntryId dir, EntryId ancestor);
  Result<void> sweep_orphans(Tables& t);

  StoreOptions options_;
  mutable std::mutex mutex_;
  std::unique_ptr<Db> db_;          // GUARDED_BY(mutex_)
  std::unique_ptr<Tables> tables_;  // GUARDED_BY(mutex_)
  uint64_t next_lo_ = 0;            // GUARDED_BY(mutex_)
  uint64_t entries_ = 0;            // GUARDED_BY(mutex_)
  TxEffects effects_;               // GUARDED_BY(mutex_): of the running transaction
  std::function<void()> removal_listener_;  // GUARDED_BY(mutex_)
};

// Name rules shared by every operation that adds or looks up a name.
Result<void> check_name(const std::string& name);

}  // namespace combfs::metad
