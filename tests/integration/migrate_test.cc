// fsctl migrate (docs/metadata.md "Migration"): a subtree moves to another
// metad while 4 processes create, stat and unlink in it through the mount;
// afterwards it holds exactly what the processes created minus what they
// deleted, no process saw an error, every directory of the subtree is on the
// target metad, the move is listed, and the namespace checks clean.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/harness/data.h"
#include "tests/integration/meta_test_util.h"

namespace combfs::test {
namespace {

using namespace std::chrono_literals;

// Files (relative to `root`) below `root`, and directories in `dirs`.
void walk(const std::string& root, const std::string& rel, std::set<std::string>& files, std::set<std::string>& dirs) {
  const std::string path = rel.empty() ? root : root + "/" + rel;
  DIR* d = opendir(path.c_str());
  if (!d) {
    ADD_FAILURE() << "opendir " << path << ": " << strerror(errno);
    return;
  }
  std::vector<std::string> subdirs;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string child = rel.empty() ? name : rel + "/" + name;
    if (e->d_type == DT_DIR) {
      dirs.insert(child);
      subdirs.push_back(child);
    } else {
      EXPECT_TRUE(files.insert(child).second) << "readdir returned " << child << " twice";
    }
  }
  closedir(d);
  for (const auto& s : subdirs) walk(root, s, files, dirs);
}

// One worker process: creates, stats and unlinks files in `dirs` (relative to
// `root`, alternating) until `stop` exists, logging "+name" for every file it
// created and "-name" for every file it deleted, and "!..." for any error
// (then it exits 1). Runs in a forked child: only system calls, no gtest.
[[noreturn]] void worker(const std::string& root, const std::vector<std::string>& dirs, int id, const std::string& log_path,
                         const std::string& stop) {
  std::ofstream log(log_path);
  auto fail = [&](const std::string& what) {
    log << "!" << what << ": " << strerror(errno) << "\n";
    log.flush();
    _exit(1);
  };
  std::vector<std::string> live;
  struct stat st {};
  for (int i = 0; access(stop.c_str(), F_OK) != 0 || i < 50; ++i) {
    const std::string rel = dirs[i % dirs.size()] + "/p" + std::to_string(id) + "_" + std::to_string(i);
    const std::string path = root + "/" + rel;
    int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) fail("create " + rel);
    if (write(fd, rel.data(), rel.size()) != static_cast<ssize_t>(rel.size())) fail("write " + rel);
    if (close(fd) != 0) fail("close " + rel);
    log << "+" << rel << "\n";
    live.push_back(rel);
    if (stat(path.c_str(), &st) != 0) fail("stat " + rel);
    if (st.st_size != static_cast<off_t>(rel.size())) {
      errno = EIO;
      fail("size of " + rel + " is " + std::to_string(st.st_size));
    }
    if (i % 3 == 2) {  // unlink the oldest live file
      const std::string victim = live.front();
      if (unlink((root + "/" + victim).c_str()) != 0) fail("unlink " + victim);
      live.erase(live.begin());
      log << "-" << victim << "\n";
    }
    log.flush();
  }
  _exit(0);
}

TEST(MigrateTest, SubtreeMovesWhile4ProcessesCreateStatUnlink) {
  TestCluster cluster;
  // "parent" placement keeps the whole subtree on the root's metad at first.
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 1, .meta_daemons = 2,
                             .metad_args = {"--dir-placement", "parent"}}));
  const std::string root = cluster.mountpoint();
  const std::string top = root + "/work";
  ASSERT_EQ(mkdir(top.c_str(), 0755), 0) << strerror(errno);
  std::vector<std::vector<std::string>> dirs_of(4);
  for (int w = 0; w < 4; ++w) {
    const std::string own = "w" + std::to_string(w);
    ASSERT_EQ(mkdir((top + "/" + own).c_str(), 0755), 0) << strerror(errno);
    ASSERT_EQ(mkdir((top + "/" + own + "/deep").c_str(), 0755), 0) << strerror(errno);
    dirs_of[w] = {".", own, own + "/deep"};
  }
  const uint32_t source = entry_of(top).owner;
  const uint32_t a = node_id_of(cluster, "metad"), b = node_id_of(cluster, "metad1");
  ASSERT_NE(source, 0u);
  ASSERT_TRUE(source == a || source == b) << "owner " << source << " is neither metad " << a << " nor " << b;
  const uint32_t target = source == a ? b : a;

  const std::string stop = cluster.dir() + "/stop-workers";
  std::vector<pid_t> pids;
  for (int w = 0; w < 4; ++w) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0) << strerror(errno);
    if (pid == 0) worker(top, dirs_of[w], w, cluster.dir() + "/worker" + std::to_string(w) + ".log", stop);
    pids.push_back(pid);
  }
  std::this_thread::sleep_for(1s);  // the workers are busy in the subtree
  auto moved = cluster.run_fsctl({"migrate", top, "--to", std::to_string(target)});
  std::this_thread::sleep_for(1s);  // and keep going after the move
  { std::ofstream(stop) << "stop\n"; }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "worker " << pid << " failed (status " << status << ")";
  }
  ASSERT_EQ(moved.exit_code, 0) << moved.describe() << "\n" << moved.out;
  EXPECT_NE(moved.out.find("9 of 9 directories moved to metad " + std::to_string(target)), std::string::npos)
      << moved.out;

  // What the workers say exists, and no error.
  std::set<std::string> expected;
  for (int w = 0; w < 4; ++w) {
    std::ifstream log(cluster.dir() + "/worker" + std::to_string(w) + ".log");
    for (std::string line; std::getline(log, line);) {
      ASSERT_FALSE(line.empty());
      std::string name = line.substr(1);
      if (name.rfind("./", 0) == 0) name = name.substr(2);
      if (line[0] == '+') {
        EXPECT_TRUE(expected.insert(name).second) << name << " created twice";
      }
      if (line[0] == '-') {
        EXPECT_EQ(expected.erase(name), 1u) << name << " deleted but never created";
      }
      if (line[0] == '!') ADD_FAILURE() << "worker " << w << ": " << name;
    }
  }
  EXPECT_GT(expected.size(), 100u) << "the workers did too little to test anything";

  // Through a fresh mount (no cached owners): exactly those files, all on the target.
  ASSERT_TRUE(cluster.remount());
  std::set<std::string> files, dirs;
  walk(top, "", files, dirs);
  EXPECT_EQ(files, expected);
  EXPECT_EQ(dirs.size(), 8u);
  EXPECT_EQ(entry_of(top).owner, target);
  for (const auto& d : dirs) EXPECT_EQ(entry_of(top + "/" + d).owner, target) << d;
  for (const auto& f : files) EXPECT_EQ(entry_of(top + "/" + f).owner, target) << f;

  auto listed = cluster.run_fsctl_admin({"listmigrations"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  EXPECT_NE(listed.out.find(entry_of(top).entry.to_string()), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("fsctl migrate " + top), std::string::npos) << listed.out;

  auto checked = cluster.run_fsctl_admin({"fsck", "--metadata"});
  EXPECT_EQ(checked.exit_code, 0) << checked.describe() << "\n" << checked.out;
}

// The balancer (--balance-threshold): all directories start on one metad;
// the balancer moves some to the other until neither holds more than 1.5x
// the other's entries, logs the moves for fsctl listmigrations, and every
// file stays where its path says.
TEST(MigrateTest, BalancerMovesDirectoriesUntilTheLoadIsEven) {
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 1, .meta_daemons = 2,
                             .metad_args = {"--dir-placement", "parent", "--balance-threshold", "0.5",
                                            "--balance-interval", "2"}}));
  const std::string root = cluster.mountpoint();
  std::set<std::string> created;
  for (int d = 0; d < 4; ++d) {
    const std::string dir = "d" + std::to_string(d);
    ASSERT_EQ(mkdir((root + "/" + dir).c_str(), 0755), 0) << strerror(errno);
    for (int f = 0; f < 60; ++f) {
      const std::string rel = dir + "/f" + std::to_string(f);
      int fd = open((root + "/" + rel).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
      ASSERT_GE(fd, 0) << rel << ": " << strerror(errno);
      close(fd);
      created.insert(rel);
    }
  }
  // Wait for the moves: both metads end up with directories.
  std::set<uint32_t> owners;
  auto give_up = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(1s);
    ASSERT_TRUE(cluster.remount());
    owners.clear();
    for (int d = 0; d < 4; ++d) owners.insert(entry_of(root + "/d" + std::to_string(d)).owner);
    if (owners.size() == 2) break;
  }
  EXPECT_EQ(owners.size(), 2u) << "the balancer moved nothing in 60 s";
  auto listed = cluster.run_fsctl_admin({"listmigrations"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  EXPECT_NE(listed.out.find("balancer: "), std::string::npos) << listed.out;
  std::set<std::string> files, dirs;
  walk(root, "", files, dirs);
  EXPECT_EQ(files, created);
  auto checked = cluster.run_fsctl_admin({"fsck", "--metadata"});
  EXPECT_EQ(checked.exit_code, 0) << checked.describe() << "\n" << checked.out;
}

// Waits until metad `name` reached the test crash point `point` and died,
// then starts it again without the crash point.
void restart_after_crash(TestCluster& cluster, const std::string& name, const std::string& point) {
  ASSERT_TRUE(cluster.wait_for_log(name, "test crash point '" + point + "' reached"));
  for (int tries = 0; tries < 250 && cluster.alive(name); ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(cluster.alive(name));
  ASSERT_TRUE(cluster.remove_option(name, "--crash-at"));
  ASSERT_TRUE(cluster.restart_daemon(name));
}

// kill -9 of the source metad at each step of a move (--crash-at): once it
// is back, its journal finishes or takes back the move, the directory and its
// files are on one metad entirely, the namespace checks clean, and the move
// can be made again.
class MigrateCrashTest : public testing::TestWithParam<std::string> {};

TEST_P(MigrateCrashTest, KilledSourceRecovers) {
  const std::string point = GetParam();
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 1, .meta_daemons = 2,
                             .metad_args = {"--dir-placement", "parent"}}));
  const std::string top = cluster.mountpoint() + "/work";
  ASSERT_EQ(mkdir(top.c_str(), 0755), 0) << strerror(errno);
  const uint32_t source = entry_of(top).owner;
  const std::string source_name = metad_with_node(cluster, 2, source);
  ASSERT_FALSE(source_name.empty());
  const uint32_t target = node_id_of(cluster, source_name == "metad" ? "metad1" : "metad");
  std::set<std::string> created;
  for (int f = 0; f < 20; ++f) {
    const std::string name = "f" + std::to_string(f);
    int fd = open((top + "/" + name).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    ASSERT_GE(fd, 0) << strerror(errno);
    close(fd);
    created.insert(name);
  }
  ASSERT_EQ(mkdir((top + "/sub").c_str(), 0755), 0) << strerror(errno);
  // A hard-linked file (stays on the source) and a name of a file stored on
  // the target (a copy that is given up must not take that file with it).
  ASSERT_EQ(link((top + "/f0").c_str(), (top + "/f0_link").c_str()), 0) << strerror(errno);
  created.insert("f0_link");
  const std::string elsewhere = cluster.mountpoint() + "/elsewhere";
  ASSERT_EQ(mkdir(elsewhere.c_str(), 0755), 0) << strerror(errno);
  ASSERT_EQ(cluster.run_fsctl({"migrate", elsewhere, "--to", std::to_string(target)}).exit_code, 0);
  { std::ofstream(elsewhere + "/on_target") << "stored on the target"; }
  ASSERT_EQ(rename((elsewhere + "/on_target").c_str(), (top + "/on_target").c_str()), 0) << strerror(errno);
  created.insert("on_target");
  const std::set<std::string> stay_or_elsewhere = {"f0", "f0_link", "on_target"};
  // Now the source gets its crash point (the move of `elsewhere` had to succeed).
  ASSERT_TRUE(cluster.stop_daemon(source_name));
  ASSERT_TRUE(cluster.add_option(source_name, "--crash-at", point));
  ASSERT_TRUE(cluster.restart_daemon(source_name));

  auto failed = cluster.run_fsctl({"migrate", top, "--to", std::to_string(target)});
  EXPECT_NE(failed.exit_code, 0) << "the move succeeded although its source should have died at " << point;
  ASSERT_NO_FATAL_FAILURE(restart_after_crash(cluster, source_name, point));
  ASSERT_TRUE(cluster.wait_for_log(source_name, "journal: finished", std::chrono::seconds(20)))
      << "the restarted metad did not finish its journal record";

  auto checked = cluster.run_fsctl_admin({"fsck", "--metadata"});
  EXPECT_EQ(checked.exit_code, 0) << checked.describe() << "\n" << checked.out;
  ASSERT_TRUE(cluster.remount());
  const uint32_t where = entry_of(top).owner;
  EXPECT_TRUE(where == source || where == target) << where;
  std::set<std::string> files, dirs;
  walk(top, "", files, dirs);
  EXPECT_EQ(files, created);
  for (const auto& f : files) {
    if (!stay_or_elsewhere.contains(f)) {
      EXPECT_EQ(entry_of(top + "/" + f).owner, where) << f;
    }
  }
  struct stat st {};
  ASSERT_EQ(stat((top + "/f0").c_str(), &st), 0) << strerror(errno);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(entry_of(top + "/f0").owner, source);
  EXPECT_EQ(entry_of(top + "/on_target").owner, target);
  const auto on_target = read_file(top + "/on_target");
  EXPECT_EQ(std::string(on_target.begin(), on_target.end()), "stored on the target");

  auto again = cluster.run_fsctl({"migrate", top, "--to", std::to_string(target)});
  ASSERT_EQ(again.exit_code, 0) << again.describe() << "\n" << again.out;
  ASSERT_TRUE(cluster.remount());
  EXPECT_EQ(entry_of(top).owner, target);
  EXPECT_EQ(entry_of(top + "/sub").owner, target);
  checked = cluster.run_fsctl_admin({"fsck", "--metadata"});
  EXPECT_EQ(checked.exit_code, 0) << checked.describe() << "\n" << checked.out;
}

INSTANTIATE_TEST_SUITE_P(AllPoints, MigrateCrashTest,
                         testing::Values("migrate.begun", "migrate.copied", "migrate.committed"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

// kill -9 of the target metad right after it applied a step of a move,
// before it answered (--crash-at on the receiving side): the copy arrived
// (migrate_in.applied: the source takes the move back) or was confirmed
// (dir_state.applied: the move happened). Once the target is back, the
// source's journal finishes, the directory is whole on one metad, and the
// namespace checks clean.
class MigrateTargetCrashTest : public testing::TestWithParam<std::string> {};

TEST_P(MigrateTargetCrashTest, KilledTargetRecovers) {
  const std::string point = GetParam();
  TestCluster cluster;
  ASSERT_TRUE(cluster.start({.storage_daemons = 1, .targets_per_daemon = 1, .meta_daemons = 2,
                             .metad_args = {"--dir-placement", "parent", "--crash-at", point}}));
  const std::string top = cluster.mountpoint() + "/work";
  ASSERT_EQ(mkdir(top.c_str(), 0755), 0) << strerror(errno);
  std::set<std::string> created;
  for (int f = 0; f < 10; ++f) {
    const std::string name = "f" + std::to_string(f);
    std::ofstream(top + "/" + name) << name;
    created.insert(name);
  }
  const uint32_t source = entry_of(top).owner;
  const std::string source_name = metad_with_node(cluster, 2, source);
  ASSERT_FALSE(source_name.empty());
  const std::string target_name = source_name == "metad" ? "metad1" : "metad";
  const uint32_t target = node_id_of(cluster, target_name);

  auto moved = cluster.run_fsctl({"migrate", top, "--to", std::to_string(target)});
  ASSERT_NO_FATAL_FAILURE(restart_after_crash(cluster, target_name, point)) << moved.out;
  ASSERT_TRUE(cluster.wait_for_log(source_name, "journal: finished", std::chrono::seconds(30)))
      << "the source did not finish its journal record once the target was back";

  auto checked = cluster.run_fsctl_admin({"fsck", "--metadata"});
  EXPECT_EQ(checked.exit_code, 0) << checked.describe() << "\n" << checked.out;
  ASSERT_TRUE(cluster.remount());
  EXPECT_EQ(entry_of(top).owner, point == "migrate_in.applied" ? source : target);
  std::set<std::string> files, dirs;
  walk(top, "", files, dirs);
  EXPECT_EQ(files, created);
  for (const auto& f : files) {
    const auto content = read_file(top + "/" + f);
    EXPECT_EQ(std::string(content.begin(), content.end()), f);
  }
  auto again = cluster.run_fsctl({"migrate", top, "--to", std::to_string(target)});
  ASSERT_EQ(again.exit_code, 0) << again.describe() << "\n" << again.out;
  ASSERT_TRUE(cluster.remount());
  EXPECT_EQ(entry_of(top).owner, target);
  checked = cluster.run_fsctl_admin({"fsck", "--metadata"});
  EXPECT_EQ(checked.exit_code, 0) << checked.describe() << "\n" << checked.out;
}

INSTANTIATE_TEST_SUITE_P(ReceivingSide, MigrateTargetCrashTest,
                         testing::Values("migrate_in.applied", "dir_state.applied"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace combfs::test
