// File locks: getlk/setlk (fcntl byte ranges) and flock, kept cluster-wide by
// the file's metad (client/lib/locks.h). A waiting request (F_SETLKW, flock
// without LOCK_NB) asks metad again with a growing pause (1 ms .. 50 ms) until
// granted, refused with EDEADLK, or interrupted by a signal (EINTR); metad
// never holds a thread for it. A wait therefore holds one FUSE worker thread.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "client/fuse/fs.h"

namespace combfs::fuse {
namespace {

constexpr uint64_t kToEof = 0x7fffffffffffffffULL;
constexpr auto kFirstPause = std::chrono::milliseconds(1);
constexpr auto kMaxPause = std::chrono::milliseconds(50);

proto::LockType to_type(short l_type) {
  switch (l_type) {
    case F_RDLCK: return proto::LOCK_TYPE_READ;
    case F_WRLCK: return proto::LOCK_TYPE_WRITE;
    default: return proto::LOCK_TYPE_UNLOCK;
  }
}

// libfuse gives l_start and l_len (0: to the end of the file), both >= 0.
proto::LockRange to_range(const struct flock& l) {
  proto::LockRange r;
  r.set_type(to_type(l.l_type));
  uint64_t start = static_cast<uint64_t>(std::max<off_t>(l.l_start, 0));
  r.set_start(start);
  r.set_end(l.l_len <= 0 ? kToEof : std::min<uint64_t>(start + static_cast<uint64_t>(l.l_len) - 1, kToEof));
  r.set_pid(static_cast<uint32_t>(l.l_pid));
  return r;
}

void to_flock(const proto::LockRange& r, struct flock* l) {
  l->l_type = r.type() == proto::LOCK_TYPE_WRITE ? F_WRLCK : r.type() == proto::LOCK_TYPE_READ ? F_RDLCK : F_UNLCK;
  l->l_whence = SEEK_SET;
  l->l_start = static_cast<off_t>(r.start());
  l->l_len = r.end() >= kToEof ? 0 : static_cast<off_t>(r.end() - r.start() + 1);
  l->l_pid = static_cast<pid_t>(r.pid());
}

// Wakes a waiting request as soon as the kernel forwards a signal (FUSE_INTERRUPT).
struct Interrupt {
  std::mutex mutex;
  std::condition_variable cv;
  bool fired = false;

  static void on_interrupt(fuse_req_t, void* data) {
    auto* self = static_cast<Interrupt*>(data);
    std::lock_guard<std::mutex> guard(self->mutex);
    self->fired = true;
    self->cv.notify_all();
  }
  // True when interrupted while pausing.
  bool pause(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mutex);
    return cv.wait_for(lock, d, [this] { return fired; });
  }
};

// Sets a lock; with `wait`, asks again until it is granted. Replies.
void set_lock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, proto::LockKind kind, const proto::LockRange& range,
              bool wait, const char* op) {
  Fs& fs = fs_of(req);
  // Whoever gets the lock next (on any mount) must find this mount's writes
  // on the targets; a change of lock may hand the range over.
  fs.behind.wait(ino);
  const client::LockSubject s = lock_subject(fi);
  Interrupt interrupt;
  if (wait) fuse_req_interrupt_func(req, Interrupt::on_interrupt, &interrupt);
  auto pause = kFirstPause;
  int err = 0;
  for (;;) {
    auto r = fs.locks.set(s, kind, range, wait);
    if (!r) {
      err = r.error().to_errno();
      spdlog::warn("{}: {}", op, r.error().to_string());
      break;
    }
    if (r->result() == proto::LOCK_GRANTED) break;
    if (r->result() == proto::LOCK_DEADLOCK) {
      err = EDEADLK;
      break;
    }
    if (!wait) {
      err = EAGAIN;
      break;
    }
    if (interrupt.pause(pause)) {
      (void)fs.locks.cancel_wait(s, kind);
      err = EINTR;
      break;
    }
    pause = std::min(pause * 2, kMaxPause);
  }
  if (wait) fuse_req_interrupt_func(req, nullptr, nullptr);
  fuse_reply_err(req, err ? err : 0);
}

}  // namespace

client::LockSubject lock_subject(const fuse_file_info* fi) {
  const auto& file = *reinterpret_cast<const client::OpenFile*>(fi->fh);
  return client::LockSubject{file.owner, file.id, fi->fh, fi->lock_owner};
}

void op_getlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) {
  Fs& fs = fs_of(req);
  auto found = fs.locks.get(lock_subject(fi), proto::LOCK_KIND_POSIX, to_range(*lock));
  if (!found) return reply_status(req, "getlk", found.error());
  struct flock out = *lock;
  if (found->conflict())
    to_flock(found->lock(), &out);
  else
    out.l_type = F_UNLCK;
  fuse_reply_lock(req, &out);
}

void op_setlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep) {
  set_lock(req, ino, fi, proto::LOCK_KIND_POSIX, to_range(*lock), sleep != 0, "setlk");
}

void op_flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  proto::LockRange range;
  switch (op & (LOCK_SH | LOCK_EX | LOCK_UN)) {
    case LOCK_SH: range.set_type(proto::LOCK_TYPE_READ); break;
    case LOCK_EX: range.set_type(proto::LOCK_TYPE_WRITE); break;
    case LOCK_UN: range.set_type(proto::LOCK_TYPE_UNLOCK); break;
    default: return (void)fuse_reply_err(req, EINVAL);
  }
  range.set_start(0);
  range.set_end(kToEof);
  range.set_pid(static_cast<uint32_t>(fuse_req_ctx(req)->pid));
  bool wait = (op & LOCK_NB) == 0 && range.type() != proto::LOCK_TYPE_UNLOCK;
  set_lock(req, ino, fi, proto::LOCK_KIND_FLOCK, range, wait, "flock");
}

}  // namespace combfs::fuse
