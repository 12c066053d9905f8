// Several metads (docs/metadata.md): directories spread over them by the
// placement policy, every path resolves through the owners, and the
// operations whose names and entries live on different metads (mkdir, rmdir,
// rename, link) behave like on a local file system.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "client/lib/entryinfo_xattr.h"
#include "tests/harness/data.h"
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

}  // namespace
}  // namespace combfs::test
