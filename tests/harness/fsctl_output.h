// Parsers for the fsctl output tests look at, and where chunk files live on a
// target, so tests can check placement against the striping rules directly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace combfs::test {

// `fsctl getentryinfo PATH`:
//   EntryID: 00000001-0000000000000002
//   Type: file
//   Owner: metad 1 (127.0.0.1:8005)
//   Stripe pattern: raid0
//   Chunk size: 1M
//   Number of targets: 4
//   Targets: 3 1 4 2
//   Open writers: 0          (files with targets only)
struct EntryInfo {
  std::string entry_id;
  std::string type;
  std::string pattern;
  uint64_t chunk_size = 0;  // bytes
  uint32_t num_targets = 0;
  std::vector<uint32_t> targets;  // in stripe order (a buddymirror file: the primaries)
  std::optional<uint32_t> open_writers;
  // buddymirror files only: "Mirror groups" and "Secondary targets".
  std::vector<uint32_t> mirror_groups;
  std::vector<uint32_t> secondaries;
};
// Fails (nullopt) unless every field above but "Open writers" and the mirror
// fields is present and well formed.
std::optional<EntryInfo> parse_entry_info(const std::string& text);

// "1M", "512K", "1G" or a plain number of bytes; 0 when malformed.
uint64_t parse_size(const std::string& text);

// `fsctl listtargets` rows "TARGET NODE STATE CONSISTENCY FREE TOTAL PATH":
// target id -> PATH (the last column). The header line is skipped.
std::map<uint32_t, std::string> parse_target_paths(const std::string& text);

// `<target_dir>/<area>/<last 2 hex digits>/<entry_id>`; area "mirror" for
// chunk files of buddy-mirrored files.
std::string chunk_file_path(const std::string& target_dir, const std::string& entry_id,
                            const std::string& area = "chunks");

}  // namespace combfs::test
