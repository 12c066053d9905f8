// Shared-secret authentication seen from the outside: mounts and fsctl with a
// wrong, missing or insecure secret fail with a message that says why, and the
// daemon logs the refused connection.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "tests/harness/data.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool mentions_secret_or_auth(const std::string& text) {
  std::string t = lower(text);
  return t.find("secret") != std::string::npos || t.find("authenticat") != std::string::npos;
}

// True when one line of `text` contains all of `words`.
bool has_line_with(const std::string& text, std::initializer_list<std::string> words) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (std::all_of(words.begin(), words.end(), [&](const std::string& w) { return line.find(w) != std::string::npos; }))
      return true;
  return false;
}

class AuthTest : public testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(cluster_.start({.storage_daemons = 1, .targets_per_daemon = 1})); }

  // combfs-client without -f: it must verify the secret before daemonizing.
  CommandResult try_mount(const std::string& mountpoint, const std::string& secret_file) {
    return run_command({TestCluster::bin("combfs-client"), cluster_.mgmtd_address(), mountpoint, "-o",
                        "secret=" + secret_file},
                       std::chrono::seconds(60));
  }

  TestCluster cluster_;
};

TEST_F(AuthTest, WrongSecretIsRefused) {
  std::string wrong = cluster_.make_secret_file("wrong-secret");
  ASSERT_FALSE(wrong.empty());
  std::string mnt = cluster_.make_dir("mnt-wrong");
  auto r = try_mount(mnt, wrong);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(mentions_secret_or_auth(r.err)) << "stderr should say the secret was refused: " << r.describe();
  EXPECT_FALSE(TestCluster::is_mountpoint(mnt)) << "mounted despite the wrong secret";

  EXPECT_TRUE(cluster_.wait_for_log("mgmtd", "rejected connection")) << cluster_.log_text("mgmtd");
  EXPECT_TRUE(has_line_with(cluster_.log_text("mgmtd"), {"rejected connection", "secret"}))
      << "mgmtd should log why it refused the client:\n"
      << cluster_.log_text("mgmtd");
}

TEST_F(AuthTest, MissingSecretFileIsNamed) {
  std::string missing = cluster_.dir() + "/no-such-secret";
  std::string mnt = cluster_.make_dir("mnt-missing");
  auto r = try_mount(mnt, missing);
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find(missing), std::string::npos) << "stderr should name " << missing << ": " << r.describe();
  EXPECT_FALSE(TestCluster::is_mountpoint(mnt));
}

TEST_F(AuthTest, SecretReadableByOthersIsRefused) {
  // The right secret, but world-readable: refused, naming the file.
  std::string err;
  auto secret = read_file(cluster_.secret_file(), &err);
  ASSERT_TRUE(err.empty()) << err;
  std::string loose = cluster_.dir() + "/loose-secret";
  ASSERT_TRUE(write_file(loose, secret, &err)) << err;
  ASSERT_EQ(chmod(loose.c_str(), 0644), 0);
  std::string mnt = cluster_.make_dir("mnt-loose");
  auto r = try_mount(mnt, loose);
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find(loose), std::string::npos) << "stderr should name " << loose << ": " << r.describe();
  EXPECT_FALSE(TestCluster::is_mountpoint(mnt));
}

TEST_F(AuthTest, RightSecretMountsInBackground) {
  // The same command with the cluster's secret daemonizes and serves files.
  std::string mnt = cluster_.make_dir("mnt-bg");
  auto r = try_mount(mnt, cluster_.secret_file());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  ASSERT_TRUE(TestCluster::is_mountpoint(mnt)) << "combfs-client exited 0 but nothing is mounted at " << mnt;
  std::string err;
  std::string text = "hello";
  ASSERT_TRUE(write_file(mnt + "/hello", std::span(text.data(), text.size()), &err)) << err;
  auto back = read_file(cluster_.mountpoint() + "/hello", &err);
  EXPECT_EQ(std::string(back.begin(), back.end()), text) << err;
  EXPECT_TRUE(cluster_.unmount(mnt));
}

TEST_F(AuthTest, FsctlWithWrongSecretFails) {
  auto good = cluster_.run_fsctl_admin({"listnodes"});
  ASSERT_EQ(good.exit_code, 0) << good.describe();
  EXPECT_FALSE(good.out.empty());

  std::string wrong = cluster_.make_secret_file("wrong-secret");
  auto r = cluster_.run_fsctl({"--mgmtd", cluster_.mgmtd_address(), "--secret-file", wrong, "listnodes"});
  EXPECT_FALSE(r.timed_out) << r.describe();
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_TRUE(mentions_secret_or_auth(r.err)) << "fsctl should say the secret was refused: " << r.describe();
  EXPECT_TRUE(cluster_.wait_for_log("mgmtd", "rejected connection"));
}

}  // namespace
}  // namespace combfs::test
