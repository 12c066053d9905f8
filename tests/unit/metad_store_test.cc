// MetaStore: every namespace operation, its POSIX error codes and their errno,
// durability across reopen and kill -9, orphans and the removal queue.
#include "metad/store/store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <set>
#include <thread>

#include "tests/unit/metad_test_util.h"

namespace combfs::metad {
namespace {

using testing::code_of;
using testing::errno_of;
using testing::must;

constexpr uint32_t kNode = 7;
const EntryId kRoot = EntryId::root();

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  void reopen() {
    store_.reset();
    store_ = must(MetaStore::open({.path = db_path(), .node_id = kNode, .clock = [this] { return ++clock_; }}));
    must(store_->ensure_root());
  }
  std::string db_path() const { return dir_.path() + "/meta.db"; }

  // A chooser that hands out `targets` and counts its calls.
  ChooseTargets chooser(std::vector<uint32_t> targets) {
    return [this, targets](const proto::StripePattern&) -> Result<std::vector<uint32_t>> {
      ++choose_calls_;
      return targets;
    };
  }
  Result<CreateResult> create(EntryId parent, const std::string& name, bool exclusive = true,
                              std::vector<uint32_t> targets = {1, 2}) {
    CreateArgs a;
    a.parent = parent;
    a.name = name;
    a.mode = S_IFREG | 0644;
    a.uid = 1000;
    a.gid = 100;
    a.exclusive = exclusive;
    return store_->create(a, chooser(std::move(targets)));
  }
  EntryId file(EntryId parent, const std::string& name, std::vector<uint32_t> targets = {1, 2}) {
    return EntryId::from_proto(must(create(parent, name, true, std::move(targets))).info.attr().id());
  }
  EntryId dir(EntryId parent, const std::string& name) {
    return EntryId::from_proto(must(store_->mkdir(parent, name, 0755, 1000, 100)).attr().id());
  }
  proto::Attr attr(EntryId id) { return must(store_->get_attr(id)).attr(); }
  EntryId lookup_id(EntryId parent, const std::string& name) {
    return EntryId::from_proto(must(store_->lookup(parent, name)).attr().id());
  }
  std::vector<std::string> names(EntryId d) {
    std::vector<std::string> out;
    proto::ReadDirResponse listing = must(store_->read_dir(d, 0, 0, false));
    for (auto& e : listing.entries()) out.push_back(e.name());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<Removal> queue() { return must(store_->pending_removals(1000)); }

  testing::TempDir dir_;
  int64_t clock_ = 1000;
  int choose_calls_ = 0;
  std::unique_ptr<MetaStore> store_;
};

TEST_F(StoreTest, RootIsCreatedOnceWithDefaults) {
  proto::EntryInfo info = must(store_->get_attr(kRoot));
  EXPECT_EQ(info.attr().type(), proto::FT_DIR);
  EXPECT_EQ(info.attr().mode(), uint32_t(S_IFDIR | 0755));
  EXPECT_EQ(info.attr().uid(), 0u);
  EXPECT_EQ(info.attr().gid(), 0u);
  EXPECT_EQ(info.attr().nlink(), 2u);
  EXPECT_EQ(info.attr().owner_node(), kNode);
  EXPECT_EQ(info.dir_pattern().chunk_size(), 1u << 20);
  EXPECT_EQ(info.dir_pattern().num_targets(), 4u);
  EXPECT_EQ(info.dir_pattern().type(), proto::PATTERN_RAID0);
  int64_t mtime = info.attr().mtime_ns();
  must(store_->ensure_root());  // again: nothing changes
  EXPECT_EQ(attr(kRoot).mtime_ns(), mtime);
  EXPECT_EQ(store_->entry_count(), 1u);
}

TEST_F(StoreTest, StoreWithoutRootOwnershipHasNoRoot) {
  testing::TempDir other;
  auto s = must(MetaStore::open({.path = other.path() + "/meta.db", .node_id = 9, .clock = {}}));
  EXPECT_EQ(code_of(s->get_attr(kRoot)), proto::META_NOT_FOUND);
  EXPECT_EQ(code_of(s->mkdir(kRoot, "a", 0755, 0, 0)), proto::META_NOT_FOUND);
  EXPECT_EQ(s->entry_count(), 0u);
}

TEST_F(StoreTest, OpenRequiresANodeId) {
  testing::TempDir other;
  EXPECT_EQ(code_of(MetaStore::open({.path = other.path() + "/meta.db", .node_id = 0, .clock = {}})),
            proto::INVALID_ARGUMENT);
}

TEST_F(StoreTest, NameRules) {
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("a/b"), std::string("a\0b", 3)}) {
    EXPECT_EQ(code_of(store_->mkdir(kRoot, bad, 0755, 0, 0)), proto::META_INVALID) << bad;
    EXPECT_EQ(code_of(create(kRoot, bad)), proto::META_INVALID) << bad;
    EXPECT_EQ(code_of(store_->lookup(kRoot, bad)), proto::META_INVALID) << bad;
    EXPECT_EQ(errno_of(store_->unlink(kRoot, bad)), EINVAL) << bad;
  }
  std::string longest(255, 'x');
  std::string too_long(256, 'x');
  EXPECT_TRUE(store_->mkdir(kRoot, longest, 0755, 0, 0));
  EXPECT_EQ(code_of(store_->mkdir(kRoot, too_long, 0755, 0, 0)), proto::META_NAME_TOO_LONG);
  EXPECT_EQ(errno_of(create(kRoot, too_long)), ENAMETOOLONG);
  EXPECT_EQ(errno_of(store_->symlink(kRoot, too_long, "t", 0, 0)), ENAMETOOLONG);
  // Any other byte is fine, including non-UTF-8.
  EXPECT_TRUE(create(kRoot, "caf\xe9 \x01\xff"));
  EXPECT_EQ(lookup_id(kRoot, "caf\xe9 \x01\xff").hi, kNode);
}

TEST_F(StoreTest, LookupErrorsNameTheEntry) {
  EntryId f = file(kRoot, "f");
  auto missing = store_->lookup(kRoot, "nothing-here");
  ASSERT_EQ(code_of(missing), proto::META_NOT_FOUND);
  EXPECT_NE(missing.error().message().find("nothing-here"), std::string::npos);
  EXPECT_EQ(errno_of(missing), ENOENT);
  EXPECT_EQ(code_of(store_->lookup(f, "x")), proto::META_NOT_DIR);
  EXPECT_EQ(errno_of(store_->lookup(f, "x")), ENOTDIR);
  EXPECT_EQ(code_of(store_->lookup(EntryId{kNode, 999999}, "x")), proto::META_NOT_FOUND);
  EXPECT_EQ(code_of(store_->get_attr(EntryId{kNode, 999999})), proto::META_NOT_FOUND);
  // Entries of another metad are not here (later: a redirect).
  EXPECT_EQ(code_of(store_->get_attr(EntryId{kNode + 1, 2})), proto::META_NOT_FOUND);
}

TEST_F(StoreTest, MkdirInheritsPatternAndCountsLinks) {
  proto::StripePattern p;
  p.set_chunk_size(64 << 10);
  p.set_num_targets(2);
  must(store_->set_pattern(kRoot, p));
  int64_t before = attr(kRoot).mtime_ns();
  proto::EntryInfo a = must(store_->mkdir(kRoot, "a", 0750 | S_ISGID, 1000, 100));
  EXPECT_EQ(a.attr().type(), proto::FT_DIR);
  EXPECT_EQ(a.attr().mode(), uint32_t(S_IFDIR | 0750 | S_ISGID));
  EXPECT_EQ(a.attr().nlink(), 2u);
  EXPECT_EQ(a.attr().uid(), 1000u);
  EXPECT_EQ(a.dir_pattern().chunk_size(), 64u << 10);
  EXPECT_EQ(a.dir_pattern().num_targets(), 2u);
  EXPECT_EQ(EntryId::from_proto(a.attr().id()).hi, kNode);
  proto::Attr root = attr(kRoot);
  EXPECT_EQ(root.nlink(), 3u);
  EXPECT_GT(root.mtime_ns(), before);
  EXPECT_EQ(root.ctime_ns(), root.mtime_ns());

  auto again = store_->mkdir(kRoot, "a", 0755, 0, 0);
  EXPECT_EQ(code_of(again), proto::META_EXISTS);
  EXPECT_EQ(errno_of(again), EEXIST);
  EntryId f = file(kRoot, "f");
  EXPECT_EQ(code_of(store_->mkdir(kRoot, "f", 0755, 0, 0)), proto::META_EXISTS);
  EXPECT_EQ(code_of(store_->mkdir(f, "x", 0755, 0, 0)), proto::META_NOT_DIR);
  EXPECT_EQ(attr(kRoot).nlink(), 3u);
}

TEST_F(StoreTest, CreateRegularFileGetsPatternAndTargets) {
  proto::StripePattern p;
  p.set_chunk_size(128 << 10);
  p.set_num_targets(4);
  p.set_pool_id(3);
  must(store_->set_pattern(kRoot, p));
  std::optional<proto::StripePattern> seen;
  CreateArgs a;
  a.parent = kRoot;
  a.name = "f";
  a.mode = 0640;  // no type bits: a regular file
  a.uid = 5;
  a.gid = 6;
  a.exclusive = true;
  CreateResult r = must(store_->create(a, [&](const proto::StripePattern& pat) -> Result<std::vector<uint32_t>> {
    seen = pat;
    return std::vector<uint32_t>{3, 1, 2};  // fewer than the pattern asks for
  }));
  EXPECT_TRUE(r.created);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->num_targets(), 4u);
  EXPECT_EQ(seen->pool_id(), 3u);
  const proto::Attr& at = r.info.attr();
  EXPECT_EQ(at.type(), proto::FT_REG);
  EXPECT_EQ(at.mode(), uint32_t(S_IFREG | 0640));
  EXPECT_EQ(at.uid(), 5u);
  EXPECT_EQ(at.gid(), 6u);
  EXPECT_EQ(at.size(), 0u);
  EXPECT_EQ(at.nlink(), 1u);
  ASSERT_EQ(r.info.layout().targets_size(), 3);
  EXPECT_EQ(r.info.layout().targets(0), 3u);
  EXPECT_EQ(r.info.layout().targets(2), 2u);
  EXPECT_EQ(r.info.layout().pattern().chunk_size(), 128u << 10);
  EXPECT_EQ(r.info.layout().pattern().num_targets(), 3u);  // what it really got
  EXPECT_EQ(r.info.layout().pattern().pool_id(), 3u);
  EXPECT_EQ(must(store_->get_attr(EntryId::from_proto(at.id()))).layout().DebugString(), r.info.layout().DebugString());
}

TEST_F(StoreTest, CreateExistingNames) {
  EntryId f = file(kRoot, "f");
  EXPECT_EQ(choose_calls_, 1);
  auto excl = create(kRoot, "f", true);
  EXPECT_EQ(code_of(excl), proto::META_EXISTS);
  EXPECT_EQ(errno_of(excl), EEXIST);
  CreateResult again = must(create(kRoot, "f", false));
  EXPECT_FALSE(again.created);
  EXPECT_EQ(EntryId::from_proto(again.info.attr().id()), f);
  EXPECT_EQ(choose_calls_, 1);  // no targets chosen for an existing file

  dir(kRoot, "d");
  EXPECT_EQ(code_of(create(kRoot, "d", false)), proto::META_IS_DIR);
  EXPECT_EQ(code_of(create(kRoot, "d", true)), proto::META_EXISTS);
  must(store_->symlink(kRoot, "l", "f", 0, 0));
  EXPECT_EQ(code_of(create(kRoot, "l", false)), proto::META_EXISTS);
  EXPECT_EQ(store_->entry_count(), 4u);
}

TEST_F(StoreTest, CreateFailsWholeWhenPlacementFails) {
  CreateArgs a;
  a.parent = kRoot;
  a.name = "f";
  a.mode = S_IFREG | 0644;
  auto r = store_->create(a, [](const proto::StripePattern&) -> Result<std::vector<uint32_t>> {
    return error(proto::MGMT_NO_TARGETS, "no online storage target");
  });
  EXPECT_EQ(code_of(r), proto::MGMT_NO_TARGETS);
  EXPECT_EQ(errno_of(r), ENOSPC);
  EXPECT_EQ(code_of(store_->lookup(kRoot, "f")), proto::META_NOT_FOUND);
  EXPECT_EQ(store_->entry_count(), 1u);
  EXPECT_TRUE(names(kRoot).empty());
}

TEST_F(StoreTest, CreateSpecialFiles) {
  struct Case {
    uint32_t mode;
    proto::FileType type;
  };
  for (Case c : {Case{S_IFIFO | 0600, proto::FT_FIFO}, Case{S_IFCHR | 0600, proto::FT_CHR},
                 Case{S_IFBLK | 0600, proto::FT_BLK}, Case{S_IFSOCK | 0600, proto::FT_SOCK}}) {
    CreateArgs a;
    a.parent = kRoot;
    a.name = "n" + std::to_string(c.type);
    a.mode = c.mode;
    a.rdev = makedev(8, 1);
    proto::EntryInfo info = must(store_->create(a, chooser({1}))).info;
    EXPECT_EQ(info.attr().type(), c.type);
    EXPECT_EQ(info.attr().mode(), c.mode);
    EXPECT_EQ(info.layout().targets_size(), 0);
    bool device = c.type == proto::FT_CHR || c.type == proto::FT_BLK;
    EXPECT_EQ(info.attr().rdev(), device ? makedev(8, 1) : 0u);
    // mknod never reuses an existing name.
    a.exclusive = false;
    EXPECT_EQ(code_of(store_->create(a, chooser({1}))), proto::META_EXISTS);
  }
  EXPECT_EQ(choose_calls_, 0);
  CreateArgs bad;
  bad.parent = kRoot;
  bad.name = "x";
  bad.mode = S_IFDIR | 0755;
  EXPECT_EQ(code_of(store_->create(bad, chooser({1}))), proto::META_INVALID);
  bad.mode = S_IFLNK | 0777;
  EXPECT_EQ(code_of(store_->create(bad, chooser({1}))), proto::META_INVALID);
  // Special files have no chunks: unlinking queues nothing.
  must(store_->unlink(kRoot, "n" + std::to_string(proto::FT_FIFO)));
  EXPECT_TRUE(queue().empty());
}

TEST_F(StoreTest, RmdirRules) {
  EntryId a = dir(kRoot, "a");
  file(a, "f");
  EXPECT_EQ(attr(kRoot).nlink(), 3u);
  auto not_empty = store_->rmdir(kRoot, "a");
  EXPECT_EQ(code_of(not_empty), proto::META_NOT_EMPTY);
  EXPECT_EQ(errno_of(not_empty), ENOTEMPTY);
  auto not_dir = store_->rmdir(a, "f");
  EXPECT_EQ(code_of(not_dir), proto::META_NOT_DIR);
  EXPECT_EQ(errno_of(not_dir), ENOTDIR);
  auto is_dir = store_->unlink(kRoot, "a");
  EXPECT_EQ(code_of(is_dir), proto::META_IS_DIR);
  EXPECT_EQ(errno_of(is_dir), EISDIR);
  EXPECT_EQ(code_of(store_->rmdir(kRoot, "missing")), proto::META_NOT_FOUND);
  EXPECT_EQ(code_of(store_->rmdir(kRoot, ".")), proto::META_INVALID);
  EXPECT_EQ(code_of(store_->rmdir(kRoot, "..")), proto::META_INVALID);

  must(store_->unlink(a, "f"));
  int64_t before = attr(kRoot).mtime_ns();
  must(store_->rmdir(kRoot, "a"));
  EXPECT_EQ(code_of(store_->lookup(kRoot, "a")), proto::META_NOT_FOUND);
  EXPECT_EQ(code_of(store_->get_attr(a)), proto::META_NOT_FOUND);
  EXPECT_EQ(attr(kRoot).nlink(), 2u);
  EXPECT_GT(attr(kRoot).mtime_ns(), before);
  EXPECT_EQ(store_->entry_count(), 1u);
}

TEST_F(StoreTest, UnlinkQueuesChunksOfAClosedFile) {
  EntryId f = file(kRoot, "f", {4, 5, 6});
  EXPECT_EQ(store_->entry_count(), 2u);
  int woken = 0;
  store_->set_removal_listener([&] { ++woken; });
  int64_t before = attr(kRoot).mtime_ns();
  must(store_->unlink(kRoot, "f"));
  EXPECT_GT(attr(kRoot).mtime_ns(), before);
  EXPECT_EQ(code_of(store_->lookup(kRoot, "f")), proto::META_NOT_FOUND);
  EXPECT_EQ(code_of(store_->get_attr(f)), proto::META_NOT_FOUND);
  EXPECT_EQ(store_->entry_count(), 1u);
  EXPECT_EQ(woken, 1);
  auto q = queue();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].id, f);
  EXPECT_EQ(q[0].targets, (std::vector<uint32_t>{4, 5, 6}));
  EXPECT_EQ(code_of(store_->unlink(kRoot, "f")), proto::META_NOT_FOUND);
}

TEST_F(StoreTest, CompleteRemovalForgetsTargetsOneByOne) {
  file(kRoot, "f", {1, 2, 3});
  must(store_->unlink(kRoot, "f"));
  int64_t seq = queue().at(0).seq;
  must(store_->complete_removal(seq, {2}));
  EXPECT_EQ(queue().at(0).targets, (std::vector<uint32_t>{1, 3}));
  must(store_->complete_removal(seq, {3, 1}));
  EXPECT_TRUE(queue().empty());
  EXPECT_EQ(must(store_->removal_queue_size()), 0u);
  must(store_->complete_removal(seq, {1}));  // already gone: harmless
}

TEST_F(StoreTest, RemovalOfAMirroredFileNamesItsGroupsNotTargets) {
  EntryId d = dir(kRoot, "m");
  proto::StripePattern p;
  p.set_type(proto::PATTERN_BUDDYMIRROR);
  p.set_chunk_size(1 << 20);
  p.set_num_targets(2);
  must(store_->set_pattern(d, p));
  file(d, "f", {1, 2});  // mirror groups 1 and 2
  EXPECT_EQ(must(store_->get_attr(lookup_id(d, "f"))).layout().pattern().type(), proto::PATTERN_BUDDYMIRROR);
  must(store_->unlink(d, "f"));
  auto q = queue();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].targets, (std::vector<uint32_t>{1 | kMirrorGroupTag, 2 | kMirrorGroupTag}));
  EXPECT_EQ(format_targets(q[0].targets), "g1,g2");
  EXPECT_EQ(parse_targets("g1,2"), (std::vector<uint32_t>{1 | kMirrorGroupTag, 2}));
  must(store_->complete_removal(q[0].seq, {2 | kMirrorGroupTag}));
  EXPECT_EQ(queue().at(0).targets, (std::vector<uint32_t>{1 | kMirrorGroupTag}));
}

TEST_F(StoreTest, UnlinkedOpenFileIsAnOrphanUntilLastClose) {
  EntryId f = file(kRoot, "f", {1});
  must(store_->open_file(f, true, 11));
  must(store_->open_file(f, false, 12));
  must(store_->unlink(kRoot, "f"));
  EXPECT_TRUE(queue().empty());
  EXPECT_EQ(code_of(store_->lookup(kRoot, "f")), proto::META_NOT_FOUND);
  proto::Attr a = attr(f);  // fstat still works
  EXPECT_EQ(a.nlink(), 0u);
  EXPECT_EQ(a.open_writers(), 1u);
  EXPECT_EQ(code_of(store_->link(f, kRoot, "again")), proto::META_NOT_FOUND);

  CloseArgs c;
  c.id = f;
  c.for_write = true;
  c.client_id = 11;
  c.has_size = true;
  c.size = 100;
  must(store_->close_file(c));
  EXPECT_TRUE(queue().empty());
  EXPECT_EQ(attr(f).size(), 100u);
  c.for_write = false;
  c.client_id = 12;
  c.has_size = false;
  must(store_->close_file(c));
  ASSERT_EQ(queue().size(), 1u);
  EXPECT_EQ(queue()[0].id, f);
  EXPECT_EQ(code_of(store_->get_attr(f)), proto::META_NOT_FOUND);
  EXPECT_EQ(store_->entry_count(), 1u);
}

TEST_F(StoreTest, OrphansSurviveRestartWhileOpen) {
  EntryId f = file(kRoot, "f", {1});
  must(store_->open_file(f, false, 11));
  must(store_->unlink(kRoot, "f"));
  reopen();
  EXPECT_TRUE(queue().empty());
  EXPECT_EQ(attr(f).nlink(), 0u);
  CloseArgs c;
  c.id = f;
  c.client_id = 11;
  must(store_->close_file(c));
  EXPECT_EQ(queue().size(), 1u);
}

TEST_F(StoreTest, OrphansWithoutOpensAreQueuedAtStartup) {
  EntryId f = file(kRoot, "f", {1, 2});
  must(store_->open_file(f, true, 11));
  must(store_->unlink(kRoot, "f"));
  store_.reset();
  // What a crash between the last Close and the inode's removal (or an expired
  // client) leaves: an orphan that nobody has open.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM opens", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  reopen();
  auto q = queue();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].id, f);
  EXPECT_EQ(q[0].targets, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(code_of(store_->get_attr(f)), proto::META_NOT_FOUND);
  EXPECT_EQ(store_->entry_count(), 1u);
}

TEST_F(StoreTest, CloseClientDropsOnlyThatClientsRecords) {
  EntryId kept = file(kRoot, "kept", {1});
  EntryId shared = file(kRoot, "shared", {1});
  EntryId alone = file(kRoot, "alone", {1, 2});
  must(store_->open_file(kept, true, 11));
  must(store_->open_file(kept, true, 11));
  must(store_->open_file(shared, true, 11));
  must(store_->open_file(shared, false, 12));
  must(store_->open_file(alone, true, 11));
  must(store_->unlink(kRoot, "shared"));  // orphan, also open by client 12
  must(store_->unlink(kRoot, "alone"));   // orphan, open only by the dead client 11
  EXPECT_EQ(must(store_->open_clients()).size(), 2u);
  EXPECT_TRUE(queue().empty());

  auto closed = must(store_->close_client(11));
  EXPECT_EQ(closed.records, 3u);  // one record per (file, client)
  // Left without a writer, still there: the size is to be measured.
  EXPECT_EQ(closed.unsized, (std::vector<EntryId>{kept, shared}));
  EXPECT_EQ(attr(kept).open_writers(), 0u);
  EXPECT_EQ(attr(kept).nlink(), 1u);
  // The orphan only client 11 had open went the way of its last Close.
  ASSERT_EQ(queue().size(), 1u);
  EXPECT_EQ(queue()[0].id, alone);
  EXPECT_EQ(queue()[0].targets, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(code_of(store_->get_attr(alone)), proto::META_NOT_FOUND);
  // Client 12's record keeps its orphan.
  EXPECT_EQ(attr(shared).nlink(), 0u);
  EXPECT_EQ(attr(shared).open_writers(), 0u);
  EXPECT_EQ(must(store_->open_clients()), (std::vector<uint64_t>{12}));
  EXPECT_EQ(must(store_->close_client(11)).records, 0u);  // nothing left: harmless

  // Persistent: a restart does not bring the records back.
  reopen();
  EXPECT_EQ(attr(kept).open_writers(), 0u);
  EXPECT_EQ(must(store_->open_clients()), (std::vector<uint64_t>{12}));
}

TEST_F(StoreTest, LateCloseAfterCloseClientIsHarmless) {
  EntryId kept = file(kRoot, "kept", {1});
  EntryId gone = file(kRoot, "gone", {1});
  must(store_->open_file(kept, true, 11));
  must(store_->open_file(kept, true, 12));
  must(store_->open_file(gone, true, 11));
  must(store_->unlink(kRoot, "gone"));
  auto closed = must(store_->close_client(11));
  EXPECT_EQ(closed.records, 2u);
  EXPECT_TRUE(closed.unsized.empty()) << "client 12 still writes 'kept'; 'gone' is gone";
  ASSERT_EQ(queue().size(), 1u);

  // The expired client comes back and closes its old handles: no count goes
  // below zero or takes another client's open away, and its measured size
  // is still recorded.
  CloseArgs c;
  c.id = kept;
  c.for_write = true;
  c.client_id = 11;
  c.has_size = true;
  c.size = 5000;
  proto::Attr a = must(store_->close_file(c)).attr();
  EXPECT_EQ(a.open_writers(), 1u);  // client 12's
  EXPECT_EQ(a.size(), 5000u);
  must(store_->close_file(c));
  EXPECT_EQ(attr(kept).open_writers(), 1u);
  c.client_id = 12;
  EXPECT_EQ(must(store_->close_file(c)).attr().open_writers(), 0u);
  c.client_id = 11;
  EXPECT_EQ(must(store_->close_file(c)).attr().open_writers(), 0u);  // never below zero
  // A file removed meanwhile: NOT_FOUND, and the queue does not change.
  c.id = gone;
  EXPECT_EQ(code_of(store_->close_file(c)), proto::META_NOT_FOUND);
  EXPECT_EQ(queue().size(), 1u);
  EXPECT_TRUE(must(store_->open_clients()).empty());
}

TEST_F(StoreTest, SettleSizeOnlyWhenNothingChangedSince) {
  EntryId f = file(kRoot, "f", {1});
  proto::Attr seen = attr(f);
  EXPECT_TRUE(must(store_->settle_size(f, seen, 4096)));
  proto::Attr a = attr(f);
  EXPECT_EQ(a.size(), 4096u);
  EXPECT_GT(a.mtime_ns(), seen.mtime_ns());
  EXPECT_TRUE(must(store_->settle_size(f, a, 100)));  // never shrinks
  EXPECT_EQ(attr(f).size(), 4096u);
  // Someone recorded a size since the measurement: theirs stands.
  EXPECT_FALSE(must(store_->settle_size(f, seen, 9999)));
  EXPECT_EQ(attr(f).size(), 4096u);
  // A writer has it open: its Close records the size.
  must(store_->open_file(f, true, 3));
  EXPECT_FALSE(must(store_->settle_size(f, attr(f), 9999)));
  EXPECT_EQ(attr(f).size(), 4096u);
  EXPECT_FALSE(must(store_->settle_size(EntryId{kNode, 4242}, seen, 1)));
}

TEST_F(StoreTest, OpenCloseCountWritersPerClient) {
  EntryId f = file(kRoot, "f");
  EXPECT_EQ(must(store_->open_file(f, true, 1)).attr().open_writers(), 1u);
  EXPECT_EQ(must(store_->open_file(f, true, 2)).attr().open_writers(), 2u);
  EXPECT_EQ(must(store_->open_file(f, true, 2)).attr().open_writers(), 3u);
  EXPECT_EQ(must(store_->open_file(f, false, 3)).attr().open_writers(), 3u);
  CloseArgs c;
  c.id = f;
  c.for_write = true;
  c.client_id = 2;
  EXPECT_EQ(must(store_->close_file(c)).attr().open_writers(), 2u);
  EXPECT_EQ(must(store_->close_file(c)).attr().open_writers(), 1u);
  EXPECT_EQ(must(store_->close_file(c)).attr().open_writers(), 1u);  // repeated Close: harmless
  reopen();  // open counts are persistent
  EXPECT_EQ(attr(f).open_writers(), 1u);
  c.client_id = 1;
  c.has_size = true;
  c.size = 4096;
  c.mtime_ns = 777;
  proto::Attr a = must(store_->close_file(c)).attr();
  EXPECT_EQ(a.open_writers(), 0u);
  EXPECT_EQ(a.size(), 4096u);
  EXPECT_EQ(a.mtime_ns(), 777);
  // The measured size is the truth, also when it shrank.
  c.size = 10;
  c.mtime_ns = 0;
  must(store_->open_file(f, true, 1));
  a = must(store_->close_file(c)).attr();
  EXPECT_EQ(a.size(), 10u);
  EXPECT_EQ(a.mtime_ns(), 777);

  EntryId d = dir(kRoot, "d");
  EXPECT_EQ(code_of(store_->open_file(d, true, 1)), proto::META_IS_DIR);
  EXPECT_TRUE(store_->open_file(d, false, 1));
  EXPECT_EQ(code_of(store_->open_file(EntryId{kNode, 4242}, false, 1)), proto::META_NOT_FOUND);
}

TEST_F(StoreTest, CreateOpenForWriteCountsTheCreator) {
  CreateArgs a;
  a.parent = kRoot;
  a.name = "f";
  a.mode = S_IFREG | 0644;
  a.open_for_write = true;
  a.client_id = 9;
  proto::EntryInfo info = must(store_->create(a, chooser({1}))).info;
  EXPECT_EQ(info.attr().open_writers(), 1u);
  // O_CREAT without O_EXCL on the existing file opens it again.
  EXPECT_EQ(must(store_->create(a, chooser({1}))).info.attr().open_writers(), 2u);
  EntryId f = EntryId::from_proto(info.attr().id());
  must(store_->unlink(kRoot, "f"));
  EXPECT_TRUE(queue().empty());
  EXPECT_EQ(attr(f).nlink(), 0u);
}

TEST_F(StoreTest, UpdateSizeRecordsFsync) {
  EntryId f = file(kRoot, "f");
  proto::Attr a = must(store_->update_size(f, 12345, 5555)).attr();
  EXPECT_EQ(a.size(), 12345u);
  EXPECT_EQ(a.mtime_ns(), 5555);
  a = must(store_->update_size(f, 20, 0)).attr();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_EQ(a.mtime_ns(), 5555);
  EXPECT_EQ(code_of(store_->update_size(kRoot, 1, 0)), proto::META_IS_DIR);
}

TEST_F(StoreTest, HardLinksShareTheInode) {
  EntryId f = file(kRoot, "f", {8});
  EntryId d = dir(kRoot, "d");
  int64_t ctime = attr(f).ctime_ns();
  int64_t dmtime = attr(d).mtime_ns();
  proto::EntryInfo l = must(store_->link(f, d, "l"));
  EXPECT_EQ(EntryId::from_proto(l.attr().id()), f);
  EXPECT_EQ(l.attr().nlink(), 2u);
  EXPECT_GT(l.attr().ctime_ns(), ctime);
  EXPECT_GT(attr(d).mtime_ns(), dmtime);
  EXPECT_EQ(lookup_id(d, "l"), f);
  EXPECT_EQ(store_->entry_count(), 3u);  // one inode, two names

  auto exists = store_->link(f, d, "l");
  EXPECT_EQ(code_of(exists), proto::META_EXISTS);
  auto of_dir = store_->link(d, kRoot, "dl");
  EXPECT_EQ(code_of(of_dir), proto::PERMISSION_DENIED);
  EXPECT_EQ(errno_of(of_dir), EPERM);
  EXPECT_EQ(code_of(store_->link(f, f, "x")), proto::META_NOT_DIR);
  EXPECT_EQ(code_of(store_->link(EntryId{kNode, 4242}, d, "x")), proto::META_NOT_FOUND);

  must(store_->set_xattr(f, "user.k", "v", 0));
  must(store_->unlink(kRoot, "f"));
  EXPECT_EQ(attr(f).nlink(), 1u);
  EXPECT_TRUE(queue().empty());
  EXPECT_EQ(must(store_->get_xattr(f, "user.k")), "v");  // xattrs belong to the inode
  must(store_->unlink(d, "l"));
  EXPECT_EQ(queue().size(), 1u);
  EXPECT_EQ(code_of(store_->get_attr(f)), proto::META_NOT_FOUND);
}

TEST_F(StoreTest, Symlinks) {
  proto::EntryInfo l = must(store_->symlink(kRoot, "l", "../some/where", 3, 4));
  EXPECT_EQ(l.attr().type(), proto::FT_SYMLINK);
  EXPECT_EQ(l.attr().mode(), uint32_t(S_IFLNK | 0777));
  EXPECT_EQ(l.attr().size(), std::string("../some/where").size());
  EXPECT_EQ(l.attr().uid(), 3u);
  EntryId id = EntryId::from_proto(l.attr().id());
  EXPECT_EQ(must(store_->read_link(id)), "../some/where");
  EntryId f = file(kRoot, "f");
  auto not_link = store_->read_link(f);
  EXPECT_EQ(code_of(not_link), proto::META_INVALID);
  EXPECT_EQ(errno_of(not_link), EINVAL);
  EXPECT_EQ(code_of(store_->symlink(kRoot, "l", "x", 0, 0)), proto::META_EXISTS);
  EXPECT_EQ(code_of(store_->symlink(kRoot, "e", "", 0, 0)), proto::META_NOT_FOUND);
  EXPECT_EQ(code_of(store_->symlink(kRoot, "long", std::string(4096, 'a'), 0, 0)), proto::META_NAME_TOO_LONG);
  EXPECT_TRUE(store_->symlink(kRoot, "longest", std::string(4095, 'a'), 0, 0));
  must(store_->unlink(kRoot, "l"));
  EXPECT_EQ(code_of(store_->read_link(id)), proto::META_NOT_FOUND);
  EXPECT_TRUE(queue().empty());
}

TEST_F(StoreTest, SetAttrFields) {
  EntryId f = file(kRoot, "f");
  proto::Attr before = attr(f);
  proto::SetAttrRequest req;
  f.to_proto(req.mutable_id());
  req.set_valid(proto::SETATTR_MODE | proto::SETATTR_UID | proto::SETATTR_GID);
  req.set_mode(S_IFDIR | 04711);  // type bits in the request are ignored
  req.set_uid(1);
  req.set_gid(2);
  proto::Attr a = must(store_->set_attr(req)).attr();
  EXPECT_EQ(a.mode(), uint32_t(S_IFREG | 04711));
  EXPECT_EQ(a.uid(), 1u);
  EXPECT_EQ(a.gid(), 2u);
  EXPECT_GT(a.ctime_ns(), before.ctime_ns());
  EXPECT_EQ(a.mtime_ns(), before.mtime_ns());

  req.set_valid(proto::SETATTR_SIZE);
  req.set_size(1 << 20);
  a = must(store_->set_attr(req)).attr();
  EXPECT_EQ(a.size(), 1u << 20);
  EXPECT_GT(a.mtime_ns(), before.mtime_ns());
  EXPECT_EQ(a.ctime_ns(), a.mtime_ns());

  req.set_valid(proto::SETATTR_ATIME | proto::SETATTR_MTIME);
  req.set_atime_ns(111);
  req.set_mtime_ns(222);
  a = must(store_->set_attr(req)).attr();
  EXPECT_EQ(a.atime_ns(), 111);
  EXPECT_EQ(a.mtime_ns(), 222);
  int64_t ctime = a.ctime_ns();
  EXPECT_GT(ctime, 222);

  req.set_valid(proto::SETATTR_ATIME_NOW | proto::SETATTR_MTIME_NOW | proto::SETATTR_ATIME);
  a = must(store_->set_attr(req)).attr();
  EXPECT_EQ(a.atime_ns(), clock_);  // *_NOW wins over the value
  EXPECT_EQ(a.mtime_ns(), clock_);
  EXPECT_EQ(a.ctime_ns(), clock_);
  EXPECT_GT(a.ctime_ns(), ctime);

  req.set_valid(proto::SETATTR_CTIME | proto::SETATTR_UID);
  req.set_ctime_ns(42);
  req.set_uid(3);
  a = must(store_->set_attr(req)).attr();
  EXPECT_EQ(a.ctime_ns(), 42);
  EXPECT_EQ(a.uid(), 3u);

  req.set_valid(proto::SETATTR_NONE);  // nothing asked, nothing changes
  EXPECT_EQ(must(store_->set_attr(req)).attr().DebugString(), a.DebugString());

  proto::SetAttrRequest on_dir;
  kRoot.to_proto(on_dir.mutable_id());
  on_dir.set_valid(proto::SETATTR_SIZE);
  EXPECT_EQ(code_of(store_->set_attr(on_dir)), proto::META_IS_DIR);
  EntryId l = EntryId::from_proto(must(store_->symlink(kRoot, "l", "t", 0, 0)).attr().id());
  l.to_proto(on_dir.mutable_id());
  EXPECT_EQ(code_of(store_->set_attr(on_dir)), proto::META_INVALID);
  EntryId{kNode, 4242}.to_proto(on_dir.mutable_id());
  EXPECT_EQ(code_of(store_->set_attr(on_dir)), proto::META_NOT_FOUND);
}

TEST_F(StoreTest, SetPatternValidates) {
  EntryId f = file(kRoot, "f");
  proto::StripePattern p;
  p.set_chunk_size(3 << 16);
  p.set_num_targets(2);
  EXPECT_EQ(code_of(store_->set_pattern(kRoot, p)), proto::INVALID_ARGUMENT);
  p.set_chunk_size(1 << 20);
  p.set_num_targets(0);
  EXPECT_EQ(code_of(store_->set_pattern(kRoot, p)), proto::INVALID_ARGUMENT);
  p.set_num_targets(2);
  p.set_type(static_cast<proto::PatternType>(7));
  EXPECT_EQ(code_of(store_->set_pattern(kRoot, p)), proto::INVALID_ARGUMENT);
  p.set_type(proto::PATTERN_RAID0);
  EXPECT_EQ(code_of(store_->set_pattern(f, p)), proto::META_NOT_DIR);
  proto::EntryInfo info = must(store_->set_pattern(kRoot, p));
  EXPECT_EQ(info.dir_pattern().num_targets(), 2u);
  // Existing files keep their layout.
  EXPECT_EQ(must(store_->get_attr(f)).layout().pattern().chunk_size(), 1u << 20);
}

TEST_F(StoreTest, ReadDirPagesWithStableCookies) {
  for (int i = 0; i < 10; ++i) file(kRoot, "f" + std::to_string(i));
  std::vector<std::string> seen;
  uint64_t cookie = 0;
  bool eof = false;
  int pages = 0;
  while (!eof) {
    proto::ReadDirResponse r = must(store_->read_dir(kRoot, cookie, 3, false));
    ++pages;
    EXPECT_LE(r.entries_size(), 3);
    for (auto& e : r.entries()) {
      EXPECT_GT(e.cookie(), cookie);
      cookie = e.cookie();
      seen.push_back(e.name());
      EXPECT_EQ(e.type(), e.name() == "new2" ? proto::FT_DIR : proto::FT_REG);
      EXPECT_EQ(e.owner_node(), kNode);
      EXPECT_FALSE(e.has_info());
    }
    eof = r.eof();
    if (pages == 1) {
      // Changes while listing: new names show up later, removed ones do not.
      file(kRoot, "new1");
      dir(kRoot, "new2");
      must(store_->unlink(kRoot, "f9"));
      must(store_->unlink(kRoot, "f0"));  // already listed
    }
  }
  EXPECT_EQ(pages, 4);  // 3 + 3 + 3 + 2
  std::vector<std::string> want = {"f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "new1", "new2"};
  EXPECT_EQ(seen, want);  // creation order, no duplicates, no "." or ".."

  // A cookie stays valid after the entry it came from is gone.
  proto::ReadDirResponse first = must(store_->read_dir(kRoot, 0, 2, false));
  ASSERT_EQ(first.entries_size(), 2);
  EXPECT_EQ(first.entries(0).name(), "f1");
  must(store_->unlink(kRoot, "f2"));
  proto::ReadDirResponse rest = must(store_->read_dir(kRoot, first.entries(1).cookie(), 0, false));
  EXPECT_TRUE(rest.eof());
  ASSERT_GT(rest.entries_size(), 0);
  EXPECT_EQ(rest.entries(0).name(), "f3");

  // Exactly max_entries left: eof on that page.
  EntryId d = dir(kRoot, "d");
  file(d, "a");
  file(d, "b");
  proto::ReadDirResponse exact = must(store_->read_dir(d, 0, 2, false));
  EXPECT_EQ(exact.entries_size(), 2);
  EXPECT_TRUE(exact.eof());
  EntryId empty = dir(kRoot, "empty");
  proto::ReadDirResponse none = must(store_->read_dir(empty, 0, 10, false));
  EXPECT_EQ(none.entries_size(), 0);
  EXPECT_TRUE(none.eof());
  EXPECT_EQ(code_of(store_->read_dir(lookup_id(d, "a"), 0, 10, false)), proto::META_NOT_DIR);
  EXPECT_EQ(code_of(store_->read_dir(EntryId{kNode, 4242}, 0, 10, false)), proto::META_NOT_FOUND);
}

TEST_F(StoreTest, ReadDirPlusCarriesEntryInfo) {
  EntryId f = file(kRoot, "f", {3, 4});
  EntryId d = dir(kRoot, "d");
  must(store_->open_file(f, true, 1));
  proto::ReadDirResponse r = must(store_->read_dir(kRoot, 0, 0, true));
  ASSERT_EQ(r.entries_size(), 2);
  EXPECT_EQ(EntryId::from_proto(r.entries(0).info().attr().id()), f);
  EXPECT_EQ(r.entries(0).info().layout().targets_size(), 2);
  EXPECT_EQ(r.entries(0).info().attr().open_writers(), 1u);
  EXPECT_EQ(EntryId::from_proto(r.entries(1).id()), d);
  EXPECT_EQ(r.entries(1).info().attr().type(), proto::FT_DIR);
  EXPECT_EQ(r.entries(1).info().dir_pattern().num_targets(), 4u);
}

TEST_F(StoreTest, RenameFileWithinAndAcrossDirectories) {
  EntryId f = file(kRoot, "f");
  EntryId d = dir(kRoot, "d");
  int64_t ctime = attr(f).ctime_ns();
  must(store_->rename(kRoot, "f", kRoot, "g", 0));
  EXPECT_EQ(code_of(store_->lookup(kRoot, "f")), proto::META_NOT_FOUND);
  EXPECT_EQ(lookup_id(kRoot, "g"), f);
  EXPECT_GT(attr(f).ctime_ns(), ctime);
  int64_t dmtime = attr(d).mtime_ns();
  int64_t rmtime = attr(kRoot).mtime_ns();
  must(store_->rename(kRoot, "g", d, "h", 0));
  EXPECT_EQ(lookup_id(d, "h"), f);
  EXPECT_EQ(names(kRoot), std::vector<std::string>{"d"});
  EXPECT_GT(attr(d).mtime_ns(), dmtime);
  EXPECT_GT(attr(kRoot).mtime_ns(), rmtime);
  EXPECT_EQ(attr(kRoot).nlink(), 3u);  // files do not count
  EXPECT_EQ(attr(f).nlink(), 1u);

  auto missing = store_->rename(kRoot, "nope", kRoot, "x", 0);
  EXPECT_EQ(code_of(missing), proto::META_NOT_FOUND);
  EXPECT_NE(missing.error().message().find("nope"), std::string::npos);
  EXPECT_EQ(code_of(store_->rename(kRoot, "d", f, "x", 0)), proto::META_NOT_DIR);
  EXPECT_EQ(code_of(store_->rename(kRoot, "d", kRoot, "", 0)), proto::META_INVALID);
  EXPECT_EQ(code_of(store_->rename(kRoot, "d", kRoot, std::string(256, 'n'), 0)), proto::META_NAME_TOO_LONG);
  EXPECT_EQ(code_of(store_->rename(kRoot, "d", kRoot, "e", proto::RENAME_FLAG_EXCHANGE | proto::RENAME_FLAG_NOREPLACE)),
            proto::META_INVALID);
  EXPECT_EQ(code_of(store_->rename(kRoot, "d", kRoot, "e", 64)), proto::META_INVALID);
}

TEST_F(StoreTest, RenameDirectoryMovesItsParentLink) {
  EntryId a = dir(kRoot, "a");
  EntryId b = dir(kRoot, "b");
  EntryId c = dir(a, "c");
  file(c, "f");
  EXPECT_EQ(attr(a).nlink(), 3u);
  must(store_->rename(a, "c", b, "c2", 0));
  EXPECT_EQ(attr(a).nlink(), 2u);
  EXPECT_EQ(attr(b).nlink(), 3u);
  EXPECT_EQ(attr(kRoot).nlink(), 4u);
  EXPECT_EQ(lookup_id(b, "c2"), c);
  EXPECT_EQ(names(c), std::vector<std::string>{"f"});
  // The moved directory's parent is now b: b cannot go below c2 any more, a can.
  EXPECT_EQ(code_of(store_->rename(kRoot, "b", c, "b", 0)), proto::META_INVALID);
  must(store_->rename(kRoot, "a", c, "a", 0));
  EXPECT_EQ(attr(kRoot).nlink(), 3u);
  EXPECT_EQ(attr(c).nlink(), 3u);
}

TEST_F(StoreTest, RenameIntoOwnSubtreeIsInvalid) {
  EntryId a = dir(kRoot, "a");
  EntryId b = dir(a, "b");
  EntryId c = dir(b, "c");
  auto into_child = store_->rename(kRoot, "a", c, "x", 0);
  EXPECT_EQ(code_of(into_child), proto::META_INVALID);
  EXPECT_EQ(errno_of(into_child), EINVAL);
  EXPECT_EQ(code_of(store_->rename(kRoot, "a", a, "x", 0)), proto::META_INVALID);
  EXPECT_EQ(code_of(store_->rename(a, "b", b, "x", 0)), proto::META_INVALID);
  // Onto an ancestor that is not empty: ENOTEMPTY, the POSIX answer.
  EXPECT_EQ(code_of(store_->rename(b, "c", kRoot, "a", 0)), proto::META_NOT_EMPTY);
  // Sideways and upwards is fine.
  must(store_->rename(b, "c", kRoot, "c", 0));
  EXPECT_EQ(lookup_id(kRoot, "c"), c);
  EXPECT_EQ(attr(b).nlink(), 2u);
}

TEST_F(StoreTest, RenameReplaceMatrix) {
  EntryId d1 = dir(kRoot, "d1");
  EntryId d2 = dir(kRoot, "d2");
  EntryId full = dir(kRoot, "full");
  file(full, "x");
  EntryId f1 = file(kRoot, "f1", {1});
  EntryId f2 = file(kRoot, "f2", {2});

  auto dir_over_full = store_->rename(kRoot, "d1", kRoot, "full", 0);
  EXPECT_EQ(code_of(dir_over_full), proto::META_NOT_EMPTY);
  EXPECT_EQ(errno_of(dir_over_full), ENOTEMPTY);
  auto file_over_dir = store_->rename(kRoot, "f1", kRoot, "d1", 0);
  EXPECT_EQ(code_of(file_over_dir), proto::META_IS_DIR);
  EXPECT_EQ(errno_of(file_over_dir), EISDIR);
  auto dir_over_file = store_->rename(kRoot, "d1", kRoot, "f1", 0);
  EXPECT_EQ(code_of(dir_over_file), proto::META_NOT_DIR);
  EXPECT_EQ(errno_of(dir_over_file), ENOTDIR);
  auto noreplace = store_->rename(kRoot, "f1", kRoot, "f2", proto::RENAME_FLAG_NOREPLACE);
  EXPECT_EQ(code_of(noreplace), proto::META_EXISTS);
  EXPECT_EQ(errno_of(noreplace), EEXIST);
  EXPECT_TRUE(queue().empty());
  EXPECT_EQ(store_->entry_count(), 7u);

  // File over file: the replaced file loses its last link, its chunks are queued.
  must(store_->rename(kRoot, "f1", kRoot, "f2", 0));
  EXPECT_EQ(lookup_id(kRoot, "f2"), f1);
  EXPECT_EQ(code_of(store_->get_attr(f2)), proto::META_NOT_FOUND);
  ASSERT_EQ(queue().size(), 1u);
  EXPECT_EQ(queue()[0].id, f2);
  EXPECT_EQ(store_->entry_count(), 6u);

  // Dir over empty dir.
  EXPECT_EQ(attr(kRoot).nlink(), 5u);
  must(store_->rename(kRoot, "d1", kRoot, "d2", 0));
  EXPECT_EQ(lookup_id(kRoot, "d2"), d1);
  EXPECT_EQ(code_of(store_->get_attr(d2)), proto::META_NOT_FOUND);
  EXPECT_EQ(attr(kRoot).nlink(), 4u);
  EXPECT_EQ(store_->entry_count(), 5u);

  // Dir over empty dir in another directory.
  EntryId e = dir(full, "e");
  EXPECT_EQ(attr(full).nlink(), 3u);
  must(store_->rename(kRoot, "d2", full, "e", 0));
  EXPECT_EQ(lookup_id(full, "e"), d1);
  EXPECT_EQ(code_of(store_->get_attr(e)), proto::META_NOT_FOUND);
  EXPECT_EQ(attr(full).nlink(), 3u);
  EXPECT_EQ(attr(kRoot).nlink(), 3u);

  // NOREPLACE onto a free name works.
  must(store_->rename(kRoot, "f2", kRoot, "f3", proto::RENAME_FLAG_NOREPLACE));
  EXPECT_EQ(lookup_id(kRoot, "f3"), f1);
}

TEST_F(StoreTest, RenameOntoItselfOrItsHardLinkDoesNothing) {
  EntryId f = file(kRoot, "f");
  EntryId d = dir(kRoot, "d");
  must(store_->link(f, d, "l"));
  proto::Attr before = attr(f);
  must(store_->rename(kRoot, "f", kRoot, "f", 0));
  must(store_->rename(kRoot, "f", d, "l", 0));
  must(store_->rename(kRoot, "f", d, "l", proto::RENAME_FLAG_EXCHANGE));
  must(store_->rename(kRoot, "d", kRoot, "d", 0));
  // Like Linux: NOREPLACE looks only at whether the name exists.
  EXPECT_EQ(code_of(store_->rename(kRoot, "f", d, "l", proto::RENAME_FLAG_NOREPLACE)), proto::META_EXISTS);
  EXPECT_EQ(code_of(store_->rename(kRoot, "f", kRoot, "f", proto::RENAME_FLAG_NOREPLACE)), proto::META_EXISTS);
  EXPECT_EQ(lookup_id(kRoot, "f"), f);
  EXPECT_EQ(lookup_id(d, "l"), f);
  EXPECT_EQ(attr(f).DebugString(), before.DebugString());
  EXPECT_TRUE(queue().empty());
}

TEST_F(StoreTest, RenameExchangeSwapsEntries) {
  EntryId a = dir(kRoot, "a");
  EntryId sub = dir(a, "sub");
  EntryId b = dir(kRoot, "b");
  EntryId f = file(b, "f");
  EXPECT_EQ(attr(a).nlink(), 3u);
  EXPECT_EQ(attr(b).nlink(), 2u);
  must(store_->rename(a, "sub", b, "f", proto::RENAME_FLAG_EXCHANGE));
  EXPECT_EQ(lookup_id(a, "sub"), f);
  EXPECT_EQ(lookup_id(b, "f"), sub);
  EXPECT_EQ(must(store_->lookup(b, "f")).attr().type(), proto::FT_DIR);
  EXPECT_EQ(must(store_->read_dir(a, 0, 0, false)).entries(0).type(), proto::FT_REG);
  EXPECT_EQ(attr(a).nlink(), 2u);
  EXPECT_EQ(attr(b).nlink(), 3u);
  EXPECT_TRUE(queue().empty());
  EXPECT_EQ(store_->entry_count(), 5u);
  // sub's parent is now b: moving b below sub is refused.
  EXPECT_EQ(code_of(store_->rename(kRoot, "b", sub, "x", 0)), proto::META_INVALID);

  // Two directories in one parent.
  must(store_->rename(kRoot, "a", kRoot, "b", proto::RENAME_FLAG_EXCHANGE));
  EXPECT_EQ(lookup_id(kRoot, "a"), b);
  EXPECT_EQ(lookup_id(kRoot, "b"), a);
  EXPECT_EQ(attr(kRoot).nlink(), 4u);

  auto missing = store_->rename(kRoot, "a", kRoot, "nothing", proto::RENAME_FLAG_EXCHANGE);
  EXPECT_EQ(code_of(missing), proto::META_NOT_FOUND);
  // Exchanging a directory with an entry inside it would put it inside itself.
  EXPECT_EQ(code_of(store_->rename(kRoot, "a", b, "f", proto::RENAME_FLAG_EXCHANGE)), proto::META_INVALID);
  EXPECT_EQ(code_of(store_->rename(b, "f", kRoot, "a", proto::RENAME_FLAG_EXCHANGE)), proto::META_INVALID);
}

TEST_F(StoreTest, RenameReplacingAnOpenFileMakesItAnOrphan) {
  EntryId victim = file(kRoot, "victim", {9});
  file(kRoot, "new");
  must(store_->open_file(victim, false, 3));
  must(store_->rename(kRoot, "new", kRoot, "victim", 0));
  EXPECT_TRUE(queue().empty());
  EXPECT_EQ(attr(victim).nlink(), 0u);
  CloseArgs c;
  c.id = victim;
  c.client_id = 3;
  must(store_->close_file(c));
  ASSERT_EQ(queue().size(), 1u);
  EXPECT_EQ(queue()[0].id, victim);
}

TEST_F(StoreTest, Xattrs) {
  EntryId f = file(kRoot, "f");
  auto none = store_->get_xattr(f, "user.a");
  EXPECT_EQ(code_of(none), proto::META_NO_XATTR);
  EXPECT_EQ(errno_of(none), ENODATA);
  int64_t ctime = attr(f).ctime_ns();
  must(store_->set_xattr(f, "user.a", std::string("v\0x", 3), 0));
  EXPECT_GT(attr(f).ctime_ns(), ctime);
  EXPECT_EQ(must(store_->get_xattr(f, "user.a")), std::string("v\0x", 3));
  EXPECT_EQ(code_of(store_->set_xattr(f, "user.a", "w", XATTR_CREATE)), proto::META_EXISTS);
  EXPECT_EQ(code_of(store_->set_xattr(f, "user.b", "w", XATTR_REPLACE)), proto::META_NO_XATTR);
  must(store_->set_xattr(f, "user.a", "w", XATTR_REPLACE));
  must(store_->set_xattr(f, "user.b", "", XATTR_CREATE));
  EXPECT_EQ(must(store_->get_xattr(f, "user.a")), "w");
  EXPECT_EQ(must(store_->get_xattr(f, "user.b")), "");
  EXPECT_EQ(must(store_->list_xattr(f)), (std::vector<std::string>{"user.a", "user.b"}));
  must(store_->remove_xattr(f, "user.a"));
  EXPECT_EQ(code_of(store_->remove_xattr(f, "user.a")), proto::META_NO_XATTR);
  EXPECT_EQ(must(store_->list_xattr(f)), std::vector<std::string>{"user.b"});
  EXPECT_EQ(code_of(store_->set_xattr(f, "", "v", 0)), proto::META_INVALID);
  EXPECT_EQ(errno_of(store_->set_xattr(f, std::string(256, 'n'), "v", 0)), ERANGE);
  EXPECT_EQ(code_of(store_->set_xattr(f, "user.big", std::string(64 * 1024 + 1, 'v'), 0)), proto::NO_SPACE);
  EXPECT_TRUE(store_->set_xattr(f, "user.big", std::string(64 * 1024, 'v'), 0));
  EXPECT_EQ(code_of(store_->set_xattr(EntryId{kNode, 4242}, "user.a", "v", 0)), proto::META_NOT_FOUND);
  must(store_->set_xattr(kRoot, "user.dir", "yes", 0));  // directories have them too
  EXPECT_EQ(must(store_->get_xattr(kRoot, "user.dir")), "yes");
}

TEST_F(StoreTest, ReopenKeepsEverythingAndNeverReusesIds) {
  EntryId d = dir(kRoot, "d");
  EntryId f = file(d, "f", {5, 6});
  must(store_->set_xattr(f, "user.k", "v", 0));
  must(store_->update_size(f, 999, 1234));
  EntryId last = file(kRoot, "last");
  must(store_->unlink(kRoot, "last"));  // the highest id is gone before the restart
  proto::EntryInfo before = must(store_->get_attr(f));
  uint64_t count = store_->entry_count();
  reopen();
  EXPECT_EQ(store_->entry_count(), count);
  EXPECT_EQ(lookup_id(kRoot, "d"), d);
  EXPECT_EQ(lookup_id(d, "f"), f);
  EXPECT_EQ(must(store_->get_attr(f)).DebugString(), before.DebugString());
  EXPECT_EQ(must(store_->get_xattr(f, "user.k")), "v");
  EXPECT_EQ(attr(kRoot).nlink(), 3u);
  EXPECT_EQ(queue().size(), 1u);
  EntryId next = file(kRoot, "next");
  EXPECT_EQ(next.hi, kNode);
  EXPECT_GT(next.lo, last.lo);
  // Readdir cookies keep growing across restarts too.
  EXPECT_GT(must(store_->read_dir(kRoot, 0, 0, false)).entries(1).cookie(),
            must(store_->read_dir(kRoot, 0, 0, false)).entries(0).cookie());
}

TEST_F(StoreTest, CommittedChangesSurviveKill9) {
  store_.reset();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = MetaStore::open({.path = db_path(), .node_id = kNode, .clock = {}});
    if (!s) _exit(2);
    for (int i = 0; i < 50; ++i)
      if (!(*s)->mkdir(EntryId::root(), "d" + std::to_string(i), 0755, 0, 0)) _exit(3);
    kill(getpid(), SIGKILL);  // no destructor, no checkpoint
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  reopen();
  EXPECT_EQ(names(kRoot).size(), 50u);
  EXPECT_EQ(attr(kRoot).nlink(), 52u);
  EXPECT_EQ(store_->entry_count(), 51u);
}

TEST_F(StoreTest, ConcurrentCreatesGetDistinctIds) {
  std::vector<std::thread> threads;
  std::vector<std::vector<EntryId>> ids(4);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        CreateArgs a;
        a.parent = kRoot;
        a.name = "t" + std::to_string(t) + "-" + std::to_string(i);
        a.mode = S_IFREG | 0644;
        auto r = store_->create(a, [](const proto::StripePattern&) { return Result<std::vector<uint32_t>>(std::vector<uint32_t>{1}); });
        if (r) ids[t].push_back(EntryId::from_proto(r->info.attr().id()));
      }
    });
  for (auto& t : threads) t.join();
  std::set<EntryId> all;
  for (auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), 200u);
  EXPECT_EQ(store_->entry_count(), 201u);
  EXPECT_EQ(names(kRoot).size(), 200u);
}

TEST(MetadErrnoTest, MetaCodesMapToPosixErrno) {
  // The codes the store returns, as the client will report them.
  EXPECT_EQ(Status(proto::META_NOT_FOUND, "").to_errno(), ENOENT);
  EXPECT_EQ(Status(proto::META_EXISTS, "").to_errno(), EEXIST);
  EXPECT_EQ(Status(proto::META_NOT_EMPTY, "").to_errno(), ENOTEMPTY);
  EXPECT_EQ(Status(proto::META_IS_DIR, "").to_errno(), EISDIR);
  EXPECT_EQ(Status(proto::META_NOT_DIR, "").to_errno(), ENOTDIR);
  EXPECT_EQ(Status(proto::META_NAME_TOO_LONG, "").to_errno(), ENAMETOOLONG);
  EXPECT_EQ(Status(proto::META_INVALID, "").to_errno(), EINVAL);
  EXPECT_EQ(Status(proto::META_XDEV, "").to_errno(), EXDEV);
  EXPECT_EQ(Status(proto::META_NO_XATTR, "").to_errno(), ENODATA);
  EXPECT_EQ(Status(proto::META_RANGE, "").to_errno(), ERANGE);
  EXPECT_EQ(Status(proto::META_TOO_MANY_LINKS, "").to_errno(), EMLINK);
  EXPECT_EQ(Status(proto::PERMISSION_DENIED, "").to_errno(), EPERM);
  EXPECT_EQ(Status(proto::MGMT_NO_TARGETS, "").to_errno(), ENOSPC);
  EXPECT_FALSE(Status(proto::META_NOT_FOUND, "").retryable());
}

}  // namespace
}  // namespace combfs::metad
