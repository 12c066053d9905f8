// What every fsctl command needs: the global options, a connection to the
// cluster, and for path commands the entry a path names on a combfs mount.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "client/lib/cluster.h"
#include "client/lib/entryinfo_xattr.h"
#include "client/lib/meta_client.h"

namespace combfs::ctl {

inline constexpr const char* kDefaultMgmtd = "127.0.0.1:8008";
inline constexpr const char* kDefaultSecretFile = "/etc/combfs/secret";

struct GlobalOptions {
  std::string mgmtd;        // --mgmtd; empty: from the path, else kDefaultMgmtd
  std::string secret_file;  // --secret-file; empty: from the path, else kDefaultSecretFile
};

struct Connection {
  std::unique_ptr<client::Cluster> cluster;
  std::unique_ptr<client::MetaClient> meta;
};

// Connects to mgmtd_text with the secret in secret_file.
Result<Connection> connect(const std::string& mgmtd_text, const std::string& secret_file);
// Connects using the global options or the defaults.
Result<Connection> connect(const GlobalOptions& g);

// "a/b/c/" -> {"a/b", "c"}; "c" -> {".", "c"}; "/c" -> {"/", "c"}.
std::pair<std::string, std::string> split_dir(const std::string& path);

// The entry a path on a combfs mount names.
struct Located {
  client::EntryInfoXattr where;  // the mount's answer for the path (or its directory)
  Connection conn;
  proto::EntryInfo info;  // current attributes from the owning metad
  uint32_t owner = 0;     // metad that owns the entry
};

// Reads the user.combfs.entryinfo attribute of `path` (for a symlink or a
// special file, of its directory plus a lookup of the name: the kernel keeps
// user.* attributes off those), connects (global options override what the
// mount says) and fetches the entry's info from its owner.
Result<Located> locate(const std::string& path, const GlobalOptions& g);

}  // namespace combfs::ctl
