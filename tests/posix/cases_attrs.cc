// Attributes: chmod, chown, utimensat (UTIME_NOW/UTIME_OMIT), extended
// attributes (user.*, trusted.*, namespaces, limits), statfs, access.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "tests/posix/suite.h"

namespace combfs::posix {
namespace {

long long ns(const timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

long long now_ns() {
  timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return ns(t);
}

std::string getx(const std::string& path, const char* name, size_t size = 256) {
  std::string buf(size, '\0');
  ssize_t n = getxattr(path.c_str(), name, buf.data(), size);
  if (n < 0) return "<" + errno_name(errno) + ">";
  buf.resize(size_t(n));
  return buf;
}

std::string listx(const std::string& path, bool follow = true) {
  char buf[4096];
  ssize_t n = follow ? listxattr(path.c_str(), buf, sizeof buf) : llistxattr(path.c_str(), buf, sizeof buf);
  if (n < 0) return "<" + errno_name(errno) + ">";
  std::vector<std::string> names;
  for (ssize_t i = 0; i < n;) {
    std::string name(buf + i);
    // Only the user.* and trusted.* names the cases set: a file system may
    // add its own (security.selinux, system.*).
    if (name.rfind("user.", 0) == 0 || name.rfind("trusted.", 0) == 0) names.push_back(name);
    i += ssize_t(name.size()) + 1;
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (auto& s : names) out += s + " ";
  return out;
}

}  // namespace

POSIX_CASE(attrs, chmod_basics) {
  c.make_file("f");
  c.sys("chmod 0640", chmod(c.p("f").c_str(), 0640));
  c.mode("mode", "f");
  c.sys("chmod 07777", chmod(c.p("f").c_str(), 07777));
  c.mode("all bits", "f");
  c.sys("chmod 0", chmod(c.p("f").c_str(), 0));
  c.mode("no bits", "f");
  int fd = open(c.p("f").c_str(), O_RDONLY);
  c.sys("open mode-0 file", fd);
  if (fd >= 0) {
    c.sys("fchmod", fchmod(fd, 0604));
    close(fd);
  } else {
    c.sys("chmod back", chmod(c.p("f").c_str(), 0604));
  }
  c.mode("fchmod mode", "f");
  c.sys("chmod missing", chmod(c.p("missing").c_str(), 0644));
  mkdir(c.p("d").c_str(), 0755);
  c.sys("chmod dir 01733", chmod(c.p("d").c_str(), 01733));
  c.mode("dir mode", "d");
  struct stat before, after;
  stat(c.p("f").c_str(), &before);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  chmod(c.p("f").c_str(), 0644);
  stat(c.p("f").c_str(), &after);
  c.flag("chmod advances ctime", ns(after.st_ctim) > ns(before.st_ctim));
  c.flag("chmod keeps mtime", ns(after.st_mtim) == ns(before.st_mtim));
  symlink("f", c.p("l").c_str());
  c.sys("fchmodat AT_SYMLINK_NOFOLLOW", fchmodat(AT_FDCWD, c.p("l").c_str(), 0600, AT_SYMLINK_NOFOLLOW));
}

POSIX_CASE(attrs, chown_basics) {
  c.make_file("f");
  c.owner("owner", "f");
  c.sys("chown -1 -1", chown(c.p("f").c_str(), -1, -1));
  c.sys("chown to self", chown(c.p("f").c_str(), getuid(), getgid()));
  c.sys("chown to alice", chown(c.p("f").c_str(), kAlice, -1));
  c.owner("after chown", "f");
  c.sys("chgrp to staff", chown(c.p("f").c_str(), -1, kStaff));
  c.owner("after chgrp", "f");
  symlink("f", c.p("l").c_str());
  c.sys("lchown symlink", lchown(c.p("l").c_str(), kBob, -1));
  c.owner("symlink owner", "l");
  c.owner("target owner unchanged", "f");
  struct stat before, after;
  stat(c.p("f").c_str(), &before);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  chown(c.p("f").c_str(), -1, -1);
  stat(c.p("f").c_str(), &after);
  c.flag("chown -1 -1 advances ctime", ns(after.st_ctim) > ns(before.st_ctim));
  c.sys("chown missing", chown(c.p("missing").c_str(), 0, 0));
}

POSIX_CASE(attrs, chown_as_owner) {
  // The owner may give a file to a group it is in, never to another user.
  if (c.root()) {
    c.make_file("f");
    chown(c.p("f").c_str(), kBob, kBob);
    chown(c.dir().c_str(), kBob, kBob);
  }
  c.as(kBob, kBob, {kStaff}, [](Ctx& b) {
    if (!b.root() && access(b.p("f").c_str(), F_OK) != 0) b.make_file("f");
    b.sys("chgrp to a member group", chown(b.p("f").c_str(), -1, kStaff));
    b.owner("owner", "f");
    b.sys("chgrp to a non-member group", chown(b.p("f").c_str(), -1, kOthers));
    b.sys("chown to another user", chown(b.p("f").c_str(), kAlice, -1));
    b.sys("chown to self", chown(b.p("f").c_str(), kBob, -1));
    b.owner("owner after", "f");
  });
  if (c.root()) {
    c.as(kAlice, kAlice, [](Ctx& a) {
      a.sys("non-owner chmod", chmod(a.p("f").c_str(), 0777));
      a.sys("non-owner chown", chown(a.p("f").c_str(), kAlice, -1));
      a.sys("non-owner chgrp", chown(a.p("f").c_str(), -1, kAlice));
    });
  }
}

POSIX_CASE(attrs, utimensat_values) {
  c.make_file("f");
  timespec times[2] = {{1000000000, 123456789}, {1200000000, 987654321}};
  c.sys("set both", utimensat(AT_FDCWD, c.p("f").c_str(), times, 0));
  struct stat st;
  stat(c.p("f").c_str(), &st);
  c.val("atime", ns(st.st_atim));
  c.val("mtime", ns(st.st_mtim));
  long long ctime_before = ns(st.st_ctim);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  timespec omit_atime[2] = {{0, UTIME_OMIT}, {1300000000, 5}};
  c.sys("omit atime", utimensat(AT_FDCWD, c.p("f").c_str(), omit_atime, 0));
  stat(c.p("f").c_str(), &st);
  c.val("atime kept", ns(st.st_atim));
  c.val("mtime set", ns(st.st_mtim));
  c.flag("ctime advanced", ns(st.st_ctim) > ctime_before);
  ctime_before = ns(st.st_ctim);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  timespec omit_both[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  c.sys("omit both", utimensat(AT_FDCWD, c.p("f").c_str(), omit_both, 0));
  stat(c.p("f").c_str(), &st);
  c.val("both kept: mtime", ns(st.st_mtim));
  c.flag("omit both: ctime unchanged", ns(st.st_ctim) == ctime_before);
  long long before_now = now_ns();
  timespec now_mtime[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  c.sys("now mtime", utimensat(AT_FDCWD, c.p("f").c_str(), now_mtime, 0));
  stat(c.p("f").c_str(), &st);
  c.val("atime still kept", ns(st.st_atim));
  c.flag("mtime is now", ns(st.st_mtim) >= before_now - 10000000 && ns(st.st_mtim) <= now_ns() + 10000000);
  before_now = now_ns();
  c.sys("NULL times (both now)", utimensat(AT_FDCWD, c.p("f").c_str(), nullptr, 0));
  stat(c.p("f").c_str(), &st);
  c.flag("atime is now", ns(st.st_atim) >= before_now - 10000000);
  timespec bad[2] = {{0, 1000000000}, {0, 0}};
  c.sys("tv_nsec out of range", utimensat(AT_FDCWD, c.p("f").c_str(), bad, 0));
  timespec negative[2] = {{-1, 0}, {-1000, 5}};
  c.sys("times before 1970", utimensat(AT_FDCWD, c.p("f").c_str(), negative, 0));
  stat(c.p("f").c_str(), &st);
  c.val("negative mtime", ns(st.st_mtim));
  symlink("f", c.p("l").c_str());
  c.sys("symlink nofollow", utimensat(AT_FDCWD, c.p("l").c_str(), times, AT_SYMLINK_NOFOLLOW));
  lstat(c.p("l").c_str(), &st);
  c.val("symlink mtime", ns(st.st_mtim));
  int fd = open(c.p("f").c_str(), O_RDONLY);
  c.sys("futimens", futimens(fd, times));
  close(fd);
  stat(c.p("f").c_str(), &st);
  c.val("futimens mtime", ns(st.st_mtim));
  c.sys("missing", utimensat(AT_FDCWD, c.p("missing").c_str(), times, 0));
}

POSIX_CASE(attrs, utimensat_permissions) {
  // Only the owner sets explicit times; anyone with write permission may set "now".
  if (!c.root()) {
    c.make_file("f");
    timespec times[2] = {{5, 0}, {6, 0}};
    c.sys("owner sets times", utimensat(AT_FDCWD, c.p("f").c_str(), times, 0));
    return;
  }
  c.make_file("rw", "", 0666);
  c.make_file("ro", "", 0644);
  chown(c.p("rw").c_str(), kAlice, kAlice);
  chown(c.p("ro").c_str(), kAlice, kAlice);
  c.as(kBob, kBob, [](Ctx& b) {
    timespec times[2] = {{5, 0}, {6, 0}};
    timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    timespec omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    b.sys("writable: explicit", utimensat(AT_FDCWD, b.p("rw").c_str(), times, 0));
    b.sys("writable: now", utimensat(AT_FDCWD, b.p("rw").c_str(), now, 0));
    b.sys("writable: NULL", utimensat(AT_FDCWD, b.p("rw").c_str(), nullptr, 0));
    b.sys("writable: omit+now", utimensat(AT_FDCWD, b.p("rw").c_str(), omit_now, 0));
    b.sys("read-only: now", utimensat(AT_FDCWD, b.p("ro").c_str(), now, 0));
    b.sys("read-only: NULL", utimensat(AT_FDCWD, b.p("ro").c_str(), nullptr, 0));
    b.sys("read-only: explicit", utimensat(AT_FDCWD, b.p("ro").c_str(), times, 0));
  });
}

POSIX_CASE(xattr, user_namespace) {
  c.make_file("f");
  std::string f = c.p("f");
  c.sys("set user.a", setxattr(f.c_str(), "user.a", "alpha", 5, 0));
  c.val("get user.a", getx(f, "user.a"));
  c.val("size query", (long long)getxattr(f.c_str(), "user.a", nullptr, 0));
  c.val("small buffer", getx(f, "user.a", 2));
  c.sys("create existing", setxattr(f.c_str(), "user.a", "x", 1, XATTR_CREATE));
  c.sys("replace existing", setxattr(f.c_str(), "user.a", "beta", 4, XATTR_REPLACE));
  c.val("replaced", getx(f, "user.a"));
  c.sys("replace missing", setxattr(f.c_str(), "user.b", "x", 1, XATTR_REPLACE));
  c.sys("create new", setxattr(f.c_str(), "user.b", "", 0, XATTR_CREATE));
  c.val("empty value", getx(f, "user.b"));
  c.val("get missing", getx(f, "user.none"));
  c.val("list", listx(f));
  char small[4];
  c.sys("list small buffer", listxattr(f.c_str(), small, sizeof small));
  c.sys("remove", removexattr(f.c_str(), "user.a"));
  c.sys("remove missing", removexattr(f.c_str(), "user.a"));
  c.val("list after remove", listx(f));
  std::string binary("\0\x01\xff", 3);
  c.sys("binary value", setxattr(f.c_str(), "user.bin", binary.data(), binary.size(), 0));
  c.val("binary", getx(f, "user.bin"));
  c.sys("bad flags", setxattr(f.c_str(), "user.x", "1", 1, 7));
  c.sys("no namespace", setxattr(f.c_str(), "plain", "1", 1, 0));
  c.sys("unknown namespace", setxattr(f.c_str(), "bogus.x", "1", 1, 0));
  c.sys("empty name", setxattr(f.c_str(), "", "1", 1, 0));
  c.sys("user. alone", setxattr(f.c_str(), "user.", "1", 1, 0));
  std::string name255 = "user." + std::string(250, 'n'), name256 = "user." + std::string(251, 'n');
  c.sys("name of 255 bytes", setxattr(f.c_str(), name255.c_str(), "1", 1, 0));
  c.sys("name of 256 bytes", setxattr(f.c_str(), name256.c_str(), "1", 1, 0));
  std::string big(70000, 'v');
  c.sys("value over 64 KiB", setxattr(f.c_str(), "user.big", big.data(), big.size(), 0));
  c.sys("missing file", setxattr(c.p("missing").c_str(), "user.a", "1", 1, 0));
}

POSIX_CASE(xattr, on_other_types) {
  mkdir(c.p("d").c_str(), 0755);
  c.sys("dir: set", setxattr(c.p("d").c_str(), "user.d", "dir", 3, 0));
  c.val("dir: get", getx(c.p("d"), "user.d"));
  c.make_file("f");
  symlink("f", c.p("l").c_str());
  c.sys("symlink: lsetxattr user.*", lsetxattr(c.p("l").c_str(), "user.l", "1", 1, 0));
  c.sys("through symlink", setxattr(c.p("l").c_str(), "user.via", "1", 1, 0));
  c.val("target got it", getx(c.p("f"), "user.via"));
  c.val("llistxattr symlink", listx(c.p("l"), false));
  mkfifo(c.p("fifo").c_str(), 0644);
  c.sys("fifo: set user.*", setxattr(c.p("fifo").c_str(), "user.p", "1", 1, 0));
  int fd = open(c.p("f").c_str(), O_RDWR);
  c.sys("fsetxattr", fsetxattr(fd, "user.fd", "fd", 2, 0));
  char buf[8];
  ssize_t n = fgetxattr(fd, "user.fd", buf, sizeof buf);
  c.val("fgetxattr", n >= 0 ? std::string(buf, size_t(n)) : errno_name(errno));
  close(fd);
}

POSIX_CASE(xattr, trusted_and_permissions) {
  c.make_file("f", "", 0644);
  c.sys("trusted.t", setxattr(c.p("f").c_str(), "trusted.t", "1", 1, 0));
  c.val("get trusted.t", getx(c.p("f"), "trusted.t"));
  c.val("list", listx(c.p("f")));
  c.sys("user.u", setxattr(c.p("f").c_str(), "user.u", "u", 1, 0));
  if (!c.root()) return;
  chown(c.p("f").c_str(), kAlice, kAlice);
  c.as(kBob, kBob, [](Ctx& b) {
    b.val("other user reads user.*", getx(b.p("f"), "user.u"));
    b.sys("other user writes user.* without write permission",
          setxattr(b.p("f").c_str(), "user.b", "1", 1, 0));
    b.val("other user reads trusted.*", getx(b.p("f"), "trusted.t"));
    b.val("other user lists", listx(b.p("f")));
  });
}

POSIX_CASE(attrs, statfs_values) {
  struct statvfs s;
  c.sys("statvfs", statvfs(c.dir().c_str(), &s));
  c.val("f_namemax", (long long)s.f_namemax);
  c.flag("f_bsize > 0", s.f_bsize > 0);
  c.flag("f_frsize > 0", s.f_frsize > 0);
  c.flag("f_blocks > 0", s.f_blocks > 0);
  c.flag("f_bfree <= f_blocks", s.f_bfree <= s.f_blocks);
  c.flag("f_bavail <= f_bfree", s.f_bavail <= s.f_bfree);
  c.flag("f_files >= f_ffree", s.f_files >= s.f_ffree);
  c.flag("capacity over 1 GiB", double(s.f_blocks) * s.f_frsize > 1e9);
  c.sys("statvfs missing", statvfs(c.p("missing").c_str(), &s));
  c.make_file("f");
  int fd = open(c.p("f").c_str(), O_RDONLY);
  c.sys("fstatvfs", fstatvfs(fd, &s));
  close(fd);
}

POSIX_CASE(attrs, access_modes) {
  c.make_file("rwx", "", 0700);
  c.make_file("r", "", 0400);
  c.make_file("none", "", 0000);
  for (const char* f : {"rwx", "r", "none"}) {
    std::string n(f);
    c.sys(n + " F_OK", access(c.p(n).c_str(), F_OK));
    c.sys(n + " R_OK", access(c.p(n).c_str(), R_OK));
    c.sys(n + " W_OK", access(c.p(n).c_str(), W_OK));
    c.sys(n + " X_OK", access(c.p(n).c_str(), X_OK));
  }
  c.sys("missing", access(c.p("missing").c_str(), F_OK));
  c.sys("bad mode", access(c.p("r").c_str(), 0100));
}

POSIX_CASE(attrs, stat_fields) {
  c.make_file("f", "12345");
  struct stat st;
  stat(c.p("f").c_str(), &st);
  c.val("size", (long long)st.st_size);
  c.val("nlink", (long long)st.st_nlink);
  c.flag("uid is caller", st.st_uid == getuid());
  c.flag("gid is caller's", st.st_gid == getgid());
  c.flag("blksize > 0", st.st_blksize > 0);
  struct stat d;
  stat(c.dir().c_str(), &d);
  c.flag("dir and file on one device", d.st_dev == st.st_dev);
  struct statx sx;
  c.sys("statx", statx(AT_FDCWD, c.p("f").c_str(), 0, STATX_BASIC_STATS, &sx));
  c.flag("statx basic stats", (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
  c.val("statx size", (long long)sx.stx_size);
  c.sys("stat empty path", stat("", &st));
  c.sys("fstatat AT_EMPTY_PATH", fstatat(open(c.p("f").c_str(), O_RDONLY), "", &st, AT_EMPTY_PATH));
}

}  // namespace combfs::posix
