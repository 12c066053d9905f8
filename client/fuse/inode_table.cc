#include "client/fuse/inode_table.h"

namespace combfs::fuse {

InodeTable::InodeTable() {
  by_ino_[kRootIno] = Slot{Inode{EntryId::root(), 0, nullptr}, 1};
  by_id_[EntryId::root()] = kRootIno;
}

uint64_t InodeTable::remember(const EntryId& id, uint32_t owner) {
  std::lock_guard lock(mutex_);
  if (auto it = by_id_.find(id); it != by_id_.end()) {
    auto& slot = by_ino_.at(it->second);
    if (it->second != kRootIno) {
      ++slot.nlookup;
      if (owner) slot.inode.owner = owner;
    }
    return it->second;
  }
  uint64_t ino = next_ino_++;
  by_ino_[ino] = Slot{Inode{id, owner, nullptr}, 1};
  by_id_[id] = ino;
  return ino;
}

void InodeTable::forget(uint64_t ino, uint64_t nlookup) {
  if (ino == kRootIno) return;
  std::lock_guard lock(mutex_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return;
  if (it->second.nlookup > nlookup) {
    it->second.nlookup -= nlookup;
    return;
  }
  by_id_.erase(it->second.inode.id);
  by_ino_.erase(it);
}

std::optional<Inode> InodeTable::get(uint64_t ino) const {
  std::lock_guard lock(mutex_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return std::nullopt;
  return it->second.inode;
}

void InodeTable::set_layout(uint64_t ino, const proto::Layout& layout) {
  std::lock_guard lock(mutex_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end() || it->second.inode.layout) return;
  it->second.inode.layout = std::make_shared<const proto::Layout>(layout);
}

size_t InodeTable::size() const {
  std::lock_guard lock(mutex_);
  return by_ino_.size();
}

uint64_t InodeTable::lookups(uint64_t ino) const {
  std::lock_guard lock(mutex_);
  auto it = by_ino_.find(ino);
  return it == by_ino_.end() ? 0 : it->second.nlookup;
}

}  // namespace combfs::fuse
