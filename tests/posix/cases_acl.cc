// POSIX ACLs (system.posix_acl_access / system.posix_acl_default), set the
// way setfacl does (setxattr of the binary form built here) and checked the
// way getfacl and the kernel's permission checks see them: round trips, the
// mode following the ACL and the ACL following chmod, access of named users
// and groups through the mask, default ACL inheritance and the umask.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "tests/posix/suite.h"

namespace combfs::posix {
namespace {

constexpr uint16_t kUserObj = 0x01, kNamedUser = 0x02, kGroupObj = 0x04, kNamedGroup = 0x08, kMask = 0x10,
                   kOther = 0x20;
constexpr uint32_t kUndefined = 0xffffffff;
constexpr const char* kAccess = "system.posix_acl_access";
constexpr const char* kDefault = "system.posix_acl_default";

using Entries = std::vector<std::tuple<uint16_t, uint16_t, uint32_t>>;

// The xattr form of a POSIX ACL (include/uapi/linux/posix_acl_xattr.h).
std::string acl_blob(const Entries& entries, uint32_t version = 2) {
  std::string b;
  auto put = [&b](uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) b.push_back(char((v >> (8 * i)) & 0xff));
  };
  put(version, 4);
  for (auto [tag, perm, id] : entries) {
    put(tag, 2);
    put(perm, 2);
    put(id, 4);
  }
  return b;
}

// getfacl's short text of an ACL blob ("u::rw-,u:1002:r--,g::---,m::r--,o::---"),
// or "<ERRNO>".
std::string acl_text(const std::string& blob) {
  if (!blob.empty() && blob[0] == '<') return blob;
  auto get = [&blob](size_t at, int bytes) {
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | uint8_t(blob[at + i]);
    return v;
  };
  if (blob.size() < 4 || (blob.size() - 4) % 8 != 0) return "<malformed " + std::to_string(blob.size()) + " bytes>";
  std::string out;
  for (size_t at = 4; at < blob.size(); at += 8) {
    uint32_t tag = get(at, 2), perm = get(at + 2, 2), id = get(at + 4, 4);
    const char* t = tag == kUserObj || tag == kNamedUser ? "u" : tag == kGroupObj || tag == kNamedGroup ? "g"
                    : tag == kMask                       ? "m"
                    : tag == kOther                      ? "o"
                                                         : "?";
    std::string who = (tag == kNamedUser || tag == kNamedGroup) ? std::to_string(id) : "";
    std::string rwx = {perm & 4 ? 'r' : '-', perm & 2 ? 'w' : '-', perm & 1 ? 'x' : '-'};
    out += (out.empty() ? "" : ",") + std::string(t) + ":" + who + ":" + rwx;
  }
  return out;
}

std::string get_acl(const std::string& path, const char* name, bool follow = true) {
  std::string buf(1024, '\0');
  ssize_t n = follow ? getxattr(path.c_str(), name, buf.data(), buf.size())
                     : lgetxattr(path.c_str(), name, buf.data(), buf.size());
  if (n < 0) return "<" + errno_name(errno) + ">";
  buf.resize(size_t(n));
  return acl_text(buf);
}

long set_acl(const std::string& path, const char* name, const std::string& blob) {
  return setxattr(path.c_str(), name, blob.data(), blob.size(), 0);
}

// Which of the two ACL names listxattr shows.
std::string listed_acls(const std::string& path) {
  char buf[4096];
  ssize_t n = listxattr(path.c_str(), buf, sizeof buf);
  if (n < 0) return "<" + errno_name(errno) + ">";
  std::string out;
  for (ssize_t i = 0; i < n;) {
    std::string name(buf + i);
    if (name == kAccess || name == kDefault) out += name + " ";
    i += ssize_t(name.size()) + 1;
  }
  return out;
}

}  // namespace

POSIX_CASE(acl, access_acl) {
  c.make_file("f", "secret", 0600);
  c.val("get ACL of a file without one", get_acl(c.p("f"), kAccess));
  const uid_t grantee = c.root() ? kBob : kUser;
  std::string acl = acl_blob({{kUserObj, 6, kUndefined},
                              {kNamedUser, 4, grantee},
                              {kGroupObj, 0, kUndefined},
                              {kMask, 4, kUndefined},
                              {kOther, 0, kUndefined}});
  if (c.root()) chown(c.p("f").c_str(), kAlice, kAlice);
  c.sys("set access ACL", set_acl(c.p("f"), kAccess, acl));
  c.mode("mode follows the mask", "f");
  c.val("ACL reads back", get_acl(c.p("f"), kAccess));
  c.val("listed", listed_acls(c.p("f")));
  if (c.root()) {
    c.as(kBob, kBob, [](Ctx& b) {
      b.sys("named user reads", b.open_close("f", O_RDONLY));
      b.sys("named user writes", b.open_close("f", O_WRONLY));
    });
    c.as(kAlice + 10, kAlice + 10, [](Ctx& o) { o.sys("other user reads", o.open_close("f", O_RDONLY)); });
  }
  mkdir(c.p("d").c_str(), 0755);
  std::string dflt = acl_blob({{kUserObj, 7, kUndefined},
                               {kNamedUser, 5, grantee},
                               {kGroupObj, 5, kUndefined},
                               {kMask, 5, kUndefined},
                               {kOther, 0, kUndefined}});
  c.sys("set default ACL", set_acl(c.p("d"), kDefault, dflt));
  c.mode("dir mode unchanged by a default ACL", "d");
  c.make_file("d/child", "", 0666);
  c.mode("child mode from the default ACL", "d/child");
  c.val("child's access ACL", get_acl(c.p("d/child"), kAccess));
  c.sys("other system.* name", setxattr(c.p("f").c_str(), "system.bogus", "1", 1, 0));
}

POSIX_CASE(acl, equivalent_and_invalid) {
  c.make_file("f", "x", 0640);
  // An ACL that says no more than a mode becomes the mode (like chmod).
  c.sys("set minimal ACL", set_acl(c.p("f"), kAccess, acl_blob({{kUserObj, 7, kUndefined},
                                                                  {kGroupObj, 5, kUndefined},
                                                                  {kOther, 1, kUndefined}})));
  c.mode("mode from the minimal ACL", "f");
  c.val("minimal ACL is not stored", get_acl(c.p("f"), kAccess));
  c.val("listed after minimal", listed_acls(c.p("f")));
  // A mask alone is more than a mode.
  c.sys("set ACL with a mask", set_acl(c.p("f"), kAccess, acl_blob({{kUserObj, 6, kUndefined},
                                                                      {kGroupObj, 7, kUndefined},
                                                                      {kMask, 4, kUndefined},
                                                                      {kOther, 0, kUndefined}})));
  c.mode("mode shows the mask", "f");
  c.val("ACL with a mask", get_acl(c.p("f"), kAccess));
  // Ids of unnamed entries are ignored and read back as -1.
  std::string odd_ids = acl_blob({{kUserObj, 6, 5}, {kGroupObj, 4, 6}, {kOther, 4, 7}});
  c.sys("set ACL with ids on unnamed entries", set_acl(c.p("f"), kAccess, odd_ids));
  c.mode("mode after odd ids", "f");
  // Invalid ACLs change nothing.
  c.sys("named user without mask",
        set_acl(c.p("f"), kAccess,
                acl_blob({{kUserObj, 6, kUndefined}, {kNamedUser, 4, 1002}, {kGroupObj, 4, kUndefined}, {kOther, 0, kUndefined}})));
  c.sys("wrong version", set_acl(c.p("f"), kAccess, acl_blob({{kUserObj, 6, kUndefined}, {kGroupObj, 4, kUndefined},
                                                              {kOther, 0, kUndefined}}, 1)));
  c.sys("truncated", set_acl(c.p("f"), kAccess, std::string("\x02\0\0\0\x01\0\x06", 7)));
  c.sys("out of order", set_acl(c.p("f"), kAccess, acl_blob({{kGroupObj, 4, kUndefined}, {kUserObj, 6, kUndefined},
                                                             {kOther, 0, kUndefined}})));
  c.sys("perm beyond rwx", set_acl(c.p("f"), kAccess, acl_blob({{kUserObj, 8, kUndefined}, {kGroupObj, 4, kUndefined},
                                                                {kOther, 0, kUndefined}})));
  c.sys("named user -1", set_acl(c.p("f"), kAccess, acl_blob({{kUserObj, 6, kUndefined}, {kNamedUser, 4, kUndefined},
                                                              {kGroupObj, 4, kUndefined}, {kMask, 4, kUndefined},
                                                              {kOther, 0, kUndefined}})));
  c.mode("mode after refused ACLs", "f");
  // Default ACLs belong to directories.
  c.sys("default ACL on a file", set_acl(c.p("f"), kDefault, acl_blob({{kUserObj, 6, kUndefined},
                                                                        {kGroupObj, 4, kUndefined},
                                                                        {kOther, 0, kUndefined}})));
  c.val("default ACL of a file", get_acl(c.p("f"), kDefault));
  // Removing: the mode stays; removing an absent ACL succeeds.
  c.sys("set named ACL", set_acl(c.p("f"), kAccess, acl_blob({{kUserObj, 6, kUndefined},
                                                              {kGroupObj, 0, kUndefined},
                                                              {kNamedGroup, 6, 2001},
                                                              {kMask, 6, kUndefined},
                                                              {kOther, 4, kUndefined}})));
  c.val("named ACL", get_acl(c.p("f"), kAccess));
  c.sys("remove ACL", removexattr(c.p("f").c_str(), kAccess));
  c.mode("mode after removal", "f");
  c.val("ACL after removal", get_acl(c.p("f"), kAccess));
  c.sys("remove absent ACL", removexattr(c.p("f").c_str(), kAccess));
  c.sys("set header-only ACL", set_acl(c.p("f"), kAccess, acl_blob({})));
  c.sys("symlink", symlink("f", c.p("l").c_str()));
  c.val("ACL of a symlink itself", get_acl(c.p("l"), kAccess, false));
  mkdir(c.p("d").c_str(), 0750);
  c.val("default ACL of a directory without one", get_acl(c.p("d"), kDefault));
  c.sys("remove absent default ACL", removexattr(c.p("d").c_str(), kDefault));
  c.sys("set named ACL again", set_acl(c.p("f"), kAccess, acl_blob({{kUserObj, 6, kUndefined},
                                                                    {kGroupObj, 0, kUndefined},
                                                                    {kNamedGroup, 6, 2001},
                                                                    {kMask, 6, kUndefined},
                                                                    {kOther, 4, kUndefined}})));
  c.val("size query", (long long)getxattr(c.p("f").c_str(), kAccess, nullptr, 0));
}

POSIX_CASE(acl, named_entries_and_mask) {
  if (!c.root()) {
    // The owner is judged by the owner entry alone, whatever a named entry for it says.
    c.make_file("f", "x", 0600);
    c.sys("set ACL", set_acl(c.p("f"), kAccess, acl_blob({{kUserObj, 0, kUndefined},
                                                          {kNamedUser, 6, kUser},
                                                          {kGroupObj, 6, kUndefined},
                                                          {kMask, 6, kUndefined},
                                                          {kOther, 6, kUndefined}})));
    c.mode("mode", "f");
    c.sys("owner reads", c.open_close("f", O_RDONLY));
    c.sys("owner writes", c.open_close("f", O_WRONLY));
    c.sys("chmod u+rw", chmod(c.p("f").c_str(), 0660));
    c.sys("owner reads after chmod", c.open_close("f", O_RDONLY));
    c.val("ACL after chmod", get_acl(c.p("f"), kAccess));
    return;
  }
  c.make_file("f", "data", 0600);
  chown(c.p("f").c_str(), kAlice, kAlice);
  c.sys("set ACL", set_acl(c.p("f"), kAccess, acl_blob({{kUserObj, 6, kUndefined},
                                                        {kNamedUser, 6, kBob},
                                                        {kGroupObj, 0, kUndefined},
                                                        {kNamedGroup, 4, kStaff},
                                                        {kMask, 6, kUndefined},
                                                        {kOther, 0, kUndefined}})));
  c.mode("mode", "f");
  auto check = [&c](const std::string& when) {
    c.as(kBob, kBob, [&when](Ctx& b) {
      b.sys(when + ": named user reads", b.open_close("f", O_RDONLY));
      b.sys(when + ": named user writes", b.open_close("f", O_WRONLY));
    });
    // Carol (not named) is in the named group staff.
    c.as(kAlice + 20, kAlice + 20, {kStaff}, [&when](Ctx& g) {
      g.sys(when + ": named group reads", g.open_close("f", O_RDONLY));
      g.sys(when + ": named group writes", g.open_close("f", O_WRONLY));
    });
    c.as(kAlice + 10, kAlice + 10, [&when](Ctx& o) { o.sys(when + ": other reads", o.open_close("f", O_RDONLY)); });
    c.as(kAlice, kAlice, [&when](Ctx& a) { a.sys(when + ": owner writes", a.open_close("f", O_WRONLY)); });
  };
  check("mask rw");
  // chmod sets the mask (the group class) and the owner and other entries.
  c.sys("chmod 0640", chmod(c.p("f").c_str(), 0640));
  c.val("ACL after chmod 0640", get_acl(c.p("f"), kAccess));
  check("mask r");
  c.sys("chmod 0604", chmod(c.p("f").c_str(), 0604));
  c.val("ACL after chmod 0604", get_acl(c.p("f"), kAccess));
  check("mask none");
  // A named user needs search permission on directories too.
  mkdir(c.p("d").c_str(), 0700);
  c.make_file("d/inner", "in", 0644);
  c.as(kBob, kBob, [](Ctx& b) { b.val("before dir ACL", b.content("d/inner")); });
  c.sys("dir ACL", set_acl(c.p("d"), kAccess, acl_blob({{kUserObj, 7, kUndefined},
                                                        {kNamedUser, 1, kBob},
                                                        {kGroupObj, 0, kUndefined},
                                                        {kMask, 1, kUndefined},
                                                        {kOther, 0, kUndefined}})));
  c.mode("dir mode", "d");
  c.as(kBob, kBob, [](Ctx& b) {
    b.val("through the dir", b.content("d/inner"));
    b.sys("create in the dir", b.open_close("d/bob", O_CREAT | O_WRONLY, 0644));
  });
  // Only the owner (or root) may set an ACL.
  c.as(kBob, kBob, [](Ctx& b) {
    b.sys("non-owner sets ACL", set_acl(b.p("f"), kAccess, acl_blob({{kUserObj, 7, kUndefined},
                                                                     {kGroupObj, 7, kUndefined},
                                                                     {kOther, 7, kUndefined}})));
  });
  c.as(kAlice, kAlice, [](Ctx& a) {
    a.sys("owner sets ACL", set_acl(a.p("f"), kAccess, acl_blob({{kUserObj, 6, kUndefined},
                                                                 {kNamedUser, 4, kBob},
                                                                 {kGroupObj, 0, kUndefined},
                                                                 {kMask, 4, kUndefined},
                                                                 {kOther, 0, kUndefined}})));
    a.val("owner reads the ACL", get_acl(a.p("f"), kAccess));
  });
  c.as(kBob, kBob, [](Ctx& b) { b.sys("named user writes after owner's ACL", b.open_close("f", O_WRONLY)); });
}

POSIX_CASE(acl, default_inheritance) {
  mkdir(c.p("d").c_str(), 0755);
  const uid_t grantee = c.root() ? kBob : kUser;
  c.sys("set default ACL", set_acl(c.p("d"), kDefault, acl_blob({{kUserObj, 7, kUndefined},
                                                                  {kNamedUser, 7, grantee},
                                                                  {kGroupObj, 5, kUndefined},
                                                                  {kMask, 7, kUndefined},
                                                                  {kOther, 5, kUndefined}})));
  c.val("default ACL reads back", get_acl(c.p("d"), kDefault));
  c.val("listed on the dir", listed_acls(c.p("d")));
  umask(077);  // ignored below: the default ACL replaces the umask
  c.make_file("d/f666", "", 0666);
  c.mode("file 0666", "d/f666");
  c.val("file 0666 ACL", get_acl(c.p("d/f666"), kAccess));
  c.val("file has no default ACL", get_acl(c.p("d/f666"), kDefault));
  c.make_file("d/f640", "", 0640);
  c.mode("file 0640", "d/f640");
  c.val("file 0640 ACL", get_acl(c.p("d/f640"), kAccess));
  c.sys("mkdir 0777", mkdir(c.p("d/sub").c_str(), 0777));
  c.mode("subdir", "d/sub");
  c.val("subdir access ACL", get_acl(c.p("d/sub"), kAccess));
  c.val("subdir default ACL", get_acl(c.p("d/sub"), kDefault));
  c.sys("mkdir 0700", mkdir(c.p("d/private").c_str(), 0700));
  c.mode("subdir 0700", "d/private");
  c.val("subdir 0700 access ACL", get_acl(c.p("d/private"), kAccess));
  c.make_file("d/sub/deep", "", 0664);
  c.mode("file in subdir", "d/sub/deep");
  c.val("file in subdir ACL", get_acl(c.p("d/sub/deep"), kAccess));
  c.sys("mkfifo", mkfifo(c.p("d/fifo").c_str(), 0666));
  c.mode("fifo", "d/fifo");
  c.val("fifo ACL", get_acl(c.p("d/fifo"), kAccess));
  c.sys("symlink", symlink("f666", c.p("d/link").c_str()));
  c.mode("symlink", "d/link");
  if (c.root()) {
    // The inherited named entry grants access.
    chown(c.p("d/f640").c_str(), kAlice, kAlice);
    c.as(kBob, kBob, [](Ctx& b) {
      b.sys("named user writes inherited file", b.open_close("d/f640", O_WRONLY));
      b.sys("named user creates in subdir", b.open_close("d/sub/bob", O_CREAT | O_WRONLY, 0600));
    });
    c.mode("bob's file", "d/sub/bob");
    c.owner("bob's file owner", "d/sub/bob");
  }
  // A minimal default ACL: files get plain modes, still without the umask.
  mkdir(c.p("m").c_str(), 0755);
  c.sys("minimal default ACL", set_acl(c.p("m"), kDefault, acl_blob({{kUserObj, 6, kUndefined},
                                                                      {kGroupObj, 4, kUndefined},
                                                                      {kOther, 4, kUndefined}})));
  c.make_file("m/f", "", 0666);
  c.mode("file under a minimal default ACL", "m/f");
  c.val("its access ACL", get_acl(c.p("m/f"), kAccess));
  c.sys("mkdir under a minimal default ACL", mkdir(c.p("m/d").c_str(), 0777));
  c.mode("dir under a minimal default ACL", "m/d");
  c.val("its default ACL", get_acl(c.p("m/d"), kDefault));
  // Removing the default ACL brings the umask back.
  c.sys("remove default ACL", removexattr(c.p("d").c_str(), kDefault));
  c.make_file("d/after", "", 0666);
  c.mode("file after removal (umask 077)", "d/after");
  c.val("its ACL", get_acl(c.p("d/after"), kAccess));
}

POSIX_CASE(acl, umask_without_default_acl) {
  for (mode_t mask : {mode_t(0), mode_t(022), mode_t(027), mode_t(077), mode_t(0777)}) {
    umask(mask);
    std::string m = std::to_string(mask);
    c.make_file("f" + m, "", 0666);
    c.mode("file, umask " + m, "f" + m);
    mkdir(c.p("d" + m).c_str(), 0777);
    c.mode("dir, umask " + m, "d" + m);
    mkfifo(c.p("p" + m).c_str(), 0666);
    c.mode("fifo, umask " + m, "p" + m);
    c.val("no ACL, umask " + m, get_acl(c.p("f" + m), kAccess));
  }
  umask(022);
  c.sys("O_EXCL create 0777", c.open_close("x", O_CREAT | O_EXCL | O_WRONLY, 0777));
  c.mode("O_EXCL create mode", "x");
}

POSIX_CASE(acl, chmod_and_default_acl) {
  mkdir(c.p("d").c_str(), 0755);
  c.sys("set access ACL", set_acl(c.p("d"), kAccess, acl_blob({{kUserObj, 7, kUndefined},
                                                               {kGroupObj, 5, kUndefined},
                                                               {kNamedGroup, 7, kStaff},
                                                               {kMask, 7, kUndefined},
                                                               {kOther, 5, kUndefined}})));
  c.sys("set default ACL", set_acl(c.p("d"), kDefault, acl_blob({{kUserObj, 7, kUndefined},
                                                                  {kGroupObj, 0, kUndefined},
                                                                  {kOther, 0, kUndefined}})));
  c.mode("dir mode", "d");
  c.sys("chmod 0711", chmod(c.p("d").c_str(), 0711));
  c.val("access ACL after chmod", get_acl(c.p("d"), kAccess));
  c.val("default ACL after chmod", get_acl(c.p("d"), kDefault));
  c.sys("chmod 01775 (sticky)", chmod(c.p("d").c_str(), 01775));
  c.mode("dir mode sticky", "d");
  c.val("access ACL after sticky chmod", get_acl(c.p("d"), kAccess));
  c.sys("remove default ACL", removexattr(c.p("d").c_str(), kDefault));
  c.val("default ACL gone", get_acl(c.p("d"), kDefault));
  c.val("listed", listed_acls(c.p("d")));
}

}  // namespace combfs::posix

namespace combfs::posix {

// Setting an access ACL recomputes the mode like chmod does: S_ISGID goes
// when the caller is not in the file's group (and not root).
POSIX_CASE(acl, set_acl_and_setgid) {
  const std::string minimal = acl_blob({{kUserObj, 7, kUndefined}, {kGroupObj, 7, kUndefined}, {kOther, 5, kUndefined}});
  if (!c.root()) {
    c.make_file("f", "", 0775);
    c.sys("chmod g+s", chmod(c.p("f").c_str(), 02775));
    c.sys("owner in the group sets ACL", set_acl(c.p("f"), kAccess, minimal));
    c.mode("S_ISGID kept", "f");
    return;
  }
  for (const char* f : {"member", "outsider", "byroot"}) {
    c.make_file(f, "", 0600);
    chown(c.p(f).c_str(), kAlice, kStaff);
    chmod(c.p(f).c_str(), 02770);
  }
  c.as(kAlice, kAlice, {kStaff}, [&minimal](Ctx& a) {
    a.sys("owner in the group sets ACL", set_acl(a.p("member"), kAccess, minimal));
    a.mode("member: S_ISGID kept", "member");
  });
  c.as(kAlice, kAlice, [&minimal](Ctx& a) {
    a.sys("owner outside the group sets ACL", set_acl(a.p("outsider"), kAccess, minimal));
    a.mode("outsider: S_ISGID dropped", "outsider");
  });
  c.sys("root sets ACL", set_acl(c.p("byroot"), kAccess, minimal));
  c.mode("root: S_ISGID kept", "byroot");
}

}  // namespace combfs::posix
