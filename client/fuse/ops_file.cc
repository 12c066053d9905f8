// Open files: open, create, read, write, flush, release, fsync. The handle in
// fi->fh is a client::OpenFile. Writes through the page cache go behind
// (write_behind.h); direct, O_SYNC and O_DSYNC writes reach the targets before
// the reply; reads, flush, fsync and fallocate wait for the inode's writes.
#include <fcntl.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "client/fuse/fs.h"
#include "client/fuse/open_reply.h"

namespace combfs::fuse {
namespace {

client::OpenFile& handle(fuse_file_info* fi) { return *reinterpret_cast<client::OpenFile*>(fi->fh); }
bool writable(const fuse_file_info* fi) { return (fi->flags & O_ACCMODE) != O_RDONLY; }
WriteBehind::Key behind_key(fuse_ino_t ino, const fuse_file_info* fi) { return {ino, fi->fh}; }

}  // namespace

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Fs& fs = fs_of(req);
  after_init(fs);
  auto inode = inode_or_reply(req, ino);
  if (!inode) return;
  const bool truncate = (fi->flags & O_TRUNC) != 0;
  // A cut must not be overtaken by writes of another handle still on their way.
  if (truncate) fs.behind.wait(ino);
  proto::EntryInfo info;
  auto file = fs.files.open(fs.owner(*inode), inode->id, writable(fi), truncate, &info);
  if (!file) return reply_status(req, "open", file.error());
  if (info.attr().type() == proto::FT_REG) fs.inodes.set_layout(ino, info.layout());
  // Close-to-open: the kernel may still hold attributes (size!) from before
  // another client's last close, valid for attr_timeout; a read beyond that
  // stale size would stop short. Drop them, so the next stat or read past the
  // cached end asks again (the cached pages go anyway: keep_cache is off).
  if (fs.session) fuse_lowlevel_notify_inval_inode(fs.session, ino, -1, 0);
  client::OpenFile* raw = file->release();
  fi->fh = reinterpret_cast<uint64_t>(raw);
  fi->keep_cache = 0;  // close-to-open: another client may have changed the data
  uint32_t extra =
      info.attr().type() == proto::FT_REG ? direct_write_bits(fs.config, fi->flags, info.attr(), *raw) : 0;
  if (reply_open_flags(req, fi, extra) != 0) {
    std::unique_ptr<client::OpenFile> owned(raw);
    (void)fs.files.close(*owned);
  }
}

void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  Fs& fs = fs_of(req);
  auto dir = inode_or_reply(req, parent);
  if (!dir) return;
  uint32_t owner = fs.owner(*dir);
  const fuse_ctx* ctx = fuse_req_ctx(req);
  // Create may cut an existing file whose inode is not known yet (rare: the
  // kernel looks the name up first and opens a file it finds).
  if ((fi->flags & O_TRUNC) && !(fi->flags & O_EXCL)) fs.behind.wait_all();
  proto::EntryInfo info;
  auto file = fs.files.create(owner, dir->id, name, mode, {ctx->uid, ctx->gid, ctx->umask}, (fi->flags & O_EXCL) != 0,
                              writable(fi), (fi->flags & O_TRUNC) != 0, &info);
  if (!file) return reply_status(req, "create", file.error());
  reply_create(req, info, owner, fi, std::move(*file));
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  Fs& fs = fs_of(req);
  // One buffer per FUSE worker thread, grown to the largest read (1 MiB).
  thread_local std::vector<char> buf;
  if (buf.size() < size) buf.resize(size);
  fs.behind.wait(ino);
  auto n = fs.files.read(handle(fi), buf.data(), size, static_cast<uint64_t>(off));
  if (!n) return reply_status(req, "read", n.error());
  fuse_reply_buf(req, buf.data(), *n);
}

namespace {

// A write by a user without CAP_FSETID clears the file's set-ID bits. The
// kernel does it for writes through the page cache; on a direct-write handle
// it leaves it to the file system (FUSE_WRITE_KILL_SUIDGID, which needs
// handle_killpriv_v2, which libfuse 3.14 cannot negotiate), so it is done
// here, once per handle. uid 0 stands for CAP_FSETID.
void kill_privs(fuse_req_t req, Fs& fs, client::OpenFile& file) {
  if (fuse_req_ctx(req)->uid == 0 || !file.kill_privs_on_write.exchange(false)) return;
  proto::SetAttrRequest kill;
  file.id.to_proto(kill.mutable_id());
  kill.set_valid(proto::SETATTR_KILL_PRIVS);
  auto done = fs.meta.setattr(file.owner, kill);
  if (!done) spdlog::warn("write to {}: clearing its set-ID bits: {}", file.id.to_string(), done.error().to_string());
}

}  // namespace

void op_write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  Fs& fs = fs_of(req);
  client::OpenFile& file = handle(fi);
  if (file.kill_privs_on_write.load(std::memory_order_relaxed)) kill_privs(req, fs, file);
  // fi->flags are the descriptor's flags now (fcntl may have added O_DIRECT).
  if (file.write_behind && !(fi->flags & (O_DIRECT | O_SYNC | O_DSYNC))) {
    auto queued = fs.behind.write(behind_key(ino, fi), buf, size, static_cast<uint64_t>(off),
                                  [&fs, &file](const char* data, size_t n, uint64_t at) {
                                    auto sent = fs.files.write(file, data, n, at);
                                    // The application learns of it at its next fsync or close.
                                    if (!sent)
                                      spdlog::warn("write of {} bytes at {} to {} (already acknowledged): {}", n, at,
                                                   file.id.to_string(), sent.error().to_string());
                                    return sent;
                                  });
    if (!queued) return reply_status(req, "write", queued.error());
    fuse_reply_write(req, size);
    return;
  }
  auto done = fs.files.write(file, buf, size, static_cast<uint64_t>(off));
  if (!done) return reply_status(req, "write", done.error());
  fuse_reply_write(req, size);
}

void op_flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Fs& fs = fs_of(req);
  // Writes still on their way reach the targets before close(2) returns, and
  // close(2) reports the first of them that failed.
  auto settled = fs.behind.settle(behind_key(ino, fi));
  // The metad Close that records size and mtime is sent by RELEASE, which the
  // kernel sends after close(2) has returned; for close-to-open consistency
  // (a stat right after close, here or on another mount) record them now.
  client::OpenFile& file = handle(fi);
  if (file.for_write && file.last_write_ns.load() != 0) {
    auto size = fs.flush_data.size(file.id, file.layout);
    auto recorded = size ? fs.meta.update_size(file.owner, file.id, *size, file.last_write_ns.load())
                         : Result<proto::EntryInfo>(std::unexpected(size.error()));
    // RELEASE tries again; the kernel would only show the error to close(2).
    if (!recorded) spdlog::warn("flush of {}: {}", file.id.to_string(), recorded.error().to_string());
  }
  // A close by a process drops its POSIX locks on the file (fi->lock_owner).
  auto released = fs.locks.flush(lock_subject(fi));
  if (!released) spdlog::warn("flush: {}", released.error().to_string());
  if (!settled) return reply_status(req, "write (reported at close)", settled.error());
  fuse_reply_err(req, 0);
}

void op_release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Fs& fs = fs_of(req);
  // FLUSH settled the writes already unless the kernel sent none (the handle
  // of an mmap...): they must be on the targets before the locks go, and the
  // handle must outlive them.
  auto settled = fs.behind.settle(behind_key(ino, fi));
  if (!settled) spdlog::error("write to inode {} failed after the last flush: {}", ino, settled.error().to_string());
  // The last close of an open file drops its flock lock and OFD locks.
  auto unlocked = fs.locks.release(lock_subject(fi), fi->flock_release ? fi->lock_owner : 0);
  if (!unlocked) spdlog::warn("release: {}", unlocked.error().to_string());
  std::unique_ptr<client::OpenFile> file(&handle(fi));
  fi->fh = 0;
  auto closed = fs.files.close(*file);
  // The kernel ignores release errors; the log is the only place they show.
  if (!closed) spdlog::warn("release of {}: {}", file->id.to_string(), closed.error().to_string());
  fuse_reply_err(req, 0);
}

void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, fuse_file_info* fi) {
  // Chunk files are sparse and space is not reserved on the targets: mode 0
  // gives the file its new size (the range reads as zeros), and everything
  // whose only effect is a reservation or a hole (KEEP_SIZE, PUNCH_HOLE,
  // ZERO_RANGE, ...) is refused rather than faked (docs/posix.md).
  if (mode != 0) {
    fuse_reply_err(req, EOPNOTSUPP);
    return;
  }
  Fs& fs = fs_of(req);
  client::OpenFile& file = handle(fi);
  fs.behind.wait(ino);
  const uint64_t end = static_cast<uint64_t>(offset) + static_cast<uint64_t>(length);
  auto info = fs.files.getattr(file.owner, file.id);
  if (!info) return reply_status(req, "fallocate", info.error());
  if (end > info->attr().size()) {
    auto grown = fs.files.truncate(file.owner, file.id, file.layout, end);
    if (!grown) return reply_status(req, "fallocate", grown.error());
  }
  fuse_reply_err(req, 0);
}

void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  Fs& fs = fs_of(req);
  auto settled = fs.behind.settle(behind_key(ino, fi));
  if (!settled) return reply_status(req, "write (reported at fsync)", settled.error());
  auto done = fs.files.fsync(handle(fi));
  if (!done) return reply_status(req, "fsync", done.error());
  fuse_reply_err(req, 0);
}

}  // namespace combfs::fuse
