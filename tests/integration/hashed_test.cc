// Hashed directories (docs/metadata.md, "Hashed directories"): fsctl mkdir
// --hashed K and fsctl sethash K spread one directory's entries over K
// shards on different metads; through the FUSE mount it behaves like any
// directory: creates, lookups, unlinks, readdir (each name once, also while
// names are added), renames into, out of and within it, rmdir.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "client/lib/dir_hash.h"
#include "client/lib/entryinfo_xattr.h"
#include "tests/harness/data.h"
#include "tests/harness/namespace_check.h"
#include "tests/harness/process.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

constexpr int kMetads = 4;
constexpr int kWorkers = 8;

// The metad that stores `path`, from the mount's entryinfo attribute (0: unknown).
uint32_t owner_of(const std::string& path) {
  std::string value(4096, '\0');
  ssize_t n = lgetxattr(path.c_str(), client::kEntryInfoXattr, value.data(), value.size());
  if (n < 0) return 0;
  value.resize(static_cast<size_t>(n));
  auto parsed = client::parse_entryinfo(value);
  return parsed ? parsed->owner : 0;
}

// The names readdir returns (without "." and ".."); a name listed twice is a failure.
std::vector<std::string> list(const std::string& dir) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  DIR* d = opendir(dir.c_str());
  if (!d) {
    ADD_FAILURE() << "opendir " << dir << ": " << strerror(errno);
    return names;
  }
  errno = 0;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (!seen.insert(name).second) ADD_FAILURE() << "readdir of " << dir << " returned '" << name << "' twice";
    names.push_back(name);
  }
  EXPECT_EQ(errno, 0) << "readdir " << dir << ": " << strerror(errno);
  closedir(d);
  return names;
}

std::string file_name(int i) { return "f" + std::to_string(i); }

bool exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
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

// "Shard <i>: <id> on metad <n>" lines of fsctl getentryinfo -> the metads.
std::vector<uint32_t> shard_metads(const std::string& getentryinfo_out) {
  std::vector<uint32_t> out;
  std::istringstream in(getentryinfo_out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Shard ", 0) != 0) continue;
    auto at = line.rfind("on metad ");
    if (at != std::string::npos) out.push_back(static_cast<uint32_t>(std::stoul(line.substr(at + 9))));
  }
  return out;
}

class HashedDirTest : public testing::Test {
 protected:
  void start() {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 1, .targets_per_daemon = 1, .meta_daemons = kMetads}));
    root_ = cluster_.mountpoint();
  }
  std::string p(const std::string& rel) const { return root_ + "/" + rel; }

  // Forks kWorkers processes running work(worker); each returns "" or what
  // went wrong. While they run, `meanwhile` is called over and over.
  void in_processes(const std::function<std::string(int)>& work, const std::function<void()>& meanwhile = {}) {
    std::vector<pid_t> pids;
    for (int w = 0; w < kWorkers; ++w) {
      pid_t pid = fork();
      ASSERT_GE(pid, 0) << "fork: " << strerror(errno);
      if (pid == 0) {
        std::string why = work(w);
        if (why.empty()) _exit(0);
        std::ofstream(cluster_.dir() + "/worker" + std::to_string(w) + ".err") << why << "\n";
        _exit(1);
      }
      pids.push_back(pid);
    }
    std::map<int, int> statuses;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(4);
    while (statuses.size() < pids.size() && std::chrono::steady_clock::now() < give_up) {
      for (int w = 0; w < kWorkers; ++w) {
        int status = 0;
        if (!statuses.contains(w) && !still_running(pids[w], &status)) statuses[w] = status;
      }
      if (statuses.size() < pids.size()) {
        if (meanwhile)
          meanwhile();
        else
          usleep(20000);
      }
    }
    for (int w = 0; w < kWorkers; ++w) {
      if (!statuses.contains(w)) {
        kill(pids[w], SIGKILL);
        wait_exit(pids[w], std::chrono::seconds(10));
        ADD_FAILURE() << "worker " << w << " hangs";
        continue;
      }
      std::ifstream err(cluster_.dir() + "/worker" + std::to_string(w) + ".err");
      std::string why((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
      EXPECT_EQ(exit_code_of(statuses[w]), 0) << "worker " << w << ": " << why;
    }
  }

  // Creates the files `first` .. `last`-1 of `dir`, spread over the workers.
  void create_files(const std::string& dir, int first, int last, const std::function<void()>& meanwhile = {}) {
    in_processes(
        [&](int w) -> std::string {
          for (int i = first + w; i < last; i += kWorkers) {
            std::string path = dir + "/" + file_name(i);
            int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
            if (fd < 0) return "create " + path + ": " + strerror(errno);
            close(fd);
          }
          return "";
        },
        meanwhile);
  }

  TestCluster cluster_;
  std::string root_;
};

// The acceptance test of issue 5: K = 4 on 4 metads, 20,000 creates from 8
// processes; readdir returns each name once (also while names are added);
// lookups and unlinks of all of them succeed; renames across shards.
TEST_F(HashedDirTest, TwentyThousandEntriesOverFourShards) {
  start();
  const std::string big = p("big");
  auto made = cluster_.run_fsctl({"mkdir", "--hashed", "4", big});
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  EXPECT_NE(made.out.find("hashed over 4 shards"), std::string::npos) << made.out;
  auto info = cluster_.run_fsctl({"getentryinfo", big});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("Hashed: 4 shards"), std::string::npos) << info.out;
  auto metads = shard_metads(info.out);
  ASSERT_EQ(metads.size(), 4u) << info.out;
  EXPECT_EQ(std::set<uint32_t>(metads.begin(), metads.end()).size(), 4u) << "the shards share metads:\n" << info.out;

  constexpr int kOld = 4000, kTotal = 20000;
  const auto t0 = std::chrono::steady_clock::now();
  create_files(big, 0, kOld);
  // The rest while another process lists: every listing has each name at
  // most once and every name that existed before it began.
  int listings = 0;
  create_files(big, kOld, kTotal, [&] {
    auto names = list(big);
    std::set<std::string> seen(names.begin(), names.end());
    for (int i = 0; i < kOld; ++i)
      if (!seen.contains(file_name(i))) {
        ADD_FAILURE() << "a listing during the creates missed " << file_name(i);
        break;
      }
    ++listings;
  });
  const auto t1 = std::chrono::steady_clock::now();
  std::cout << kTotal << " creates in " << std::chrono::duration<double>(t1 - t0).count() << " s; " << listings
            << " listings meanwhile\n";
  EXPECT_GE(listings, 1);

  // Nothing from the creating client's caches from here on.
  ASSERT_TRUE(cluster_.remount());
  auto names = list(big);
  EXPECT_EQ(names.size(), size_t(kTotal));
  std::set<std::string> want;
  for (int i = 0; i < kTotal; ++i) want.insert(file_name(i));
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), want);

  // Every name looks up; the files are spread over the shards' metads.
  std::map<uint32_t, int> per_metad;
  for (int i = 0; i < kTotal; ++i) {
    struct stat st;
    ASSERT_EQ(stat((big + "/" + file_name(i)).c_str(), &st), 0) << file_name(i) << ": " << strerror(errno);
    if (i % 10 == 0) per_metad[owner_of(big + "/" + file_name(i))]++;
  }
  EXPECT_EQ(per_metad.size(), 4u);
  for (auto [metad, n] : per_metad) EXPECT_GT(n, 300) << "metad " << metad << " stores only " << n << " of 2000";
  struct stat st;
  ASSERT_EQ(stat(big.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_nlink, 1u) << "a hashed directory reports link count 1 (subdirectories are not counted)";

  // Renames within the directory: most old and new names are on different shards.
  for (int i = 0; i < 10; ++i) write_text(big + "/" + file_name(i), "data of " + file_name(i));
  int across = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string from = file_name(i), to = "r" + std::to_string(i);
    across += client::shard_of_name(from, 4) != client::shard_of_name(to, 4);
    ASSERT_EQ(rename((big + "/" + from).c_str(), (big + "/" + to).c_str()), 0) << from << ": " << strerror(errno);
  }
  EXPECT_GT(across, 500);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(exists(big + "/" + file_name(i))) << file_name(i);
    EXPECT_TRUE(exists(big + "/r" + std::to_string(i))) << i;
  }
  for (int i = 0; i < 10; ++i) EXPECT_EQ(contents(big + "/r" + std::to_string(i)), "data of " + file_name(i));
  // Replacing an existing name on another shard.
  ASSERT_EQ(rename((big + "/r0").c_str(), (big + "/r1").c_str()), 0) << strerror(errno);
  EXPECT_EQ(contents(big + "/r1"), "data of f0");
  EXPECT_FALSE(exists(big + "/r0"));
  // Into and out of the hashed directory.
  ASSERT_EQ(mkdir(p("plain").c_str(), 0755), 0);
  for (int i = 0; i < 20; ++i) {
    write_text(p("plain/in" + std::to_string(i)), "in" + std::to_string(i));
    ASSERT_EQ(rename(p("plain/in" + std::to_string(i)).c_str(), (big + "/in" + std::to_string(i)).c_str()), 0)
        << strerror(errno);
    ASSERT_EQ(rename((big + "/r" + std::to_string(100 + i)).c_str(), p("plain/out" + std::to_string(i)).c_str()), 0)
        << strerror(errno);
  }
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(contents(big + "/in" + std::to_string(i)), "in" + std::to_string(i));
    EXPECT_TRUE(exists(p("plain/out" + std::to_string(i))));
    EXPECT_FALSE(exists(big + "/r" + std::to_string(100 + i)));
  }
  // A directory moves within the hashed directory with what it holds.
  ASSERT_EQ(mkdir((big + "/sub").c_str(), 0755), 0);
  write_text(big + "/sub/x", "x");
  ASSERT_EQ(rename((big + "/sub").c_str(), (big + "/sub-moved").c_str()), 0) << strerror(errno);
  EXPECT_EQ(contents(big + "/sub-moved/x"), "x");

  // rmdir refuses while any shard holds a name.
  errno = 0;
  EXPECT_EQ(rmdir(big.c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);

  ASSERT_TRUE(cluster_.remount());
  names = list(big);
  EXPECT_EQ(names.size(), size_t(kTotal - 1 - 20 + 20 + 1));  // r0 replaced r1; 20 out, 20 in; sub-moved
  ASSERT_EQ(unlink((big + "/sub-moved/x").c_str()), 0);
  ASSERT_EQ(rmdir((big + "/sub-moved").c_str()), 0);
  const auto t2 = std::chrono::steady_clock::now();
  in_processes([&](int w) -> std::string {
    for (size_t i = w; i < names.size(); i += kWorkers) {
      if (names[i] == "sub-moved") continue;
      std::string path = big + "/" + names[i];
      if (unlink(path.c_str()) != 0) return "unlink " + path + ": " + strerror(errno);
    }
    return "";
  });
  std::cout << names.size() << " unlinks in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count() << " s\n";
  EXPECT_TRUE(list(big).empty());
  ASSERT_EQ(rmdir(big.c_str()), 0) << strerror(errno);
  EXPECT_FALSE(exists(big));
  expect_consistent_metads(cluster_, kMetads);
}

// fsctl sethash on an empty directory that the mount already knows as a plain
// one: the mount finds out (META_HASHED_DIR) and uses the shards. The errors
// of sethash and mkdir --hashed, and setpattern of a hashed directory.
TEST_F(HashedDirTest, SethashOnAnEmptyDirectory) {
  start();
  const std::string d = p("d");
  ASSERT_EQ(mkdir(d.c_str(), 0755), 0);
  EXPECT_TRUE(list(d).empty());  // the mount has seen d as a plain directory
  ASSERT_EQ(mkdir(p("full").c_str(), 0755), 0);
  write_text(p("full/x"), "x");

  auto set = cluster_.run_fsctl({"sethash", "3", d});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  auto info = cluster_.run_fsctl({"getentryinfo", d});
  EXPECT_NE(info.out.find("Hashed: 3 shards"), std::string::npos) << info.out;
  EXPECT_EQ(shard_metads(info.out).size(), 3u) << info.out;

  struct stat before {};
  ASSERT_EQ(stat(d.c_str(), &before), 0);
  usleep(10000);
  create_files(d, 0, 400);
  // The names changed in the shards; the directory's mtime follows them.
  struct stat after {};
  ASSERT_EQ(stat(d.c_str(), &after), 0);
  auto ns = [](const timespec& t) { return int64_t{t.tv_sec} * 1000000000 + t.tv_nsec; };
  EXPECT_GT(ns(after.st_mtim), ns(before.st_mtim)) << "the mtime of a hashed directory does not follow its shards";
  EXPECT_EQ(after.st_nlink, 1u);
  auto names = list(d);
  EXPECT_EQ(names.size(), 400u);
  std::set<uint32_t> owners;
  for (int i = 0; i < 400; i += 7) owners.insert(owner_of(d + "/" + file_name(i)));
  EXPECT_EQ(owners.size(), 3u) << "the files are not spread over the 3 shards' metads";

  auto not_empty = cluster_.run_fsctl({"sethash", "3", p("full")});
  EXPECT_NE(not_empty.exit_code, 0);
  EXPECT_NE(not_empty.err.find("not empty"), std::string::npos) << not_empty.err;
  auto again = cluster_.run_fsctl({"sethash", "2", d});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("hashed already"), std::string::npos) << again.err;
  EXPECT_NE(cluster_.run_fsctl({"mkdir", "--hashed", "1", p("one")}).exit_code, 0);
  EXPECT_NE(cluster_.run_fsctl({"mkdir", "--hashed", "65", p("many")}).exit_code, 0);
  EXPECT_FALSE(exists(p("one")));
  EXPECT_FALSE(exists(p("many")));

  // New files of a hashed directory inherit the pattern set on it.
  auto pattern = cluster_.run_fsctl({"setpattern", "--chunksize", "128K", "--numtargets", "1", d});
  ASSERT_EQ(pattern.exit_code, 0) << pattern.err;
  for (int i = 0; i < 6; ++i) {
    std::string f = d + "/new" + std::to_string(i);
    write_text(f, "new");
    auto fi = cluster_.run_fsctl({"getentryinfo", f});
    EXPECT_NE(fi.out.find("Chunk size: 128K"), std::string::npos) << f << ":\n" << fi.out;
  }

  // The live check over every metad knows the shards too.
  auto fsck = cluster_.run_fsctl_admin({"fsck", "--metadata"});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;

  errno = 0;
  EXPECT_EQ(rmdir(d.c_str()), -1);
  EXPECT_EQ(errno, ENOTEMPTY);
  for (const auto& n : list(d)) ASSERT_EQ(unlink((d + "/" + n).c_str()), 0) << n << ": " << strerror(errno);
  ASSERT_EQ(rmdir(d.c_str()), 0) << strerror(errno);
  ASSERT_EQ(unlink(p("full/x").c_str()), 0);
  expect_consistent_metads(cluster_, kMetads);
}

}  // namespace
}  // namespace combfs::test
