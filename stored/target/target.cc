#include "stored/target/target.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/daemon.h"

namespace combfs::stored {

namespace {

// Reads <target>/write_epoch, moves the epoch on if the machine restarted
// since it was written, and records the epoch with this boot's id (durably:
// an epoch handed out must never come back after another crash).
Result<uint64_t> next_write_epoch(const std::string& path, env::Env& env) {
  const std::string file = path + "/write_epoch";
  const std::string boot = COMBFS_TRY(env.boot_id());
  uint64_t epoch = 0;
  std::string last_boot;
  if (std::ifstream in(file); in) {
    in >> epoch >> last_boot;
    if (!in || epoch == 0)
      return error(proto::IO_ERROR, fmt::format("target '{}': {} is damaged (want '<epoch> <boot id>'); if the "
                                                "machine did not crash, replace it with '1 {}'",
                                                path, file, boot));
  }
  if (epoch == 0) {
    epoch = 1;
  } else if (last_boot != boot) {
    ++epoch;
    spdlog::warn("target '{}': the machine restarted since this target was last opened; writes acknowledged but not "
                 "yet fsynced may be lost, and clients that made such writes learn it at their next fsync or close "
                 "(write epoch now {})",
                 path, epoch);
  }
  if (last_boot != boot) COMBFS_CHECK(env.write_file_durably(file, fmt::format("{} {}\n", epoch, boot)));
  return epoch;
}

}  // namespace

Result<std::shared_ptr<Target>> Target::open(const std::string& dir, env::Env& env) {
  if (dir.empty()) return error(proto::INVALID_ARGUMENT, "empty --target directory");
  std::error_code ec;
  std::string path = std::filesystem::absolute(dir, ec).lexically_normal().string();
  if (ec) return error(proto::INVALID_ARGUMENT, fmt::format("bad target directory '{}': {}", dir, ec.message()));
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  COMBFS_CHECK(make_dirs(path + "/chunks"));
  COMBFS_CHECK(make_dirs(path + "/mirror"));
  auto uuid = load_or_create_uuid(path, "target.uuid");
  if (!uuid)
    return error(uuid.error().code(), fmt::format("cannot set up target '{}': {}; check the directory's permissions", path,
                                                  uuid.error().message()));
  auto epoch = next_write_epoch(path, env);
  if (!epoch) return std::unexpected(epoch.error());
  std::shared_ptr<Target> target(new Target(path, *uuid, *epoch, "chunks"));
  target->mirror_.reset(new Target(path, *uuid, *epoch, "mirror"));
  return target;
}

std::string Target::bucket_dir(const EntryId& file) const {
  return fmt::format("{}/{}/{:02x}", path_, area_, file.lo & 0xff);
}

std::string Target::chunk_path(const EntryId& file) const {
  return fmt::format("{}/{}/{:02x}/{}", path_, area_, file.lo & 0xff, file.to_string());
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
