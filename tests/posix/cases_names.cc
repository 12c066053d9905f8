// The namespace: directories, hard links, symlinks, rename (with flags),
// name and path length limits, FIFOs and device nodes.
#include <dirent.h>
#include <fcntl.h>
#include <linux/limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "tests/posix/suite.h"

namespace combfs::posix {
namespace {

std::string listing(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) return "<" + errno_name(errno) + ">";
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string type = e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : e->d_type == DT_FIFO ? "|" : "";
    names.push_back(std::string(e->d_name) + type);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::string out;
  for (auto& n : names) out += n + " ";
  return out;
}

bool same_inode(const std::string& a, const std::string& b) {
  struct stat x, y;
  return lstat(a.c_str(), &x) == 0 && lstat(b.c_str(), &y) == 0 && x.st_ino == y.st_ino && x.st_dev == y.st_dev;
}

long long ns(const timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

}  // namespace

POSIX_CASE(dirs, mkdir_rmdir) {
  c.sys("mkdir", mkdir(c.p("d").c_str(), 0750));
  c.mode("mode", "d");
  c.nlink("nlink of new dir", "d");
  c.sys("mkdir existing", mkdir(c.p("d").c_str(), 0755));
  c.make_file("f");
  c.sys("mkdir over file", mkdir(c.p("f").c_str(), 0755));
  c.sys("mkdir in missing", mkdir(c.p("x/y").c_str(), 0755));
  c.sys("mkdir under file", mkdir(c.p("f/y").c_str(), 0755));
  c.sys("mkdir trailing slash", mkdir(c.p("t/").c_str(), 0755));
  c.sys("mkdir sub", mkdir(c.p("d/sub").c_str(), 0755));
  c.nlink("nlink with a subdir", "d");
  c.sys("rmdir non-empty", rmdir(c.p("d").c_str()));
  c.sys("rmdir file", rmdir(c.p("f").c_str()));
  c.sys("rmdir missing", rmdir(c.p("missing").c_str()));
  c.sys("rmdir dot", rmdir(c.p("d/sub/.").c_str()));
  c.sys("rmdir dotdot", rmdir(c.p("d/sub/..").c_str()));
  c.sys("unlink dir", unlink(c.p("d/sub").c_str()));
  c.sys("rmdir sub", rmdir(c.p("d/sub").c_str()));
  c.nlink("nlink after rmdir", "d");
  c.sys("rmdir", rmdir(c.p("d").c_str()));
  c.sys("mkdir mode 0", mkdir(c.p("z").c_str(), 0));
  c.mode("mode 0", "z");
  c.sys("mkdir mode with sticky", mkdir(c.p("s").c_str(), 01777));
  c.mode("sticky mode (umask 022)", "s");
}

POSIX_CASE(dirs, readdir_listing) {
  mkdir(c.p("d").c_str(), 0755);
  c.make_file("d/a");
  mkdir(c.p("d/sub").c_str(), 0755);
  symlink("a", c.p("d/link").c_str());
  mkfifo(c.p("d/fifo").c_str(), 0644);
  c.val("listing", listing(c.p("d")));
  for (int i = 0; i < 300; ++i) c.make_file("d/many" + std::to_string(i));
  std::string l = listing(c.p("d"));
  c.val("entries", (long long)std::count(l.begin(), l.end(), ' '));
  unlink(c.p("d/many7").c_str());
  l = listing(c.p("d"));
  c.flag("removed entry gone", l.find("many7 ") == std::string::npos);
  c.val("opendir file", listing(c.p("d/a")));
  c.val("opendir missing", listing(c.p("nope")));
}

POSIX_CASE(dirs, dir_times) {
  mkdir(c.p("d").c_str(), 0755);
  struct stat before, after;
  stat(c.p("d").c_str(), &before);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.make_file("d/f");
  stat(c.p("d").c_str(), &after);
  c.flag("create: dir mtime advanced", ns(after.st_mtim) > ns(before.st_mtim));
  c.flag("create: dir ctime advanced", ns(after.st_ctim) > ns(before.st_ctim));
  before = after;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  unlink(c.p("d/f").c_str());
  stat(c.p("d").c_str(), &after);
  c.flag("unlink: dir mtime advanced", ns(after.st_mtim) > ns(before.st_mtim));
  before = after;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.make_file("other");
  stat(c.p("d").c_str(), &after);
  c.flag("unrelated create: dir mtime unchanged", ns(after.st_mtim) == ns(before.st_mtim));
}

POSIX_CASE(links, hard_links) {
  c.make_file("f", "data");
  c.sys("link", link(c.p("f").c_str(), c.p("g").c_str()));
  c.nlink("nlink f", "f");
  c.nlink("nlink g", "g");
  c.flag("same inode", same_inode(c.p("f"), c.p("g")));
  c.val("content via g", c.content("g"));
  c.sys("link existing name", link(c.p("f").c_str(), c.p("g").c_str()));
  c.sys("link missing", link(c.p("missing").c_str(), c.p("h").c_str()));
  mkdir(c.p("d").c_str(), 0755);
  c.sys("link a directory", link(c.p("d").c_str(), c.p("dl").c_str()));
  c.sys("link into missing dir", link(c.p("f").c_str(), c.p("nodir/x").c_str()));
  c.sys("link in subdir", link(c.p("f").c_str(), c.p("d/h").c_str()));
  c.nlink("nlink 3", "f");
  int fd = open(c.p("g").c_str(), O_WRONLY | O_APPEND);
  write(fd, "+more", 5);
  close(fd);
  c.val("write via one name seen via another", c.content("d/h"));
  c.sys("unlink f", unlink(c.p("f").c_str()));
  c.nlink("nlink after unlink", "g");
  c.sys("unlink g", unlink(c.p("g").c_str()));
  c.nlink("last link", "d/h");
  c.val("content kept", c.content("d/h"));
  struct stat before, after;
  stat(c.p("d/h").c_str(), &before);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  link(c.p("d/h").c_str(), c.p("again").c_str());
  stat(c.p("d/h").c_str(), &after);
  c.flag("link advances ctime", ns(after.st_ctim) > ns(before.st_ctim));
  symlink("again", c.p("sl").c_str());
  c.sys("link to symlink (not followed)", link(c.p("sl").c_str(), c.p("sl2").c_str()));
  c.mode("hard link of symlink", "sl2");
  c.sys("linkat AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, c.p("sl").c_str(), AT_FDCWD, c.p("followed").c_str(),
                                            AT_SYMLINK_FOLLOW));
  c.mode("followed link", "followed");
}

POSIX_CASE(links, symlinks) {
  c.make_file("target", "T");
  c.sys("symlink", symlink("target", c.p("l").c_str()));
  c.mode("lstat mode", "l");
  c.size("lstat size = target length", "l");
  char buf[PATH_MAX];
  ssize_t n = readlink(c.p("l").c_str(), buf, sizeof buf);
  c.val("readlink", n >= 0 ? std::string(buf, size_t(n)) : errno_name(errno));
  n = readlink(c.p("l").c_str(), buf, 3);
  c.val("readlink short buffer", n >= 0 ? std::string(buf, size_t(n)) : errno_name(errno));
  c.val("read through", c.content("l"));
  c.sys("readlink on a file", readlink(c.p("target").c_str(), buf, sizeof buf));
  c.sys("readlink missing", readlink(c.p("missing").c_str(), buf, sizeof buf));
  c.sys("symlink existing name", symlink("x", c.p("l").c_str()));
  c.sys("dangling", symlink("nowhere", c.p("dangling").c_str()));
  struct stat st;
  c.sys("stat dangling", stat(c.p("dangling").c_str(), &st));
  c.sys("lstat dangling", lstat(c.p("dangling").c_str(), &st));
  c.sys("loop a", symlink("b", c.p("a").c_str()));
  c.sys("loop b", symlink("a", c.p("b").c_str()));
  c.sys("open loop", c.open_close("a", O_RDONLY));
  mkdir(c.p("dir").c_str(), 0755);
  c.make_file("dir/inner", "I");
  symlink("dir", c.p("dl").c_str());
  c.val("through dir symlink", c.content("dl/inner"));
  c.sys("rmdir of dir symlink", rmdir(c.p("dl").c_str()));
  c.sys("unlink dir symlink", unlink(c.p("dl").c_str()));
  c.sys("absolute target", symlink("/proc/self/nothing", c.p("abs").c_str()));
  n = readlink(c.p("abs").c_str(), buf, sizeof buf);
  c.val("absolute readlink", n >= 0 ? std::string(buf, size_t(n)) : errno_name(errno));
  c.sys("empty target", symlink("", c.p("empty").c_str()));
  std::string longest(PATH_MAX - 1, 'x');
  c.sys("target of 4095 bytes", symlink(longest.c_str(), c.p("long").c_str()));
  c.size("long target size", "long");
  std::string too_long(PATH_MAX, 'x');
  c.sys("target of 4096 bytes", symlink(too_long.c_str(), c.p("toolong").c_str()));
  c.sys("chmod through symlink", chmod(c.p("l").c_str(), 0600));
  c.mode("target mode", "target");
  c.mode("symlink mode unchanged", "l");
}

POSIX_CASE(rename, basics) {
  c.make_file("a", "A");
  c.sys("rename", rename(c.p("a").c_str(), c.p("b").c_str()));
  c.sys("old gone", access(c.p("a").c_str(), F_OK));
  c.val("new content", c.content("b"));
  c.make_file("c", "C");
  c.sys("rename over file", rename(c.p("b").c_str(), c.p("c").c_str()));
  c.val("replaced", c.content("c"));
  c.sys("rename to itself", rename(c.p("c").c_str(), c.p("c").c_str()));
  c.sys("rename missing", rename(c.p("missing").c_str(), c.p("x").c_str()));
  c.sys("rename into missing dir", rename(c.p("c").c_str(), c.p("nodir/x").c_str()));
  link(c.p("c").c_str(), c.p("hard").c_str());
  c.sys("rename onto own hard link", rename(c.p("c").c_str(), c.p("hard").c_str()));
  c.sys("both names stay", access(c.p("c").c_str(), F_OK));
  c.nlink("nlink stays 2", "c");
  mkdir(c.p("d").c_str(), 0755);
  c.sys("file into dir", rename(c.p("hard").c_str(), c.p("d/moved").c_str()));
  c.nlink("nlink after move", "c");
  struct stat before, after;
  stat(c.p("d/moved").c_str(), &before);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  rename(c.p("d/moved").c_str(), c.p("d/moved2").c_str());
  stat(c.p("d/moved2").c_str(), &after);
  c.flag("rename advances ctime of the file", ns(after.st_ctim) > ns(before.st_ctim));
  c.flag("rename keeps mtime of the file", ns(after.st_mtim) == ns(before.st_mtim));
}

POSIX_CASE(rename, directories) {
  mkdir(c.p("d1").c_str(), 0755);
  mkdir(c.p("d2").c_str(), 0755);
  mkdir(c.p("full").c_str(), 0755);
  c.make_file("full/x");
  c.make_file("f");
  c.sys("dir over empty dir", rename(c.p("d1").c_str(), c.p("d2").c_str()));
  c.sys("d1 gone", access(c.p("d1").c_str(), F_OK));
  c.sys("dir over non-empty dir", rename(c.p("d2").c_str(), c.p("full").c_str()));
  c.sys("file over dir", rename(c.p("f").c_str(), c.p("d2").c_str()));
  c.sys("dir over file", rename(c.p("d2").c_str(), c.p("f").c_str()));
  mkdir(c.p("d2/sub").c_str(), 0755);
  c.sys("dir into own subdir", rename(c.p("d2").c_str(), c.p("d2/sub/x").c_str()));
  c.sys("dir into itself", rename(c.p("d2").c_str(), c.p("d2/x").c_str()));
  c.sys("rename dot", rename(c.p("d2/.").c_str(), c.p("y").c_str()));
  c.sys("rename onto dotdot", rename(c.p("full/x").c_str(), c.p("d2/sub/..").c_str()));
  c.nlink("parent nlink before", ".");
  c.sys("move dir to other parent", rename(c.p("d2/sub").c_str(), c.p("full/sub").c_str()));
  c.nlink("old parent nlink", "d2");
  c.nlink("new parent nlink", "full");
  c.make_file("full/sub/deep", "D");
  c.val("content via new path", c.content("full/sub/deep"));
  c.sys("trailing slash on file source", rename(c.p("f/").c_str(), c.p("g").c_str()));
  c.sys("dir with trailing slash", rename(c.p("d2/").c_str(), c.p("d3/").c_str()));
}

POSIX_CASE(rename, flags) {
  c.make_file("a", "A");
  c.make_file("b", "B");
  mkdir(c.p("d").c_str(), 0755);
  c.make_file("d/inside", "I");
  auto r2 = [&](const char* from, const char* to, unsigned flags) {
    return renameat2(AT_FDCWD, c.p(from).c_str(), AT_FDCWD, c.p(to).c_str(), flags);
  };
  c.sys("NOREPLACE onto existing", r2("a", "b", RENAME_NOREPLACE));
  c.val("b unchanged", c.content("b"));
  c.sys("NOREPLACE to new name", r2("a", "n", RENAME_NOREPLACE));
  c.sys("EXCHANGE files", r2("n", "b", RENAME_EXCHANGE));
  c.val("b now", c.content("b"));
  c.val("n now", c.content("n"));
  c.sys("EXCHANGE file and dir", r2("n", "d", RENAME_EXCHANGE));
  c.mode("n is a dir", "n");
  c.mode("d is a file", "d");
  c.val("inside moved", c.content("n/inside"));
  c.sys("EXCHANGE with missing", r2("b", "missing", RENAME_EXCHANGE));
  c.sys("NOREPLACE|EXCHANGE", r2("b", "d", RENAME_NOREPLACE | RENAME_EXCHANGE));
  c.sys("unknown flag", r2("b", "zz", 1u << 10));
  c.sys("EXCHANGE into own subtree", r2("n", "n/inside", RENAME_EXCHANGE));
}

POSIX_CASE(names, lengths) {
  std::string n255(255, 'n'), n256(256, 'n');
  c.sys("create 255-byte name", c.open_close(n255, O_CREAT | O_WRONLY));
  c.sys("stat 255-byte name", access(c.p(n255).c_str(), F_OK));
  c.sys("create 256-byte name", c.open_close(n256, O_CREAT | O_WRONLY));
  c.sys("stat 256-byte name", access(c.p(n256).c_str(), F_OK));
  c.sys("mkdir 256", mkdir(c.p(n256).c_str(), 0755));
  c.sys("symlink name 256", symlink("x", c.p(n256).c_str()));
  c.sys("rename to 256", rename(c.p(n255).c_str(), c.p(n256).c_str()));
  c.sys("link to 256", link(c.p(n255).c_str(), c.p(n256).c_str()));
  std::string utf8;
  while (utf8.size() + 3 <= 255) utf8 += "\xe2\x82\xac";  // euro sign: 85 x 3 bytes
  c.sys("255 bytes of UTF-8", c.open_close(utf8, O_CREAT | O_WRONLY));
  c.sys("name with newline and tab", c.open_close("a\nb\tc", O_CREAT | O_WRONLY));
  c.sys("name with high bytes", c.open_close("\xff\xfe", O_CREAT | O_WRONLY));

  // Paths: at most PATH_MAX (4096) bytes including the NUL. Relative to the
  // case directory, so the two file systems see equal strings.
  std::string comp(200, 'p'), path;
  int dirs = 0;
  while (path.size() + comp.size() + 1 < 3900) {
    path += (path.empty() ? "" : "/") + comp;
    if (mkdir(path.c_str(), 0755) != 0) break;
    ++dirs;
  }
  c.val("nested dirs", dirs);
  std::string last = path + "/" + std::string(PATH_MAX - 1 - path.size() - 1, 'f');
  c.val("path length", (long long)last.size());
  c.sys("create at 4095 bytes", open(last.c_str(), O_CREAT | O_WRONLY, 0644) >= 0 ? 0 : -1);
  std::string over = path + "/" + std::string(PATH_MAX - path.size() - 1, 'g');
  c.sys("create at 4096 bytes", open(over.c_str(), O_CREAT | O_WRONLY, 0644) >= 0 ? 0 : -1);
  c.sys("stat at 4096 bytes", access(over.c_str(), F_OK));
}

POSIX_CASE(names, dot_entries) {
  c.sys("create dot", c.open_close(".", O_CREAT | O_WRONLY));
  c.sys("mkdir dot", mkdir(c.p(".").c_str(), 0755));
  c.sys("mkdir dotdot", mkdir(c.p("..").c_str(), 0755));
  c.sys("unlink dot", unlink(c.p(".").c_str()));
  c.sys("rmdir dot", rmdir(c.p(".").c_str()));
  c.sys("dotdot stat", access(c.p("..").c_str(), F_OK));
  c.sys("dot-file", c.open_close(".hidden", O_CREAT | O_WRONLY));
  c.sys("dotdot-file", c.open_close("..x", O_CREAT | O_WRONLY));
}

POSIX_CASE(special, fifo) {
  c.sys("mkfifo", mkfifo(c.p("fifo").c_str(), 0640));
  c.mode("mode", "fifo");
  c.size("size", "fifo");
  c.sys("mkfifo existing", mkfifo(c.p("fifo").c_str(), 0640));
  int r = open(c.p("fifo").c_str(), O_RDONLY | O_NONBLOCK);
  c.sys("open reader nonblocking", r);
  int w = open(c.p("fifo").c_str(), O_WRONLY | O_NONBLOCK);
  c.sys("open writer", w);
  c.val("write", (long long)write(w, "pipe", 4));
  char buf[8] = {};
  c.val("read", (long long)read(r, buf, sizeof buf));
  c.val("data", buf);
  close(w);
  close(r);
  c.sys("writer without reader", open(c.p("fifo").c_str(), O_WRONLY | O_NONBLOCK));
  c.sys("unlink fifo", unlink(c.p("fifo").c_str()));
}

POSIX_CASE(special, mknod) {
  c.sys("mknod regular", mknod(c.p("reg").c_str(), S_IFREG | 0600, 0));
  c.mode("regular mode", "reg");
  c.sys("mknod fifo", mknod(c.p("fifo").c_str(), S_IFIFO | 0600, 0));
  c.mode("fifo mode", "fifo");
  c.sys("mknod socket", mknod(c.p("sock").c_str(), S_IFSOCK | 0600, 0));
  c.mode("socket mode", "sock");
  c.sys("mknod char device", mknod(c.p("null").c_str(), S_IFCHR | 0666, makedev(1, 3)));
  c.mode("char mode", "null");
  struct stat st;
  if (lstat(c.p("null").c_str(), &st) == 0)
    c.val("char rdev", std::to_string(major(st.st_rdev)) + "," + std::to_string(minor(st.st_rdev)));
  c.sys("mknod block device", mknod(c.p("blk").c_str(), S_IFBLK | 0600, makedev(7, 0)));
  c.mode("block mode", "blk");
  c.sys("mknod existing", mknod(c.p("reg").c_str(), S_IFREG | 0600, 0));
  c.sys("mknod directory type", mknod(c.p("dir").c_str(), S_IFDIR | 0755, 0));
  int fd = open(c.p("null").c_str(), O_WRONLY);
  c.sys("open char device", fd);
  c.val("write to /dev/null clone", fd >= 0 ? (long long)write(fd, "gone", 4) : -1LL);
  if (fd >= 0) close(fd);
}

}  // namespace combfs::posix
