// Permissions for non-root users: owner/group/other bits on files and
// directories, sticky directories, setgid directory inheritance, clearing of
// set-user-ID and set-group-ID on write, truncate and chown. As root the
// cases set the scene and check as Alice and Bob; in the unprivileged run
// they check what one user can do to its own files.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "tests/posix/suite.h"

namespace combfs::posix {
namespace {

void prepare(Ctx& c, const std::string& rel, uid_t uid, gid_t gid, mode_t mode, bool dir = false) {
  if (dir)
    mkdir(c.p(rel).c_str(), 0700);
  else
    c.make_file(rel, "content", 0600);
  if (chown(c.p(rel).c_str(), uid, gid) != 0) c.sys("prepare chown " + rel, -1);
  if (chmod(c.p(rel).c_str(), mode) != 0) c.sys("prepare chmod " + rel, -1);
}

}  // namespace

POSIX_CASE(perms, file_bits) {
  if (!c.root()) {
    c.make_file("f", "x", 0644);
    chmod(c.p("f").c_str(), 0);
    c.sys("owner without read", c.open_close("f", O_RDONLY));
    c.sys("owner without write", c.open_close("f", O_WRONLY));
    chmod(c.p("f").c_str(), 0200);
    c.sys("owner write-only: write", c.open_close("f", O_WRONLY));
    c.sys("owner write-only: read", c.open_close("f", O_RDONLY));
    c.sys("owner write-only: truncate", truncate(c.p("f").c_str(), 0));
    chmod(c.p("f").c_str(), 0400);
    c.sys("read-only: truncate", truncate(c.p("f").c_str(), 0));
    c.sys("read-only: O_TRUNC", c.open_close("f", O_RDONLY | O_TRUNC));
    c.sys("read-only: unlink (dir writable)", unlink(c.p("f").c_str()));
    return;
  }
  prepare(c, "owner_rw", kAlice, kStaff, 0600);
  prepare(c, "group_r", kAlice, kStaff, 0640);
  prepare(c, "other_r", kAlice, kStaff, 0604);
  prepare(c, "owner_none", kAlice, kStaff, 0066);  // owner bits win even if group/other allow
  c.sys("root reads mode 0066", c.open_close("owner_none", O_RDONLY));
  c.as(kAlice, kAlice, [](Ctx& a) {
    a.sys("alice owner_rw read", a.open_close("owner_rw", O_RDONLY));
    a.sys("alice owner_rw write", a.open_close("owner_rw", O_WRONLY));
    a.sys("alice owner_none read", a.open_close("owner_none", O_RDONLY));
  });
  c.as(kBob, kBob, {kStaff}, [](Ctx& b) {
    b.sys("bob (staff) owner_rw read", b.open_close("owner_rw", O_RDONLY));
    b.sys("bob (staff) group_r read", b.open_close("group_r", O_RDONLY));
    b.sys("bob (staff) group_r write", b.open_close("group_r", O_WRONLY));
    b.sys("bob (staff) other_r read", b.open_close("other_r", O_RDONLY));
    b.sys("bob (staff) owner_none read", b.open_close("owner_none", O_RDONLY));
    b.sys("bob truncate group_r", truncate(b.p("group_r").c_str(), 0));
  });
  c.as(kBob, kBob, [](Ctx& b) {
    b.sys("bob (no staff) group_r read", b.open_close("group_r", O_RDONLY));
    b.sys("bob (no staff) other_r read", b.open_close("other_r", O_RDONLY));
    b.sys("bob (no staff) owner_none read", b.open_close("owner_none", O_RDONLY));
  });
}

POSIX_CASE(perms, directory_bits) {
  if (!c.root()) {
    mkdir(c.p("d").c_str(), 0755);
    c.make_file("d/f", "x");
    chmod(c.p("d").c_str(), 0600);  // no search
    c.sys("no x: stat inside", access(c.p("d/f").c_str(), F_OK));
    c.sys("no x: create inside", c.open_close("d/g", O_CREAT | O_WRONLY));
    chmod(c.p("d").c_str(), 0500);  // no write
    c.sys("no w: create", c.open_close("d/g", O_CREAT | O_WRONLY));
    c.sys("no w: unlink", unlink(c.p("d/f").c_str()));
    c.sys("no w: rename within", rename(c.p("d/f").c_str(), c.p("d/h").c_str()));
    c.sys("no w: mkdir", mkdir(c.p("d/sub").c_str(), 0755));
    c.sys("no w: write existing file", c.open_close("d/f", O_WRONLY));
    chmod(c.p("d").c_str(), 0300);  // no read
    c.sys("no r: opendir", c.open_close("d", O_RDONLY | O_DIRECTORY));
    c.sys("no r: open known name", c.open_close("d/f", O_RDONLY));
    chmod(c.p("d").c_str(), 0755);
    return;
  }
  prepare(c, "d", kAlice, kStaff, 0750, true);
  c.make_file("d/f", "x", 0644);
  c.as(kBob, kBob, {kStaff}, [](Ctx& b) {
    b.sys("group: read file inside", b.open_close("d/f", O_RDONLY));
    b.sys("group: create inside (no w)", b.open_close("d/new", O_CREAT | O_WRONLY));
    b.sys("group: unlink inside (no w)", unlink(b.p("d/f").c_str()));
  });
  c.as(kBob, kBob, [](Ctx& b) {
    b.sys("other: stat inside (no x)", access(b.p("d/f").c_str(), F_OK));
    b.sys("other: opendir (no r)", b.open_close("d", O_RDONLY | O_DIRECTORY));
  });
  chmod(c.p("d").c_str(), 0777);
  c.as(kBob, kBob, [](Ctx& b) {
    b.sys("world-writable: create", b.open_close("d/bob", O_CREAT | O_WRONLY));
    b.owner("bob's file owner", "d/bob");
    b.sys("world-writable: unlink root's file", unlink(b.p("d/f").c_str()));
  });
}

POSIX_CASE(perms, sticky_directory) {
  if (!c.root()) {
    mkdir(c.p("t").c_str(), 01777);
    chmod(c.p("t").c_str(), 01777);
    c.make_file("t/mine");
    c.sys("own file in sticky dir: rename", rename(c.p("t/mine").c_str(), c.p("t/mine2").c_str()));
    c.sys("own file in sticky dir: unlink", unlink(c.p("t/mine2").c_str()));
    return;
  }
  prepare(c, "t", 0, 0, 01777, true);
  c.as(kAlice, kAlice, [](Ctx& a) {
    a.make_file("t/alice", "a", 0666);
    a.sys("alice mkdir", mkdir(a.p("t/alicedir").c_str(), 0777));
  });
  c.as(kBob, kBob, [](Ctx& b) {
    b.sys("bob unlink alice's file", unlink(b.p("t/alice").c_str()));
    b.sys("bob rename alice's file", rename(b.p("t/alice").c_str(), b.p("t/stolen").c_str()));
    b.sys("bob rmdir alice's dir", rmdir(b.p("t/alicedir").c_str()));
    b.sys("bob writes alice's file (0666)", b.open_close("t/alice", O_WRONLY));
    b.make_file("t/bob", "b");
    b.sys("bob renames over alice's file", rename(b.p("t/bob").c_str(), b.p("t/alice").c_str()));
    b.sys("bob unlinks own file", unlink(b.p("t/bob").c_str()));
  });
  c.as(kAlice, kAlice, [](Ctx& a) { a.sys("alice unlinks own file", unlink(a.p("t/alice").c_str())); });
  c.sys("root unlinks in sticky dir", rmdir(c.p("t/alicedir").c_str()));
  // The directory's owner may delete anything in it.
  prepare(c, "owned", kBob, kBob, 01777, true);
  c.as(kAlice, kAlice, [](Ctx& a) { a.make_file("owned/a", "a"); });
  c.as(kBob, kBob, [](Ctx& b) { b.sys("dir owner unlinks alice's file", unlink(b.p("owned/a").c_str())); });
}

POSIX_CASE(perms, setgid_directory) {
  if (!c.root()) {
    mkdir(c.p("g").c_str(), 0775);
    c.sys("chmod g+s on own dir", chmod(c.p("g").c_str(), 02775));
    c.mode("dir mode", "g");
    c.make_file("g/f");
    c.owner("file owner", "g/f");
    return;
  }
  prepare(c, "g", 0, kStaff, 02777, true);
  c.mode("setgid dir", "g");
  c.make_file("g/rootfile");
  c.owner("root's file inherits group", "g/rootfile");
  c.sys("mkdir inside", mkdir(c.p("g/sub").c_str(), 0755));
  c.owner("subdir inherits group", "g/sub");
  c.mode("subdir inherits setgid", "g/sub");
  c.sys("mknod fifo inside", mkfifo(c.p("g/fifo").c_str(), 0644));
  c.owner("fifo group", "g/fifo");
  c.sys("symlink inside", symlink("x", c.p("g/link").c_str()));
  c.owner("symlink group", "g/link");
  c.sys("mkdir in the subdir", mkdir(c.p("g/sub/deeper").c_str(), 0700));
  c.owner("deeper subdir group", "g/sub/deeper");
  c.mode("deeper subdir inherits setgid", "g/sub/deeper");
  c.make_file("g/sub/deeper/f", "", 0640);
  c.owner("file two levels down", "g/sub/deeper/f");
  c.sys("link into the setgid dir", link(c.p("g/rootfile").c_str(), c.p("g/sub/hard").c_str()));
  c.owner("hard link keeps its group", "g/sub/hard");
  c.as(kAlice, kAlice, [](Ctx& a) {
    a.make_file("g/alice", "", 0775);
    a.owner("alice's file inherits group", "g/alice");
    a.mode("alice's file mode (no setgid added)", "g/alice");
    a.sys("alice mkdir", mkdir(a.p("g/adir").c_str(), 0755));
    a.owner("alice's dir", "g/adir");
    a.mode("alice's dir mode", "g/adir");
  });
  // Bob is in staff: his setgid file keeps S_ISGID.
  c.as(kBob, kBob, {kStaff}, [](Ctx& b) {
    b.sys("member creates with S_ISGID", b.open_close("g/bobsg", O_CREAT | O_WRONLY, 02775));
    b.mode("member's S_ISGID kept", "g/bobsg");
    b.owner("member's file group", "g/bobsg");
  });
  // Creating a setgid file in a setgid dir whose group the creator is not in.
  c.as(kAlice, kAlice, [](Ctx& a) {
    a.sys("create with S_ISGID, not in group", a.open_close("g/sg", O_CREAT | O_WRONLY, 02755));
    a.mode("S_ISGID dropped", "g/sg");
  });
  prepare(c, "plain", 0, kStaff, 0777, true);
  c.as(kAlice, kAlice, [](Ctx& a) {
    a.make_file("plain/f");
    a.owner("no setgid: creator's group", "plain/f");
  });
}

POSIX_CASE(perms, suid_cleared_on_write) {
  if (!c.root()) {
    c.make_file("f", "x", 0755);
    c.sys("chmod u+s own file", chmod(c.p("f").c_str(), 04755));
    c.mode("mode", "f");
    int fd = open(c.p("f").c_str(), O_WRONLY);
    c.val("write", (long long)write(fd, "y", 1));
    close(fd);
    c.mode("after write", "f");
    c.sys("chmod g+s own file", chmod(c.p("f").c_str(), 02755));
    c.mode("setgid mode", "f");
    c.sys("truncate", truncate(c.p("f").c_str(), 0));
    c.mode("after truncate", "f");
    return;
  }
  prepare(c, "both", kAlice, kStaff, 06777);
  prepare(c, "sgid_noexec", kAlice, kStaff, 02666);  // mandatory-locking style: kept
  prepare(c, "root_write", kAlice, kStaff, 06777);
  prepare(c, "trunc", kAlice, kStaff, 06777);
  c.as(kBob, kBob, [](Ctx& b) {
    int fd = open(b.p("both").c_str(), O_WRONLY);
    b.val("bob writes", (long long)write(fd, "b", 1));
    close(fd);
    b.mode("suid and sgid cleared", "both");
    fd = open(b.p("sgid_noexec").c_str(), O_WRONLY);
    b.val("bob writes sgid_noexec", (long long)write(fd, "b", 1));
    close(fd);
    b.mode("sgid without group exec kept", "sgid_noexec");
    b.sys("bob truncates", truncate(b.p("trunc").c_str(), 1));
    b.mode("truncate clears", "trunc");
  });
  int fd = open(c.p("root_write").c_str(), O_WRONLY);
  c.val("root writes", (long long)write(fd, "r", 1));
  close(fd);
  c.mode("root write keeps bits", "root_write");
}

POSIX_CASE(perms, suid_cleared_on_chown) {
  if (!c.root()) {
    c.make_file("f", "x", 0755);
    chmod(c.p("f").c_str(), 06755);
    c.sys("chown to self", chown(c.p("f").c_str(), kUser, kGroup));
    c.mode("after chown", "f");
    return;
  }
  prepare(c, "f", kAlice, kStaff, 06755);
  c.sys("root chown", chown(c.p("f").c_str(), kBob, -1));
  c.mode("after root chown", "f");
  prepare(c, "g", kAlice, kStaff, 06755);
  c.sys("root chgrp", chown(c.p("g").c_str(), -1, kOthers));
  c.mode("after root chgrp", "g");
  prepare(c, "noexec", kAlice, kStaff, 06644);
  c.sys("root chown non-executable", chown(c.p("noexec").c_str(), kBob, -1));
  c.mode("after chown of non-executable", "noexec");
  prepare(c, "dir", kAlice, kStaff, 02755, true);
  c.sys("root chown dir", chown(c.p("dir").c_str(), kBob, -1));
  c.mode("dir keeps setgid", "dir");
  prepare(c, "self", kAlice, kStaff, 06755);
  c.as(kAlice, kAlice, {kStaff}, [](Ctx& a) {
    a.sys("owner chown -1 -1", chown(a.p("self").c_str(), -1, -1));
    a.mode("after owner chown -1 -1", "self");
  });
}

POSIX_CASE(perms, chmod_setgid_not_member) {
  if (!c.root()) {
    c.make_file("f", "", 0644);
    c.sys("chmod g+s (own group)", chmod(c.p("f").c_str(), 02644));
    c.mode("kept", "f");
    return;
  }
  prepare(c, "f", kAlice, kOthers, 0644);
  c.as(kAlice, kAlice, [](Ctx& a) {
    a.sys("chmod g+s, not in group", chmod(a.p("f").c_str(), 02755));
    a.mode("setgid silently dropped", "f");
    a.sys("chmod u+s", chmod(a.p("f").c_str(), 04755));
    a.mode("setuid kept", "f");
  });
  prepare(c, "d", kAlice, kOthers, 0755, true);
  c.as(kAlice, kAlice, [](Ctx& a) {
    a.sys("chmod g+s on dir, not in group", chmod(a.p("d").c_str(), 02755));
    a.mode("dir setgid dropped", "d");
  });
}

POSIX_CASE(perms, new_file_modes) {
  c.sys("create 0777 (umask 022)", c.open_close("f", O_CREAT | O_WRONLY, 0777));
  c.mode("file", "f");
  c.sys("create 04777", c.open_close("s", O_CREAT | O_WRONLY, 04777));
  c.mode("suid file", "s");
  c.sys("mkdir 0777", mkdir(c.p("d").c_str(), 0777));
  c.mode("dir", "d");
  umask(0);
  c.sys("create 0666 umask 0", c.open_close("u", O_CREAT | O_WRONLY, 0666));
  c.mode("umask 0 file", "u");
  umask(077);
  c.sys("mkdir 0777 umask 077", mkdir(c.p("v").c_str(), 0777));
  c.mode("umask 077 dir", "v");
  umask(022);
}

}  // namespace combfs::posix
