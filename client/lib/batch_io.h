// Many reads and writes at once (libcombfs's batch API, in the spirit of 3FS
// USRBIO): every I/O is split by chunk, and the pieces of all I/Os go out
// together, a bounded number per storage endpoint at a time, each on its own
// connection, driven from the calling thread (RpcClient::run_batch). Each I/O
// gets its own result; one failing I/O does not fail the others.
#pragma once

#include <span>

#include "client/lib/data_path.h"

namespace combfs::client {

struct BatchIo {
  const EntryId* file = nullptr;
  const proto::Layout* layout = nullptr;
  bool write = false;
  uint64_t offset = 0;
  size_t length = 0;
  char* buf = nullptr;  // read into / written from; untouched after run_batch_io returns
  WriteEpochs* epochs = nullptr;  // a write's open file: records the targets' write epochs
  ChunkCover* cover = nullptr;    // a write's open file: its chunk files known to exist (chunk_cover.h)
  // Bytes read (fewer than length only at the end of the file) or written
  // (always length), or what failed.
  Result<size_t> result = std::unexpected(Status(proto::INTERNAL, "I/O not run"));
};

struct BatchLimits {
  size_t per_endpoint = 8;  // requests in flight to one stored at a time
};

// Runs every I/O; returns when all are finished. A piece that fails with a
// retryable error (a target restarting) has its whole I/O redone through
// DataPath, which retries for its retry window.
void run_batch_io(Cluster& cluster, DataPath& data, std::span<BatchIo> ios, BatchLimits limits = {});

}  // namespace combfs::client
