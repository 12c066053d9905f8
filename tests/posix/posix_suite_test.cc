// Runs every case of the POSIX suite (tests/posix/cases_*.cc) in a directory
// on the local file system (the cluster's temporary directory, on ext4 in CI)
// and in one on the combfs mount, as root and as an unprivileged user, and
// requires identical records apart from the documented deviations.
//
// POSIX_SUITE_FILTER=substring runs only matching case ids;
// POSIX_SUITE_VERBOSE=1 prints every record.
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "tests/harness/test_cluster.h"
#include "tests/posix/deviations.h"
#include "tests/posix/suite.h"

namespace combfs::posix {
namespace {

const Deviation* find_deviation(const std::string& mode, const std::string& id, const std::string& label) {
  for (const auto& d : known_deviations()) {
    if (id != d.case_id || label != label_of(d.combfs)) continue;
    if (std::string(d.mode) == "*" || d.mode == mode) return &d;
  }
  return nullptr;
}

// The reference must be ext4 (tmpfs, xfs or btrfs differ in details such as
// O_DIRECT, SEEK_HOLE and xattr limits). POSIX_SUITE_LOCAL_DIR chooses one;
// otherwise the cluster's own directory or /var/tmp, whichever is on ext4.
std::string ext4_dir(const std::string& cluster_dir) {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("POSIX_SUITE_LOCAL_DIR")) candidates.push_back(env);
  candidates.push_back(cluster_dir);
  candidates.push_back("/var/tmp");
  for (const auto& dir : candidates) {
    struct statfs s;
    if (statfs(dir.c_str(), &s) == 0 && s.f_type == EXT4_SUPER_MAGIC) return dir;
  }
  return "";
}

std::string make_case_dir(const std::string& base, const Case& c, bool root) {
  std::string dir = base + "/" + c.id();
  if (mkdir(dir.c_str(), 0755) != 0 || chmod(dir.c_str(), 0755) != 0) return "";
  if (!root && chown(dir.c_str(), kUser, kGroup) != 0) return "";
  return dir;
}

void run_suite(bool root) {
  const std::string mode = root ? "root" : "user";
  test::TestCluster cluster;
  // allow_other: the unprivileged user and the cases' other users may enter the mount.
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 2, .client_options = "allow_other"}));
  ASSERT_EQ(chmod(cluster.dir().c_str(), 0755), 0);
  const std::string reference = ext4_dir(cluster.dir());
  ASSERT_FALSE(reference.empty()) << "no directory on ext4 for the reference runs: set POSIX_SUITE_LOCAL_DIR to one "
                                     "(the cluster's directory " << cluster.dir() << " and /var/tmp are not on ext4)";
  char templ[] = "/posix-suite-XXXXXX";
  std::string local_root = reference + templ;
  ASSERT_NE(mkdtemp(local_root.data()), nullptr) << local_root << ": " << strerror(errno);
  ASSERT_EQ(chmod(local_root.c_str(), 0755), 0);
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      if (!dir.empty()) std::filesystem::remove_all(dir, ec);
    }
  } cleanup{reference == cluster.dir() ? "" : local_root};
  const std::string local = local_root + "/local-" + mode;
  const std::string mounted = cluster.mountpoint() + "/posix-" + mode;
  ASSERT_EQ(mkdir(local.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(mounted.c_str(), 0755), 0);

  const char* filter = std::getenv("POSIX_SUITE_FILTER");
  const bool verbose = std::getenv("POSIX_SUITE_VERBOSE") != nullptr;
  std::set<std::pair<std::string, std::string>> seen;  // (case, label) of deviations that showed
  size_t cases = 0, steps = 0;
  for (const Case& c : all_cases()) {
    const std::string id = c.id();
    if (filter && id.find(filter) == std::string::npos) continue;
    ++cases;
    std::string ldir = make_case_dir(local, c, root), mdir = make_case_dir(mounted, c, root);
    ASSERT_FALSE(ldir.empty() || mdir.empty()) << "cannot prepare the directories of " << id;
    auto want = run_case(c, ldir, root);
    auto got = run_case(c, mdir, root);
    if (verbose)
      for (size_t i = 0; i < std::max(want.size(), got.size()); ++i)
        std::cout << id << " | " << (i < want.size() ? want[i] : "-") << " | " << (i < got.size() ? got[i] : "-")
                  << "\n";
    EXPECT_FALSE(want.empty()) << id << " recorded nothing";
    if (want.size() != got.size()) {
      std::string both;
      for (size_t i = 0; i < std::max(want.size(), got.size()); ++i)
        both += "  local: " + (i < want.size() ? want[i] : "-") + "\n  combfs: " + (i < got.size() ? got[i] : "-") + "\n";
      ADD_FAILURE() << id << " (" << mode << "): " << want.size() << " local records, " << got.size()
                    << " on combfs:\n" << both;
      continue;
    }
    for (size_t i = 0; i < want.size(); ++i) {
      ++steps;
      const std::string label = label_of(want[i]);
      const Deviation* dev = find_deviation(mode, id, label);
      if (want[i] == got[i]) {
        EXPECT_EQ(dev, nullptr) << id << " (" << mode << "): documented deviation '" << (dev ? dev->combfs : "")
                                << "' no longer occurs (combfs now records '" << got[i]
                                << "', like the local file system): remove it from tests/posix/deviations.cc "
                                   "and docs/posix.md";
        continue;
      }
      if (dev && got[i] == dev->combfs && label_of(got[i]) == label) {
        seen.insert({id, label});
        continue;
      }
      ADD_FAILURE() << id << " (" << mode << ") step " << i << ":\n  local:  " << want[i] << "\n  combfs: " << got[i]
                    << (dev ? std::string("\n  documented deviation expects: ") + dev->combfs : std::string());
    }
  }
  // Every deviation documented for this mode must have shown (unless filtered out).
  for (const auto& d : known_deviations()) {
    if (std::string(d.mode) != "*" && d.mode != mode) continue;
    if (filter && std::string(d.case_id).find(filter) == std::string::npos) continue;
    EXPECT_TRUE(seen.contains({d.case_id, label_of(d.combfs)}))
        << "documented deviation " << d.case_id << " '" << d.combfs << "' did not show in the " << mode << " run";
  }
  std::cout << "POSIX suite (" << mode << "): " << cases << " cases, " << steps << " steps compared, " << seen.size()
            << " documented deviations\n";
}

TEST(PosixSuite, AsRoot) { run_suite(true); }
TEST(PosixSuite, AsUnprivilegedUser) { run_suite(false); }

}  // namespace
}  // namespace combfs::posix
