// One open chunk file of ChunkStore's cache (private to chunk_store*.cc).
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>

#include "common/env/env.h"
#include "stored/block_crcs.h"
#include "stored/chunk_store.h"

namespace combfs::stored {

struct ChunkFile {
  ChunkFile(std::unique_ptr<env::File> file, std::unique_ptr<BlockCrcs> crcs, std::shared_mutex& lock)
      : file(std::move(file)), fd(this->file->fd()), crcs(std::move(crcs)), lock(lock) {}
  const std::unique_ptr<env::File> file;
  const int fd;  // for reads
  // The checksum sidecar; null for a chunk file written before checksums
  // existed (nothing to verify, nothing kept).
  const std::unique_ptr<BlockCrcs> crcs;
  // Writes and truncates hold it exclusively, reads shared: a reader never
  // sees a block's new data with its old CRC. One of ChunkStore's striped
  // locks, chosen by path: an evicted ChunkFile still in use and its
  // successor for the same path must share it.
  std::shared_mutex& lock;
  // Whether the directory entries leading to this file are known durable.
  // False for every freshly opened descriptor: we cannot tell whether an
  // earlier descriptor (since evicted) created the file without syncing them.
  std::atomic<bool> dirs_synced{false};
};

}  // namespace combfs::stored
