// The errno matrix: every path-taking operation against every kind of path
// (missing, regular file, directory, symlinks, FIFO, a file used as a
// directory, a name over 255 bytes, ...), one case per pair. Each case
// records the call's result and then the state of the whole scene, so side
// effects (what was created, removed, changed) are compared too.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "tests/posix/suite.h"

namespace combfs::posix {
namespace {

const std::string kLong(256, 'n');

// (kind, path in the scene)
const std::vector<std::pair<std::string, std::string>> kKinds = {
    {"missing", "missing"},       {"file", "file"},         {"dir", "dir"},
    {"empty_dir", "empty"},       {"symlink_file", "lfile"}, {"symlink_dir", "ldir"},
    {"dangling", "dangling"},     {"fifo", "fifo"},         {"under_file", "file/x"},
    {"name_too_long", kLong},     {"file_slash", "file/"},  {"dir_slash", "dir/"},
};

void make_scene(Ctx& c) {
  c.make_file("file", "data", 0644);
  mkdir(c.p("dir").c_str(), 0755);
  c.make_file("dir/inner", "in", 0644);
  mkdir(c.p("empty").c_str(), 0755);
  symlink("file", c.p("lfile").c_str());
  symlink("dir", c.p("ldir").c_str());
  symlink("nowhere", c.p("dangling").c_str());
  mkfifo(c.p("fifo").c_str(), 0644);
}

// One word per scene entry: type, permission bits and (files) size.
std::string scene_state(Ctx& c) {
  std::string out;
  for (const char* name : {"file", "dir", "dir/inner", "empty", "lfile", "ldir", "dangling", "nowhere", "fifo",
                           "missing", "new", "target"}) {
    struct stat st;
    out += std::string(name) + ":";
    if (lstat(c.p(name).c_str(), &st) != 0) {
      out += "- ";
      continue;
    }
    char t = S_ISREG(st.st_mode) ? 'f' : S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : S_ISFIFO(st.st_mode) ? 'p' : '?';
    char buf[32];
    if (S_ISLNK(st.st_mode))
      snprintf(buf, sizeof buf, "%c ", t);  // symlink permission bits mean nothing
    else if (S_ISREG(st.st_mode))
      snprintf(buf, sizeof buf, "%c%o/%lld ", t, unsigned(st.st_mode & 07777), (long long)st.st_size);
    else
      snprintf(buf, sizeof buf, "%c%o ", t, unsigned(st.st_mode & 07777));
    out += buf;
  }
  return out;
}

long open_close(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags, 0644);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}

using Op = long (*)(Ctx&, const std::string&);

const std::vector<std::pair<std::string, Op>> kOps = {
    {"open_rdonly", [](Ctx& c, const std::string& p) { return open_close(p, O_RDONLY | O_NONBLOCK); }},
    {"open_wronly", [](Ctx& c, const std::string& p) { return open_close(p, O_WRONLY | O_NONBLOCK); }},
    {"open_rdwr_trunc", [](Ctx& c, const std::string& p) { return open_close(p, O_RDWR | O_TRUNC | O_NONBLOCK); }},
    {"open_creat", [](Ctx& c, const std::string& p) { return open_close(p, O_CREAT | O_WRONLY | O_NONBLOCK); }},
    {"open_creat_excl", [](Ctx& c, const std::string& p) { return open_close(p, O_CREAT | O_EXCL | O_WRONLY); }},
    {"open_directory", [](Ctx& c, const std::string& p) { return open_close(p, O_RDONLY | O_DIRECTORY); }},
    {"open_nofollow", [](Ctx& c, const std::string& p) { return open_close(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK); }},
    {"stat", [](Ctx& c, const std::string& p) { struct stat st; return long(stat(p.c_str(), &st)); }},
    {"lstat", [](Ctx& c, const std::string& p) { struct stat st; return long(lstat(p.c_str(), &st)); }},
    {"access_w", [](Ctx& c, const std::string& p) { return long(access(p.c_str(), W_OK)); }},
    {"unlink", [](Ctx& c, const std::string& p) { return long(unlink(p.c_str())); }},
    {"rmdir", [](Ctx& c, const std::string& p) { return long(rmdir(p.c_str())); }},
    {"mkdir", [](Ctx& c, const std::string& p) { return long(mkdir(p.c_str(), 0755)); }},
    {"mkfifo", [](Ctx& c, const std::string& p) { return long(mkfifo(p.c_str(), 0644)); }},
    {"symlink_at", [](Ctx& c, const std::string& p) { return long(symlink("target", p.c_str())); }},
    {"link_from", [](Ctx& c, const std::string& p) { return long(link(p.c_str(), c.p("new").c_str())); }},
    {"link_to", [](Ctx& c, const std::string& p) { return long(link(c.p("file").c_str(), p.c_str())); }},
    {"rename_from", [](Ctx& c, const std::string& p) { return long(rename(p.c_str(), c.p("new").c_str())); }},
    {"rename_file_to", [](Ctx& c, const std::string& p) { return long(rename(c.p("file").c_str(), p.c_str())); }},
    {"rename_dir_to", [](Ctx& c, const std::string& p) { return long(rename(c.p("empty").c_str(), p.c_str())); }},
    {"rename_noreplace_to",
     [](Ctx& c, const std::string& p) {
       return long(renameat2(AT_FDCWD, c.p("file").c_str(), AT_FDCWD, p.c_str(), RENAME_NOREPLACE));
     }},
    {"rename_exchange",
     [](Ctx& c, const std::string& p) {
       return long(renameat2(AT_FDCWD, c.p("file").c_str(), AT_FDCWD, p.c_str(), RENAME_EXCHANGE));
     }},
    {"truncate", [](Ctx& c, const std::string& p) { return long(truncate(p.c_str(), 3)); }},
    {"chmod", [](Ctx& c, const std::string& p) { return long(chmod(p.c_str(), 0600)); }},
    {"chown_self", [](Ctx& c, const std::string& p) { return long(chown(p.c_str(), getuid(), getgid())); }},
    {"utimens_now", [](Ctx& c, const std::string& p) { return long(utimensat(AT_FDCWD, p.c_str(), nullptr, 0)); }},
    {"utimens_nofollow",
     [](Ctx& c, const std::string& p) {
       timespec t[2] = {{10, 0}, {20, 0}};
       return long(utimensat(AT_FDCWD, p.c_str(), t, AT_SYMLINK_NOFOLLOW));
     }},
    {"readlink",
     [](Ctx& c, const std::string& p) {
       char buf[64];
       return long(readlink(p.c_str(), buf, sizeof buf));
     }},
    {"setxattr", [](Ctx& c, const std::string& p) { return long(setxattr(p.c_str(), "user.m", "1", 1, 0)); }},
    {"lsetxattr", [](Ctx& c, const std::string& p) { return long(lsetxattr(p.c_str(), "user.m", "1", 1, 0)); }},
    {"getxattr",
     [](Ctx& c, const std::string& p) {
       char buf[8];
       return long(getxattr(p.c_str(), "user.none", buf, sizeof buf));
     }},
    {"listxattr",
     [](Ctx& c, const std::string& p) {
       char buf[256];
       return long(listxattr(p.c_str(), buf, sizeof buf) < 0 ? -1 : 0);
     }},
    {"statvfs", [](Ctx& c, const std::string& p) { struct statvfs s; return long(statvfs(p.c_str(), &s)); }},
    {"chdir", [](Ctx& c, const std::string& p) { return long(chdir(p.c_str())); }},
};

// Registers the cross product before main() (after the kOps/kKinds above,
// which are defined earlier in this translation unit).
struct RegisterMatrix {
  RegisterMatrix() {
    for (const auto& [op_name, op] : kOps) {
      for (const auto& [kind, path] : kKinds) {
        Op f = op;
        std::string rel = path;
        all_cases().push_back(Case{"matrix", op_name + "." + kind, [f, rel](Ctx& c) {
                                     make_scene(c);
                                     c.sys("call", f(c, c.p(rel)));
                                     c.val("scene", scene_state(c));
                                   }});
      }
    }
  }
} register_matrix;

}  // namespace
}  // namespace combfs::posix
