// Renames that need other metads (docs/metadata.md, "rename"):
//
// rename_local: both names are here, but an entry is stored elsewhere. Before
// the rename commits here: the subtree check walks ".." across metads, a
// replaced remote directory is checked empty and locked (PREPARE_REMOVE), a
// moved remote file gets its new name on its metad. Then one transaction
// renames here and records the rest (old names, "..", the replaced entry).
//
// rename_out: the target directory is on another metad D. The target side
// goes first (new name of a file on its metad, a replaced remote directory
// prepared), then D inserts the name - the commit point, applied once per
// journal record - then the source name goes here, then the rest. Recovery
// asks D whether the insert happened (fencing it if not) to decide between
// rolling forward and taking the first steps back.
#include <spdlog/spdlog.h>

#include "metad/cross/ops_common.h"
#include "metad/store/journal_steps.h"

namespace combfs::metad::cross {

namespace {

constexpr int kAttempts = 4;

bool is_dir(const Dentry& d) { return d.child_type == proto::FT_DIR; }

// Retries an attempt that found its names changed while it prepared (UNAVAILABLE).
template <class F>
Result<void> retried(F attempt) {
  for (int i = 1;; ++i) {
    auto r = attempt();
    if (r || r.error().code() != proto::UNAVAILABLE || i >= kAttempts) return r;
  }
}

proto::MetaJournalRecord rename_record(proto::MetaJournalOp op, const proto::RenameRequest& req, const Dentry& src,
                                       uint32_t src_owner) {
  proto::MetaJournalRecord r;
  r.set_op(op);
  *r.mutable_parent() = req.src_parent();
  r.set_name(req.src_name());
  src.child.to_proto(r.mutable_child());
  r.set_child_owner(src_owner);
  r.set_child_type(src.child_type);
  return r;
}

Result<void> rename_local_once(Cross& c, const proto::RenameRequest& req) {
  const uint32_t self = c.self();
  const EntryId sp = EntryId::from_proto(req.src_parent());
  const EntryId dp = EntryId::from_proto(req.dst_parent());
  const bool exchange = req.flags() & proto::RENAME_FLAG_EXCHANGE;
  Dentry src = COMBFS_TRY(c.store().peek_dentry(sp, req.src_name()));
  std::optional<Dentry> dst;
  if (auto d = c.store().peek_dentry(dp, req.dst_name()); d)
    dst = std::move(*d);
  else if (d.error().code() != proto::META_NOT_FOUND)
    return error(d.error());
  const uint32_t src_owner = src.child_owner ? src.child_owner : self;

  RenamePrepared prepared;
  if (sp != dp) {
    if (is_dir(src)) {
      if (COMBFS_TRY(dir_inside(c, dp, self, src.child)))
        return error(proto::META_INVALID, fmt::format("cannot move directory '{}' into its own subtree", req.src_name()));
    }
    if (exchange && dst && is_dir(*dst)) {
      if (COMBFS_TRY(dir_inside(c, sp, self, dst->child)))
        return error(proto::META_INVALID, fmt::format("cannot move directory '{}' into its own subtree", req.dst_name()));
    }
    prepared.subtree_checked = true;
  }
  const bool remote_dst = dst && dst->child_owner != 0 && dst->child_owner != self;
  const bool prepare_dir = !exchange && dst && remote_dst && is_dir(*dst) && is_dir(src) && dst->child != src.child;
  const bool add_name = !exchange && src_owner != self && !is_dir(src) && !(dst && dst->child == src.child);

  proto::MetaJournalRecord record = rename_record(proto::JOURNAL_RENAME, req, src, src_owner);
  if (prepare_dir) *record.add_undo() = dir_step(dst->child_owner, dst->child, proto::REMOTE_DIR_CANCEL_REMOVE);
  if (add_name) *record.add_undo() = name_step(src_owner, src.child, false, self, dp, req.dst_name());
  int64_t seq = COMBFS_TRY(c.store().journal_begin(record, src));
  JournalRunner::Claim claim(c.journal(), seq);
  COMBFS_CRASH_POINT(c, "rename.begun");

  auto give_up = [&](const Status& why) -> Result<void> {
    (void)c.journal().finish(seq);  // takes the prepared steps back
    return std::unexpected(why);
  };
  if (prepare_dir) {
    proto::RemoteDirStateRequest prepare;
    dst->child.to_proto(prepare.mutable_id());
    prepare.set_action(proto::REMOTE_DIR_PREPARE_REMOVE);
    if (auto r = c.peers().call(dst->child_owner, prepare); !r) return give_up(r.error());
    prepared.prepared_dir = dst->child;
  }
  if (add_name) {
    proto::RemoteNameRequest add;
    src.child.to_proto(add.mutable_id());
    add.set_add(true);
    add.set_node(self);
    dp.to_proto(add.mutable_parent());
    add.set_name(req.dst_name());
    if (auto r = c.peers().call(src_owner, add); !r) return give_up(r.error());
    prepared.names_added = true;
  }
  COMBFS_CRASH_POINT(c, "rename.prepared");

  prepared.journal_seq = seq;
  JournalSeqs followups;
  auto renamed = c.store().rename(sp, req.src_name(), dp, req.dst_name(), req.flags(), &followups, &prepared);
  if (!renamed) {
    if (renamed.error().code() == proto::META_NOT_OWNER)
      return give_up(Status(proto::UNAVAILABLE, "the entries of the rename changed while it prepared; try again"));
    return give_up(renamed.error());
  }
  COMBFS_CRASH_POINT(c, "rename.committed");
  // COMMITTED: the old names, "..", the replaced entry; still INTENT when
  // the rename turned out to do nothing: the prepared steps are taken back.
  if (auto done = c.journal().finish(seq); !done)
    spdlog::warn("rename of '{}': steps on other metads failed (the worker retries): {}", req.src_name(),
                 done.error().to_string());
  return {};
}

Result<void> rename_out_once(Cross& c, const proto::RenameRequest& req) {
  const uint32_t self = c.self();
  const uint32_t d_node = req.dst_owner();
  const EntryId sp = EntryId::from_proto(req.src_parent());
  const EntryId dp = EntryId::from_proto(req.dst_parent());
  if (req.flags() & proto::RENAME_FLAG_EXCHANGE)
    return error(proto::META_XDEV, "RENAME_EXCHANGE between directories on different metads is not supported");
  if (req.flags() & ~uint32_t(proto::RENAME_FLAG_NOREPLACE))
    return error(proto::META_INVALID, fmt::format("unknown rename flags {:#x}", req.flags()));
  COMBFS_CHECK(check_name(req.dst_name()));
  Dentry src = COMBFS_TRY(c.store().peek_dentry(sp, req.src_name()));
  const uint32_t src_owner = src.child_owner ? src.child_owner : self;

  // What the target name holds now (D checks again when it inserts).
  proto::LookupRequest lookup;
  dp.to_proto(lookup.mutable_parent());
  lookup.set_name(req.dst_name());
  std::optional<proto::EntryInfo> dst;
  if (auto there = c.peers().call(d_node, lookup); there)
    dst = std::move(*there->mutable_info());
  else if (there.error().code() != proto::META_NOT_FOUND)
    return error(there.error());
  EntryId replaced;
  uint32_t replaced_owner = 0;
  bool replaced_dir = false;
  if (dst) {
    if (req.flags() & proto::RENAME_FLAG_NOREPLACE)
      return error(proto::META_EXISTS, fmt::format("'{}' already exists in directory {}", req.dst_name(), dp.to_string()));
    replaced = EntryId::from_proto(dst->attr().id());
    if (replaced == src.child) return {};  // another name of the same file: nothing happens
    replaced_owner = dst->attr().owner_node() ? dst->attr().owner_node() : d_node;
    replaced_dir = dst->attr().type() == proto::FT_DIR;
    if (is_dir(src) && !replaced_dir)
      return error(proto::META_NOT_DIR,
                   fmt::format("cannot replace non-directory '{}' with directory '{}'", req.dst_name(), req.src_name()));
    if (!is_dir(src) && replaced_dir)
      return error(proto::META_IS_DIR,
                   fmt::format("cannot replace directory '{}' with non-directory '{}'", req.dst_name(), req.src_name()));
  }
  if (is_dir(src) && COMBFS_TRY(dir_inside(c, dp, d_node, src.child)))
    return error(proto::META_INVALID, fmt::format("cannot move directory '{}' into its own subtree", req.src_name()));

  const bool prepare_dir = replaced_dir && replaced_owner != d_node;
  const bool add_name = !is_dir(src);
  proto::MetaJournalRecord record = rename_record(proto::JOURNAL_RENAME_OUT, req, src, src_owner);
  record.set_insert_node(d_node);
  auto* ins = record.mutable_insert();
  dp.to_proto(ins->mutable_parent());
  ins->set_name(req.dst_name());
  src.child.to_proto(ins->mutable_child());
  ins->set_child_owner(src_owner);
  ins->set_child_type(src.child_type);
  ins->set_flags(req.flags());
  replaced.to_proto(ins->mutable_expect_replaced());
  if (add_name) *record.add_undo() = name_step(src_owner, src.child, false, d_node, dp, req.dst_name());
  if (prepare_dir) *record.add_undo() = dir_step(replaced_owner, replaced, proto::REMOTE_DIR_CANCEL_REMOVE);
  int64_t seq = COMBFS_TRY(c.store().journal_begin(record, src));
  JournalRunner::Claim claim(c.journal(), seq);
  COMBFS_CRASH_POINT(c, "rename_out.begun");

  auto give_up = [&](const Status& why) -> Result<void> {
    (void)c.journal().finish(seq);
    return std::unexpected(why);
  };
  // The target side first.
  if (prepare_dir) {
    proto::RemoteDirStateRequest prepare;
    replaced.to_proto(prepare.mutable_id());
    prepare.set_action(proto::REMOTE_DIR_PREPARE_REMOVE);
    if (auto r = c.peers().call(replaced_owner, prepare); !r) return give_up(r.error());
  }
  if (add_name) {
    proto::RemoteNameRequest add;
    src.child.to_proto(add.mutable_id());
    add.set_add(true);
    add.set_node(d_node);
    dp.to_proto(add.mutable_parent());
    add.set_name(req.dst_name());
    if (auto r = c.peers().call(src_owner, add); !r) return give_up(r.error());
  }
  COMBFS_CRASH_POINT(c, "rename_out.prepared");

  // The commit point: D names the entry.
  auto begun = COMBFS_TRY(c.store().journal_record(seq));
  if (!begun) return error(proto::INTERNAL, fmt::format("journal record {} vanished", seq));
  proto::RemoteInsertDentryResponse inserted;
  if (auto r = c.peers().call(d_node, begun->insert()); r) {
    inserted = std::move(*r);
  } else {
    // An answer from D means it did nothing; without one, ask (and fence).
    proto::RemoteOpAppliedRequest probe;
    probe.set_origin(begun->insert().origin());
    probe.set_op(begun->insert().op());
    probe.set_fence(true);
    auto applied = c.peers().call(d_node, probe);
    if (!applied) return error(r.error());  // undecided: the worker finishes it
    if (!applied->applied()) return give_up(r.error());
    inserted = applied->response();
  }
  COMBFS_CRASH_POINT(c, "rename_out.inserted");
  COMBFS_CHECK(c.store().rename_out_commit(seq, inserted));
  COMBFS_CRASH_POINT(c, "rename_out.committed");
  if (auto done = c.journal().finish(seq); !done)
    spdlog::warn("rename of '{}' to metad {}: steps on other metads failed (the worker retries): {}", req.src_name(),
                 d_node, done.error().to_string());
  return {};
}

}  // namespace

Result<void> rename_local(Cross& c, const proto::RenameRequest& req) {
  return retried([&] { return rename_local_once(c, req); });
}

Result<void> rename_out(Cross& c, const proto::RenameRequest& req) {
  return retried([&] { return rename_out_once(c, req); });
}

}  // namespace combfs::metad::cross
