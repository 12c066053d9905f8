// libcombfs's public API (client/include/combfs/client.h) on top of the
// internal pieces: Cluster, MetaClient, DataPath, Files, resolve().
#include "combfs/client.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/lib/batch_io.h"
#include "client/lib/cluster.h"
#include "client/lib/files.h"
#include "client/lib/lease.h"
#include "client/lib/resolve.h"
#include "common/daemon.h"
#include "common/mgmt_client.h"

namespace combfs {
namespace {

uint32_t type_bits(proto::FileType t) {
  switch (t) {
    case proto::FT_REG: return S_IFREG;
    case proto::FT_DIR: return S_IFDIR;
    case proto::FT_SYMLINK: return S_IFLNK;
    case proto::FT_FIFO: return S_IFIFO;
    case proto::FT_CHR: return S_IFCHR;
    case proto::FT_BLK: return S_IFBLK;
    case proto::FT_SOCK: return S_IFSOCK;
    default: return 0;
  }
}

Stat to_stat(const proto::EntryInfo& info) {
  const auto& a = info.attr();
  Stat s;
  s.id = EntryId::from_proto(a.id());
  s.mode = a.mode();
  if ((s.mode & S_IFMT) == 0) s.mode |= type_bits(a.type());
  s.uid = a.uid();
  s.gid = a.gid();
  s.nlink = a.nlink();
  s.size = a.size();
  s.atime_ns = a.atime_ns();
  s.mtime_ns = a.mtime_ns();
  s.ctime_ns = a.ctime_ns();
  s.owner_node = a.owner_node();
  return s;
}

Result<client::Resolved> existing(client::MetaClient& meta, const std::string& path, bool follow_last) {
  auto r = COMBFS_TRY(client::resolve(meta, path, follow_last));
  if (!r.info) return error(proto::META_NOT_FOUND, fmt::format("'{}' does not exist", path));
  return r;
}

Result<client::Resolved> missing(client::MetaClient& meta, const std::string& path) {
  auto r = COMBFS_TRY(client::resolve(meta, path, false));
  if (r.info) return error(proto::META_EXISTS, fmt::format("'{}' already exists", path));
  return r;
}

}  // namespace

Result<std::unique_ptr<Client>> Client::connect(const std::string& mgmtd, const std::string& secret_file) {
  client::ClusterOptions options;
  options.name = "libcombfs";
  options.mgmtd = COMBFS_TRY(rpc::Endpoint::parse(mgmtd, kDefaultMgmtdPort));
  options.secret = COMBFS_TRY(rpc::load_secret(secret_file));
  std::unique_ptr<Client> c(new Client());
  c->cluster_ = COMBFS_TRY(client::Cluster::connect(std::move(options)));
  c->meta_ = std::make_unique<client::MetaClient>(*c->cluster_);
  c->data_ = std::make_unique<client::DataPath>(*c->cluster_);
  c->lease_ = std::make_unique<client::LeaseKeeper>(*c->cluster_, client::new_client_id());
  c->files_ = std::make_unique<client::Files>(*c->meta_, *c->data_, *c->lease_);
  return c;
}

Client::~Client() = default;

Result<std::unique_ptr<File>> Client::open(const std::string& path, int flags, uint32_t mode) {
  bool for_write = (flags & O_ACCMODE) != O_RDONLY;
  bool truncate = (flags & O_TRUNC) != 0;
  auto r = COMBFS_TRY(client::resolve(*meta_, path, true));
  proto::EntryInfo info;
  std::unique_ptr<client::OpenFile> f;
  if (!r.info) {
    if (!(flags & O_CREAT)) return error(proto::META_NOT_FOUND, fmt::format("'{}' does not exist", path));
    // The library's callers pass the final mode (umask 0), as with MkDir below.
    f = COMBFS_TRY(files_->create(r.parent.owner, r.parent.id, r.name, mode, {geteuid(), getegid(), 0},
                                  (flags & O_EXCL) != 0, for_write, truncate, &info));
  } else {
    if ((flags & O_CREAT) && (flags & O_EXCL))
      return error(proto::META_EXISTS, fmt::format("'{}' already exists", path));
    if (r.info->attr().type() == proto::FT_DIR && for_write)
      return error(proto::META_IS_DIR, fmt::format("'{}' is a directory", path));
    f = COMBFS_TRY(files_->open(r.node.owner, r.node.id, for_write, truncate, &info));
  }
  return std::unique_ptr<File>(new File(*this, std::move(f)));
}

Result<Stat> Client::stat(const std::string& path) {
  auto r = COMBFS_TRY(existing(*meta_, path, true));
  return to_stat(COMBFS_TRY(files_->live_size(std::move(*r.info))));
}

Result<void> Client::mkdir(const std::string& path, uint32_t mode) {
  auto r = COMBFS_TRY(missing(*meta_, path));
  proto::MkDirRequest req;
  r.parent.id.to_proto(req.mutable_parent());
  req.set_name(r.name);
  req.set_mode((mode & 07777) | S_IFDIR);
  req.set_uid(geteuid());
  req.set_gid(getegid());
  COMBFS_CHECK(meta_->mkdir(r.parent.owner, req));
  return {};
}

Result<void> Client::unlink(const std::string& path) {
  auto r = COMBFS_TRY(existing(*meta_, path, false));
  return meta_->unlink(r.parent.owner, r.parent.id, r.name);
}

Result<void> Client::rmdir(const std::string& path) {
  auto r = COMBFS_TRY(existing(*meta_, path, false));
  if (r.name.empty()) return error(proto::META_BUSY, "cannot remove the root directory");
  return meta_->rmdir(r.parent.owner, r.parent.id, r.name);
}

Result<std::vector<DirEntry>> Client::readdir(const std::string& path) {
  auto r = COMBFS_TRY(existing(*meta_, path, true));
  if (r.info->attr().type() != proto::FT_DIR)
    return error(proto::META_NOT_DIR, fmt::format("'{}' is not a directory", path));
  std::vector<DirEntry> out;
  uint64_t cookie = 0;
  for (;;) {
    auto batch = COMBFS_TRY(meta_->readdir(r.node.owner, r.node.id, cookie, 1024, false));
    for (const auto& e : batch.entries()) {
      out.push_back(DirEntry{e.name(), EntryId::from_proto(e.id()), type_bits(e.type())});
      cookie = e.cookie();
    }
    if (batch.eof() || batch.entries_size() == 0) break;
  }
  return out;
}

void Client::submit(std::span<Io> ios) {
  std::vector<client::BatchIo> batch;
  std::vector<size_t> index;  // batch[j] is ios[index[j]]
  for (size_t i = 0; i < ios.size(); ++i) {
    Io& io = ios[i];
    if (!io.file || !io.file->file_) {
      io.result = error(proto::INVALID_ARGUMENT, "I/O on a closed file (or none): open it first");
      continue;
    }
    if (!io.buf && io.length > 0) {
      io.result = error(proto::INVALID_ARGUMENT, "I/O without a buffer: set buf");
      continue;
    }
    client::OpenFile& f = *io.file->file_;
    if (io.write && !f.for_write) {
      io.result = error(proto::ACCESS_DENIED, "write to a file opened read-only");
      continue;
    }
    client::BatchIo b;
    b.file = &f.id;
    b.layout = &f.layout;
    b.write = io.write;
    b.offset = io.offset;
    b.length = io.length;
    b.buf = static_cast<char*>(io.buf);
    if (io.write) {
      b.epochs = &f.epochs;
      b.cover = &f.cover;
    }
    batch.push_back(std::move(b));
    index.push_back(i);
  }
  client::run_batch_io(*cluster_, *data_, batch);
  for (size_t j = 0; j < batch.size(); ++j) {
    Io& io = ios[index[j]];
    io.result = std::move(batch[j].result);
    // Close and fsync then measure and record the size, as after pwrite.
    if (io.write && io.result && io.length > 0) io.file->file_->last_write_ns = now_ns();
  }
}

File::File(Client& client, std::unique_ptr<client::OpenFile> file) : client_(client), file_(std::move(file)) {}

File::~File() {
  if (!file_) return;
  if (auto r = close(); !r) spdlog::warn("closing a combfs file: {}", r.error().to_string());
}

Result<size_t> File::pread(void* buf, size_t length, uint64_t offset) {
  if (!file_) return error(proto::INVALID_ARGUMENT, "read from a closed file");
  return client_.files_->read(*file_, static_cast<char*>(buf), length, offset);
}

Result<size_t> File::pwrite(const void* buf, size_t length, uint64_t offset) {
  if (!file_) return error(proto::INVALID_ARGUMENT, "write to a closed file");
  if (!file_->for_write) return error(proto::ACCESS_DENIED, "write to a file opened read-only");
  COMBFS_CHECK(client_.files_->write(*file_, static_cast<const char*>(buf), length, offset));
  return length;
}

Result<void> File::fsync() {
  if (!file_) return error(proto::INVALID_ARGUMENT, "fsync of a closed file");
  COMBFS_CHECK(client_.files_->fsync(*file_));
  return {};
}

Result<void> File::truncate(uint64_t size) {
  if (!file_) return error(proto::INVALID_ARGUMENT, "truncate of a closed file");
  if (!file_->for_write) return error(proto::ACCESS_DENIED, "truncate of a file opened read-only");
  COMBFS_CHECK(client_.files_->truncate(file_->owner, file_->id, file_->layout, size));
  return {};
}

Result<Stat> File::stat() {
  if (!file_) return error(proto::INVALID_ARGUMENT, "stat of a closed file");
  return to_stat(COMBFS_TRY(client_.files_->getattr(file_->owner, file_->id)));
}

Result<void> File::close() {
  if (!file_) return {};
  auto file = std::move(file_);
  return client_.files_->close(*file);
}

}  // namespace combfs
