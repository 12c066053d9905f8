// The durability log: what a workload on the mount was told had succeeded,
// and the check, after a crash or a power loss, that the file system kept it.
//
// The workload (tests/tools/durability_workload.cc) appends one line after each
// call returns, and a "-begin" line before each call whose effect is atomic but
// may be cut by the crash. Paths are relative to the mount root, without spaces:
//   mkdir <dir>
//   create <path> <entry>          open(O_CREAT|O_EXCL) returned; <entry> is its id
//   fsync <path> <seed> <size>     the file holds make_data(seed, size); fsync returned
//   rename-begin <src> <dst>       rename <src> <dst>
//   unlink-begin <path>            unlink <path>
//   link-begin <src> <dst>         link <src> <dst>
//   dirsync <dir>                  fsync of the directory returned
// A torn last line (the workload was killed while writing it) is ignored.
//
// What the model expects (the durability contract of docs/posix.md): every
// metadata change whose call returned is there; every fsynced file has its
// bytes; a rename is all-or-nothing; a hard link is the same file under both
// names; an entry id belongs to one file only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace combfs::test {

// One acceptable state of a path.
struct Expected {
  enum class Kind { absent, dir, file, data } kind = Kind::absent;  // file: any contents
  std::string entry{};                                             // file, data: its id when known
  uint64_t seed = 0, size = 0;                                     // data: make_data(seed, size)
  bool operator==(const Expected&) const = default;
  std::string describe() const;
};

// What a path holds now.
struct Observed {
  bool exists = false;
  bool dir = false;
  std::string entry{};  // the entry id the mount reports
  uint64_t inode = 0;
  uint64_t size = 0;
  uint64_t digest = 0;  // Checksum of the contents (tests/harness/data.h)
  std::string error{};  // reading failed (EIO...): never a match for data
  std::string describe() const;
};

using Observe = std::function<Observed(const std::string& path)>;

// Observes `path` below `root` through the file system (stat, read, entry id).
Observed observe_path(const std::string& root, const std::string& path);

class DurabilityModel {
 public:
  // Applies every complete line of a log; INVALID_ARGUMENT names a malformed
  // line or one that contradicts the model (a workload bug).
  Status apply_log(const std::string& text);
  Status apply(const std::string& line);

  // Every way the observed tree breaks the contract, one message each.
  std::vector<std::string> check(const Observe& observe) const;

  // Every entry id a client was shown: none may ever be handed out again.
  const std::set<std::string>& entries() const { return entries_; }
  const std::map<std::string, std::vector<Expected>>& paths() const { return paths_; }

 private:
  struct CutRename {
    std::string src, dst;
    Expected moved;  // exactly one of src and dst holds it
  };
  const Expected* only_state(const std::string& path) const;
  static bool matches(const Expected& e, const Observed& o);

  std::map<std::string, std::vector<Expected>> paths_;
  std::vector<CutRename> cut_renames_;
  std::vector<std::pair<std::string, std::string>> links_;  // same inode under both names
  std::set<std::string> entries_;
};

}  // namespace combfs::test
