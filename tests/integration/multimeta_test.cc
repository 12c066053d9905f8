// Several metads (docs/metadata.md): directories spread over them by the
// placement policy, every path resolves through the owners, and the
// operations whose names and entries live on different metads (mkdir, rmdir,
// rename, link) behave like on a local file system.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "client/lib/entryinfo_xattr.h"
#include "tests/harness/data.h"
#include "tests/harness/namespace_check.h"
#include "tests/harness/process.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

#define ASSERT_OK(call) ASSERT_EQ((call), 0) << #call ": " << strerror(errno)

#define EXPECT_ERRNO(err, call)                                                                      \
  do {                                                                                               \
    errno = 0;                                                                                       \
    int rc_ = (call);                                                                                \
    int saved_ = errno;                                                                              \
    EXPECT_EQ(rc_, -1) << #call " should fail with " << strerror(err);                              \
    EXPECT_EQ(saved_, err) << #call ": expected " << strerror(err) << ", got " << strerror(saved_); \
  } while (0)

// The metad that owns `path`, from the mount's entryinfo attribute (0: unknown).
uint32_t owner_of(const std::string& path) {
  std::string value(4096, '\0');
  ssize_t n = lgetxattr(path.c_str(), client::kEntryInfoXattr, value.data(), value.size());
  if (n < 0) return 0;
  value.resize(static_cast<size_t>(n));
  auto parsed = client::parse_entryinfo(value);
  return parsed ? parsed->owner : 0;
}

// Every directory below `root` (paths relative to it), by readdir.
void walk(const std::string& root, const std::string& rel, std::set<std::string>& dirs, std::set<std::string>& others) {
  std::string path = rel.empty() ? root : root + "/" + rel;
  DIR* d = opendir(path.c_str());
  if (!d) {
    ADD_FAILURE() << "opendir " << path << ": " << strerror(errno);
    return;
  }
  std::vector<std::string> subdirs;
  errno = 0;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string child = rel.empty() ? name : rel + "/" + name;
    if (e->d_type == DT_DIR) {
      if (!dirs.insert(child).second) ADD_FAILURE() << "readdir returned " << child << " twice";
      subdirs.push_back(child);
    } else {
      others.insert(child);
    }
  }
  EXPECT_EQ(errno, 0) << "readdir " << path << ": " << strerror(errno);
  closedir(d);
  for (const auto& s : subdirs) walk(root, s, dirs, others);
}

std::string contents(const std::string& path) {
  std::string err;
  auto data = read_file(path, &err);
  EXPECT_TRUE(err.empty()) << err;
  return std::string(data.begin(), data.end());
}

void write_text(const std::string& path, const std::string& text) {
  std::string err;
  ASSERT_TRUE(write_file(path, std::span<const char>(text.data(), text.size()), &err)) << err;
}

nlink_t links(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return 0;
  return st.st_nlink;
}

bool exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

class MultiMetaTest : public testing::Test {
 protected:
  void start(int metads, std::vector<std::string> metad_args = {}) {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 1,
                                .targets_per_daemon = 2,
                                .meta_daemons = metads,
                                .metad_args = std::move(metad_args)}));
    root_ = cluster_.mountpoint();
  }
  std::string p(const std::string& rel) const { return root_ + "/" + rel; }

  // Creates directories named `prefix`0, 1, ... in `dir` until two of them
  // have different owners; returns their paths (first: owned like `dir`
  // when possible).
  std::pair<std::string, std::string> two_owners(const std::string& dir, const std::string& prefix) {
    std::map<uint32_t, std::string> by_owner;
    for (int i = 0; i < 64 && by_owner.size() < 2; ++i) {
      std::string d = dir + "/" + prefix + std::to_string(i);
      EXPECT_EQ(mkdir(d.c_str(), 0755), 0) << d << ": " << strerror(errno);
      by_owner.emplace(owner_of(d), d);
    }
    EXPECT_EQ(by_owner.size(), 2u) << "64 directories all landed on one metad";
    if (by_owner.size() < 2) return {"", ""};
    return {by_owner.begin()->second, std::next(by_owner.begin())->second};
  }

  TestCluster cluster_;
  std::string root_;
};

// 4 processes create a tree of 1,000 directories on 3 metads: the directories
// land on every metad, every path resolves, a walk finds exactly the tree.
TEST_F(MultiMetaTest, TreeOf1000DirectoriesFrom4Processes) {
  start(3);
  constexpr int kProcs = 4, kPerProc = 250, kFanout = 6;
  // Directory k of process p: "p<p>" for k = 0, else "d<k>" inside directory (k-1)/kFanout.
  auto rel = [](int proc, int k) {
    std::vector<int> chain;
    for (int i = k; i > 0; i = (i - 1) / kFanout) chain.push_back(i);
    std::string path = "p" + std::to_string(proc);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) path += "/d" + std::to_string(*it);
    return path;
  };
  std::set<std::string> created;
  for (int proc = 0; proc < kProcs; ++proc)
    for (int k = 0; k < kPerProc; ++k) created.insert(rel(proc, k));
  ASSERT_EQ(created.size(), size_t(kProcs * kPerProc));

  std::vector<pid_t> children;
  for (int proc = 0; proc < kProcs; ++proc) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0) << "fork: " << strerror(errno);
    if (pid == 0) {
      for (int k = 0; k < kPerProc; ++k) {
        std::string path = p(rel(proc, k));
        if (mkdir(path.c_str(), 0755) != 0) {
          std::ofstream(cluster_.dir() + "/child" + std::to_string(proc) + ".err")
              << "mkdir " << path << ": " << strerror(errno) << "\n";
          _exit(1);
        }
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (int proc = 0; proc < kProcs; ++proc) {
    int status = 0;
    ASSERT_TRUE(wait_exit(children[proc], std::chrono::minutes(5), &status)) << "process " << proc << " hangs";
    std::ifstream err(cluster_.dir() + "/child" + std::to_string(proc) + ".err");
    std::string why((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    ASSERT_EQ(exit_code_of(status), 0) << "process " << proc << ": " << why;
  }

  // Nothing from the creating client's caches from here on.
  ASSERT_TRUE(cluster_.remount());
  std::map<uint32_t, int> per_owner;
  for (const auto& r : created) {
    struct stat st;
    ASSERT_EQ(stat(p(r).c_str(), &st), 0) << r << ": " << strerror(errno);
    ASSERT_TRUE(S_ISDIR(st.st_mode)) << r;
    uint32_t owner = owner_of(p(r));
    ASSERT_NE(owner, 0u) << "no owner for " << r;
    per_owner[owner]++;
  }
  EXPECT_EQ(per_owner.size(), 3u) << "directories did not land on all 3 metads";
  for (const auto& [owner, count] : per_owner) {
    // Balanced placement: nobody gets (nearly) nothing.
    EXPECT_GE(count, 100) << "metad " << owner << " got only " << count << " of 1000 directories";
    std::cout << "metad " << owner << ": " << count << " directories\n";
  }

  std::set<std::string> walked, others;
  walk(root_, "", walked, others);
  EXPECT_TRUE(others.empty()) << "the walk found " << others.size() << " non-directories, e.g. " << *others.begin();
  EXPECT_EQ(walked.size(), created.size());
  std::vector<std::string> missing, extra;
  std::set_difference(created.begin(), created.end(), walked.begin(), walked.end(), std::back_inserter(missing));
  std::set_difference(walked.begin(), walked.end(), created.begin(), created.end(), std::back_inserter(extra));
  EXPECT_TRUE(missing.empty()) << missing.size() << " created directories not found by the walk, e.g. " << missing[0];
  EXPECT_TRUE(extra.empty()) << extra.size() << " directories found that were not created, e.g. " << extra[0];

  // fsctl agrees with the mount about owners, and counts entries per metad.
  const std::string sample = p(rel(2, 100));
  auto info = cluster_.run_fsctl({"getentryinfo", sample});
  ASSERT_EQ(info.exit_code, 0) << info.describe();
  EXPECT_NE(info.out.find("Owner: metad " + std::to_string(owner_of(sample)) + " "), std::string::npos) << info.out;
  auto nodes = cluster_.run_fsctl_admin({"listnodes"});
  ASSERT_EQ(nodes.exit_code, 0) << nodes.describe();
  EXPECT_NE(nodes.out.find("ENTRIES"), std::string::npos) << nodes.out;
  std::cout << nodes.out;
}

// renameat2(2) with flags (RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2).
int rename2(const std::string& from, const std::string& to, unsigned flags) {
  return static_cast<int>(syscall(SYS_renameat2, AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags));
}

// One namespace scenario between directories `a` and `b` (below `root`),
// recorded as "step: errno" lines plus what the tree looks like afterwards,
// so that a combfs mount and a local file system can be compared line by line.
std::vector<std::string> namespace_scenario(const std::string& root, const std::string& a, const std::string& b) {
  std::vector<std::string> log;
  auto A = [&](const std::string& rel) { return root + "/" + a + "/" + rel; };
  auto B = [&](const std::string& rel) { return root + "/" + b + "/" + rel; };
  auto step = [&](const std::string& what, int rc) {
    log.push_back(what + ": " + (rc == 0 ? "ok" : strerror(errno)));
  };
  auto fact = [&](const std::string& what, const std::string& value) { log.push_back(what + " = " + value); };
  auto text = [&](const std::string& path) { return exists(path) ? contents(path) : std::string("<missing>"); };
  auto put = [&](const std::string& path, const std::string& t) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    int rc = write(fd, t.data(), t.size()) == ssize_t(t.size()) ? 0 : -1;
    return close(fd) == 0 ? rc : -1;
  };

  // Files between the two directories.
  step("create a/f1", put(A("f1"), "one"));
  step("rename a/f1 b/f1", rename(A("f1").c_str(), B("f1").c_str()));
  fact("b/f1", text(B("f1")));
  fact("a/f1 exists", exists(A("f1")) ? "yes" : "no");
  fact("b/f1 links", std::to_string(links(B("f1"))));
  step("rename b/f1 a/f1 (back)", rename(B("f1").c_str(), A("f1").c_str()));
  fact("a/f1", text(A("f1")));
  step("create a/g", put(A("g"), "gee"));
  step("create b/h", put(B("h"), "aitch"));
  step("rename a/g b/h (replace)", rename(A("g").c_str(), B("h").c_str()));
  fact("b/h", text(B("h")));
  step("create a/g2", put(A("g2"), "gee2"));
  step("rename noreplace a/g2 b/h", rename2(A("g2"), B("h"), 1));
  step("rename a/missing b/x", rename(A("missing").c_str(), B("x").c_str()));
  step("rename a/g2 b/missing/x", rename(A("g2").c_str(), B("missing/x").c_str()));

  // Hard links across the two directories.
  step("link b/h a/hl", link(B("h").c_str(), A("hl").c_str()));
  fact("a/hl links", std::to_string(links(A("hl"))));
  fact("b/h links", std::to_string(links(B("h"))));
  step("link b/h a/hl (again)", link(B("h").c_str(), A("hl").c_str()));
  step("unlink b/h", unlink(B("h").c_str()));
  fact("a/hl", text(A("hl")));
  fact("a/hl links", std::to_string(links(A("hl"))));
  step("rename a/hl b/hl2", rename(A("hl").c_str(), B("hl2").c_str()));
  fact("b/hl2", text(B("hl2")));
  step("unlink b/hl2", unlink(B("hl2").c_str()));
  fact("b/hl2 exists", exists(B("hl2")) ? "yes" : "no");

  // Directories between the two.
  step("mkdir a/d1", mkdir(A("d1").c_str(), 0755));
  step("create a/d1/x", put(A("d1/x"), "ex"));
  step("mkdir a/d1/sub", mkdir(A("d1/sub").c_str(), 0755));
  fact("a links", std::to_string(links(root + "/" + a)));
  fact("b links", std::to_string(links(root + "/" + b)));
  step("rename a/d1 b/d1", rename(A("d1").c_str(), B("d1").c_str()));
  fact("a links", std::to_string(links(root + "/" + a)));
  fact("b links", std::to_string(links(root + "/" + b)));
  fact("b/d1/x", text(B("d1/x")));
  fact("a/d1 exists", exists(A("d1")) ? "yes" : "no");
  step("rename b/d1 b/d1/sub/in (own subtree)", rename(B("d1").c_str(), B("d1/sub/in").c_str()));
  step("rename b b/d1/sub/in (own subtree, from the root)", rename((root + "/" + b).c_str(), B("d1/sub/in").c_str()));
  step("mkdir a/e", mkdir(A("e").c_str(), 0755));
  step("mkdir b/full", mkdir(B("full").c_str(), 0755));
  step("create b/full/f", put(B("full/f"), "f"));
  step("rename a/e b/full (not empty)", rename(A("e").c_str(), B("full").c_str()));
  step("rename a/e b/d1/x (dir over file)", rename(A("e").c_str(), B("d1/x").c_str()));
  step("rename b/d1/x a/e (file over dir)", rename(B("d1/x").c_str(), A("e").c_str()));
  step("mkdir b/empty", mkdir(B("empty").c_str(), 0755));
  step("rename a/e b/empty (over empty dir)", rename(A("e").c_str(), B("empty").c_str()));
  fact("a/e exists", exists(A("e")) ? "yes" : "no");
  step("mkdir b/empty/inside", mkdir(B("empty/inside").c_str(), 0755));
  step("rename noreplace b/d1 b/empty", rename2(B("d1"), B("empty"), 1));
  step("rename b/d1/x a/x2 (back)", rename(B("d1/x").c_str(), A("x2").c_str()));
  step("rename a/x2 b/d1/x (again)", rename(A("x2").c_str(), B("d1/x").c_str()));
  step("rmdir b/d1 (not empty)", rmdir(B("d1").c_str()));
  step("unlink b/d1/x", unlink(B("d1/x").c_str()));
  step("rmdir b/d1/sub", rmdir(B("d1/sub").c_str()));
  step("rmdir b/d1", rmdir(B("d1").c_str()));
  step("rmdir b/d1 (again)", rmdir(B("d1").c_str()));
  step("unlink b/full", unlink(B("full").c_str()));
  step("rmdir a/f1 (a file)", rmdir(A("f1").c_str()));
  fact("a links", std::to_string(links(root + "/" + a)));
  fact("b links", std::to_string(links(root + "/" + b)));

  // What is left, in order.
  std::set<std::string> dirs, files;
  std::set<std::string> d2, f2;
  walk(root + "/" + a, "", dirs, files);
  walk(root + "/" + b, "", d2, f2);
  for (const auto& d : dirs) log.push_back("left a/" + d + "/");
  for (const auto& f : files) log.push_back("left a/" + f + " = " + text(A(f)));
  for (const auto& d : d2) log.push_back("left b/" + d + "/");
  for (const auto& f : f2) log.push_back("left b/" + f + " = " + text(B(f)));
  return log;
}

// The same steps on a combfs mount whose two directories live on different
// metads and on the local file system give the same results.
TEST_F(MultiMetaTest, CrossOwnerNamespaceLikeALocalFileSystem) {
  start(3);
  auto [a, b] = two_owners(root_, "x");
  ASSERT_FALSE(a.empty());
  const std::string an = a.substr(root_.size() + 1), bn = b.substr(root_.size() + 1);
  const std::string local = cluster_.make_dir("local");
  ASSERT_OK(mkdir((local + "/" + an).c_str(), 0755));
  ASSERT_OK(mkdir((local + "/" + bn).c_str(), 0755));
  auto expected = namespace_scenario(local, an, bn);
  auto got = namespace_scenario(root_, an, bn);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "step " << i;

  // The same after a fresh mount (nothing from the kernel's caches).
  ASSERT_TRUE(cluster_.remount());
  std::set<std::string> dirs, files, ldirs, lfiles;
  walk(root_, "", dirs, files);
  walk(local, "", ldirs, lfiles);
  EXPECT_EQ(dirs, ldirs);
  EXPECT_EQ(files, lfiles);
  for (const auto& f : files) EXPECT_EQ(contents(root_ + "/" + f), contents(local + "/" + f)) << f;
}

// kill -9 of the coordinating metad at a step of a cross-owner operation: once
// it is back, its journal finishes or takes back the operation, the name is
// there entirely or not at all, and the databases of both metads check clean.
class MultiMetaCrashTest : public MultiMetaTest, public testing::WithParamInterface<std::string> {};

TEST_P(MultiMetaCrashTest, KilledCoordinatorRecovers) {
  const std::string point = GetParam();
  const std::string op = point.substr(0, point.find('.'));
  start(2, {"--crash-at", point});
  std::string a, b;
  if (op != "mkdir") {  // (a mkdir on the other metad would crash already)
    std::tie(a, b) = two_owners(root_, "x");
    ASSERT_FALSE(a.empty());
    // a is the one on the root's metad.
    if (owner_of(b) == owner_of(root_)) std::swap(a, b);
    write_text(a + "/f", "data");
  }

  // The operation that reaches the crash point; its coordinator dies.
  int rc = 0;
  std::string subject, other;  // the name the operation is about, and its other name
  if (op == "mkdir") {
    // Until a directory of the root's metad lands on the other metad.
    for (int i = 0; i < 64 && rc == 0; ++i) {
      subject = p("new" + std::to_string(i));
      rc = mkdir(subject.c_str(), 0755);
    }
  } else if (op == "rmdir") {
    subject = b;  // named on the root's metad, stored on the other
    rc = rmdir(subject.c_str());
  } else if (op == "rename_out") {
    subject = a + "/f";
    other = b + "/g";
    rc = rename(subject.c_str(), other.c_str());
  } else if (op == "link") {
    subject = a + "/f";
    other = b + "/l";
    rc = link(subject.c_str(), other.c_str());
  }
  ASSERT_NE(rc, 0) << op << " did not fail although its coordinator should have died at " << point;
  // The client may see the connection drop a moment before the process is gone.
  std::string dead;
  for (int tries = 0; tries < 250 && dead.empty(); ++tries) {
    for (int m = 0; m < 2; ++m)
      if (!cluster_.alive(TestCluster::metad_name(m))) dead = TestCluster::metad_name(m);
    if (dead.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(dead.empty()) << "no metad died at " << point;
  ASSERT_TRUE(cluster_.wait_for_log(dead, "test crash point '" + point + "' reached"));

  ASSERT_TRUE(cluster_.remove_option(dead, "--crash-at"));
  ASSERT_TRUE(cluster_.restart_daemon(dead));
  ASSERT_TRUE(cluster_.wait_for_log(dead, "journal: finished", std::chrono::seconds(20)))
      << "the restarted metad did not finish its journal record";

  // All or nothing, seen through a fresh mount.
  ASSERT_TRUE(cluster_.remount());
  if (op == "mkdir") {
    struct stat st;
    if (stat(subject.c_str(), &st) == 0) EXPECT_TRUE(S_ISDIR(st.st_mode));
    else EXPECT_EQ(errno, ENOENT);
  } else if (op == "rmdir") {
    struct stat st;
    if (stat(subject.c_str(), &st) == 0) {
      EXPECT_TRUE(S_ISDIR(st.st_mode));
      EXPECT_EQ(rmdir(subject.c_str()), 0) << strerror(errno);
    } else {
      EXPECT_EQ(errno, ENOENT);
    }
  } else if (op == "rename_out") {
    EXPECT_NE(exists(subject), exists(other)) << "exactly one of the two names must exist";
    EXPECT_EQ(contents(exists(other) ? other : subject), "data");
  } else if (op == "link") {
    EXPECT_EQ(links(subject), exists(other) ? 2u : 1u);
    EXPECT_EQ(contents(subject), "data");
  }
  expect_consistent_metads(cluster_, 2);
}

INSTANTIATE_TEST_SUITE_P(CrashPoints, MultiMetaCrashTest,
                         testing::Values("mkdir.created", "mkdir.committed", "rmdir.prepared", "rename_out.prepared",
                                         "rename_out.inserted", "link.added"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace combfs::test
