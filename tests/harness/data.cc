#include "tests/harness/data.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace combfs::test {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;

uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

uint64_t load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

void fill_block(uint64_t seed, uint64_t index, std::span<char> out) {
  uint64_t s = splitmix(seed ^ splitmix(index + 1));
  if (s == 0) s = 1;
  size_t i = 0;
  for (; i + 8 <= out.size(); i += 8) {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    uint64_t v = s * 0x2545F4914F6CDD1DULL;
    std::memcpy(out.data() + i, &v, 8);
  }
  for (; i < out.size(); ++i) out[i] = static_cast<char>(splitmix(s + i));
}

std::vector<char> make_data(uint64_t seed, size_t size, size_t block) {
  std::vector<char> data(size);
  for (size_t off = 0, index = 0; off < size; off += block, ++index)
    fill_block(seed, index, std::span<char>(data.data() + off, std::min(block, size - off)));
  return data;
}

void Checksum::round(const unsigned char* p) {
  for (int i = 0; i < 4; ++i) lanes_[i] = rotl(lanes_[i] + load64(p + 8 * i) * kPrime2, 31) * kPrime1;
}

void Checksum::update(std::span<const char> data) {
  auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  total_ += n;
  if (pending_size_ > 0) {
    size_t take = std::min(n, sizeof pending_ - pending_size_);
    std::memcpy(pending_ + pending_size_, p, take);
    pending_size_ += take;
    p += take;
    n -= take;
    if (pending_size_ < sizeof pending_) return;
    round(pending_);
    pending_size_ = 0;
  }
  for (; n >= 32; p += 32, n -= 32) round(p);
  std::memcpy(pending_, p, n);
  pending_size_ = n;
}

uint64_t Checksum::digest() const {
  uint64_t h = rotl(lanes_[0], 1) + rotl(lanes_[1], 7) + rotl(lanes_[2], 12) + rotl(lanes_[3], 18);
  h ^= total_ * kPrime1;
  for (size_t i = 0; i < pending_size_; ++i) h = rotl(h ^ (pending_[i] * kPrime2), 11) * kPrime1;
  return splitmix(h);
}

int write_fully(int fd, std::span<const char> data, uint64_t offset) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = pwrite(fd, data.data() + done, data.size() - done, offset + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    done += n;
  }
  return 0;
}

int read_fully(int fd, std::span<char> data, uint64_t offset) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = pread(fd, data.data() + done, data.size() - done, offset + done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;  // the file is shorter than expected
    done += n;
  }
  return 0;
}

bool write_file(const std::string& path, std::span<const char> data, std::string* error) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (error) *error = "open " + path + ": " + strerror(errno);
    return false;
  }
  int err = write_fully(fd, data, 0);
  if (close(fd) != 0 && err == 0) err = errno;
  if (err != 0 && error) *error = "write " + path + ": " + strerror(err);
  return err == 0;
}

std::vector<char> read_file(const std::string& path, std::string* error) {
  std::vector<char> data;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = "open " + path + ": " + strerror(errno);
    return data;
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (error) *error = "read " + path + ": " + strerror(errno);
      data.clear();
      break;
    }
    if (n == 0) break;
    data.insert(data.end(), buf, buf + n);
  }
  close(fd);
  return data;
}

int64_t first_difference(std::span<const char> a, std::span<const char> b) {
  size_t n = std::min(a.size(), b.size());
  auto [ia, ib] = std::mismatch(a.begin(), a.begin() + n, b.begin());
  if (ia != a.begin() + n) return ia - a.begin();
  return a.size() == b.size() ? -1 : static_cast<int64_t>(n);
}

}  // namespace combfs::test
