#include "stored/target/target.h"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/daemon.h"

namespace combfs::stored {

Result<std::shared_ptr<Target>> Target::open(const std::string& dir) {
  if (dir.empty()) return error(proto::INVALID_ARGUMENT, "empty --target directory");
  std::error_code ec;
  std::string path = std::filesystem::absolute(dir, ec).lexically_normal().string();
  if (ec) return error(proto::INVALID_ARGUMENT, fmt::format("bad target directory '{}': {}", dir, ec.message()));
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  COMBFS_CHECK(make_dirs(path + "/chunks"));
  auto uuid = load_or_create_uuid(path, "target.uuid");
  if (!uuid)
    return error(uuid.error().code(), fmt::format("cannot set up target '{}': {}; check the directory's permissions", path,
                                                  uuid.error().message()));
  return std::shared_ptr<Target>(new Target(path, *uuid));
}

std::string Target::bucket_dir(const EntryId& file) const {
  return fmt::format("{}/chunks/{:02x}", path_, file.lo & 0xff);
}

std::string Target::chunk_path(const EntryId& file) const {
  return fmt::format("{}/chunks/{:02x}/{}", path_, file.lo & 0xff, file.to_string());
}

Result<Capacity> Target::capacity() const {
  struct statvfs st;
  if (::statvfs(path_.c_str(), &st) != 0)
    return error(proto::IO_ERROR, fmt::format("statvfs of target '{}' failed: {}", path_, std::strerror(errno)));
  Capacity cap;
  cap.total_bytes = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
  cap.free_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  return cap;
}

}  // namespace combfs::stored
