#include "client/lib/resolve.h"

#include <fmt/format.h>

#include "client/lib/files.h"

namespace combfs::client {
namespace {

constexpr int kMaxSymlinks = 40;

}  // namespace

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

Result<Resolved> resolve(MetaClient& meta, const std::string& path, bool follow_last) {
  // `stack` holds the directories from the root to the current one, so ".."
  // needs no lookup; `todo` the components still to walk, last first.
  std::vector<Node> stack{Node{EntryId::root(), 0}};
  auto parts = split_path(path);
  std::vector<std::string> todo(parts.rbegin(), parts.rend());
  int links = 0;
  Resolved out;
  out.parent = stack.back();
  out.node = stack.back();
  out.info = COMBFS_TRY(meta.getattr(0, EntryId::root()));

  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    bool last = todo.empty();
    if (name == ".") {
      if (last) {
        out.parent = stack.size() > 1 ? stack[stack.size() - 2] : stack.back();
        out.node = stack.back();
        out.info = COMBFS_TRY(meta.getattr(out.node.owner, out.node.id));
      }
      continue;
    }
    if (name == "..") {
      if (stack.size() > 1) stack.pop_back();
      if (last) {
        out.parent = stack.size() > 1 ? stack[stack.size() - 2] : stack.back();
        out.node = stack.back();
        out.info = COMBFS_TRY(meta.getattr(out.node.owner, out.node.id));
      }
      continue;
    }
    Node dir = stack.back();
    auto info = meta.lookup(dir.owner, dir.id, name);
    if (!info) {
      if (last && info.error().code() == proto::META_NOT_FOUND) {
        out.parent = dir;
        out.name = name;
        out.node = Node{};
        out.info.reset();
        return out;
      }
      return error(info.error());
    }
    Node node{EntryId::from_proto(info->attr().id()), owner_of(*info, dir.owner)};
    if (info->attr().type() == proto::FT_SYMLINK && (!last || follow_last)) {
      if (++links > kMaxSymlinks)
        return error(proto::META_INVALID, fmt::format("too many levels of symbolic links in '{}'", path));
      auto target = COMBFS_TRY(meta.readlink(node.owner, node.id));
      if (!target.empty() && target[0] == '/') stack.resize(1);
      auto more = split_path(target);
      todo.insert(todo.end(), more.rbegin(), more.rend());
      continue;
    }
    if (last) {
      out.parent = dir;
      out.name = name;
      out.node = node;
      out.info = std::move(*info);
      return out;
    }
    if (info->attr().type() != proto::FT_DIR)
      return error(proto::META_NOT_DIR, fmt::format("'{}' in '{}' is not a directory", name, path));
    stack.push_back(node);
  }
  // Ended on the root, ".", ".." or a followed symlink.
  if (out.info && out.node.id == stack.back().id) return out;
  out.node = stack.back();
  out.parent = stack.size() > 1 ? stack[stack.size() - 2] : stack.back();
  out.info = COMBFS_TRY(meta.getattr(out.node.owner, out.node.id));
  return out;
}

}  // namespace combfs::client
