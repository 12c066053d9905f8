// rmdir of a directory stored on another metad: journal the intent here,
// have the directory's metad check it empty and refuse new entries
// (PREPARE_REMOVE), remove the name here, then delete the directory. A crash
// before the name goes cancels the removal; after it, recovery deletes.
#include <spdlog/spdlog.h>

#include "metad/cross/ops_common.h"

namespace combfs::metad::cross {

Result<void> rmdir(Cross& c, EntryId parent, const std::string& name) {
  int64_t seq = 0;
  proto::MetaJournalRecord record = COMBFS_TRY(c.store().rmdir_begin(parent, name, &seq));
  JournalRunner::Claim claim(c.journal(), seq);
  COMBFS_CRASH_POINT(c, "rmdir.begun");

  const EntryId child = EntryId::from_proto(record.child());
  proto::RemoteDirStateRequest prepare;
  child.to_proto(prepare.mutable_id());
  prepare.set_action(proto::REMOTE_DIR_PREPARE_REMOVE);
  auto prepared = c.peers().call(record.child_owner(), prepare);
  if (!prepared && prepared.error().code() == proto::META_NOT_FOUND) {
    // The name outlived its directory (damage): removing the name repairs it.
    spdlog::warn("rmdir '{}' in {}: directory {} is missing on metad {}; removing the dangling name", name,
                 parent.to_string(), child.to_string(), record.child_owner());
  } else if (!prepared) {
    (void)c.journal().finish(seq);
    return error(prepared.error());
  }
  COMBFS_CRASH_POINT(c, "rmdir.prepared");

  if (auto committed = c.store().rmdir_commit(seq); !committed) {
    (void)c.journal().finish(seq);
    return error(committed.error());
  }
  COMBFS_CRASH_POINT(c, "rmdir.committed");
  if (auto done = c.journal().finish(seq); !done)
    spdlog::warn("rmdir '{}': cannot delete directory {} on metad {} yet (the worker retries): {}", name,
                 child.to_string(), record.child_owner(), done.error().to_string());
  return {};
}

}  // namespace combfs::metad::cross
