// MetaStore: metad's namespace in one SQLite database (<data-dir>/meta.db).
// Pure: no RPC, no cluster map; the service layer feeds it requests.
//
// Contract shared by every operation:
// - Entries are named by EntryId; an id this store does not hold answers
//   META_NOT_FOUND.
// - Several metads (docs/metadata.md): a directory's entries live with the
//   directory; a dentry records the metad that stores its child's inode
//   (Dentry.child_owner, 0 = this one). Names of entries stored elsewhere are
//   answered with a partial EntryInfo (EntryInfo.partial). Steps that other
//   metads must take are written as journal records (MetaJournalRecord) in the
//   same transaction; the caller runs them (metad/cross/), or the journal
//   worker does after a crash. Operations that need another metad before they
//   can commit answer META_NOT_OWNER ("use metad/cross/"); it never reaches clients.
// - Every mutating operation is one SQLite transaction: it happens entirely
//   or not at all, and once it returned OK it survives a kill -9 and a power
//   loss (group commit; store_internal.h, CommitSync in db.h).
// - Errors are the POSIX ones as META_* codes (status.cc maps them to errno):
//   names that are empty, ".", ".." or contain '/' or NUL -> META_INVALID;
//   longer than 255 bytes -> META_NAME_TOO_LONG; a parent that is not a
//   directory -> META_NOT_DIR; a missing entry -> META_NOT_FOUND naming it.
// - Thread-safe: one connection guarded by one mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/entry_id.h"
#include "common/group_commit.h"
#include "common/status.h"
#include "metad/store/db.h"
#include "metad/store/inode.h"
#include "proto/meta.pb.h"

namespace combfs::metad {

class Tables;
struct OpenCounts;

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
  CommitSync commit_sync = CommitSync::group;  // what an answered change promises (db.h)
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
  uint32_t umask = 0;  // the creator's; ignored when the parent has a default ACL
  bool exclusive = false;
  bool open_for_write = false;  // count the creator (client_id) as an open writer
  uint64_t client_id = 0;
};

struct CreateResult {
  proto::EntryInfo info;
  bool created = false;
};

// Journal records an operation wrote (steps left for other metads).
using JournalSeqs = std::vector<int64_t>;

// What metad/cross/ did before calling rename() for a rename whose names are
// all here but whose entries are not (META_NOT_OWNER without it).
struct RenamePrepared {
  bool subtree_checked = false;  // verified across metads: no directory moves into its own subtree
  EntryId prepared_dir;          // the remote directory under dst_name, prepared for removal
  bool names_added = false;      // a remote file being moved got its new name on its metad
  int64_t journal_seq = 0;       // the INTENT record that the rename commits
};

// What a new entry gets from its directory besides its pattern (setgid
// directories, default ACLs and the umask; docs/posix.md, "POSIX ACLs").
struct NewPerms {
  uint32_t mode = 0;        // full st_mode
  uint32_t gid = 0;
  std::string access_acl;   // xattr form; empty: none
  std::string default_acl;  // directories only; empty: none
};

// mkdir_begin: the new directory's id, the pattern it inherits, and its mode,
// group and ACLs (the directory is created on another metad, which cannot
// see the parent); for a hashed directory, the ids of its shards.
struct MkdirBegun {
  int64_t seq = 0;
  EntryId child;
  proto::StripePattern pattern;
  NewPerms perms;
  std::vector<std::pair<EntryId, uint32_t>> shards;  // (id, metad)
};

// sethash_begin: the directory as it is and the ids of its new shards.
struct SethashBegun {
  int64_t seq = 0;
  proto::EntryInfo dir;
  std::vector<std::pair<EntryId, uint32_t>> shards;  // (id, metad)
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

  // Returns once everything committed so far is durable (group commit).
  // Before sending anything that a read may have based on a change not yet
  // synced to another daemon (store_internal.h explains why reads do not wait).
  // `patience`: as GroupCommit::wait_durable's, for a caller nobody waits for.
  Result<void> wait_durable_seen(std::chrono::microseconds patience = {}) {
    return commits_.wait_durable(commits_.last_committed(), patience);
  }

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

  // New entries (create, mkdir, symlink, mkdir_begin) in a directory with
  // S_ISGID get its group (new directories also S_ISGID); with a default ACL
  // on the directory they inherit it (acl::inherit), else the umask applies.

  // New directory inheriting the parent's dir pattern; parent nlink + 1.
  Result<proto::EntryInfo> mkdir(EntryId parent, const std::string& name, uint32_t mode, uint32_t uid, uint32_t gid,
                                 uint32_t umask = 0);

  // META_NOT_DIR for a non-directory, META_NOT_EMPTY unless empty; parent nlink - 1.
  // META_NOT_OWNER when the directory is stored on another metad.
  Result<void> rmdir(EntryId parent, const std::string& name);

  // Drops the name (META_IS_DIR for directories). The last link of a file
  // that is open makes it an orphan until its last Close; otherwise its
  // chunks go into the removal queue in the same transaction. A file stored
  // on another metad loses the link by a journal record (in *followups).
  Result<void> unlink(EntryId parent, const std::string& name, JournalSeqs* followups = nullptr);

  // POSIX rename within this metad. flags: RenameFlags bits. Replacing:
  // dir over non-empty dir -> META_NOT_EMPTY, file over dir -> META_IS_DIR,
  // dir over non-dir -> META_NOT_DIR; a directory into its own subtree ->
  // META_INVALID; onto itself or a hard link of itself -> nothing happens;
  // NOREPLACE with an existing target name -> META_EXISTS (checked first,
  // like Linux, so also for src itself); EXCHANGE swaps two
  // existing entries (META_NOT_FOUND if the target is missing). The replaced
  // entry loses a link like unlink/rmdir.
  // Entries stored on other metads: a directory moving to another parent and
  // a replaced remote file are finished by a journal record (*followups);
  // moving a remote file, replacing a remote directory or a subtree check
  // that leaves this metad need `prepared` (else META_NOT_OWNER); EXCHANGE
  // with a remote file: META_XDEV.
  Result<void> rename(EntryId src_parent, const std::string& src_name, EntryId dst_parent, const std::string& dst_name,
                      uint32_t flags, JournalSeqs* followups = nullptr, const RenamePrepared* prepared = nullptr);

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
  // Undoes one open (counts never go below zero, so a repeated Close, or the
  // Close of a client whose records close_client dropped, is harmless);
  // has_size records the measured size. The last Close of an orphan removes
  // it and enqueues its chunks; a Close that arrives after that answers
  // META_NOT_FOUND (the client takes it as closed).
  Result<proto::EntryInfo> close_file(const CloseArgs& args);
  // Drops every open record of `client_id` (its lease ran out: the client is
  // dead or cut off) in one transaction, and finishes the orphans nobody has
  // open any more exactly as their last Close would.
  struct ClientClosed {
    size_t records = 0;  // open records dropped
    // Files it had open for writing that are left without a writer: the dead
    // writer never recorded the size of what it wrote last (settle_size).
    std::vector<EntryId> unsized;
  };
  Result<ClientClosed> close_client(uint64_t client_id);
  // Records `measured`, the size found on the targets after the last writer
  // of `id` died, as a writer's Close would (mtime and ctime: now), if the
  // file still has the size and times of `seen` (read before measuring) and
  // no writer: otherwise someone else recorded a size since, or a writer will
  // at its Close, and nothing changes. The size only grows here (the rule of
  // stat while the file had writers). Returns whether it was settled (also
  // when nothing had to change); a missing file: false.
  Result<bool> settle_size(EntryId id, const proto::Attr& seen, uint64_t measured);
  // Every client id with an open record here (to give each a lease after a
  // restart or a migration brought records in).
  Result<std::vector<uint64_t>> open_clients();
  // fsync: records size (and mtime when non-zero) without closing.
  Result<proto::EntryInfo> update_size(EntryId id, uint64_t size, int64_t mtime_ns);

  // Directories only (META_NOT_DIR otherwise): new children inherit `pattern`.
  // INVALID_ARGUMENT for a bad chunk size, target count or type. Whether
  // enough mirror groups exist for a buddymirror pattern is the caller's
  // check (ops/set_pattern.cc: the store does not see the cluster map).
  Result<proto::EntryInfo> set_pattern(EntryId id, const proto::StripePattern& pattern);

  // flags: XATTR_CREATE (META_EXISTS if present), XATTR_REPLACE (META_NO_XATTR if absent).
  // POSIX ACLs (acl::kAccessXattr, acl::kDefaultXattr) follow ext4: an
  // invalid one is META_INVALID; flags are ignored; an access ACL sets the
  // mode bits and is stored only when the mode cannot say it all; a default
  // ACL only on directories (ACCESS_DENIED otherwise); removing an absent
  // ACL succeeds. set_attr's MODE also rewrites the access ACL (acl::chmod).
  Result<std::string> get_xattr(EntryId id, const std::string& name);
  // caller_groups: SetXattrRequest.caller_groups (an access ACL set by a
  // caller outside the file's group drops S_ISGID).
  Result<void> set_xattr(EntryId id, const std::string& name, const std::string& value, uint32_t flags,
                         const std::vector<uint32_t>& caller_groups = {});
  Result<std::vector<std::string>> list_xattr(EntryId id);
  Result<void> remove_xattr(EntryId id, const std::string& name);

  // Number of inodes stored (heartbeats report it to mgmtd).
  uint64_t entry_count() const;

  // ---- Cross-owner operations, coordinator side (store_cross.cc). Each
  // *_begin writes an INTENT journal record; *_commit changes the names here
  // and marks the record COMMITTED (or deletes it when nothing is left). ----

  // The dentry `name` in `parent` (META_NOT_FOUND without one).
  Result<Dentry> peek_dentry(EntryId parent, const std::string& name);
  // mkdir of `name` in `parent` (here) as a directory on metad `node`, asked
  // with `mode` by a creator with group `gid` and `umask`; hashed over shards
  // on `shard_nodes` when there are any.
  Result<MkdirBegun> mkdir_begin(EntryId parent, const std::string& name, uint32_t node, uint32_t mode, uint32_t gid,
                                 uint32_t umask, const std::vector<uint32_t>& shard_nodes = {});
  // META_EXISTS when the name was taken meanwhile (the record stays INTENT).
  Result<void> mkdir_commit(int64_t seq);
  // rmdir of `name` in `parent` naming directory `child` on metad `owner`
  // (another metad, or a hashed directory with these shards).
  Result<int64_t> rmdir_begin(EntryId parent, const std::string& name, EntryId child, uint32_t owner,
                              const std::vector<std::pair<EntryId, uint32_t>>& shards);
  Result<void> rmdir_commit(int64_t seq);
  // fsctl sethash (store_hash.cc): empty directory `dir` (here) becomes
  // hashed over shards on `shard_nodes`. begin allocates the shard ids and
  // journals their abort; commit records them on the directory if it is
  // still empty and not hashed (META_NOT_EMPTY / META_EXISTS otherwise).
  Result<SethashBegun> sethash_begin(EntryId dir, const std::vector<uint32_t>& shard_nodes);
  Result<proto::EntryInfo> sethash_commit(int64_t seq);
  // A new name here for non-directory `id` stored on metad `owner`.
  Result<int64_t> link_begin(EntryId id, uint32_t owner, EntryId parent, const std::string& name);
  Result<void> link_commit(int64_t seq, proto::FileType type);
  // Adds `record` (INTENT) if `expect` (a dentry read before) still names the
  // same entry. JOURNAL_RENAME_OUT gets insert.origin/op set here.
  Result<int64_t> journal_begin(proto::MetaJournalRecord record, const Dentry& expect);
  // The source side of a rename into another metad after it applied the
  // insert: removes the source name (if still there), records what is left.
  Result<void> rename_out_commit(int64_t seq, const proto::RemoteInsertDentryResponse& inserted);

  Result<std::vector<std::pair<int64_t, proto::MetaJournalRecord>>> journal_records();
  Result<std::optional<proto::MetaJournalRecord>> journal_record(int64_t seq);
  Result<void> journal_delete(int64_t seq);

  // ---- Cross-owner operations, the other side (store_remote.cc): the
  // handlers of the Remote* requests. ----
  Result<proto::EntryInfo> remote_dir_create(const proto::RemoteDirCreateRequest& req);
  Result<void> remote_dir_state(EntryId id, proto::RemoteDirAction action, bool shards_prepared = false);
  Result<void> remote_set_parent(EntryId id, EntryId parent, uint32_t parent_owner);
  Result<proto::EntryInfo> remote_name(const proto::RemoteNameRequest& req);
  Result<proto::RemoteInsertDentryResponse> remote_insert_dentry(const proto::RemoteInsertDentryRequest& req);
  Result<proto::RemoteOpAppliedResponse> op_applied(uint32_t origin, uint64_t op, bool fence);
  Result<proto::RemoteAncestryResponse> ancestry(EntryId dir, EntryId ancestor);
  // Forgets applied ops older than `age_ns` (their coordinators finished long ago).
  Result<void> prune_applied(int64_t age_ns);

  // Every row that says how the namespace hangs together (fsck, tests). Reads
  // the whole database: meant for checking, not for serving.
  struct Snapshot {
    uint32_t node = 0;
    std::vector<Inode> inodes;
    std::vector<Dentry> dentries;
    std::vector<RemoteNameRow> remote_names;
    std::vector<std::pair<int64_t, proto::MetaJournalRecord>> journal;
  };
  Result<Snapshot> snapshot();
  // One page of it: at most `max_rows` inodes after `inodes_after` and
  // dentries after `dentries_after` (Dentry::seq); with `first` also the
  // remote names and the journal.
  Result<Snapshot> snapshot_page(EntryId inodes_after, int64_t dentries_after, uint32_t max_rows, bool first);
  // Applies one repair of fsctl fsck --metadata --repair to this metad's rows
  // (metad/cross/fsck.h). false: the rows changed since the check (skipped).
  Result<bool> apply_repair(const proto::MetaRepair& repair);

  // ---- Subtree migration (store_migrate.cc, docs/metadata.md "Migration") ----
  // The files stored here that directory `dir` names (they move with it).
  Result<std::vector<EntryId>> migrate_files(EntryId dir);
  // The directory that names directory `dir` and its metad (a shard's: its hashed directory).
  Result<std::pair<EntryId, uint32_t>> dir_parent(EntryId dir);
  // Source side, before the copy: checks that `dir` (here) can move to metad
  // `to` (pending/removing: UNAVAILABLE; the root or a hashed directory:
  // META_BUSY), reads its rows and journals an INTENT record whose undo
  // drops the copy on `to`.
  struct MigrateBegun {
    int64_t seq = 0;
    proto::RemoteMigrateInRequest rows;
  };
  Result<MigrateBegun> migrate_begin(EntryId dir, uint32_t to);
  // Source side, after `to` has the copy: if the rows are still those sent
  // (else UNAVAILABLE, record left INTENT for undo), deletes them, leaves a
  // forwarding record per entry, points the name at `to` when the parent is
  // here, logs the move and marks the record COMMITTED with the steps left
  // elsewhere (confirm on `to`, the name on the parent's metad, the
  // subdirectories' "..").
  struct MigrateCommitted {
    uint32_t entries = 0;
    std::vector<proto::DirShard> subdirs;  // (id, owner) after the move
  };
  Result<MigrateCommitted> migrate_commit(int64_t seq, const proto::RemoteMigrateInRequest& sent,
                                          const std::string& reason);
  // Target side: stores the copy (the directory pending); idempotent.
  Result<void> migrate_in(const proto::RemoteMigrateInRequest& req);
  // Target side: deletes a copy whose move gave up (only while pending).
  Result<void> migrate_drop(EntryId dir, uint32_t origin);
  // The dentry naming directory `child` (in `parent`, else anywhere here) records child_owner.
  Result<void> set_child_owner(EntryId parent, EntryId child, uint32_t child_owner);
  // The metad an entry that used to be here moved to (its forwarding record).
  std::optional<uint32_t> moved_to(EntryId id) const;
  // The moves this metad made as the source, oldest first.
  Result<std::vector<proto::MigrationRecord>> migrations();
  // The directories here with the most entries, most first (the balancer's candidates).
  Result<std::vector<std::pair<EntryId, uint64_t>>> largest_directories(size_t limit);
  // (id, owner) of every subdirectory of `dir` (here).
  Result<std::vector<proto::DirShard>> subdirs(EntryId dir);

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
    std::vector<std::pair<EntryId, uint32_t>> moved;  // forwarding changes (node 0: erased)
  };

  explicit MetaStore(StoreOptions options);

  // What a write needs of its durability before it returns.
  enum class Await {
    sync,        // durable now: every request a client waits for
    ride_along,  // durable, but nobody waits for the answer (a Close sent after
                 // close(2) returned): its sync may be the next request's
    nothing,     // a loss is harmless, being redone after a restart (removal bookkeeping)
  };
  // How long a ride_along write waits for another request's sync.
  static constexpr std::chrono::milliseconds kRideAlongPatience{2};

  // Runs f(Tables&) as one transaction under the lock; commits if it succeeded.
  template <class F>
  auto write(F&& f, Await await = Await::sync) -> decltype(f(std::declval<Tables&>()));
  // Runs f(Tables&) under the lock without a transaction (reads).
  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<Tables&>()));

  int64_t now() const { return options_.clock(); }
  Result<EntryId> allocate_id(Tables& t);
  Result<proto::EntryInfo> info_of(Tables& t, const Inode& inode);
  Result<Inode> load(Tables& t, EntryId id);
  // A directory whose names are asked for: META_HASHED_DIR for a hashed one
  // (its names are in its shards).
  Result<Inode> load_dir(Tables& t, EntryId id);
  // load_dir for adding a name: META_NOT_FOUND while an rmdir removes the directory.
  Result<Inode> load_dir_for_insert(Tables& t, EntryId id);
  bool is_remote_owner(uint32_t stored) const { return stored != 0 && stored != options_.node_id; }
  bool is_remote(const Dentry& d) const { return is_remote_owner(d.child_owner); }
  // A node id as stored in dentries/inodes: 0 for this metad.
  uint32_t stored_owner(uint32_t node) const { return node == options_.node_id ? 0 : node; }
  // The node id of a stored owner (0 -> this metad).
  uint32_t node_of(uint32_t stored) const { return stored ? stored : options_.node_id; }
  // Id, type and owner of an entry stored elsewhere (EntryInfo.partial).
  proto::EntryInfo partial_info(const Dentry& d) const;
  // A COMMITTED record: the file that dentry `d` (removed here) names loses that name on its metad.
  proto::MetaJournalRecord release_record(const Dentry& d) const;
  Result<int64_t> add_record(Tables& t, proto::MetaJournalRecord& record);
  Result<proto::MetaJournalRecord> load_record(Tables& t, int64_t seq);
  Result<void> put_record(Tables& t, int64_t seq, const proto::MetaJournalRecord& record);
  Result<Dentry> load_dentry(Tables& t, EntryId parent, const std::string& name);
  // Takes one link from `child` (its name is already gone) and removes it
  // when none is left: directories at once, files as orphans while open,
  // otherwise with their chunks queued for removal.
  Result<void> drop_link(Tables& t, Inode& child);
  Result<void> remove_inode(Tables& t, const Inode& inode);
  // After an open record of `n` went away: an orphan that nobody has open
  // any more is removed (chunks queued). Returns the open totals left.
  Result<OpenCounts> release_orphan(Tables& t, const Inode& n);
  Result<void> touch_dir(Tables& t, Inode& dir);  // mtime and ctime = now
  // The mode, group and ACLs of a new entry of `mode` in `parent` (store_perms.cc).
  Result<NewPerms> new_perms(Tables& t, const Inode& parent, uint32_t mode, uint32_t gid, uint32_t umask);
  // Stores the ACLs of `perms` as the xattrs of new inode `id`.
  Result<void> put_new_acls(Tables& t, EntryId id, const NewPerms& perms);
  // set_xattr / remove_xattr of a POSIX ACL (store_perms.cc).
  Result<void> set_acl(Tables& t, Inode& n, const std::string& name, const std::string& value,
                       const std::vector<uint32_t>& caller_groups);
  Result<void> remove_acl(Tables& t, Inode& n, const std::string& name);
  // chmod of an inode that may have an access ACL: keeps the ACL in step.
  Result<void> chmod_acl(Tables& t, const Inode& n);
  // Whether `dir` (here) is `ancestor` or inside it; nullopt when the chain of
  // ".." leaves this metad before deciding.
  Result<std::optional<bool>> is_in_subtree(Tables& t, EntryId dir, EntryId ancestor);
  Result<void> sweep_orphans(Tables& t);
  // Migration helpers (store_migrate.cc).
  Result<proto::MigratedInode> to_migrated(Tables& t, const Inode& inode);
  Result<void> insert_migrated(Tables& t, const proto::MigratedInode& m, Inode::State state);
  Result<proto::RemoteMigrateInRequest> export_dir(Tables& t, EntryId dir);
  // Deletes the pending copy of `dir` and its files; they are forwarded to `origin`.
  Result<void> drop_copy(Tables& t, EntryId dir, uint32_t origin);
  Result<void> load_moved();
  void apply_moved(const std::vector<std::pair<EntryId, uint32_t>>& changes);

  StoreOptions options_;
  mutable std::mutex mutex_;
  std::unique_ptr<Db> db_;          // GUARDED_BY(mutex_)
  std::unique_ptr<Tables> tables_;  // GUARDED_BY(mutex_)
  uint64_t next_lo_ = 0;            // GUARDED_BY(mutex_)
  uint64_t entries_ = 0;            // GUARDED_BY(mutex_)
  TxEffects effects_;               // GUARDED_BY(mutex_): of the running transaction
  std::function<void()> removal_listener_;  // GUARDED_BY(mutex_)
  // Numbers commits and syncs them in batches; its sync touches only the WAL
  // file (Db::sync_wal), so it runs outside mutex_.
  GroupCommit commits_;
  // Forwarding records (table `moved`) in memory: every request checks them.
  mutable std::mutex moved_mutex_;
  std::unordered_map<EntryId, uint32_t> moved_;  // GUARDED_BY(moved_mutex_)
  std::atomic<bool> any_moved_{false};
};

// Name rules shared by every operation that adds or looks up a name.
Result<void> check_name(const std::string& name);

}  // namespace combfs::metad
