// Regular files: open flags, read/write, O_APPEND, truncate, holes, lseek,
// fallocate, mmap, unlinked-but-open files, O_DIRECT.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "tests/posix/suite.h"

namespace combfs::posix {
namespace {

std::string pread_str(int fd, size_t n, off_t off) {
  std::string buf(n, '\0');
  ssize_t got = pread(fd, buf.data(), n, off);
  if (got < 0) return "<" + errno_name(errno) + ">";
  buf.resize(size_t(got));
  return buf;
}

bool all_zero(const std::string& s) { return s.find_first_not_of('\0') == std::string::npos; }

}  // namespace

POSIX_CASE(files, open_creat_excl) {
  c.sys("create excl", c.open_close("f", O_CREAT | O_EXCL | O_WRONLY, 0640));
  c.mode("mode", "f");
  c.sys("create excl again", c.open_close("f", O_CREAT | O_EXCL | O_WRONLY));
  c.sys("create existing", c.open_close("f", O_CREAT | O_WRONLY));
  c.mode("mode unchanged", "f");
  c.sys("symlink to missing", symlink("missing", c.p("dangling").c_str()));
  c.sys("excl through dangling symlink", c.open_close("dangling", O_CREAT | O_EXCL | O_WRONLY));
  c.sys("creat through dangling symlink", c.open_close("dangling", O_CREAT | O_WRONLY));
  c.mode("symlink target created", "missing");
  c.sys("mkdir", mkdir(c.p("d").c_str(), 0755));
  c.sys("excl on a directory", c.open_close("d", O_CREAT | O_EXCL | O_WRONLY));
  c.sys("creat on a directory", c.open_close("d", O_CREAT | O_WRONLY));
  c.sys("creat rdonly on a directory", c.open_close("d", O_CREAT | O_RDONLY));
}

POSIX_CASE(files, open_errors) {
  c.sys("missing", c.open_close("missing", O_RDONLY));
  c.sys("creat in missing dir", c.open_close("nodir/f", O_CREAT | O_WRONLY));
  c.make_file("file", "x");
  c.sys("file as dir", c.open_close("file/x", O_RDONLY));
  c.sys("creat under file", c.open_close("file/x", O_CREAT | O_WRONLY));
  c.sys("O_DIRECTORY on file", c.open_close("file", O_RDONLY | O_DIRECTORY));
  c.sys("trailing slash on file", c.open_close("file/", O_RDONLY));
  c.sys("mkdir", mkdir(c.p("d").c_str(), 0755));
  c.sys("dir rdonly", c.open_close("d", O_RDONLY));
  c.sys("dir O_DIRECTORY", c.open_close("d", O_RDONLY | O_DIRECTORY));
  c.sys("dir wronly", c.open_close("d", O_WRONLY));
  c.sys("dir rdwr", c.open_close("d", O_RDWR));
  c.sys("empty path", open("", O_RDONLY));
  c.sys("O_NOFOLLOW on symlink", (symlink("file", c.p("l").c_str()), c.open_close("l", O_RDONLY | O_NOFOLLOW)));
  c.sys("O_PATH|O_NOFOLLOW on symlink", c.open_close("l", O_PATH | O_NOFOLLOW));
}

POSIX_CASE(files, read_write_basics) {
  int fd = c.sys("open", open(c.p("f").c_str(), O_CREAT | O_RDWR, 0644));
  c.val("write", (long long)write(fd, "hello world", 11));
  c.val("offset", (long long)lseek(fd, 0, SEEK_CUR));
  c.val("pread", pread_str(fd, 5, 6));
  c.val("pread at eof", pread_str(fd, 5, 11));
  c.val("pread beyond eof", pread_str(fd, 5, 100));
  c.val("read at eof", pread_str(fd, 100, 0).size() == 11 ? "11 bytes" : "wrong");
  c.val("pwrite middle", (long long)pwrite(fd, "WORLD", 5, 6));
  c.val("content", c.content("f"));
  c.val("lseek SEEK_END", (long long)lseek(fd, 0, SEEK_END));
  c.val("lseek SEEK_END-3", (long long)lseek(fd, -3, SEEK_END));
  c.sys("lseek negative", lseek(fd, -100, SEEK_SET));
  c.sys("lseek bad whence", lseek(fd, 0, 77));
  c.val("write after seek past eof", (long long)(lseek(fd, 20, SEEK_SET), write(fd, "!", 1)));
  c.size("size", "f");
  c.val("gap reads as zeros", all_zero(pread_str(fd, 9, 11)) ? "yes" : "no");
  c.sys("close", close(fd));
  c.sys("close again", close(fd));
  int ro = open(c.p("f").c_str(), O_RDONLY);
  c.sys("write to O_RDONLY", write(ro, "x", 1));
  close(ro);
  int wo = open(c.p("f").c_str(), O_WRONLY);
  char b;
  c.sys("read from O_WRONLY", read(wo, &b, 1));
  close(wo);
  c.sys("zero-length write", (wo = open(c.p("f").c_str(), O_WRONLY), write(wo, "", 0)));
  close(wo);
}

POSIX_CASE(files, o_trunc) {
  c.make_file("f", std::string(100, 'a'));
  struct stat before, after;
  stat(c.p("f").c_str(), &before);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.sys("open O_TRUNC|O_WRONLY", c.open_close("f", O_TRUNC | O_WRONLY));
  c.size("size", "f");
  stat(c.p("f").c_str(), &after);
  c.flag("mtime advanced", after.st_mtim.tv_sec * 1000000000L + after.st_mtim.tv_nsec >
                               before.st_mtim.tv_sec * 1000000000L + before.st_mtim.tv_nsec);
  c.make_file("g", std::string(100, 'a'));
  c.sys("open O_TRUNC|O_RDWR", c.open_close("g", O_TRUNC | O_RDWR));
  c.size("size rdwr", "g");
  c.make_file("e", "");
  stat(c.p("e").c_str(), &before);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.sys("O_TRUNC of empty file", c.open_close("e", O_TRUNC | O_WRONLY));
  stat(c.p("e").c_str(), &after);
  c.flag("empty: mtime unchanged", after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
                                        after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  c.sys("creat|trunc new", c.open_close("n", O_CREAT | O_TRUNC | O_WRONLY, 0600));
  c.mode("new mode", "n");
}

POSIX_CASE(files, o_append) {
  c.make_file("f", "start:");
  int a = open(c.p("f").c_str(), O_WRONLY | O_APPEND);
  int b = open(c.p("f").c_str(), O_WRONLY | O_APPEND);
  c.val("write a", (long long)write(a, "A1", 2));
  c.val("write b", (long long)write(b, "B1", 2));
  c.val("write a again", (long long)write(a, "A2", 2));
  c.val("pwrite at 0 appends (Linux)", (long long)pwrite(b, "P", 1, 0));
  c.val("offset after append", (long long)lseek(a, 0, SEEK_CUR));
  close(a);
  close(b);
  c.val("content", c.content("f"));
}

POSIX_CASE(files, o_append_processes) {
  // Several processes append fixed-size records; none may be lost or torn.
  c.make_file("log", "");
  constexpr int kProcs = 4, kRecords = 50;
  pid_t pids[kProcs];
  for (int w = 0; w < kProcs; ++w) {
    pids[w] = fork();
    if (pids[w] == 0) {
      int fd = open(c.p("log").c_str(), O_WRONLY | O_APPEND);
      char rec[16];
      for (int i = 0; i < kRecords; ++i) {
        snprintf(rec, sizeof rec, "w%d-r%03d......\n", w, i);
        if (write(fd, rec, 15) != 15) _exit(1);
      }
      close(fd);
      _exit(0);
    }
  }
  int failed = 0;
  for (pid_t p : pids) {
    int st = 0;
    waitpid(p, &st, 0);
    failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  c.val("failed writers", failed);
  std::string all = c.content("log");
  c.val("size", (long long)all.size());
  int whole = 0;
  for (size_t off = 0; off + 15 <= all.size(); off += 15)
    whole += all[off] == 'w' && all[off + 14] == '\n';
  c.val("intact records", whole);
}

POSIX_CASE(files, truncate_grow_shrink) {
  c.make_file("f", "0123456789");
  c.sys("truncate grow", truncate(c.p("f").c_str(), 100));
  c.size("size", "f");
  std::string s = c.content("f");
  c.val("head", s.substr(0, 10));
  c.flag("tail zero", all_zero(s.substr(10)));
  c.sys("truncate shrink", truncate(c.p("f").c_str(), 4));
  c.val("content", c.content("f"));
  c.sys("truncate grow again", truncate(c.p("f").c_str(), 8));
  c.val("regrown content", c.content("f"));
  int fd = open(c.p("f").c_str(), O_RDWR);
  c.sys("ftruncate", ftruncate(fd, 2));
  c.val("fd sees size", (long long)lseek(fd, 0, SEEK_END));
  c.sys("ftruncate negative", ftruncate(fd, -1));
  close(fd);
  fd = open(c.p("f").c_str(), O_RDONLY);
  c.sys("ftruncate on O_RDONLY", ftruncate(fd, 0));
  close(fd);
  c.sys("truncate missing", truncate(c.p("missing").c_str(), 0));
  mkdir(c.p("d").c_str(), 0755);
  c.sys("truncate dir", truncate(c.p("d").c_str(), 0));
  c.sys("truncate negative", truncate(c.p("f").c_str(), -5));
  c.sys("truncate big (4 GiB + 1)", truncate(c.p("f").c_str(), (4LL << 30) + 1));
  c.size("big size", "f");
  c.sys("truncate to 0", truncate(c.p("f").c_str(), 0));
  c.size("zero size", "f");
}

POSIX_CASE(files, truncate_times) {
  c.make_file("f", "abc");
  struct stat before, after;
  stat(c.p("f").c_str(), &before);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.sys("truncate", truncate(c.p("f").c_str(), 1));
  stat(c.p("f").c_str(), &after);
  auto ns = [](const timespec& t) { return t.tv_sec * 1000000000L + t.tv_nsec; };
  c.flag("mtime advanced", ns(after.st_mtim) > ns(before.st_mtim));
  c.flag("ctime advanced", ns(after.st_ctim) > ns(before.st_ctim));
  before = after;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.sys("truncate same size", truncate(c.p("f").c_str(), 1));
  stat(c.p("f").c_str(), &after);
  c.flag("same size: mtime advanced", ns(after.st_mtim) > ns(before.st_mtim));
}

POSIX_CASE(files, sparse_holes) {
  int fd = c.sys("open", open(c.p("f").c_str(), O_CREAT | O_RDWR, 0644));
  std::string block(4096, 'd');
  c.val("write head", (long long)pwrite(fd, block.data(), block.size(), 0));
  c.val("write far", (long long)pwrite(fd, block.data(), block.size(), 8 << 20));
  c.size("size", "f");
  c.flag("hole reads zeros", all_zero(pread_str(fd, 65536, 1 << 20)));
  c.val("data after hole", pread_str(fd, 4, 8 << 20));
  struct stat st;
  fstat(fd, &st);
  c.flag("st_blocks below size/512 (holes not allocated)", st.st_blocks < st.st_size / 512);
  c.val("SEEK_DATA from 0", (long long)lseek(fd, 0, SEEK_DATA));
  c.val("SEEK_HOLE from 0", (long long)lseek(fd, 0, SEEK_HOLE));
  c.val("SEEK_DATA in hole", (long long)lseek(fd, 1 << 20, SEEK_DATA));
  c.val("SEEK_HOLE in last data", (long long)lseek(fd, (8 << 20) + 1, SEEK_HOLE));
  c.sys("SEEK_DATA at eof", lseek(fd, st.st_size, SEEK_DATA));
  c.sys("SEEK_HOLE beyond eof", lseek(fd, st.st_size + 10, SEEK_HOLE));
  close(fd);
}

POSIX_CASE(files, fallocate_modes) {
  int fd = c.sys("open", open(c.p("f").c_str(), O_CREAT | O_RDWR, 0644));
  c.sys("fallocate 0..1MiB", fallocate(fd, 0, 0, 1 << 20));
  c.size("size after allocate", "f");
  c.flag("allocated range reads zeros", all_zero(pread_str(fd, 1 << 20, 0)));
  c.sys("fallocate inside", fallocate(fd, 0, 4096, 4096));
  c.size("size unchanged", "f");
  c.sys("fallocate KEEP_SIZE beyond", fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20));
  c.size("size kept", "f");
  c.sys("fallocate zero length", fallocate(fd, 0, 0, 0));
  c.sys("fallocate negative offset", fallocate(fd, 0, -1, 10));
  c.sys("posix_fallocate grows", -posix_fallocate(fd, 0, 3 << 20) == 0 ? 0 : -1);
  c.size("size after posix_fallocate", "f");
  close(fd);
  int ro = open(c.p("f").c_str(), O_RDONLY);
  c.sys("fallocate on O_RDONLY", fallocate(ro, 0, 0, 10));
  close(ro);
}

POSIX_CASE(files, fallocate_punch_hole) {
  int fd = open(c.p("f").c_str(), O_CREAT | O_RDWR, 0644);
  std::string data(65536, 'x');
  c.val("write", (long long)pwrite(fd, data.data(), data.size(), 0));
  c.sys("punch hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 8192));
  c.size("size", "f");
  c.val("punched range", all_zero(pread_str(fd, 8192, 4096)) ? "zeros" : "data");
  c.sys("zero range", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096));
  close(fd);
}

POSIX_CASE(files, mmap_shared) {
  int fd = c.sys("open", open(c.p("f").c_str(), O_CREAT | O_RDWR, 0644));
  c.sys("ftruncate", ftruncate(fd, 8192));
  void* m = mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  c.flag("mmap", m != MAP_FAILED);
  if (m == MAP_FAILED) return;
  char* p = static_cast<char*>(m);
  memcpy(p + 100, "mapped", 6);
  c.val("read sees mapped write", pread_str(fd, 6, 100));
  c.val("pwrite", (long long)pwrite(fd, "written", 7, 5000));
  c.val("mapping sees pwrite", std::string(p + 5000, 7));
  c.sys("msync", msync(m, 8192, MS_SYNC));
  // Another process's mapping of the same file sees the data too.
  int fds[2];
  pipe(fds);
  pid_t child = fork();
  if (child == 0) {
    int cfd = open(c.p("f").c_str(), O_RDWR);
    char* q = static_cast<char*>(mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0));
    std::string seen = q == MAP_FAILED ? "mmap failed" : std::string(q + 100, 6);
    if (q != MAP_FAILED) memcpy(q + 200, "child", 5);
    if (q != MAP_FAILED) msync(q, 8192, MS_SYNC);
    (void)!write(fds[1], seen.data(), seen.size());
    _exit(0);
  }
  close(fds[1]);
  char seen[16] = {};
  (void)!read(fds[0], seen, sizeof seen - 1);
  close(fds[0]);
  waitpid(child, nullptr, 0);
  c.val("child mapping sees parent's write", seen);
  c.val("parent mapping sees child's write", std::string(p + 200, 5));
  munmap(m, 8192);
  close(fd);
  c.val("content after close", c.content("f").substr(100, 6));
  void* ro = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, (fd = open(c.p("f").c_str(), O_RDONLY)), 0);
  c.val("writable shared map of O_RDONLY fd", ro == MAP_FAILED ? errno_name(errno) : "mapped");
  if (ro != MAP_FAILED) munmap(ro, 4096);
  close(fd);
}

POSIX_CASE(files, mmap_private) {
  c.make_file("f", std::string(4096, 'a'));
  int fd = open(c.p("f").c_str(), O_RDONLY);
  char* p = static_cast<char*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  c.flag("mmap private", p != MAP_FAILED);
  if (p == MAP_FAILED) return;
  p[0] = 'Z';
  c.val("file unchanged", c.content("f").substr(0, 1));
  munmap(p, 4096);
  close(fd);
}

POSIX_CASE(files, unlinked_open_file) {
  int fd = open(c.p("f").c_str(), O_CREAT | O_RDWR, 0644);
  c.val("write", (long long)write(fd, "keep", 4));
  c.sys("unlink", unlink(c.p("f").c_str()));
  c.sys("stat after unlink", access(c.p("f").c_str(), F_OK));
  struct stat st;
  fstat(fd, &st);
  c.val("fstat nlink", (long long)st.st_nlink);
  c.val("read via fd", pread_str(fd, 4, 0));
  c.val("write via fd", (long long)pwrite(fd, "more", 4, 4));
  c.val("read more", pread_str(fd, 8, 0));
  c.sys("create same name", c.open_close("f", O_CREAT | O_EXCL | O_WRONLY));
  c.size("new file size", "f");
  close(fd);
}

POSIX_CASE(files, o_direct) {
  int fd = open(c.p("f").c_str(), O_CREAT | O_RDWR | O_DIRECT, 0644);
  c.sys("open O_DIRECT", fd);
  if (fd < 0) return;
  void* buf = nullptr;
  posix_memalign(&buf, 4096, 8192);
  memset(buf, 'q', 8192);
  c.val("aligned write", (long long)pwrite(fd, buf, 8192, 0));
  memset(buf, 0, 8192);
  c.val("aligned read", (long long)pread(fd, buf, 4096, 4096));
  c.val("data", std::string(static_cast<char*>(buf), 3));
  free(buf);
  close(fd);
  c.size("size", "f");
}

POSIX_CASE(files, large_offsets) {
  int fd = open(c.p("f").c_str(), O_CREAT | O_RDWR, 0644);
  off_t far = (5LL << 30) + 123;
  c.val("write at 5 GiB", (long long)pwrite(fd, "big", 3, far));
  c.size("size", "f");
  c.val("read back", pread_str(fd, 3, far));
  c.val("read across end", pread_str(fd, 10, far - 2).size() == 5 ? "5 bytes" : "wrong");
  close(fd);
}

POSIX_CASE(files, write_times) {
  c.make_file("f", "x");
  struct stat before, after;
  stat(c.p("f").c_str(), &before);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  int fd = open(c.p("f").c_str(), O_WRONLY);
  write(fd, "y", 1);
  close(fd);
  stat(c.p("f").c_str(), &after);
  auto ns = [](const timespec& t) { return t.tv_sec * 1000000000L + t.tv_nsec; };
  c.flag("write: mtime advanced", ns(after.st_mtim) > ns(before.st_mtim));
  c.flag("write: ctime advanced", ns(after.st_ctim) > ns(before.st_ctim));
  before = after;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  c.val("read", c.content("f"));
  stat(c.p("f").c_str(), &after);
  c.flag("read: mtime unchanged", ns(after.st_mtim) == ns(before.st_mtim));
  c.flag("read: ctime unchanged", ns(after.st_ctim) == ns(before.st_ctim));
}

}  // namespace combfs::posix
