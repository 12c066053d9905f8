// MetaStore: rename whose two names are both here, with the POSIX rules for
// replacing an existing target, RENAME_NOREPLACE and RENAME_EXCHANGE.
// Entries stored on other metads move with their dentry; what their metads
// must learn afterwards goes into one journal record (docs/metadata.md).
#include "metad/store/journal_steps.h"
#include "metad/store/store_internal.h"

namespace combfs::metad {

namespace {

// One name of a rename: its dentry and, when stored here, its inode.
struct Side {
  Dentry d;
  std::optional<Inode> inode;  // unset: stored on another metad
  EntryId id() const { return d.child; }
  bool is_dir() const { return d.child_type == proto::FT_DIR; }
  bool remote() const { return !inode; }
};

std::unexpected<Status> needs_cross(const std::string& what) {
  return error(proto::META_NOT_OWNER, "rename needs other metads first: " + what);
}

}  // namespace

Result<void> MetaStore::rename(EntryId src_parent, const std::string& src_name, EntryId dst_parent,
                               const std::string& dst_name, uint32_t flags, JournalSeqs* followups,
                               const RenamePrepared* prepared) {
  COMBFS_CHECK(check_name(src_name));
  COMBFS_CHECK(check_name(dst_name));
  const bool noreplace = flags & proto::RENAME_FLAG_NOREPLACE;
  const bool exchange = flags & proto::RENAME_FLAG_EXCHANGE;
  if (flags & ~uint32_t(proto::RENAME_FLAG_NOREPLACE | proto::RENAME_FLAG_EXCHANGE))
    return error(proto::META_INVALID, fmt::format("unknown rename flags {:#x}", flags));
  if (noreplace && exchange) return error(proto::META_INVALID, "rename flags NOREPLACE and EXCHANGE exclude each other");

  return write([&](Tables& t) -> Result<void> {
    const uint32_t self = options_.node_id;
    // sp and dp may be the same directory: then both names refer to one object.
    Inode sp_inode = COMBFS_TRY(load_dir(t, src_parent));
    Inode dp_inode;
    const bool same_dir = src_parent == dst_parent;
    if (!same_dir) dp_inode = COMBFS_TRY(load_dir_for_insert(t, dst_parent));
    Inode& sp = sp_inode;
    Inode& dp = same_dir ? sp_inode : dp_inode;

    auto side = [&](Dentry d) -> Result<Side> {
      Side s{std::move(d), std::nullopt};
      if (!is_remote(s.d)) s.inode = COMBFS_TRY(load(t, s.d.child));
      return s;
    };
    Side src = COMBFS_TRY(side(COMBFS_TRY(load_dentry(t, src_parent, src_name))));
    std::optional<Side> dst;
    if (auto d = COMBFS_TRY(t.find_dentry(dst_parent, dst_name))) dst = COMBFS_TRY(side(std::move(*d)));

    // NOREPLACE looks only at the name (like Linux, even for a link of src itself).
    if (noreplace && dst)
      return error(proto::META_EXISTS, fmt::format("'{}' already exists in directory {}", dst_name, dst_parent.to_string()));
    if (exchange && !dst) return no_entry(dst_parent, dst_name);
    // Onto itself or onto another name of the same file: POSIX says do nothing.
    if (dst && dst->id() == src.id()) return {};

    // A directory must not end up inside itself.
    auto check_subtree = [&](const Side& moving, EntryId into, const std::string& name) -> Result<void> {
      if (!moving.is_dir() || same_dir) return {};
      auto inside = COMBFS_TRY(is_in_subtree(t, into, moving.id()));
      if (!inside) {
        if (prepared && prepared->subtree_checked) return {};
        return needs_cross("the parent chain of the target directory leaves this metad");
      }
      if (*inside) return error(proto::META_INVALID, fmt::format("cannot move directory '{}' into its own subtree", name));
      return {};
    };
    COMBFS_CHECK(check_subtree(src, dst_parent, src_name));
    if (exchange) COMBFS_CHECK(check_subtree(*dst, src_parent, dst_name));

    // Steps for the metads of entries stored elsewhere, run after the commit.
    proto::MetaJournalRecord record;
    record.set_op(proto::JOURNAL_RENAME);
    record.set_state(proto::JOURNAL_COMMITTED);
    src_parent.to_proto(record.mutable_parent());
    record.set_name(src_name);
    src.id().to_proto(record.mutable_child());
    record.set_child_owner(node_of(src.d.child_owner));
    record.set_child_type(src.d.child_type);

    // A directory that changes parent takes its ".." along.
    auto reparent = [&](Side& moving, EntryId new_parent) {
      if (moving.inode) {
        moving.inode->parent = new_parent;
        moving.inode->parent_owner = 0;
      } else {
        *record.add_redo() = parent_step(node_of(moving.d.child_owner), moving.id(), new_parent, self);
      }
    };

    const int64_t ts = now();
    if (exchange) {
      if ((src.remote() && !src.is_dir()) || (dst->remote() && !dst->is_dir()))
        return error(proto::META_XDEV, "RENAME_EXCHANGE of a file stored on another metad is not supported");
      COMBFS_CHECK(t.set_dentry_child(src.d.seq, dst->id(), dst->d.child_type, dst->d.child_owner));
      COMBFS_CHECK(t.set_dentry_child(dst->d.seq, src.id(), src.d.child_type, src.d.child_owner));
      if (!same_dir) {
        // Each directory that changes parent moves one ".." link with it.
        if (src.is_dir()) {
          reparent(src, dst_parent);
          sp.nlink -= 1;
          dp.nlink += 1;
        }
        if (dst->is_dir()) {
          reparent(*dst, src_parent);
          dp.nlink -= 1;
          sp.nlink += 1;
        }
      }
      for (Side* s : {&src, &*dst}) {
        if (!s->inode) continue;
        s->inode->ctime_ns = ts;
        COMBFS_CHECK(t.update_inode(*s->inode));
      }
    } else {
      // A file stored elsewhere is known there by its names: the new one was
      // added before (prepared), the old one goes after the commit.
      if (src.remote() && !src.is_dir()) {
        if (!prepared || !prepared->names_added) return needs_cross("the file is stored on another metad");
        *record.add_redo() = name_step(node_of(src.d.child_owner), src.id(), false, self, src_parent, src_name);
      }
      if (dst) {
        if (src.is_dir() && !dst->is_dir())
          return error(proto::META_NOT_DIR,
                       fmt::format("cannot replace non-directory '{}' with directory '{}'", dst_name, src_name));
        if (!src.is_dir() && dst->is_dir())
          return error(proto::META_IS_DIR, fmt::format("cannot replace directory '{}' with non-directory '{}'", dst_name, src_name));
        if (dst->is_dir()) {
          if (dst->inode && !dst->inode->shards.empty())
            return error(proto::META_BUSY, fmt::format("'{}' is a hashed directory: remove it before replacing it", dst_name));
          if (dst->inode && !COMBFS_TRY(t.dir_is_empty(dst->id())))
            return error(proto::META_NOT_EMPTY, fmt::format("cannot replace directory '{}': it is not empty", dst_name));
          // A remote directory was checked empty and locked by its metad (PREPARE_REMOVE).
          if (dst->remote() && (!prepared || prepared->prepared_dir != dst->id()))
            return needs_cross("the directory to replace is stored on another metad");
        }
        COMBFS_CHECK(t.delete_dentry(dst->d.seq));
        if (dst->is_dir()) dp.nlink -= 1;
        const uint32_t owner = node_of(dst->d.child_owner);
        if (dst->inode)
          COMBFS_CHECK(drop_link(t, *dst->inode));
        else if (dst->is_dir())
          *record.add_redo() = dir_step(owner, dst->id(), proto::REMOTE_DIR_REMOVE);
        else
          *record.add_redo() = name_step(owner, dst->id(), false, self, dst_parent, dst_name);
      }
      // A new dentry (new cookie): the entry shows up after the old cookies of dp.
      COMBFS_CHECK(t.delete_dentry(src.d.seq));
      COMBFS_CHECK(t.insert_dentry(dst_parent, dst_name, src.id(), src.d.child_type, src.d.child_owner));
      if (src.is_dir() && !same_dir) {
        reparent(src, dst_parent);
        sp.nlink -= 1;
        dp.nlink += 1;
      }
      if (src.inode) {
        src.inode->ctime_ns = ts;
        COMBFS_CHECK(t.update_inode(*src.inode));
      }
    }
    sp.mtime_ns = sp.ctime_ns = ts;
    COMBFS_CHECK(t.update_inode(sp));
    if (!same_dir) {
      dp.mtime_ns = dp.ctime_ns = ts;
      COMBFS_CHECK(t.update_inode(dp));
    }

    if (prepared && prepared->journal_seq) {
      proto::MetaJournalRecord begun = COMBFS_TRY(load_record(t, prepared->journal_seq));
      begun.set_state(proto::JOURNAL_COMMITTED);
      *begun.mutable_redo() = record.redo();
      COMBFS_CHECK(put_record(t, prepared->journal_seq, begun));
      if (followups) followups->push_back(prepared->journal_seq);
    } else if (record.redo_size() > 0) {
      int64_t seq = COMBFS_TRY(add_record(t, record));
      if (followups) followups->push_back(seq);
    }
    return {};
  });
}

}  // namespace combfs::metad
