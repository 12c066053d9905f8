// The durability model that the power-loss tests check a cluster against
// (durability_log.h), on observed trees made up here.
#include "tests/fault/durability_log.h"

#include <gtest/gtest.h>

#include "tests/harness/data.h"

namespace combfs::test {
namespace {

Observed data_file(const std::string& entry, uint64_t seed, uint64_t size, uint64_t inode = 1) {
  Checksum sum;
  sum.update(make_data(seed, size));
  return {.exists = true, .entry = entry, .inode = inode, .size = size, .digest = sum.digest()};
}

class DurabilityLogTest : public testing::Test {
 protected:
  std::vector<std::string> check() const {
    return model_.check([this](const std::string& path) {
      auto it = tree_.find(path);
      return it == tree_.end() ? Observed{} : it->second;
    });
  }
  void log(const std::string& text) { ASSERT_TRUE(model_.apply_log(text).ok()) << model_.apply_log(text).message(); }

  DurabilityModel model_;
  std::map<std::string, Observed> tree_;
};

TEST_F(DurabilityLogTest, AnFsyncedFileMustHoldItsBytesUnderItsEntry) {
  log("mkdir d\ncreate d/f 1-7\nfsync d/f 42 5000\n");
  tree_["d"] = {.exists = true, .dir = true};
  tree_["d/f"] = data_file("1-7", 42, 5000);
  EXPECT_TRUE(check().empty());

  tree_["d/f"] = data_file("1-7", 43, 5000);
  ASSERT_EQ(check().size(), 1u);
  EXPECT_NE(check()[0].find("d/f: expected file 1-7 with data(seed 42, 5000 bytes)"), std::string::npos) << check()[0];
  tree_["d/f"] = data_file("1-8", 42, 5000);
  EXPECT_EQ(check().size(), 1u) << "another entry under the name is not the fsynced file";
  tree_["d/f"] = data_file("1-7", 42, 5000);
  tree_["d/f"].error = "EIO";
  EXPECT_EQ(check().size(), 1u) << "an unreadable file is not its bytes";
  tree_.erase("d/f");
  EXPECT_EQ(check().size(), 1u);
  tree_.erase("d");
  EXPECT_EQ(check().size(), 2u);
}

TEST_F(DurabilityLogTest, ARenameCutByTheCrashIsAllOrNothing) {
  log("create t 1-1\nfsync t 1 100\ncreate cur 1-2\nfsync cur 2 100\nrename-begin t cur\n");
  tree_["t"] = data_file("1-1", 1, 100);
  tree_["cur"] = data_file("1-2", 2, 100);
  EXPECT_TRUE(check().empty()) << "not done yet";
  tree_.erase("t");
  tree_["cur"] = data_file("1-1", 1, 100);
  EXPECT_TRUE(check().empty()) << "done";
  tree_.erase("cur");
  EXPECT_FALSE(check().empty()) << "the file under neither name";
  tree_["t"] = data_file("1-1", 1, 100);
  tree_["cur"] = data_file("1-1", 1, 100, 2);
  EXPECT_FALSE(check().empty()) << "the file under both names";

  log("rename t cur\n");
  tree_.erase("t");
  EXPECT_TRUE(check().empty());
  tree_["cur"] = data_file("1-2", 2, 100);
  EXPECT_FALSE(check().empty()) << "a rename that returned must stay";
}

TEST_F(DurabilityLogTest, UnlinksAndHardLinks) {
  log("create v 1-1\nfsync v 1 10\nunlink-begin v\n");
  EXPECT_TRUE(check().empty()) << "a cut unlink may have happened";
  tree_["v"] = data_file("1-1", 1, 10);
  EXPECT_TRUE(check().empty()) << "or not";
  log("unlink v\n");
  EXPECT_EQ(check().size(), 1u) << "a returned unlink must stay";
  tree_.erase("v");

  log("create k 1-2\nfsync k 2 10\nlink-begin k l\n");
  tree_["k"] = data_file("1-2", 2, 10, 5);
  EXPECT_TRUE(check().empty());
  log("link k l\n");
  EXPECT_EQ(check().size(), 1u) << "a returned link must stay";
  tree_["l"] = data_file("1-2", 2, 10, 6);
  EXPECT_EQ(check().size(), 1u) << "both names must be one file";
  tree_["l"] = data_file("1-2", 2, 10, 5);
  EXPECT_TRUE(check().empty());
}

TEST_F(DurabilityLogTest, BadLinesAreRejectedAndATornLastLineIsIgnored) {
  EXPECT_FALSE(model_.apply("fly d").ok());
  EXPECT_FALSE(model_.apply("create d").ok()) << "no entry id";
  EXPECT_FALSE(model_.apply("fsync nowhere 1 2").ok()) << "never created";
  EXPECT_FALSE(model_.apply("rename a b").ok()) << "no rename-begin";
  ASSERT_TRUE(model_.apply("create a 1-1").ok());
  Status reused = model_.apply("create b 1-1");
  EXPECT_FALSE(reused.ok());
  EXPECT_NE(reused.message().find("already handed out"), std::string::npos) << reused.message();

  ASSERT_TRUE(model_.apply_log("create c 1-3\nfsync c 9").ok());
  EXPECT_EQ(model_.paths().at("c")[0].kind, Expected::Kind::file) << "the torn fsync line counts for nothing";
  EXPECT_EQ(model_.entries(), (std::set<std::string>{"1-1", "1-3"}));
}

}  // namespace
}  // namespace combfs::test
