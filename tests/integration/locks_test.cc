// Global fcntl and flock locks between two client mounts (separate client
// processes) of one cluster: conflicting ranges, splitting, F_GETLK, blocking
// waits that wake when the lock frees, EDEADLK, EINTR, release on close, on
// kill -9 of the holding process, and, through the lease, when the holder's
// whole client dies.
//
// Each lock holder is an Actor: a forked process that opens the file on one
// mount and runs lock commands sent over a pipe (POSIX locks belong to a
// process, so the actors must be separate processes).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

using namespace std::chrono_literals;

enum class Op : int { setlk, setlkw, getlk, ofd_setlk, flock, close_other_fd, close_fd, exit };

struct Command {
  Op op;
  short type = F_WRLCK;  // flock: LOCK_SH/LOCK_EX/LOCK_UN (| LOCK_NB)
  off_t start = 0;
  off_t len = 0;
};

struct Answer {
  int err = 0;  // errno of the call, 0 on success
  struct flock lock {};
};

void on_usr1(int) {}  // only interrupts a blocking call

class Actor {
 public:
  // Forks a process that opens `path` read-write and waits for commands.
  explicit Actor(const std::string& path) : path_(path) {
    int cmd[2], ans[2];
    if (pipe(cmd) != 0 || pipe(ans) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      close(cmd[1]);
      close(ans[0]);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      struct sigaction sa {};
      sa.sa_handler = on_usr1;  // no SA_RESTART: F_SETLKW returns EINTR
      sigaction(SIGUSR1, &sa, nullptr);
      _exit(serve(cmd[0], ans[1]));
    }
    close(cmd[0]);
    close(ans[1]);
    cmd_ = cmd[1];
    ans_ = ans[0];
    Answer opened;
    if (!wait_answer(10s, &opened) || opened.err != 0)
      throw std::runtime_error("actor cannot open " + path + ": " + strerror(opened.err));
  }
  ~Actor() {
    close(cmd_);
    close(ans_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }

  // Sends a command without waiting for its answer.
  void send(const Command& c) { ASSERT_EQ(write(cmd_, &c, sizeof c), ssize_t(sizeof c)); }
  // The answer to the last command, if it comes within `timeout`.
  bool wait_answer(std::chrono::milliseconds timeout, Answer* a) {
    pollfd p{ans_, POLLIN, 0};
    if (poll(&p, 1, int(timeout.count())) != 1) return false;
    return read(ans_, a, sizeof *a) == ssize_t(sizeof *a);
  }
  // Runs a command and returns its errno (0 on success); -1 when no answer in time.
  int run(const Command& c, Answer* out = nullptr, std::chrono::milliseconds timeout = 20s) {
    send(c);
    Answer a;
    if (!wait_answer(timeout, &a)) return -1;
    if (out) *out = a;
    return a.err;
  }
  int setlk(short type, off_t start, off_t len) { return run({Op::setlk, type, start, len}); }
  int flock(int op) { return run({Op::flock, short(op)}); }

  void kill9() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void signal(int sig) { kill(pid_, sig); }

 private:
  int serve(int in, int out) {
    Answer a;
    int fd = open(path_.c_str(), O_RDWR);
    a.err = fd < 0 ? errno : 0;
    (void)!write(out, &a, sizeof a);
    if (fd < 0) return 1;
    Command c;
    while (read(in, &c, sizeof c) == ssize_t(sizeof c)) {
      a = Answer{};
      struct flock l {};
      l.l_type = c.type;
      l.l_whence = SEEK_SET;
      l.l_start = c.start;
      l.l_len = c.len;
      int rc = 0;
      switch (c.op) {
        case Op::setlk: rc = fcntl(fd, F_SETLK, &l); break;
        case Op::setlkw: rc = fcntl(fd, F_SETLKW, &l); break;
        case Op::getlk: rc = fcntl(fd, F_GETLK, &l); break;
        case Op::ofd_setlk: rc = fcntl(fd, F_OFD_SETLK, &l); break;
        case Op::flock: rc = ::flock(fd, c.type); break;
        case Op::close_other_fd: {
          int other = open(path_.c_str(), O_RDONLY);
          rc = other < 0 ? -1 : close(other);
          break;
        }
        case Op::close_fd: rc = close(fd); break;
        case Op::exit: return 0;
      }
      a.err = rc < 0 ? errno : 0;
      a.lock = l;
      (void)!write(out, &a, sizeof a);
    }
    return 0;
  }

  std::string path_;
  pid_t pid_ = -1;
  int cmd_ = -1;
  int ans_ = -1;
};

class LocksTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 1, .targets_per_daemon = 1}));
    mnt2_ = cluster_.make_dir("mnt2");
    ASSERT_TRUE(cluster_.mount_client(mnt2_));
    path1_ = cluster_.mountpoint() + "/locked";
    path2_ = mnt2_ + "/locked";
    int fd = open(path1_.c_str(), O_CREAT | O_RDWR, 0666);
    ASSERT_GE(fd, 0) << strerror(errno);
    ASSERT_EQ(close(fd), 0);
  }

  TestCluster cluster_;
  std::string mnt2_, path1_, path2_;
};

TEST_F(LocksTest, ConflictingRangesAcrossMounts) {
  Actor a(path1_), b(path2_);
  ASSERT_EQ(a.setlk(F_WRLCK, 0, 100), 0);
  EXPECT_EQ(b.setlk(F_WRLCK, 50, 10), EAGAIN);
  EXPECT_EQ(b.setlk(F_RDLCK, 99, 1), EAGAIN);
  EXPECT_EQ(b.setlk(F_WRLCK, 100, 100), 0);  // right after a's range
  EXPECT_EQ(a.setlk(F_RDLCK, 150, 1), EAGAIN);

  // F_GETLK names the holder: its range, type and pid.
  Answer got;
  ASSERT_EQ(b.run({Op::getlk, F_RDLCK, 10, 5}, &got), 0);
  EXPECT_EQ(got.lock.l_type, F_WRLCK);
  EXPECT_EQ(got.lock.l_start, 0);
  EXPECT_EQ(got.lock.l_len, 100);
  EXPECT_EQ(got.lock.l_pid, a.pid());
  ASSERT_EQ(b.run({Op::getlk, F_WRLCK, 300, 0}, &got), 0);
  EXPECT_EQ(got.lock.l_type, F_UNLCK);

  // Read locks share, across mounts too.
  ASSERT_EQ(a.setlk(F_RDLCK, 1000, 10), 0);
  EXPECT_EQ(b.setlk(F_RDLCK, 1005, 10), 0);
  EXPECT_EQ(b.setlk(F_WRLCK, 1000, 1), EAGAIN);

  // Unlocking the middle of a's write lock splits it in two.
  ASSERT_EQ(a.setlk(F_UNLCK, 40, 20), 0);
  EXPECT_EQ(b.setlk(F_WRLCK, 40, 20), 0);
  EXPECT_EQ(b.setlk(F_WRLCK, 39, 1), EAGAIN);
  EXPECT_EQ(b.setlk(F_WRLCK, 60, 1), EAGAIN);
  ASSERT_EQ(b.run({Op::getlk, F_WRLCK, 60, 0}, &got), 0);
  EXPECT_EQ(got.lock.l_start, 60);
  EXPECT_EQ(got.lock.l_len, 40);
}

TEST_F(LocksTest, SameMountProcessesConflictToo) {
  Actor a(path1_), b(path1_);
  ASSERT_EQ(a.setlk(F_WRLCK, 0, 0), 0);
  EXPECT_EQ(b.setlk(F_RDLCK, 12345, 1), EAGAIN);
  ASSERT_EQ(a.setlk(F_UNLCK, 0, 0), 0);
  EXPECT_EQ(b.setlk(F_RDLCK, 12345, 1), 0);
}

TEST_F(LocksTest, BlockingWaitWakesWhenTheLockFrees) {
  Actor a(path1_), b(path2_);
  ASSERT_EQ(a.setlk(F_WRLCK, 0, 10), 0);
  b.send({Op::setlkw, F_WRLCK, 5, 10});
  Answer ans;
  EXPECT_FALSE(b.wait_answer(500ms, &ans)) << "F_SETLKW returned while the range was locked";
  auto freed = std::chrono::steady_clock::now();
  ASSERT_EQ(a.setlk(F_UNLCK, 0, 10), 0);
  ASSERT_TRUE(b.wait_answer(5s, &ans)) << "F_SETLKW did not wake within 5 s of the unlock";
  EXPECT_EQ(ans.err, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - freed, 1s) << "the wait woke late";
  EXPECT_EQ(a.setlk(F_RDLCK, 5, 1), EAGAIN);  // b holds it now
}

TEST_F(LocksTest, LocksGoWithAnyCloseOfTheFile) {
  Actor a(path1_), b(path2_);
  ASSERT_EQ(a.setlk(F_WRLCK, 0, 0), 0);
  EXPECT_EQ(b.setlk(F_WRLCK, 0, 1), EAGAIN);
  // POSIX: closing any descriptor of the file drops the process's locks.
  ASSERT_EQ(a.run({Op::close_other_fd}), 0);
  EXPECT_EQ(b.setlk(F_WRLCK, 0, 1), 0);
}

TEST_F(LocksTest, KillNineOfTheHolderReleasesItsLocks) {
  Actor a(path1_), b(path2_);
  ASSERT_EQ(a.setlk(F_WRLCK, 0, 0), 0);
  b.send({Op::setlkw, F_WRLCK, 0, 0});
  Answer ans;
  EXPECT_FALSE(b.wait_answer(300ms, &ans));
  a.kill9();
  ASSERT_TRUE(b.wait_answer(5s, &ans)) << "the waiter did not get the lock of the killed holder";
  EXPECT_EQ(ans.err, 0);
}

TEST_F(LocksTest, DeadlockIsDetected) {
  Actor a(path1_), b(path2_);
  ASSERT_EQ(a.setlk(F_WRLCK, 0, 1), 0);
  ASSERT_EQ(b.setlk(F_WRLCK, 1, 1), 0);
  a.send({Op::setlkw, F_WRLCK, 1, 1});  // a waits for b
  Answer ans;
  EXPECT_FALSE(a.wait_answer(300ms, &ans));
  EXPECT_EQ(b.run({Op::setlkw, F_WRLCK, 0, 1}), EDEADLK);  // b would wait for a
  ASSERT_EQ(b.setlk(F_UNLCK, 1, 1), 0);
  ASSERT_TRUE(a.wait_answer(5s, &ans));
  EXPECT_EQ(ans.err, 0);
}

TEST_F(LocksTest, SignalInterruptsAWait) {
  Actor a(path1_), b(path2_);
  ASSERT_EQ(a.setlk(F_WRLCK, 0, 0), 0);
  b.send({Op::setlkw, F_RDLCK, 0, 0});
  Answer ans;
  EXPECT_FALSE(b.wait_answer(300ms, &ans));
  b.signal(SIGUSR1);
  ASSERT_TRUE(b.wait_answer(5s, &ans)) << "F_SETLKW was not interrupted by a signal";
  EXPECT_EQ(ans.err, EINTR);
  // The interrupted waiter holds nothing and waits no more.
  ASSERT_EQ(a.setlk(F_UNLCK, 0, 0), 0);
  Actor c(path1_);
  EXPECT_EQ(c.setlk(F_WRLCK, 0, 0), 0);
}

TEST_F(LocksTest, FlockIsExclusiveAcrossMounts) {
  Actor a(path1_), b(path2_);
  ASSERT_EQ(a.flock(LOCK_EX), 0);
  EXPECT_EQ(b.flock(LOCK_EX | LOCK_NB), EWOULDBLOCK);
  EXPECT_EQ(b.flock(LOCK_SH | LOCK_NB), EWOULDBLOCK);
  // flock and fcntl locks are independent (Linux).
  EXPECT_EQ(b.setlk(F_WRLCK, 0, 0), 0);
  ASSERT_EQ(b.setlk(F_UNLCK, 0, 0), 0);
  ASSERT_EQ(a.flock(LOCK_SH), 0);  // downgrade
  EXPECT_EQ(b.flock(LOCK_SH | LOCK_NB), 0);
  EXPECT_EQ(a.flock(LOCK_EX | LOCK_NB), EWOULDBLOCK);
  ASSERT_EQ(b.flock(LOCK_UN), 0);
  // A blocking flock wakes when the holder unlocks.
  b.send({Op::flock, LOCK_EX});
  Answer ans;
  EXPECT_FALSE(b.wait_answer(300ms, &ans));
  ASSERT_EQ(a.flock(LOCK_UN), 0);
  ASSERT_TRUE(b.wait_answer(5s, &ans));
  EXPECT_EQ(ans.err, 0);
}

TEST_F(LocksTest, FlockGoesWithTheLastClose) {
  Actor a(path1_), b(path2_);
  ASSERT_EQ(a.flock(LOCK_EX), 0);
  EXPECT_EQ(b.flock(LOCK_EX | LOCK_NB), EWOULDBLOCK);
  ASSERT_EQ(a.run({Op::close_fd}), 0);
  // RELEASE reaches the client asynchronously after close(2) returns.
  auto deadline = std::chrono::steady_clock::now() + 5s;
  int err;
  while ((err = b.flock(LOCK_EX | LOCK_NB)) == EWOULDBLOCK && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(err, 0);
}

TEST_F(LocksTest, OfdLocksBelongToTheOpenFile) {
  Actor a(path1_), b(path2_);
  ASSERT_EQ(a.run({Op::ofd_setlk, F_WRLCK, 0, 10}), 0);
  EXPECT_EQ(b.run({Op::ofd_setlk, F_WRLCK, 5, 1}), EAGAIN);
  EXPECT_EQ(b.setlk(F_WRLCK, 5, 1), EAGAIN);  // OFD and process locks conflict
  // Closing another descriptor of the file does not drop an OFD lock ...
  ASSERT_EQ(a.run({Op::close_other_fd}), 0);
  EXPECT_EQ(b.run({Op::ofd_setlk, F_WRLCK, 5, 1}), EAGAIN);
  // ... closing its own open file does (RELEASE arrives asynchronously).
  ASSERT_EQ(a.run({Op::close_fd}), 0);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  int err;
  while ((err = b.run({Op::ofd_setlk, F_WRLCK, 5, 1})) == EAGAIN && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(err, 0);
}

TEST_F(LocksTest, LocksOfADeadClientExpireWithItsLease) {
  Actor a(path2_), b(path1_);
  ASSERT_EQ(a.setlk(F_WRLCK, 0, 0), 0);
  ASSERT_EQ(a.flock(LOCK_EX), 0);
  EXPECT_EQ(b.setlk(F_WRLCK, 0, 0), EAGAIN);
  // The second client dies without releasing anything; its mount goes dead.
  auto died = std::chrono::steady_clock::now();
  cluster_.kill_daemon("client:" + mnt2_);
  // metad's default lease is 10 s: the locks must go soon after, and not before
  // a few renewal periods have passed.
  b.send({Op::setlkw, F_WRLCK, 0, 0});
  Answer ans;
  ASSERT_TRUE(b.wait_answer(30s, &ans)) << "the dead client's lock was never dropped";
  EXPECT_EQ(ans.err, 0);
  auto waited = std::chrono::steady_clock::now() - died;
  EXPECT_GT(waited, 5s) << "locks dropped before the lease could have run out";
  EXPECT_EQ(b.flock(LOCK_EX | LOCK_NB), 0);
  a.kill9();
  EXPECT_TRUE(cluster_.unmount(mnt2_));
}

}  // namespace
}  // namespace combfs::test
