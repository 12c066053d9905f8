// Daemons stopped or killed and started again (same data, same port): the
// cluster keeps its files and the running mount carries on. Also exercises the
// harness's fault helpers that the fault tests build on.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/harness/data.h"
#include "tests/harness/eventually.h"
#include "tests/harness/fsctl_output.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

class RestartTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 2, .targets_per_daemon = 1}));
    data_ = make_data(77, (8u << 20) + 4321);
    std::string err;
    ASSERT_TRUE(write_file(path("before"), data_, &err)) << err;
  }

  std::string path(const std::string& name) const { return cluster_.mountpoint() + "/" + name; }

  // The file written before the restart reads back, and a new one can be
  // written and read, through the mount that lived through the restart.
  void expect_serving() {
    std::string err;
    auto back = read_file(path("before"), &err);
    ASSERT_TRUE(err.empty()) << err;
    EXPECT_EQ(first_difference(data_, back), -1) << "file written before the restart differs";
    std::vector<char> more = make_data(78, 3u << 20);
    ASSERT_TRUE(write_file(path("after"), more, &err)) << err;
    back = read_file(path("after"), &err);
    ASSERT_TRUE(err.empty()) << err;
    EXPECT_EQ(first_difference(more, back), -1);
  }

  void restart(const std::string& name, bool kill9) {
    uint16_t port = cluster_.port(name);
    if (kill9) {
      cluster_.kill_daemon(name);
    } else {
      ASSERT_TRUE(cluster_.stop_daemon(name));
    }
    EXPECT_FALSE(cluster_.alive(name));
    ASSERT_TRUE(cluster_.restart_daemon(name));
    EXPECT_TRUE(cluster_.alive(name));
    EXPECT_EQ(cluster_.port(name), port) << "a restarted daemon keeps its port";
  }

  TestCluster cluster_;
  std::vector<char> data_;
};

TEST_F(RestartTest, StorageDaemonKilled) {
  // Unmounting waits for the kernel's asynchronous release of "before", so
  // nothing of the first write is still in flight when the daemon dies.
  ASSERT_TRUE(cluster_.remount());
  restart("stored0", /*kill9=*/true);
  expect_serving();
}

TEST_F(RestartTest, WriterClosesWhileATargetIsDown) {
  // write() succeeded, so after close the data belongs to the file, even when
  // a target was down at the moment of the close and came back later.
  std::vector<char> data = make_data(79, (6u << 20) + 99);
  int fd = open(path("closed-while-down").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_EQ(write_fully(fd, data, 0), 0);
  cluster_.kill_daemon("stored0");
  close(fd);  // the release (and its size measurement) reaches a dead target
  ASSERT_TRUE(cluster_.restart_daemon("stored0"));
  ASSERT_TRUE(cluster_.remount());
  struct stat st;
  ASSERT_EQ(stat(path("closed-while-down").c_str(), &st), 0) << strerror(errno);
  EXPECT_EQ(uint64_t(st.st_size), data.size()) << "the size written before the close was lost";
  std::string err;
  auto back = read_file(path("closed-while-down"), &err);
  ASSERT_TRUE(err.empty()) << err;
  EXPECT_EQ(first_difference(data, back), -1);
}

TEST_F(RestartTest, WriterClosesWhileATargetIsStarting) {
  // As above, but the target's daemon is back and still registering (mgmtd is
  // away for a few seconds), so it answers "starting, retry" instead of
  // refusing connections: the close must not lose the size either.
  std::vector<char> data = make_data(80, (6u << 20) + 99);
  int fd = open(path("closed-while-starting").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  ASSERT_GE(fd, 0) << strerror(errno);
  ASSERT_EQ(write_fully(fd, data, 0), 0);
  ASSERT_TRUE(cluster_.stop_daemon("mgmtd"));
  cluster_.kill_daemon("stored0");
  ASSERT_TRUE(cluster_.restart_daemon("stored0", /*wait=*/false));
  ASSERT_TRUE(cluster_.wait_listening("stored0"));
  close(fd);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_TRUE(cluster_.restart_daemon("mgmtd"));
  ASSERT_TRUE(cluster_.wait_ready("stored0"));
  ASSERT_TRUE(cluster_.remount());
  struct stat st;
  ASSERT_EQ(stat(path("closed-while-starting").c_str(), &st), 0) << strerror(errno);
  EXPECT_EQ(uint64_t(st.st_size), data.size()) << "the size written before the close was lost";
  std::string err;
  auto back = read_file(path("closed-while-starting"), &err);
  ASSERT_TRUE(err.empty()) << err;
  EXPECT_EQ(first_difference(data, back), -1);
}

TEST_F(RestartTest, MetadKilled) {
  restart("metad", /*kill9=*/true);
  expect_serving();
  struct stat st;
  ASSERT_EQ(stat(path("before").c_str(), &st), 0) << strerror(errno);
  EXPECT_EQ(uint64_t(st.st_size), data_.size());
}

TEST_F(RestartTest, MgmtdStopped) {
  restart("mgmtd", /*kill9=*/false);
  auto r = cluster_.run_fsctl_admin({"listtargets"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(parse_target_paths(r.out).size(), 2u) << "mgmtd forgot targets across a restart:\n" << r.out;
  expect_serving();
}

std::string contents(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// logrotate moves a daemon's log away and sends SIGHUP: the daemon starts a
// new file of the same name and keeps serving; nothing more goes to the old one.
TEST_F(RestartTest, EveryDaemonReopensItsLogFileOnSighup) {
  for (const std::string name : {"mgmtd", "metad", "stored0"}) {
    SCOPED_TRACE(name);
    const std::string log = cluster_.log_file(name), rotated = log + ".1";
    std::filesystem::rename(log, rotated);
    ASSERT_EQ(kill(cluster_.pid(name), SIGHUP), 0) << strerror(errno);
    EXPECT_TRUE(eventually([&] { return contents(log).find("log file reopened (SIGHUP)") != std::string::npos; },
                           std::chrono::seconds(10)))
        << "no new " << log << " after SIGHUP";
    EXPECT_TRUE(cluster_.alive(name)) << "SIGHUP stopped " << name;
    EXPECT_EQ(contents(rotated).find("reopened"), std::string::npos) << "the moved log got the new lines";
  }
  expect_serving();
}

}  // namespace
}  // namespace combfs::test
