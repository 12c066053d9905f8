// The plain Env: every call is the POSIX call it names, nothing remembered.
// Thread-safe; Files may be used from several threads at once (pwrite).
#pragma once

#include "common/env/env.h"

namespace combfs::env {

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<File>> open(const std::string& path, bool create) override;
  Result<void> sync_path(const std::string& path) override;
  Result<void> sync_dir(const std::string& dir) override;
  Result<bool> remove(const std::string& path) override;
  // Writes `path`.tmp, fsyncs it, renames it over `path` and fsyncs the
  // directory. On error the temp file is removed and `path` is untouched.
  Result<void> write_file_durably(const std::string& path, const std::string& contents) override;
  // /proc/sys/kernel/random/boot_id without its newline.
  Result<std::string> boot_id() override;
};

// The directory part of `path` ("." when it has none), for sync_dir.
std::string parent_dir(const std::string& path);

}  // namespace combfs::env
