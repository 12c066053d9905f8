#include "metad/store/inode.h"

#include <sys/stat.h>

#include <charconv>

namespace combfs::metad {

proto::EntryInfo Inode::to_info(uint32_t owner_node, uint32_t open_writers) const {
  proto::EntryInfo info;
  proto::Attr* a = info.mutable_attr();
  id.to_proto(a->mutable_id());
  a->set_type(type);
  a->set_mode(mode);
  a->set_uid(uid);
  a->set_gid(gid);
  a->set_size(size);
  a->set_nlink(nlink);
  a->set_atime_ns(atime_ns);
  a->set_mtime_ns(mtime_ns);
  a->set_ctime_ns(ctime_ns);
  a->set_rdev(rdev);
  a->set_owner_node(owner_node);
  a->set_open_writers(open_writers);
  if (is_dir()) {
    *info.mutable_dir_pattern() = pattern;
    for (const auto& [shard, node] : shards) {
      auto* s = info.add_shards();
      shard.to_proto(s->mutable_id());
      s->set_owner(node);
    }
    // Its subdirectories are counted in the shards: "unknown", like other
    // file systems without exact directory link counts.
    if (!shards.empty()) a->set_nlink(1);
  } else if (is_reg()) {
    *info.mutable_layout()->mutable_pattern() = pattern;
    for (uint32_t t : targets) info.mutable_layout()->add_targets(t);
  }
  return info;
}

proto::FileType file_type_of_mode(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return proto::FT_REG;
    case S_IFDIR: return proto::FT_DIR;
    case S_IFLNK: return proto::FT_SYMLINK;
    case S_IFIFO: return proto::FT_FIFO;
    case S_IFCHR: return proto::FT_CHR;
    case S_IFBLK: return proto::FT_BLK;
    case S_IFSOCK: return proto::FT_SOCK;
    default: return proto::FT_UNKNOWN;
  }
}

std::string format_targets(const std::vector<uint32_t>& targets) {
  std::string out;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (i) out += ',';
    if (targets[i] & kMirrorGroupTag) out += 'g';
    out += std::to_string(targets[i] & ~kMirrorGroupTag);
  }
  return out;
}

std::string format_shards(const std::vector<std::pair<EntryId, uint32_t>>& shards) {
  std::string out;
  for (size_t i = 0; i < shards.size(); ++i) {
    if (i) out += ',';
    out += shards[i].first.to_string() + "@" + std::to_string(shards[i].second);
  }
  return out;
}

std::vector<std::pair<EntryId, uint32_t>> parse_shards(const std::string& text) {
  std::vector<std::pair<EntryId, uint32_t>> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find(',', i);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(i, end - i);
    size_t at = item.find('@');
    if (at != std::string::npos)
      if (auto id = EntryId::parse(item.substr(0, at))) out.emplace_back(*id, static_cast<uint32_t>(std::stoul(item.substr(at + 1))));
    i = end + 1;
  }
  return out;
}

std::vector<uint32_t> parse_targets(const std::string& text) {
  std::vector<uint32_t> out;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    uint32_t tag = 0;
    if (*p == 'g') {
      tag = kMirrorGroupTag;
      ++p;
    }
    uint32_t v = 0;
    auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc()) break;
    out.push_back(v | tag);
    p = next;
    if (p < end && *p == ',') ++p;
  }
  return out;
}

}  // namespace combfs::metad
