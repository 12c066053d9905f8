// Row-level access to metad's tables: one SQL statement per function, no
// namespace rules (those live in MetaStore). The schema:
//
//   meta(key, value)                     schema version, next entry id counter
//   inodes(id, type, mode, ..., parent, pattern, targets, orphan)
//   dentries(seq AUTOINCREMENT, parent, name, child, child_type)  UNIQUE(parent, name)
//   xattrs(id, name, value)
//   opens(id, client_id, readers, writers)
//   removal_queue(seq AUTOINCREMENT, id, targets)
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
  Result<int64_t> insert_dentry(EntryId parent, const std::string& name, EntryId child, proto::FileType type);
  Result<void> delete_dentry(int64_t seq);
  Result<void> set_dentry_child(int64_t seq, EntryId child, proto::FileType type);
  Result<bool> dir_is_empty(EntryId dir);
  // Entries of `dir` with seq > after_seq in seq order, at most `limit`.
  Result<std::vector<Dentry>> list_dentries(EntryId dir, int64_t after_seq, uint32_t limit);

  Result<OpenCounts> open_totals(EntryId id);
  Result<OpenCounts> open_counts(EntryId id, uint64_t client_id);
  // Sets the counts of (id, client); both zero deletes the row.
  Result<void> set_open_counts(EntryId id, uint64_t client_id, OpenCounts counts);

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

 private:
  Db& db_;
};

}  // namespace combfs::metad
