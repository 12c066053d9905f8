// Namespace operations through the mount: a directory of 10,000 files, and the
// POSIX error cases of mkdir/rmdir/unlink/rename/link/symlink.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>

#include "tests/harness/data.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

// Expects `call` to fail with `err`.
#define EXPECT_ERRNO(err, call)                                                                   \
  do {                                                                                            \
    errno = 0;                                                                                    \
    int rc_ = (call);                                                                             \
    int saved_ = errno;                                                                           \
    EXPECT_EQ(rc_, -1) << #call " should fail with " << strerror(err);                           \
    EXPECT_EQ(saved_, err) << #call ": expected " << strerror(err) << ", got " << strerror(saved_); \
  } while (0)

#define ASSERT_OK(call) ASSERT_EQ((call), 0) << #call ": " << strerror(errno)

// name -> how often readdir returned it ("." and ".." excluded).
std::map<std::string, int> list_dir(const std::string& path) {
  std::map<std::string, int> names;
  DIR* d = opendir(path.c_str());
  if (!d) {
    ADD_FAILURE() << "opendir " << path << ": " << strerror(errno);
    return names;
  }
  errno = 0;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names[n]++;
  }
  EXPECT_EQ(errno, 0) << "readdir " << path << ": " << strerror(errno);
  closedir(d);
  return names;
}

void touch(const std::string& path, const std::string& content = "") {
  std::string err;
  ASSERT_TRUE(write_file(path, std::span<const char>(content.data(), content.size()), &err)) << err;
}

std::string contents(const std::string& path) {
  std::string err;
  auto data = read_file(path, &err);
  EXPECT_TRUE(err.empty()) << err;
  return std::string(data.begin(), data.end());
}

bool exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

class MetadataTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 1, .targets_per_daemon = 2}));
    root_ = cluster_.mountpoint();
  }
  std::string p(const std::string& rel) const { return root_ + "/" + rel; }

  TestCluster cluster_;
  std::string root_;
};

TEST_F(MetadataTest, TenThousandFiles) {
  constexpr int kFiles = 10000;
  const std::string dir = p("many");
  ASSERT_OK(mkdir(dir.c_str(), 0755));
  auto name = [](const char* prefix, int i) { return std::string(prefix) + std::to_string(i); };

  for (int i = 0; i < kFiles; ++i) {
    std::string f = dir + "/" + name("file-", i);
    int fd = open(f.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    ASSERT_GE(fd, 0) << "create " << f << ": " << strerror(errno);
    ASSERT_OK(close(fd));
  }
  for (int i = 0; i < kFiles; ++i) {
    struct stat st;
    std::string f = dir + "/" + name("file-", i);
    ASSERT_OK(stat(f.c_str(), &st));
    ASSERT_TRUE(S_ISREG(st.st_mode)) << f;
    ASSERT_EQ(st.st_size, 0) << f;
  }

  auto listed = list_dir(dir);
  EXPECT_EQ(listed.size(), size_t(kFiles));
  for (int i = 0; i < kFiles; ++i) {
    auto it = listed.find(name("file-", i));
    ASSERT_NE(it, listed.end()) << "readdir misses " << name("file-", i);
    ASSERT_EQ(it->second, 1) << "readdir returned " << it->first << " " << it->second << " times";
  }

  for (int i = 0; i < kFiles; ++i) {
    std::string from = dir + "/" + name("file-", i), to = dir + "/" + name("renamed-", i);
    ASSERT_OK(rename(from.c_str(), to.c_str()));
  }
  EXPECT_FALSE(exists(dir + "/file-0"));
  EXPECT_FALSE(exists(dir + "/file-9999"));
  listed = list_dir(dir);
  EXPECT_EQ(listed.size(), size_t(kFiles));
  for (int i = 0; i < kFiles; ++i) {
    auto it = listed.find(name("renamed-", i));
    ASSERT_NE(it, listed.end()) << "readdir after rename misses " << name("renamed-", i);
    ASSERT_EQ(it->second, 1);
  }

  for (int i = 0; i < kFiles; ++i) {
    std::string f = dir + "/" + name("renamed-", i);
    ASSERT_OK(unlink(f.c_str()));
  }
  EXPECT_TRUE(list_dir(dir).empty());
  EXPECT_EQ(rmdir(dir.c_str()), 0) << "rmdir of the emptied directory: " << strerror(errno);
  EXPECT_FALSE(exists(dir));
}

TEST_F(MetadataTest, MkdirRmdir) {
  ASSERT_OK(mkdir(p("d").c_str(), 0755));
  struct stat st;
  ASSERT_OK(stat(p("d").c_str(), &st));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_ERRNO(EEXIST, mkdir(p("d").c_str(), 0755));
  EXPECT_ERRNO(ENOENT, mkdir(p("missing/d").c_str(), 0755));

  touch(p("d/f"));
  EXPECT_ERRNO(ENOTEMPTY, rmdir(p("d").c_str()));
  EXPECT_ERRNO(ENOTDIR, rmdir(p("d/f").c_str()));
  EXPECT_ERRNO(ENOTDIR, mkdir(p("d/f/sub").c_str(), 0755));
  EXPECT_ERRNO(ENOTDIR, open(p("d/f/x").c_str(), O_RDONLY));
  EXPECT_ERRNO(EISDIR, unlink(p("d").c_str()));
  EXPECT_ERRNO(EISDIR, open(p("d").c_str(), O_WRONLY));
  EXPECT_ERRNO(ENOENT, rmdir(p("nothing").c_str()));
  EXPECT_ERRNO(ENOENT, unlink(p("nothing").c_str()));
  EXPECT_ERRNO(ENOENT, stat(p("nothing").c_str(), &st));
  EXPECT_ERRNO(EEXIST, open(p("d/f").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644));

  ASSERT_OK(unlink(p("d/f").c_str()));
  ASSERT_OK(rmdir(p("d").c_str()));
  EXPECT_FALSE(exists(p("d")));
  // The name is free again.
  ASSERT_OK(mkdir(p("d").c_str(), 0700));
  ASSERT_OK(stat(p("d").c_str(), &st));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(MetadataTest, SymlinkReadlink) {
  touch(p("target"), "through the link");
  ASSERT_OK(symlink("target", p("link").c_str()));
  ASSERT_OK(symlink("/no/such/place", p("dangling").c_str()));

  char buf[256];
  ssize_t n = readlink(p("link").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0) << strerror(errno);
  EXPECT_EQ(std::string(buf, n), "target");
  n = readlink(p("dangling").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0) << strerror(errno);
  EXPECT_EQ(std::string(buf, n), "/no/such/place");

  struct stat st;
  ASSERT_OK(lstat(p("link").c_str(), &st));
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(st.st_size, 6);  // strlen("target")
  EXPECT_EQ(contents(p("link")), "through the link");
  EXPECT_ERRNO(ENOENT, stat(p("dangling").c_str(), &st));
  EXPECT_ERRNO(EEXIST, symlink("x", p("link").c_str()));
  EXPECT_ERRNO(EINVAL, (int)readlink(p("target").c_str(), buf, sizeof buf));

  ASSERT_OK(unlink(p("link").c_str()));
  EXPECT_TRUE(exists(p("target")));
}

TEST_F(MetadataTest, HardLinks) {
  touch(p("a"), "shared inode");
  ASSERT_OK(mkdir(p("sub").c_str(), 0755));
  ASSERT_OK(link(p("a").c_str(), p("b").c_str()));
  ASSERT_OK(link(p("a").c_str(), p("sub/c").c_str()));
  struct stat a, b, c;
  ASSERT_OK(stat(p("a").c_str(), &a));
  ASSERT_OK(stat(p("b").c_str(), &b));
  ASSERT_OK(stat(p("sub/c").c_str(), &c));
  EXPECT_EQ(a.st_nlink, 3u);
  EXPECT_EQ(b.st_nlink, 3u);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_ino, c.st_ino);
  EXPECT_EQ(contents(p("sub/c")), "shared inode");
  EXPECT_ERRNO(EEXIST, link(p("a").c_str(), p("b").c_str()));
  EXPECT_ERRNO(ENOENT, link(p("nothing").c_str(), p("x").c_str()));

  // Data written through one name is seen through the others.
  touch(p("b"), "rewritten");
  EXPECT_EQ(contents(p("a")), "rewritten");

  ASSERT_OK(unlink(p("a").c_str()));
  ASSERT_OK(stat(p("b").c_str(), &b));
  EXPECT_EQ(b.st_nlink, 2u);
  ASSERT_OK(unlink(p("sub/c").c_str()));
  ASSERT_OK(stat(p("b").c_str(), &b));
  EXPECT_EQ(b.st_nlink, 1u);
  EXPECT_EQ(contents(p("b")), "rewritten");

  // The same facts without the kernel's attribute cache.
  ASSERT_TRUE(cluster_.remount());
  ASSERT_OK(stat(p("b").c_str(), &b));
  EXPECT_EQ(b.st_nlink, 1u);
  EXPECT_FALSE(exists(p("a")));
  EXPECT_EQ(contents(p("b")), "rewritten");
}

TEST_F(MetadataTest, RenameReplacesExisting) {
  touch(p("src"), "new contents");
  touch(p("dst"), "old contents that are longer");
  ASSERT_OK(rename(p("src").c_str(), p("dst").c_str()));
  EXPECT_FALSE(exists(p("src")));
  EXPECT_EQ(contents(p("dst")), "new contents");
  EXPECT_ERRNO(ENOENT, rename(p("src").c_str(), p("other").c_str()));

  ASSERT_OK(mkdir(p("full").c_str(), 0755));
  touch(p("full/x"));
  ASSERT_OK(mkdir(p("empty").c_str(), 0755));
  ASSERT_OK(mkdir(p("dir").c_str(), 0755));
  EXPECT_ERRNO(EISDIR, rename(p("dst").c_str(), p("empty").c_str()));
  EXPECT_ERRNO(ENOTDIR, rename(p("dir").c_str(), p("dst").c_str()));
  errno = 0;
  EXPECT_EQ(rename(p("dir").c_str(), p("full").c_str()), -1);
  EXPECT_TRUE(errno == ENOTEMPTY || errno == EEXIST) << "rename onto a non-empty dir: " << strerror(errno);
  // A directory replaces an empty one.
  ASSERT_OK(rename(p("dir").c_str(), p("empty").c_str()));
  EXPECT_FALSE(exists(p("dir")));
  struct stat st;
  ASSERT_OK(stat(p("empty").c_str(), &st));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  // Renaming onto itself is a no-op.
  ASSERT_OK(rename(p("dst").c_str(), p("dst").c_str()));
  EXPECT_EQ(contents(p("dst")), "new contents");

  ASSERT_TRUE(cluster_.remount());
  EXPECT_EQ(contents(p("dst")), "new contents");
  EXPECT_FALSE(exists(p("src")));
  EXPECT_FALSE(exists(p("dir")));
}

TEST_F(MetadataTest, RenameDirectory) {
  ASSERT_OK(mkdir(p("a").c_str(), 0755));
  ASSERT_OK(mkdir(p("a/inner").c_str(), 0755));
  touch(p("a/f1"), "one");
  touch(p("a/inner/f2"), "two");
  ASSERT_OK(mkdir(p("elsewhere").c_str(), 0755));

  // Same parent, then into another parent.
  ASSERT_OK(rename(p("a").c_str(), p("b").c_str()));
  EXPECT_FALSE(exists(p("a")));
  EXPECT_EQ(contents(p("b/f1")), "one");
  EXPECT_EQ(contents(p("b/inner/f2")), "two");
  ASSERT_OK(rename(p("b").c_str(), p("elsewhere/c").c_str()));
  EXPECT_FALSE(exists(p("b")));
  EXPECT_EQ(contents(p("elsewhere/c/inner/f2")), "two");

  // Files created in the moved directory land there.
  touch(p("elsewhere/c/inner/f3"), "three");

  auto listed = list_dir(p("elsewhere/c/inner"));
  EXPECT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed.count("f2"), 1u);
  EXPECT_EQ(listed.count("f3"), 1u);

  ASSERT_TRUE(cluster_.remount());
  EXPECT_EQ(contents(p("elsewhere/c/f1")), "one");
  EXPECT_EQ(contents(p("elsewhere/c/inner/f3")), "three");
  EXPECT_FALSE(exists(p("a")));
  EXPECT_FALSE(exists(p("b")));
}

}  // namespace
}  // namespace combfs::test
