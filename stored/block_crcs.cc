#include "stored/block_crcs.h"

#include "common/env/fd_io.h"

namespace combfs::stored {
namespace {

// Little-endian on disk whatever the host, so a target moves between machines.
void put_le32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
uint32_t get_le32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

}  // namespace

Result<std::vector<uint32_t>> BlockCrcs::read(uint64_t first, size_t count) const {
  std::vector<char> raw(count * 4);
  const size_t got = COMBFS_TRY(env::pread_full(file_->fd(), file_->path(), first * 4, raw));
  std::vector<uint32_t> entries(count, 0);  // past the end: blocks of zeros
  for (size_t i = 0; i < got / 4; ++i) entries[i] = get_le32(raw.data() + 4 * i);
  return entries;
}

Result<void> BlockCrcs::write(uint64_t first, std::span<const uint32_t> entries) {
  if (entries.empty()) return {};
  std::vector<char> raw(entries.size() * 4);
  for (size_t i = 0; i < entries.size(); ++i) put_le32(raw.data() + 4 * i, entries[i]);
  return file_->write_at(first * 4, raw);
}

Result<void> BlockCrcs::truncate(uint64_t blocks) { return file_->truncate(blocks * 4); }

}  // namespace combfs::stored
