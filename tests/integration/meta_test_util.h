// Helpers of the tests that look at a cluster's metads from outside: which
// metad owns a path, which node id a metad has, and a direct edit of a
// stopped metad's database (to corrupt it on purpose).
#pragma once

#include <string>

#include "client/lib/entryinfo_xattr.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {

// The mount's user.combfs.entryinfo of `path` (entry id and owning metad);
// owner 0 when the attribute cannot be read.
client::EntryInfoXattr entry_of(const std::string& path);

// The node id metad `name` registered as, from its log (0: not found).
uint32_t node_id_of(const TestCluster& cluster, const std::string& name);

// The name ("metad", "metad1", ...) of the metad with node id `node` among
// the first `metads`; empty when none has it.
std::string metad_with_node(const TestCluster& cluster, int metads, uint32_t node);

// Runs `sql` on the database of the stopped metad `name`; empty on success,
// else the SQLite error. Test-only: this is how tests corrupt a namespace.
std::string run_sql(const TestCluster& cluster, const std::string& name, const std::string& sql);

}  // namespace combfs::test
