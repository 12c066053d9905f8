// Test data: reproducible pseudo-random contents, a fast 64-bit checksum and
// POSIX I/O helpers that loop over short reads and writes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace combfs::test {

// Fills `out` with the contents of block `index` of the stream named by `seed`
// (xorshift64*, several GB/s, so generating data never limits a throughput test).
// The same (seed, index) always gives the same bytes; different ones differ.
void fill_block(uint64_t seed, uint64_t index, std::span<char> out);

// `size` bytes made of consecutive `block`-sized blocks of stream `seed`.
std::vector<char> make_data(uint64_t seed, size_t size, size_t block = 1 << 20);

// Streaming 64-bit checksum (xxhash64-style rounds over 4 lanes). Not
// cryptographic: it detects corruption, reordering and truncation.
class Checksum {
 public:
  void update(std::span<const char> data);
  uint64_t digest() const;

 private:
  void round(const unsigned char* p);
  uint64_t lanes_[4] = {0x9E3779B185EBCA87ULL, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL, 0x85EBCA77C2B2AE63ULL};
  unsigned char pending_[32];
  size_t pending_size_ = 0;
  uint64_t total_ = 0;
};

// pwrite/pread the whole buffer at `offset`, looping over short transfers.
// Return 0, or the errno of the failing call (EIO for an unexpected EOF on read).
int write_fully(int fd, std::span<const char> data, uint64_t offset);
int read_fully(int fd, std::span<char> data, uint64_t offset);

// Whole-file helpers; an error becomes a message in *error (when given) and
// an empty/false result.
bool write_file(const std::string& path, std::span<const char> data, std::string* error = nullptr);
std::vector<char> read_file(const std::string& path, std::string* error = nullptr);

// Offset of the first byte where a and b differ (or the shorter length), -1 when equal.
int64_t first_difference(std::span<const char> a, std::span<const char> b);

}  // namespace combfs::test
