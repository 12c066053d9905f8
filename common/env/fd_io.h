// System-call helpers shared by the Envs and the undo log: whole writes and
// reads that survive short transfers and EINTR, and the one way an I/O error
// becomes a Status.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace combfs::env {

// IO_ERROR, or NO_SPACE for ENOSPC and EDQUOT. The message names the
// operation, the path, the offset (when given) and strerror(err), and says
// what to look at.
Status io_status(int err, std::string_view op, const std::string& path,
                 std::optional<uint64_t> offset = std::nullopt);

// pwrite(2) of all of `data` at `offset`; `path` only names the file in errors.
Result<void> pwrite_all(int fd, const std::string& path, uint64_t offset, std::span<const char> data);

// write(2) of all of `data` at the descriptor's position (O_APPEND logs).
Result<void> write_all(int fd, const std::string& path, std::span<const char> data);

// pread(2) until `out` is full or the end of the file; returns the bytes read.
Result<size_t> pread_full(int fd, const std::string& path, uint64_t offset, std::span<char> out);

// The size of an open file (fstat).
Result<uint64_t> file_size(int fd, const std::string& path);

// The whole contents of a small file; nullopt when it does not exist.
Result<std::optional<std::string>> read_small_file(const std::string& path);

}  // namespace combfs::env
