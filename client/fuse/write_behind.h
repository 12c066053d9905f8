// Write-behind for writes through the page cache.
//
// Without FUSE's writeback cache the kernel sends one WRITE per write(2) and
// holds the inode lock until we reply, so a writer through the page cache
// (an O_RDWR open, as fio and most applications make) waits for every 1 MiB
// to reach its target before it may send the next: one target busy at a
// time, a fraction of what the targets take in parallel. Here a WRITE is
// copied, answered at once and sent by a small pool of threads; several
// writes of one file are then on their way to different targets together.
//
// The rules that keep it safe (docs/architecture.md, "Write-behind"):
//   - a file has at most `per_file` bytes in flight, the mount `total`;
//   - a write never overtakes an earlier one it overlaps (it waits for it);
//   - anything that reads data or size, truncates, locks or closes first
//     waits for the inode's writes (wait()); flush and fsync also collect
//     the first error a handle's writes met (settle()), and after an error
//     the handle's further writes fail until it is collected, as NFS does.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/rpc/asio.h"
#include "common/status.h"

namespace combfs::fuse {

class WriteBehind {
 public:
  struct Limits {
    size_t threads = 8;
    size_t per_file = size_t{16} << 20;
    size_t total = size_t{256} << 20;
  };
  // Which file (the inode: waits are per inode) and which open handle (errors
  // are reported to the handle whose write failed).
  struct Key {
    uint64_t inode = 0;
    uint64_t handle = 0;
  };
  // Sends one write to the targets; runs on a pool thread.
  using Send = std::function<Result<void>(const char* data, size_t size, uint64_t offset)>;

  explicit WriteBehind(Limits limits);
  ~WriteBehind();  // waits for every write in flight
  WriteBehind(const WriteBehind&) = delete;
  WriteBehind& operator=(const WriteBehind&) = delete;

  // Copies the data and queues it; waits while the windows are full or an
  // overlapping write is in flight. Fails with the handle's uncollected error.
  Result<void> write(Key key, const char* data, size_t size, uint64_t offset, Send send);
  // Returns once the inode's writes queued before this call have been sent
  // (later ones, of a writer that keeps writing, do not hold it up).
  void wait(uint64_t inode);
  // wait(), then hands out (and forgets) the handle's first error.
  Result<void> settle(Key key);
  // Returns once no write of any inode is in flight.
  void wait_all();

 private:
  struct Range {
    uint64_t begin;
    uint64_t end;
    uint64_t seq;  // order of queueing, mount-wide
  };
  struct InFlight {
    std::vector<Range> ranges;
    size_t bytes = 0;
  };
  bool may_start(uint64_t inode, size_t size, uint64_t offset);
  // Whether a write of the inode queued at or before `seq` is still in flight.
  bool in_flight_upto(uint64_t inode, uint64_t seq) const;
  void finished(Key key, Range range, const Result<void>& sent);

  const Limits limits_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::unordered_map<uint64_t, InFlight> in_flight_;  // by inode; GUARDED_BY(mutex_)
  std::unordered_map<uint64_t, Status> errors_;       // by handle; GUARDED_BY(mutex_)
  size_t total_ = 0;                                  // GUARDED_BY(mutex_)
  uint64_t last_seq_ = 0;                             // GUARDED_BY(mutex_)
  boost::asio::thread_pool pool_;
};

}  // namespace combfs::fuse
