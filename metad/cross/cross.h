// Operations whose names and inodes live on different metads (docs/metadata.md):
// what a request handler needs for them (Cross) and the operations themselves,
// each a sequence of store transactions and Remote* calls in the order that
// survives a crash at any step. metad/ops/ calls them when the store says a
// request is not local (META_NOT_OWNER) or placement chose another metad.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "metad/cross/dir_placement.h"
#include "metad/cross/journal_runner.h"
#include "metad/cross/migration_gate.h"
#include "metad/cross/peers.h"
#include "metad/cross/request_keys.h"

namespace combfs::metad {

struct CrossOptions {
  rpc::RpcClient* rpc = nullptr;  // null: this metad talks only to itself (tests)
  DirPolicy dir_policy = DirPolicy::balanced;
  // Request threads that may wait for other metads at once. Keep it below
  // the number of request threads: the rest serve the Remote* requests of
  // other metads, so two metads waiting for each other never deadlock.
  int max_waiting = 3;
  std::chrono::milliseconds peer_timeout{10000};
  // Tests: called at each named crash point of the operations below; true
  // stops the operation there as if the process died (its journal record
  // stays for recovery).
  std::function<bool(std::string_view)> crash_point;
};

class Cross {
 public:
  Cross(MetaStore& store, ClusterMapSource map, ClusterMapSource fresh_map, CrossOptions options, uint64_t seed);

  MetaStore& store() { return store_; }
  Peers& peers() { return peers_; }
  JournalRunner& journal() { return journal_; }
  DirPlacement& placement() { return placement_; }
  // Entries a running migration has frozen (metad/cross/migrate.cc).
  MigrationGate& gate() { return gate_; }
  // Whether a file has byte-range locks (such files do not move); set by MetaService.
  std::function<bool(const EntryId&)> has_locks;
  const ClusterMapSource& map() const { return map_; }
  uint32_t self() const { return store_.node_id(); }

  // A request thread may wait for other metads while the Slot lives.
  class Slot {
   public:
    explicit Slot(std::atomic<int>& n) : n_(&n) {}
    Slot(Slot&& o) noexcept : n_(o.n_) { o.n_ = nullptr; }
    Slot(const Slot&) = delete;
    ~Slot() {
      if (n_) n_->fetch_sub(1);
    }

   private:
    std::atomic<int>* n_;
  };
  // nullopt when max_waiting threads wait already.
  std::optional<Slot> try_slot();
  // UNAVAILABLE ("busy, retry") for a request that cannot get a slot.
  static Status busy();

  // True when the test crash point `point` fires.
  bool crash_at(std::string_view point);

  // Runs the records a store call wrote (JournalSeqs) now when a slot is
  // free, else leaves them to the worker. Failures are logged: the records
  // stay and the worker retries.
  void run_followups(const std::vector<int64_t>& seqs);

 private:
  MetaStore& store_;
  ClusterMapSource map_;
  CrossOptions options_;
  Peers peers_;
  JournalRunner journal_;
  DirPlacement placement_;
  MigrationGate gate_;
  std::atomic<int> waiting_{0};
};

namespace cross {

// mkdir of req.name in req.parent (here) as a directory stored on metad
// `node`; a hashed directory with one shard on each of `shard_nodes`.
Result<proto::EntryInfo> mkdir(Cross& c, const proto::MkDirRequest& req, uint32_t node,
                               const std::vector<uint32_t>& shard_nodes = {});
// rmdir of a name here that names a directory stored on another metad, or a
// hashed directory (its shards are checked empty and removed with it).
Result<void> rmdir(Cross& c, EntryId parent, const std::string& name);
// Hashed directories (docs/metadata.md): INVALID_ARGUMENT unless 2 <= count
// <= kMaxShards (client/lib/dir_hash.h: the merged readdir cookie has room
// for that many).
inline constexpr uint32_t kMaxShards = 64;
Result<void> check_shard_count(uint32_t count);
// fsctl sethash: empty directory `dir` (here) becomes hashed with one shard
// on each of `shard_nodes`.
Result<proto::EntryInfo> sethash(Cross& c, EntryId dir, const std::vector<uint32_t>& shard_nodes);
// Rename whose names are both here but that needs other metads before it can commit.
Result<void> rename_local(Cross& c, const proto::RenameRequest& req);
// Rename from a directory here into one on metad req.dst_owner.
Result<void> rename_out(Cross& c, const proto::RenameRequest& req);
// A new name here for a file stored on metad req.owner.
Result<proto::EntryInfo> link(Cross& c, const proto::LinkRequest& req);
// Moves directory req.dir (here) with its entries and its files to metad
// req.to (docs/metadata.md "Migration"); the answer lists its subdirectories.
Result<proto::MigrateDirResponse> migrate_dir(Cross& c, const proto::MigrateDirRequest& req);
// Whether a request about `keys` may run here: META_NOT_OWNER with the new
// owner (Status::redirect_node) when its first key moved away, UNAVAILABLE
// while a migration has one of them frozen. gate: null without peers.
Result<MigrationGate::Pass> admit(MetaStore& store, MigrationGate* gate, const Keys& keys);
// Whether directory `dir` (stored on dir_owner) is `ancestor` or inside it,
// following ".." across metads.
Result<bool> dir_inside(Cross& c, EntryId dir, uint32_t dir_owner, EntryId ancestor);

}  // namespace cross
}  // namespace combfs::metad
