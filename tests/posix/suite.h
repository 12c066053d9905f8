// The POSIX conformance suite: a list of cases, each a small function that
// makes system calls in a fresh directory and records what they returned
// (return value or errno, and observed values such as modes, sizes and
// contents). The same case runs in a directory of a local file system (ext4,
// the reference) and in a directory on the combfs mount; the two records must
// be identical, except for the deviations listed in deviations.cc (each of
// which docs/posix.md explains), which must show exactly as documented.
//
// A record is a list of lines "label: value". Cases record only what is the
// same on any correct file system: no inode numbers, device ids, absolute
// times or block counts (relations such as "mtime advanced" instead).
//
//   POSIX_CASE(files, open_excl) {
//     c.sys("create", c.open_close("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
//     c.sys("again", c.open_close("f", O_CREAT | O_EXCL | O_WRONLY, 0644));  // EEXIST
//   }
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace combfs::posix {

// Users and groups the cases use when they run as root. kUser runs the whole
// suite in the unprivileged mode.
inline constexpr uid_t kUser = 65534;   // nobody
inline constexpr gid_t kGroup = 65534;  // nogroup
inline constexpr uid_t kAlice = 1001;
inline constexpr uid_t kBob = 1002;
inline constexpr gid_t kStaff = 2001;   // Alice and Bob (supplementary for Bob)
inline constexpr gid_t kOthers = 2002;  // nobody's

class Ctx {
 public:
  Ctx(std::string dir, bool root, std::vector<std::string>* lines) : dir_(std::move(dir)), root_(root), lines_(lines) {}

  // The case's own empty directory (absolute) and a path in it.
  const std::string& dir() const { return dir_; }
  std::string p(const std::string& rel) const { return dir_ + "/" + rel; }
  // Whether the case runs as root (else as kUser).
  bool root() const { return root_; }

  // Records "label: ok" when rc >= 0, else "label: <ERRNO NAME>"; returns rc.
  long sys(const std::string& label, long rc);
  // Records "label = value".
  void val(const std::string& label, const std::string& value);
  void val(const std::string& label, long long value);
  void flag(const std::string& label, bool value) { val(label, value ? "yes" : "no"); }
  // "0100644"-style octal of st_mode (type and permission bits) of `rel`
  // (lstat), or the errno name.
  void mode(const std::string& label, const std::string& rel);
  // uid:gid of `rel` (lstat).
  void owner(const std::string& label, const std::string& rel);
  // st_size / st_nlink of `rel` (lstat), or the errno name.
  void size(const std::string& label, const std::string& rel);
  void nlink(const std::string& label, const std::string& rel);

  // open(p(rel)) + close, returning open's result (-1 with errno).
  int open_close(const std::string& rel, int flags, mode_t mode = 0644);
  // Creates `rel` with `content` (O_CREAT|O_TRUNC|O_WRONLY, `mode`). Records only failures.
  bool make_file(const std::string& rel, const std::string& content = "", mode_t mode = 0644);
  // The whole content of `rel`, or "<ERRNO>".
  std::string content(const std::string& rel);

  // Runs `fn` as uid/gid with supplementary `groups`, in a child process;
  // its records follow, each prefixed with "[uid] ". As kUser (not root) only
  // kUser itself can be switched to; other users record the EPERM.
  void as(uid_t uid, gid_t gid, const std::vector<gid_t>& groups, const std::function<void(Ctx&)>& fn);
  void as(uid_t uid, gid_t gid, const std::function<void(Ctx&)>& fn) { as(uid, gid, {}, fn); }

 private:
  std::string dir_;
  bool root_;
  std::vector<std::string>* lines_;
};

struct Case {
  std::string group;
  std::string name;
  std::function<void(Ctx&)> fn;
  std::string id() const { return group + "." + name; }
};

// Every case, in registration order (grouped by source file).
std::vector<Case>& all_cases();

struct Registrar {
  Registrar(const char* group, const char* name, void (*fn)(Ctx&)) { all_cases().push_back({group, name, fn}); }
};

#define POSIX_CASE(group, name)                                                          \
  static void posix_case_##group##_##name(::combfs::posix::Ctx& c);                      \
  static ::combfs::posix::Registrar posix_reg_##group##_##name(#group, #name,            \
                                                               posix_case_##group##_##name); \
  static void posix_case_##group##_##name(::combfs::posix::Ctx& c)

// Runs one case in a child process (umask 022; as root, or after switching
// to kUser when !root) in `dir`, which must exist, be empty and belong to the
// user the case runs as. Returns its lines; a crash or a timeout (60 s)
// becomes a last line saying so.
std::vector<std::string> run_case(const Case& c, const std::string& dir, bool root);

// errno name ("ENOENT"), or the number when it has none.
std::string errno_name(int err);

}  // namespace combfs::posix
