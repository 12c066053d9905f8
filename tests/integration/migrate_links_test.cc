// fsctl migrate of a directory whose names are not all plain files of its
// metad (docs/metadata.md "What moves with a directory"): a hard-linked file
// stays on its metad and its name moves; a name of a file stored on another
// metad (after a cross-metad rename or link) moves as a name and the file's
// record of it follows, also when the file is stored on the target itself.
// On 3 metads every case appears, and the directory moves twice.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "tests/harness/data.h"
#include "tests/integration/meta_test_util.h"

namespace combfs::test {
namespace {

std::string content_of(const std::string& path) {
  const auto bytes = read_file(path);
  return {bytes.begin(), bytes.end()};
}

void make_file(const std::string& path, const std::string& content) {
  std::string error;
  ASSERT_TRUE(write_file(path, content, &error)) << error;
  ASSERT_EQ(content_of(path), content) << path;
}

nlink_t links_of(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_nlink;
}

class MigrateLinksTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 1, .targets_per_daemon = 1, .meta_daemons = 3,
                                .metad_args = {"--dir-placement", "parent"}}));
    for (const char* name : {"metad", "metad1", "metad2"}) nodes_.push_back(node_id_of(cluster_, name));
    for (uint32_t n : nodes_) ASSERT_NE(n, 0u);
  }

  void migrate(const std::string& dir, uint32_t to) {
    auto r = cluster_.run_fsctl({"migrate", dir, "--to", std::to_string(to)});
    ASSERT_EQ(r.exit_code, 0) << r.describe() << "\n" << r.out;
    ASSERT_TRUE(cluster_.remount());  // forget the kernel's cached owners
    ASSERT_EQ(entry_of(dir).owner, to) << dir;
  }

  void expect_clean() {
    auto checked = cluster_.run_fsctl_admin({"fsck", "--metadata"});
    EXPECT_EQ(checked.exit_code, 0) << checked.describe() << "\n" << checked.out;
  }

  std::string path(const std::string& rel) const { return cluster_.mountpoint() + "/" + rel; }

  TestCluster cluster_;
  std::vector<uint32_t> nodes_;
};

TEST_F(MigrateLinksTest, HardLinksAndRemoteNamesMoveWithTheirDirectory) {
  // top, on1 and on2 start on the root's metad; on1 and on2 then move away,
  // so that files created in them are stored on metad1 and metad2.
  for (const char* d : {"top", "on1", "on2"}) ASSERT_EQ(mkdir(path(d).c_str(), 0755), 0) << strerror(errno);
  const uint32_t home = entry_of(path("top")).owner;
  std::vector<uint32_t> others;
  for (uint32_t n : nodes_)
    if (n != home) others.push_back(n);
  ASSERT_EQ(others.size(), 2u);
  migrate(path("on1"), others[0]);
  migrate(path("on2"), others[1]);

  make_file(path("top/plain"), "plain");
  make_file(path("top/twice_a"), "twice");                                // two names, both in top
  ASSERT_EQ(link(path("top/twice_a").c_str(), path("top/twice_b").c_str()), 0) << strerror(errno);
  make_file(path("top/shared"), "shared");                                // a second name outside top
  ASSERT_EQ(link(path("top/shared").c_str(), path("outside").c_str()), 0) << strerror(errno);
  make_file(path("on1/from1"), "from1");                                  // renamed in from metad1
  ASSERT_EQ(rename(path("on1/from1").c_str(), path("top/from1").c_str()), 0) << strerror(errno);
  make_file(path("on2/from2"), "from2");                                  // linked in from metad2
  ASSERT_EQ(link(path("on2/from2").c_str(), path("top/from2").c_str()), 0) << strerror(errno);
  ASSERT_EQ(entry_of(path("top/from1")).owner, others[0]);
  ASSERT_EQ(entry_of(path("top/from2")).owner, others[1]);
  expect_clean();

  const std::map<std::string, std::pair<std::string, nlink_t>> expected = {
      {"plain", {"plain", 1}},   {"twice_a", {"twice", 2}}, {"twice_b", {"twice", 2}},
      {"shared", {"shared", 2}}, {"from1", {"from1", 1}},   {"from2", {"from2", 2}}};
  auto check_names = [&](const std::string& when) {
    for (const auto& [name, want] : expected) {
      EXPECT_EQ(content_of(path("top/" + name)), want.first) << name << " " << when;
      EXPECT_EQ(links_of(path("top/" + name)), want.second) << name << " " << when;
    }
  };

  // To metad1: from1's file is stored there (its name becomes local), from2's
  // record on metad2 follows the name, the hard-linked files stay home.
  migrate(path("top"), others[0]);
  check_names("after the move to metad " + std::to_string(others[0]));
  EXPECT_EQ(entry_of(path("top/plain")).owner, others[0]);
  EXPECT_EQ(entry_of(path("top/twice_a")).owner, home);
  EXPECT_EQ(entry_of(path("top/shared")).owner, home);
  expect_clean();

  // And on to metad2, where from2's file is stored.
  migrate(path("top"), others[1]);
  check_names("after the move to metad " + std::to_string(others[1]));
  EXPECT_EQ(entry_of(path("top/plain")).owner, others[1]);
  expect_clean();

  // Every name still counts: unlinking them all leaves no file behind.
  for (const auto& [name, want] : expected) ASSERT_EQ(unlink(path("top/" + name).c_str()), 0) << name << ": " << strerror(errno);
  EXPECT_EQ(links_of(path("outside")), 1u);
  EXPECT_EQ(links_of(path("on2/from2")), 1u);
  for (const char* rest : {"outside", "on2/from2"}) ASSERT_EQ(unlink(path(rest).c_str()), 0) << rest;
  expect_clean();
}

}  // namespace
}  // namespace combfs::test
