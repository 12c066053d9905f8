// The invariants that the metads keep together (docs/metadata.md), checked
// over a snapshot of every metad's rows:
//   - every name leads to an inode of the named type on the metad its dentry
//     records ("no entry visible without its inode");
//   - every inode but the root is named: a directory exactly once, from the
//     directory and metad its ".." records; a file as often as its link count
//     says, names on other metads matching its remote-name rows one to one
//     (unless it is an orphan kept open); nothing else ("no leaked inode");
//   - a directory's link count is 2 + its subdirectories; its entries live on
//     its own metad;
//   - no directory is left pending or being removed, and no journal record is
//     left unfinished ("no half-done operation");
//   - a hashed directory keeps no names itself; each of its shards is a
//     directory of its own, listed once, unnamed, with ".." = the hashed
//     directory, and holds exactly the names that hash to it (dir_hash.h).
// Pure, so tests can check a namespace after any crash point.
#pragma once

#include <string>
#include <vector>

#include "metad/store/store.h"

namespace combfs::metad {

// One line per problem found, naming the metad, the entry and what is wrong;
// empty when the namespace is consistent.
std::vector<std::string> check_namespace(const std::vector<MetaStore::Snapshot>& metads, uint32_t root_owner);

// The problems and, for those that have one, the repair that makes the rows
// agree again (MetaRepair.problem is the problem's line):
//   - a name whose entry does not exist: the name goes;
//   - a wrong link count: set to what the names say;
//   - a directory named once but whose ".." says otherwise: ".." follows the name;
//   - a remote-name row without its name: the row goes; a name on another
//     metad without its row: the row is added.
// Leaked inodes, type mismatches, entries stored twice and unfinished
// operations have no automatic repair: they need a person (or, for journal
// records, a running metad) to decide.
struct FsckReport {
  std::vector<std::string> problems;
  std::vector<proto::MetaRepair> repairs;
};
FsckReport check_namespace_with_repairs(const std::vector<MetaStore::Snapshot>& metads, uint32_t root_owner);

}  // namespace combfs::metad
