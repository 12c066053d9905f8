#include "client/fuse/write_behind.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace combfs::fuse {

WriteBehind::WriteBehind(Limits limits) : limits_(limits), pool_(limits.threads) {}

WriteBehind::~WriteBehind() {
  wait_all();
  pool_.join();
}

bool WriteBehind::may_start(uint64_t inode, size_t size, uint64_t offset) {
  auto it = in_flight_.find(inode);
  if (it == in_flight_.end()) return total_ == 0 || total_ + size <= limits_.total;
  const InFlight& f = it->second;
  const uint64_t end = offset + size;
  bool overlaps = std::any_of(f.ranges.begin(), f.ranges.end(),
                              [&](const Range& r) { return r.begin < end && offset < r.end; });
  // A single write larger than a window still goes, alone.
  return !overlaps && f.bytes + size <= limits_.per_file && total_ + size <= limits_.total;
}

Result<void> WriteBehind::write(Key key, const char* data, size_t size, uint64_t offset, Send send) {
  std::unique_ptr<char[]> copy(new char[size]);
  std::memcpy(copy.get(), data, size);
  Range range{offset, offset + size, 0};
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return errors_.contains(key.handle) || may_start(key.inode, size, offset); });
    if (auto e = errors_.find(key.handle); e != errors_.end()) return std::unexpected(e->second);
    range.seq = ++last_seq_;
    InFlight& f = in_flight_[key.inode];
    f.ranges.push_back(range);
    f.bytes += size;
    total_ += size;
  }
  boost::asio::post(pool_, [this, key, range, copy = std::move(copy), send = std::move(send)] {
    Result<void> sent = send(copy.get(), range.end - range.begin, range.begin);
    finished(key, range, sent);
  });
  return {};
}

void WriteBehind::finished(Key key, Range range, const Result<void>& sent) {
  const size_t size = range.end - range.begin;
  std::lock_guard<std::mutex> guard(mutex_);
  InFlight& f = in_flight_[key.inode];
  auto it = std::find_if(f.ranges.begin(), f.ranges.end(),
                         [&](const Range& r) { return r.seq == range.seq; });
  if (it != f.ranges.end()) f.ranges.erase(it);
  f.bytes -= size;
  total_ -= size;
  if (f.ranges.empty()) in_flight_.erase(key.inode);
  if (!sent) errors_.try_emplace(key.handle, sent.error());
  changed_.notify_all();
}

bool WriteBehind::in_flight_upto(uint64_t inode, uint64_t seq) const {
  auto it = in_flight_.find(inode);
  return it != in_flight_.end() &&
         std::any_of(it->second.ranges.begin(), it->second.ranges.end(), [&](const Range& r) { return r.seq <= seq; });
}

void WriteBehind::wait(uint64_t inode) {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t upto = last_seq_;
  changed_.wait(lock, [&] { return !in_flight_upto(inode, upto); });
}

Result<void> WriteBehind::settle(Key key) {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t upto = last_seq_;
  changed_.wait(lock, [&] { return !in_flight_upto(key.inode, upto); });
  auto e = errors_.find(key.handle);
  if (e == errors_.end()) return {};
  Status status = std::move(e->second);
  errors_.erase(e);
  return std::unexpected(std::move(status));
}

void WriteBehind::wait_all() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return in_flight_.empty(); });
}

}  // namespace combfs::fuse
