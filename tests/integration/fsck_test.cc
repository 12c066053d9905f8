// fsctl fsck --metadata: a namespace spread over two metads checks clean; a
// database corrupted on purpose (a wrong link count, a name whose file is
// gone, a wrong "..") is reported, repaired with --repair, and then checks
// clean again.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tests/integration/meta_test_util.h"

namespace combfs::test {
namespace {

std::string id_where(const EntryId& id) {
  return "id_hi = " + std::to_string(static_cast<int64_t>(id.hi)) + " AND id_lo = " + std::to_string(static_cast<int64_t>(id.lo));
}

TEST(MetadataFsckTest, ReportsAndRepairsACorruptedDatabase) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 1, .meta_daemons = 2,
                             .metad_args = {"--dir-placement", "random"}}));
  const std::string root = cluster.mountpoint();
  // A few directories (on both metads, by random placement) with files in them.
  for (int i = 0; i < 6; ++i) {
    const std::string d = root + "/d" + std::to_string(i);
    ASSERT_EQ(mkdir(d.c_str(), 0755), 0) << d << ": " << strerror(errno);
    ASSERT_EQ(mkdir((d + "/sub").c_str(), 0755), 0) << strerror(errno);
    for (int f = 0; f < 3; ++f) {
      int fd = open((d + "/f" + std::to_string(f)).c_str(), O_CREAT | O_WRONLY, 0644);
      ASSERT_GE(fd, 0) << strerror(errno);
      close(fd);
    }
  }
  auto clean = cluster.run_fsctl_admin({"fsck", "--metadata"});
  ASSERT_EQ(clean.exit_code, 0) << clean.describe() << "\n" << clean.out;
  EXPECT_NE(clean.out.find("metadata of 2 metads is consistent"), std::string::npos) << clean.out;

  // Corrupt the database of d0's metad: d0's link count, the inode of d0/f1
  // (its name stays), and the ".." of d0/sub when it lives on the same metad.
  const auto dir = entry_of(root + "/d0");
  const auto file = entry_of(root + "/d0/f1");
  const auto sub = entry_of(root + "/d0/sub");
  ASSERT_NE(dir.owner, 0u);
  ASSERT_EQ(file.owner, dir.owner);
  const std::string victim = metad_with_node(cluster, 2, dir.owner);
  ASSERT_FALSE(victim.empty()) << "no metad has node id " << dir.owner;
  ASSERT_TRUE(cluster.stop_daemon(victim));
  std::string sql = "UPDATE inodes SET nlink = 9 WHERE " + id_where(dir.entry) + ";" +
                    "DELETE FROM inodes WHERE " + id_where(file.entry) + ";";
  const bool sub_here = sub.owner == dir.owner;
  if (sub_here) sql += "UPDATE inodes SET parent_hi = 0, parent_lo = 1 WHERE " + id_where(sub.entry) + ";";
  ASSERT_EQ(run_sql(cluster, victim, sql), "");
  ASSERT_TRUE(cluster.restart_daemon(victim));

  auto found = cluster.run_fsctl_admin({"fsck", "--metadata"});
  EXPECT_EQ(found.exit_code, 1) << found.out;
  EXPECT_NE(found.err.find("run 'fsctl fsck --metadata --repair'"), std::string::npos) << found.err;
  EXPECT_NE(found.out.find("directory " + dir.entry.to_string() + " on metad " + std::to_string(dir.owner) +
                           " has link count 9, expected 3"),
            std::string::npos)
      << found.out;
  EXPECT_NE(found.out.find("'f1' in directory " + dir.entry.to_string() + " on metad " + std::to_string(dir.owner) +
                           " names " + file.entry.to_string()),
            std::string::npos)
      << found.out;
  if (sub_here) EXPECT_NE(found.out.find("but its '..' is"), std::string::npos) << found.out;

  auto repaired = cluster.run_fsctl_admin({"fsck", "--metadata", "--repair"});
  EXPECT_EQ(repaired.exit_code, 0) << repaired.describe() << "\n" << repaired.out;
  EXPECT_NE(repaired.out.find("repaired: directory " + dir.entry.to_string()), std::string::npos) << repaired.out;
  EXPECT_NE(repaired.out.find("repaired: 'f1'"), std::string::npos) << repaired.out;

  auto again = cluster.run_fsctl_admin({"fsck", "--metadata"});
  EXPECT_EQ(again.exit_code, 0) << again.describe() << "\n" << again.out;
  // The mount agrees: the name without a file is gone, the rest is there.
  ASSERT_TRUE(cluster.remount());
  struct stat st {};
  EXPECT_NE(lstat((root + "/d0/f1").c_str(), &st), 0);
  EXPECT_EQ(lstat((root + "/d0/f0").c_str(), &st), 0) << strerror(errno);
  ASSERT_EQ(lstat((root + "/d0").c_str(), &st), 0) << strerror(errno);
  EXPECT_EQ(st.st_nlink, 3u);
}

}  // namespace
}  // namespace combfs::test
