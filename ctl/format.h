// Text conventions of fsctl: sizes in and out, names of states. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "proto/meta.pb.h"
#include "proto/mgmt.pb.h"

namespace combfs::ctl {

// "512K", "1M", "4m", "1MiB", "2G", "1048576" -> bytes (binary units).
// INVALID_ARGUMENT names the text and the accepted forms.
Result<uint64_t> parse_size(const std::string& text);

// Exact size with the largest binary unit that divides it: 524288 -> "512K",
// 1048576 -> "1M", 1000 -> "1000".
std::string format_exact_size(uint64_t bytes);

// Rounded human-readable size like df -h: "0B", "900B", "1.5K", "12G".
std::string format_human_size(uint64_t bytes);

const char* reach_name(proto::Reachability r);       // online, probably-offline, offline
const char* consistency_name(proto::Consistency c);  // good, needs-resync, bad
const char* node_type_name(proto::NodeType t);       // mgmtd, metad, stored
const char* file_type_name(proto::FileType t);       // file, directory, symlink, other
const char* pattern_name(proto::PatternType t);      // raid0, buddymirror

// The metads of a hashed directory's shards, in shard order: "metad 1, 2, 3, 1".
std::string shard_nodes(const proto::EntryInfo& info);

}  // namespace combfs::ctl
