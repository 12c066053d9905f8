// Row-level access to metad's tables: one SQL statement per function, no
// namespace rules (those live in MetaStore). The schema:
//
//   meta(key, value)                     schema version, next entry id counter
//   inodes(id, type, mode, ..., parent, pattern, targets, orphan, parent_owner, state, state_ns)
//   dentries(seq AUTOINCREMENT, parent, name, child, child_type, child_owner)  UNIQUE(parent, name)
//   xattrs(id, name, value)
//   opens(id, client_id, readers, writers)  INDEX(client_id)
//   removal_queue(seq AUTOINCREMENT, id, targets)
//   remote_names(id, node, parent, name)  names on other metads of local non-directories
//   journal(seq AUTOINCREMENT, record)     cross-owner operations this metad coordinates
//   applied_ops(origin, op, applied, response)  RemoteInsertDentry requests seen, and fences
//
// Ids are stored as two integers (hi, lo) bit for bit. REQUIRES: the caller
// holds the store's mutex; mutating calls run inside a Transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "metad/store/db.h"
#include "metad/store/inode.h"

namespace combfs::metad {

struct AppliedOp {
  bool applied = false;  // false: fenced (refuse the op if it still arrives)
  std::string response;  // serialized RemoteInsertDentryResponse
};

struct OpenCounts {
  uint32_t readers = 0;
  uint32_t writers = 0;
};

class Tables {
 public:
  explicit Tables(Db& db) : db_(db) {}

  // Creates missing tables; refuses a database written by a newer schema.
  Result<void> create_schema();

  Result<std::optional<int64_t>> get_meta(const std::string& key);
  Result<void> set_meta(const std::string& key, int64_t value);

  Result<std::optional<Inode>> find_inode(EntryId id);
  Result<void> insert_inode(const Inode& inode);
  Result<void> update_inode(const Inode& inode);  // every column but the id
  Result<void> delete_inode(EntryId id);          // with its xattrs
  Result<uint64_t> count_inodes();
  Result<std::vector<EntryId>> orphans_without_opens();

  Result<std::optional<Dentry>> find_dentry(EntryId parent, const std::string& name);
  // Returns the new entry's seq (larger than every seq before).
  Result<int64_t> insert_dentry(EntryId parent, const std::string& name, EntryId child, proto::FileType type,
                                uint32_t child_owner = 0);
  Result<void> delete_dentry(int64_t seq);
  Result<void> set_dentry_child(int64_t seq, EntryId child, proto::FileType type, uint32_t child_owner = 0);
  Result<bool> dir_is_empty(EntryId dir);
  // Entries of `dir` with seq > after_seq in seq order, at most `limit`.
  Result<std::vector<Dentry>> list_dentries(EntryId dir, int64_t after_seq, uint32_t limit);

  Result<OpenCounts> open_totals(EntryId id);
  Result<OpenCounts> open_counts(EntryId id, uint64_t client_id);
  // Sets the counts of (id, client); both zero deletes the row.
  Result<void> set_open_counts(EntryId id, uint64_t client_id, OpenCounts counts);
  Result<std::vector<std::pair<EntryId, OpenCounts>>> opened_by(uint64_t client_id);  // what client_id has open
  Result<std::vector<uint64_t>> open_clients();  // every client id with an open record

  Result<std::optional<std::string>> get_xattr(EntryId id, const std::string& name);
  Result<void> put_xattr(EntryId id, const std::string& name, const std::string& value);
  Result<bool> delete_xattr(EntryId id, const std::string& name);  // false: there was none
  Result<std::vector<std::string>> list_xattrs(EntryId id);

  Result<void> enqueue_removal(EntryId id, const std::vector<uint32_t>& targets);
  Result<std::vector<Removal>> list_removals(size_t limit);
  Result<std::optional<Removal>> find_removal(int64_t seq);
  Result<void> update_removal(int64_t seq, const std::vector<uint32_t>& targets);
  Result<void> delete_removal(int64_t seq);
  Result<uint64_t> count_removals();

  // Returns false when the row was already there / was not there.
  Result<bool> insert_remote_name(EntryId id, uint32_t node, EntryId parent, const std::string& name);
  Result<bool> delete_remote_name(EntryId id, uint32_t node, EntryId parent, const std::string& name);
  Result<std::vector<RemoteNameRow>> list_remote_names();

  Result<int64_t> insert_journal(const std::string& record, int64_t created_ns);
  Result<void> update_journal(int64_t seq, const std::string& record);
  Result<void> delete_journal(int64_t seq);
  Result<std::optional<std::string>> find_journal(int64_t seq);
  Result<std::vector<std::pair<int64_t, std::string>>> list_journal();

  Result<std::optional<AppliedOp>> find_applied(uint32_t origin, uint64_t op);
  Result<void> put_applied(uint32_t origin, uint64_t op, const AppliedOp& row, int64_t created_ns);
  Result<void> prune_applied(int64_t before_ns);

  // Every inode / dentry (fsck), in key order, at most `limit` after the given key.
  Result<std::vector<Inode>> list_inodes(EntryId after, uint32_t limit);
  Result<std::vector<Dentry>> list_all_dentries(int64_t after_seq, uint32_t limit);

  // ---- Subtree migration (tables_migrate.cc): moved(id, node, moved_ns)
  // forwards requests for entries that moved; migrations(seq, record) logs
  // the moves this metad made as their source. ----
  Result<void> create_migration_schema();
  Result<std::vector<std::pair<std::string, std::string>>> list_xattr_values(EntryId id);  // (name, value) by name
  Result<std::vector<std::pair<uint64_t, OpenCounts>>> list_opens(EntryId id);          // by client id
  Result<void> delete_opens(EntryId id);
  Result<uint64_t> count_remote_names(EntryId id);
  Result<bool> has_remote_name(EntryId id, uint32_t node, EntryId parent, const std::string& name);
  Result<void> put_moved(EntryId id, uint32_t node, int64_t moved_ns);
  Result<bool> delete_moved(EntryId id);  // false: there was none
  Result<std::vector<std::pair<EntryId, uint32_t>>> list_moved();
  Result<void> insert_migration(const std::string& record);  // a serialized proto::MigrationRecord
  Result<std::vector<std::string>> list_migrations();
  // Directories by number of entries, most first.
  Result<std::vector<std::pair<EntryId, uint64_t>>> largest_directories(size_t limit);

 private:
  Db& db_;
};

}  // namespace combfs::metad
