#include "ctl/context.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <cerrno>
#include <cstring>

#include "common/mgmt_client.h"

namespace combfs::ctl {
namespace {

// The attribute of one path, without following a final symlink.
Result<client::EntryInfoXattr> read_entryinfo(const std::string& path) {
  std::string value(4096, '\0');
  ssize_t n = lgetxattr(path.c_str(), client::kEntryInfoXattr, value.data(), value.size());
  if (n < 0) {
    int err = errno;
    if (err == ENODATA || err == ENOTSUP || err == EPERM)
      return error(proto::INVALID_ARGUMENT,
                   fmt::format("'{}' is not on a combfs mount (it has no {} attribute)", path, client::kEntryInfoXattr));
    return error(status_from_errno(err, fmt::format("cannot read {} of '{}'", client::kEntryInfoXattr, path)));
  }
  value.resize(static_cast<size_t>(n));
  return client::parse_entryinfo(value);
}

}  // namespace

std::pair<std::string, std::string> split_dir(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return {".", p};
  return {slash == 0 ? "/" : p.substr(0, slash), p.substr(slash + 1)};
}

Result<Connection> connect(const std::string& mgmtd_text, const std::string& secret_file) {
  client::ClusterOptions o;
  o.name = "fsctl";
  o.mgmtd = COMBFS_TRY(rpc::Endpoint::parse(mgmtd_text, kDefaultMgmtdPort));
  o.secret = COMBFS_TRY(rpc::load_secret(secret_file));
  o.io_threads = 1;
  o.refresh_interval = std::chrono::milliseconds(60000);  // fsctl lives for seconds
  Connection c;
  c.cluster = COMBFS_TRY(client::Cluster::connect(std::move(o)));
  c.meta = std::make_unique<client::MetaClient>(*c.cluster);
  return c;
}

Result<Connection> connect(const GlobalOptions& g) {
  return connect(g.mgmtd.empty() ? kDefaultMgmtd : g.mgmtd, g.secret_file.empty() ? kDefaultSecretFile : g.secret_file);
}

Result<Located> locate(const std::string& path, const GlobalOptions& g) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return error(status_from_errno(errno, fmt::format("cannot stat '{}'", path)));
  // The kernel refuses user.* attributes on symlinks and special files: ask
  // their directory instead and look the name up.
  bool via_parent = !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
  auto [dir, name] = split_dir(path);
  Located l;
  l.where = COMBFS_TRY(read_entryinfo(via_parent ? dir : path));
  l.conn = COMBFS_TRY(connect(g.mgmtd.empty() ? l.where.mgmtd : g.mgmtd,
                              g.secret_file.empty() ? l.where.secret_file : g.secret_file));
  if (via_parent) {
    l.info = COMBFS_TRY(l.conn.meta->lookup(l.where.owner, l.where.entry, name));
    l.owner = l.info.attr().owner_node() ? l.info.attr().owner_node() : l.where.owner;
  } else {
    l.info = COMBFS_TRY(l.conn.meta->getattr(l.where.owner, l.where.entry));
    l.owner = l.where.owner;
  }
  return l;
}

}  // namespace combfs::ctl
