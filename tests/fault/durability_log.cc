#include "tests/fault/durability_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "tests/harness/data.h"

namespace combfs::test {
namespace {

constexpr const char* kEntryInfoXattr = "user.combfs.entryinfo";

Status bad_line(const std::string& line, const std::string& why) {
  return Status(proto::INVALID_ARGUMENT, "durability log line '" + line + "': " + why);
}

uint64_t digest_of_data(uint64_t seed, uint64_t size) {
  Checksum sum;
  sum.update(make_data(seed, size));
  return sum.digest();
}

// The "entry=<id>" field of the mount's entryinfo attribute ("" when absent).
std::string entry_of(const std::string& path) {
  std::string value(4096, '\0');
  ssize_t n = lgetxattr(path.c_str(), kEntryInfoXattr, value.data(), value.size());
  if (n < 0) return "";
  value.resize(static_cast<size_t>(n));
  std::istringstream fields(value);
  std::string field;
  while (fields >> field)
    if (field.starts_with("entry=")) return field.substr(6);
  return "";
}

}  // namespace

std::string Expected::describe() const {
  switch (kind) {
    case Kind::absent: return "absent";
    case Kind::dir: return "a directory";
    case Kind::file: return "file " + entry;
    case Kind::data:
      return "file " + entry + " with data(seed " + std::to_string(seed) + ", " + std::to_string(size) + " bytes)";
  }
  return "?";
}

std::string Observed::describe() const {
  if (!error.empty()) return "unreadable (" + error + ")";
  if (!exists) return "absent";
  if (dir) return "a directory";
  return "file " + entry + " of " + std::to_string(size) + " bytes";
}

Observed observe_path(const std::string& root, const std::string& path) {
  Observed o;
  std::string full = root + "/" + path;
  struct stat st;
  if (lstat(full.c_str(), &st) != 0) {
    if (errno != ENOENT) o.error = std::string("stat: ") + strerror(errno);
    return o;
  }
  o.exists = true;
  o.dir = S_ISDIR(st.st_mode);
  o.inode = st.st_ino;
  o.entry = entry_of(full);
  if (o.dir) return o;
  std::string err;
  auto data = read_file(full, &err);
  if (!err.empty()) {
    o.error = err;
    return o;
  }
  o.size = data.size();
  Checksum sum;
  sum.update(data);
  o.digest = sum.digest();
  return o;
}

Status DurabilityModel::apply_log(const std::string& text) {
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    Status s = apply(text.substr(start, end - start));
    if (!s.ok()) return s;
  }
  return Status();  // what follows the last newline is a torn line
}

const Expected* DurabilityModel::only_state(const std::string& path) const {
  auto it = paths_.find(path);
  if (it == paths_.end() || it->second.size() != 1 || it->second[0].kind == Expected::Kind::absent) return nullptr;
  return &it->second[0];
}

Status DurabilityModel::apply(const std::string& line) {
  std::istringstream in(line);
  std::string op, a, b;
  in >> op >> a;
  if (op.empty() || a.empty()) return bad_line(line, "expected '<event> <path> ...'");
  auto states = [&](const std::string& path) -> std::vector<Expected>& { return paths_[path]; };
  if (op == "mkdir") {
    states(a) = {{.kind = Expected::Kind::dir}};
  } else if (op == "create") {
    if (!(in >> b)) return bad_line(line, "create needs an entry id");
    if (entries_.contains(b)) return bad_line(line, "entry id " + b + " was already handed out to another file");
    entries_.insert(b);
    states(a) = {{.kind = Expected::Kind::file, .entry = b}};
  } else if (op == "fsync") {
    uint64_t seed = 0, size = 0;
    if (!(in >> seed >> size)) return bad_line(line, "fsync needs a seed and a size");
    const Expected* now = only_state(a);
    if (!now) return bad_line(line, "fsync of a file the log did not create");
    states(a) = {{.kind = Expected::Kind::data, .entry = now->entry, .seed = seed, .size = size}};
  } else if (op == "rename-begin" || op == "link-begin") {
    if (!(in >> b)) return bad_line(line, op + " needs a destination");
    const Expected* moved = only_state(a);
    if (!moved) return bad_line(line, "the source is not in one known state");
    Expected copy = *moved;
    auto& dst = states(b);
    if (dst.empty()) dst.push_back({.kind = Expected::Kind::absent});
    dst.push_back(copy);
    if (op == "rename-begin") {
      states(a).push_back({.kind = Expected::Kind::absent});
      cut_renames_.push_back({a, b, copy});
    }
  } else if (op == "rename") {
    if (!(in >> b)) return bad_line(line, "rename needs a destination");
    auto cut = std::find_if(cut_renames_.begin(), cut_renames_.end(),
                            [&](const CutRename& r) { return r.src == a && r.dst == b; });
    if (cut == cut_renames_.end()) return bad_line(line, "no rename-begin before it");
    states(b) = {cut->moved};
    states(a) = {{.kind = Expected::Kind::absent}};
    cut_renames_.erase(cut);
  } else if (op == "link") {
    if (!(in >> b)) return bad_line(line, "link needs a destination");
    const Expected* target = only_state(a);
    if (!target) return bad_line(line, "the source is not in one known state");
    states(b) = {*target};
    links_.emplace_back(a, b);
  } else if (op == "unlink-begin") {
    states(a).push_back({.kind = Expected::Kind::absent});
  } else if (op == "unlink") {
    states(a) = {{.kind = Expected::Kind::absent}};
    std::erase_if(links_, [&](const auto& l) { return l.first == a || l.second == a; });
  } else if (op == "dirsync") {
    // Every change in the directory was durable when its call returned: the
    // states above already expect it.
  } else {
    return bad_line(line, "unknown event '" + op + "'");
  }
  return Status();
}

bool DurabilityModel::matches(const Expected& e, const Observed& o) {
  if (!o.error.empty()) return false;
  switch (e.kind) {
    case Expected::Kind::absent: return !o.exists;
    case Expected::Kind::dir: return o.exists && o.dir;
    case Expected::Kind::file: return o.exists && !o.dir && (e.entry.empty() || e.entry == o.entry);
    case Expected::Kind::data:
      return o.exists && !o.dir && (e.entry.empty() || e.entry == o.entry) && o.size == e.size &&
             o.digest == digest_of_data(e.seed, e.size);
  }
  return false;
}

std::vector<std::string> DurabilityModel::check(const Observe& observe) const {
  std::vector<std::string> problems;
  std::map<std::string, Observed> seen;
  auto at = [&](const std::string& path) -> const Observed& {
    auto it = seen.find(path);
    if (it == seen.end()) it = seen.emplace(path, observe(path)).first;
    return it->second;
  };
  for (const auto& [path, allowed] : paths_) {
    const Observed& o = at(path);
    if (std::any_of(allowed.begin(), allowed.end(), [&](const Expected& e) { return matches(e, o); })) continue;
    std::string want;
    for (const auto& e : allowed) want += (want.empty() ? "" : " or ") + e.describe();
    problems.push_back(path + ": expected " + want + ", found " + o.describe());
  }
  for (const auto& cut : cut_renames_) {
    bool at_src = matches(cut.moved, at(cut.src)), at_dst = matches(cut.moved, at(cut.dst));
    if (at_src == at_dst)
      problems.push_back("rename " + cut.src + " -> " + cut.dst + " cut by the crash is not all-or-nothing: " +
                         cut.moved.describe() + (at_src ? " is under both names" : " is under neither name"));
  }
  for (const auto& [a, b] : links_) {
    const Observed &x = at(a), &y = at(b);
    if (x.exists && y.exists && x.inode != y.inode)
      problems.push_back("hard link " + a + " and " + b + " are different files (inodes " + std::to_string(x.inode) +
                         " and " + std::to_string(y.inode) + ")");
  }
  return problems;
}

}  // namespace combfs::test
