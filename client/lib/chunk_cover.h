// How far an open file's handle knows that the chunk files the missing-chunk
// rule requires exist (client/lib/data_plan.h, docs/mirroring.md): every
// chunk file that a file of end() bytes requires was created. It starts at
// the size metad reported at open (true for a file whose writers all kept the
// rule; truncating never deletes a chunk file) and grows with this handle's
// writes. A write that reaches past it first creates the chunk files its new
// end requires (an empty WriteChunk), so a sequential writer pays nothing and
// a sparse write pays one round, once.
//
// Thread-safe: a stale end() only costs a creation that was not needed.
#pragma once

#include <atomic>
#include <cstdint>

namespace combfs::client {

class ChunkCover {
 public:
  explicit ChunkCover(uint64_t end = 0) : end_(end) {}
  uint64_t end() const { return end_.load(std::memory_order_acquire); }
  void extend(uint64_t end) {
    uint64_t cur = end_.load(std::memory_order_relaxed);
    while (end > cur && !end_.compare_exchange_weak(cur, end, std::memory_order_acq_rel)) {
    }
  }

 private:
  std::atomic<uint64_t> end_;
};

}  // namespace combfs::client
