// The virtual extended attribute "user.combfs.entryinfo" that the FUSE client
// answers for every path (and never lists): it tells fsctl which entry a path
// is, which metad owns it and how to reach the cluster, so fsctl needs no
// mount table and no configuration of its own.
//
// Value: "entry=<EntryId> owner=<node id> mgmtd=<host:port> secret=<secret file>"
// (the secret file path comes last and may contain spaces).
#pragma once

#include <string>

#include "common/entry_id.h"
#include "common/status.h"

namespace combfs::client {

inline constexpr const char* kEntryInfoXattr = "user.combfs.entryinfo";

struct EntryInfoXattr {
  EntryId entry;
  uint32_t owner = 0;       // metad node id
  std::string mgmtd;        // host:port
  std::string secret_file;  // absolute path of the mount's secret file
  bool operator==(const EntryInfoXattr&) const = default;
};

std::string format_entryinfo(const EntryInfoXattr& info);
// INVALID_ARGUMENT when a field is missing or malformed.
Result<EntryInfoXattr> parse_entryinfo(const std::string& text);

}  // namespace combfs::client
