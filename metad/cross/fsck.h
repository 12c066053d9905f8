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
//     left unfinished ("no half-done operation").
// Pure, so tests can check a namespace after any crash point.
#pragma once

#include <string>
#include <vector>

#include "metad/store/store.h"

namespace combfs::metad {

// One line per problem found, naming the metad, the entry and what is wrong;
// empty when the namespace is consistent.
std::vector<std::string> check_namespace(const std::vector<MetaStore::Snapshot>& metads, uint32_t root_owner);

}  // namespace combfs::metad
