// Three metads in one process, each behind its own RpcServer, with a cluster
// map the test controls (directory placement is steered through the entry
// counts it reports). Cross-owner mkdir/rmdir/rename/link are checked for
// their results and, at every crash point of metad/cross/, for a namespace
// that checks clean (metad/cross/fsck.h) after recovery.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <mutex>
#include <set>
#include <thread>
#include <tuple>

#include "common/rpc/client.h"
#include "client/lib/dir_hash.h"
#include "common/rpc/server.h"
#include "metad/acl/posix_acl.h"
#include "metad/cross/fsck.h"
#include "metad/service.h"
#include "tests/unit/metad_test_util.h"

namespace combfs::metad {
namespace {

using namespace std::chrono_literals;
using testing::code_of;
using testing::must;

const rpc::Secret kSecret{"metad-cross-test-secret"};
constexpr uint32_t kNodes = 3;  // node ids 1..3; 1 owns the root

// A metad: store, service and server (restartable on the same port).
struct Metad {
  uint32_t id = 0;
  std::unique_ptr<MetaStore> store;
  std::unique_ptr<MetaService> service;
  rpc::Dispatcher dispatcher;
  std::unique_ptr<asio::io_context> io;
  std::unique_ptr<rpc::RpcServer> server;
  std::thread thread;
  uint16_t port = 0;

  void start() {
    io = std::make_unique<asio::io_context>();
    rpc::ServerOptions o;
    o.name = "metad" + std::to_string(id);
    o.bind_host = "127.0.0.1";
    o.port = port;
    o.secret = kSecret;
    server = std::make_unique<rpc::RpcServer>(*io, o, dispatcher);
    port = must(server->listen());
    thread = std::thread([this] { io->run(); });
  }
  void stop() {
    if (!thread.joinable()) return;
    io->stop();
    thread.join();
    server->stop();
    server.reset();
    io.reset();
  }
  rpc::Endpoint endpoint() const { return {"127.0.0.1", port}; }
};

class CrossTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rpc::ClientOptions o;
    o.name = "cross-test";
    o.secret = kSecret;
    o.call_timeout = 5s;
    o.connect_patience = 1s;
    rpc_ = std::make_unique<rpc::RpcClient>(o);
    for (uint32_t id = 1; id <= kNodes; ++id) {
      auto& m = metads_[id];
      m.id = id;
      m.store = must(MetaStore::open({.path = dir_.path() + "/meta" + std::to_string(id) + ".db", .node_id = id, .clock = {}}));
      if (id == 1) must(m.store->ensure_root());
      CrossOptions c;
      c.rpc = rpc_.get();
      c.peer_timeout = 3s;
      c.crash_point = [this](std::string_view point) { return crash_at(point); };
      m.service = std::make_unique<MetaService>(*m.store, source(), id, nullptr, std::move(c));
      m.service->register_handlers(m.dispatcher);
      m.start();
    }
    place_on(1);
  }
  void TearDown() override {
    for (auto& [id, m] : metads_) m.stop();
  }

  ClusterMapSource source() {
    return [this]() -> Result<std::shared_ptr<const ClusterMap>> {
      std::lock_guard lock(mutex_);
      return map_;
    };
  }
  // New directories go to metad `node`: it reports no entries, the others plenty.
  void place_on(uint32_t node) {
    auto m = std::make_shared<ClusterMap>();
    m->version = ++version_;
    m->root_owner = 1;
    for (auto& [id, md] : metads_) {
      proto::NodeInfo n;
      n.set_id(id);
      n.set_type(proto::NODE_META);
      n.set_host("127.0.0.1");
      n.set_port(md.port);
      n.set_entries(id == node ? 0 : 1000000);
      m->nodes[id] = n;
    }
    std::lock_guard lock(mutex_);
    map_ = m;
  }
  // Crash points: the named one fires once; `on_point` may act at any point.
  bool crash_at(std::string_view point) {
    std::function<void(std::string_view)> act;
    bool crash = false;
    {
      std::lock_guard lock(mutex_);
      act = on_point_;
      if (point == crash_point_) {
        crash = true;
        crash_point_.clear();
        ++crashes_;
      }
    }
    if (act) act(point);
    return crash;
  }
  void crash_once_at(const std::string& point) {
    std::lock_guard lock(mutex_);
    crash_point_ = point;
    crashes_ = 0;
  }
  int crashes() {
    std::lock_guard lock(mutex_);
    return crashes_;
  }

  template <class Req>
  auto call(uint32_t node, const Req& req) {
    return rpc_->call(metads_.at(node).endpoint(), req);
  }

  proto::EntryInfo mkdir(uint32_t parent_owner, EntryId parent, const std::string& name) {
    proto::MkDirRequest r;
    parent.to_proto(r.mutable_parent());
    r.set_name(name);
    r.set_mode(0755);
    return must(call(parent_owner, r)).info();
  }
  EntryId file(uint32_t owner, EntryId parent, const std::string& name) {
    proto::CreateRequest r;
    parent.to_proto(r.mutable_parent());
    r.set_name(name);
    r.set_mode(S_IFREG | 0644);
    r.set_exclusive(true);
    // No storage targets in this map: a FIFO needs none and is a non-directory all the same.
    r.set_mode(S_IFIFO | 0644);
    return EntryId::from_proto(must(call(owner, r)).info().attr().id());
  }
  // Full info of `name` in `parent`, following a partial answer to the owner.
  Result<proto::EntryInfo> lookup(uint32_t owner, EntryId parent, const std::string& name) {
    proto::LookupRequest r;
    parent.to_proto(r.mutable_parent());
    r.set_name(name);
    auto resp = call(owner, r);
    if (!resp) return std::unexpected(resp.error());
    if (!resp->info().partial()) return resp->info();
    proto::GetAttrRequest g;
    *g.mutable_id() = resp->info().attr().id();
    auto got = call(resp->info().attr().owner_node(), g);
    if (!got) return std::unexpected(got.error());
    return got->info();
  }
  Result<void> rename(uint32_t src_owner, EntryId sp, const std::string& sn, uint32_t dst_owner, EntryId dp,
                      const std::string& dn, uint32_t flags = 0) {
    proto::RenameRequest r;
    sp.to_proto(r.mutable_src_parent());
    r.set_src_name(sn);
    dp.to_proto(r.mutable_dst_parent());
    r.set_dst_name(dn);
    r.set_flags(flags);
    r.set_dst_owner(dst_owner);
    auto resp = call(src_owner, r);
    if (!resp) return std::unexpected(resp.error());
    return {};
  }
  Result<void> rmdir(uint32_t owner, EntryId parent, const std::string& name) {
    proto::RmDirRequest r;
    parent.to_proto(r.mutable_parent());
    r.set_name(name);
    auto resp = call(owner, r);
    if (!resp) return std::unexpected(resp.error());
    return {};
  }
  Result<void> unlink(uint32_t owner, EntryId parent, const std::string& name) {
    proto::UnlinkRequest r;
    parent.to_proto(r.mutable_parent());
    r.set_name(name);
    auto resp = call(owner, r);
    if (!resp) return std::unexpected(resp.error());
    return {};
  }
  Result<proto::EntryInfo> link(uint32_t parent_owner, EntryId id, uint32_t id_owner, EntryId parent,
                                const std::string& name) {
    proto::LinkRequest r;
    id.to_proto(r.mutable_id());
    parent.to_proto(r.mutable_new_parent());
    r.set_new_name(name);
    r.set_owner(id_owner);
    auto resp = call(parent_owner, r);
    if (!resp) return std::unexpected(resp.error());
    return resp->info();
  }
  std::vector<std::string> names(uint32_t owner, EntryId dir) {
    proto::ReadDirRequest r;
    dir.to_proto(r.mutable_id());
    std::vector<std::string> out;
    auto listed = must(call(owner, r));
    for (const auto& e : listed.entries()) out.push_back(e.name());
    return out;
  }

  // As after a restart of every metad: each finishes what its journal holds.
  size_t recover() {
    size_t left = 0;
    for (auto& [id, m] : metads_) {
      m.service->cross().journal().adopt_all();
      left += m.service->cross().journal().run_all();
    }
    return left;
  }
  std::vector<std::string> problems() {
    std::vector<MetaStore::Snapshot> snaps;
    for (auto& [id, m] : metads_) snaps.push_back(must(m.store->snapshot()));
    return check_namespace(snaps, 1);
  }
  void expect_clean() {
    for (const auto& p : problems()) ADD_FAILURE() << p;
  }

  testing::TempDir dir_;
  std::unique_ptr<rpc::RpcClient> rpc_;
  std::map<uint32_t, Metad> metads_;
  std::mutex mutex_;
  std::shared_ptr<const ClusterMap> map_;  // GUARDED_BY(mutex_)
  uint64_t version_ = 0;
  std::string crash_point_;                         // GUARDED_BY(mutex_)
  int crashes_ = 0;                                 // GUARDED_BY(mutex_)
  std::function<void(std::string_view)> on_point_;  // GUARDED_BY(mutex_)
  const EntryId root_ = EntryId::root();
};

TEST_F(CrossTest, MkdirPlacesTheDirectoryOnTheChosenMetad) {
  place_on(2);
  auto a = mkdir(1, root_, "a");
  EXPECT_EQ(a.attr().owner_node(), 2u);
  EntryId aid = EntryId::from_proto(a.attr().id());
  // The name is on metad 1 and says where the directory is.
  proto::LookupRequest l;
  root_.to_proto(l.mutable_parent());
  l.set_name("a");
  auto partial = must(call(1, l)).info();
  EXPECT_TRUE(partial.partial());
  EXPECT_EQ(partial.attr().owner_node(), 2u);
  EXPECT_EQ(EntryId::from_proto(partial.attr().id()), aid);
  EXPECT_EQ(must(lookup(1, root_, "a")).attr().nlink(), 2u);
  EXPECT_EQ(must(lookup(1, root_, "a")).dir_pattern().num_targets(), default_root_pattern().num_targets());
  // Its entries live on metad 2; a directory in it goes where placement says.
  place_on(3);
  auto b = mkdir(2, aid, "b");
  EXPECT_EQ(b.attr().owner_node(), 3u);
  file(2, aid, "f");
  EXPECT_EQ(names(2, aid), (std::vector<std::string>{"b", "f"}));
  EXPECT_EQ(must(lookup(1, root_, "a")).attr().nlink(), 3u);
  proto::ReadDirRequest plus;
  aid.to_proto(plus.mutable_id());
  plus.set_plus(true);
  auto listed = must(call(2, plus));
  ASSERT_EQ(listed.entries_size(), 2);
  EXPECT_EQ(listed.entries(0).owner_node(), 3u);
  EXPECT_TRUE(listed.entries(0).info().partial());
  EXPECT_EQ(listed.entries(1).owner_node(), 2u);
  EXPECT_FALSE(listed.entries(1).info().partial());
  // The name is taken: nothing is left behind on the chosen metad.
  auto again = call(1, [&] {
    proto::MkDirRequest r;
    root_.to_proto(r.mutable_parent());
    r.set_name("a");
    return r;
  }());
  EXPECT_EQ(code_of(again), proto::META_EXISTS);
  expect_clean();
}

// The parent's owner decides what a directory created on another metad
// inherits (setgid group and bit, default ACL, umask) and sends it along.
TEST_F(CrossTest, MkdirOnAnotherMetadInheritsGroupSetgidAndDefaultAcl) {
  const acl::Acl dflt{{{acl::kUserObj, 7}, {acl::kUser, 5, 1002}, {acl::kGroupObj, 5}, {acl::kMask, 5}, {acl::kOther, 0}}};
  place_on(1);
  EntryId g = EntryId::from_proto(mkdir(1, root_, "g").attr().id());
  proto::SetAttrRequest sgid;
  g.to_proto(sgid.mutable_id());
  sgid.set_valid(proto::SETATTR_MODE | proto::SETATTR_GID);
  sgid.set_mode(S_ISGID | 0775);
  sgid.set_gid(2001);
  must(call(1, sgid));
  place_on(2);
  proto::MkDirRequest r;
  g.to_proto(r.mutable_parent());
  r.set_name("plain");
  r.set_mode(0777);
  r.set_gid(100);
  r.set_umask(027);
  proto::EntryInfo plain = must(call(1, r)).info();
  EXPECT_EQ(plain.attr().owner_node(), 2u);
  EXPECT_EQ(plain.attr().gid(), 2001u);
  EXPECT_EQ(plain.attr().mode(), uint32_t(S_IFDIR | S_ISGID | 0750));

  proto::SetXattrRequest set;
  g.to_proto(set.mutable_id());
  set.set_name(acl::kDefaultXattr);
  set.set_value(acl::serialize(dflt));
  must(call(1, set));
  r.set_name("acl");
  proto::EntryInfo with_acl = must(call(1, r)).info();
  EXPECT_EQ(with_acl.attr().owner_node(), 2u);
  EXPECT_EQ(with_acl.attr().mode(), uint32_t(S_IFDIR | S_ISGID | 0750));  // from the ACL; the umask is ignored
  for (const char* name : {acl::kAccessXattr, acl::kDefaultXattr}) {
    proto::GetXattrRequest get;
    *get.mutable_id() = with_acl.attr().id();
    get.set_name(name);
    auto value = call(2, get);
    ASSERT_TRUE(value) << name;
    EXPECT_EQ(must(acl::parse(value->value())), dflt) << name;
  }
  expect_clean();
}

TEST_F(CrossTest, RmdirOfADirectoryOnAnotherMetad) {
  place_on(2);
  EntryId a = EntryId::from_proto(mkdir(1, root_, "a").attr().id());
  file(2, a, "f");
  EXPECT_EQ(code_of(rmdir(1, root_, "a")), proto::META_NOT_EMPTY);
  // The refused removal leaves the directory usable.
  file(2, a, "g");
  must(unlink(2, a, "f"));
  must(unlink(2, a, "g"));
  must(rmdir(1, root_, "a"));
  EXPECT_EQ(code_of(lookup(1, root_, "a")), proto::META_NOT_FOUND);
  proto::GetAttrRequest g;
  a.to_proto(g.mutable_id());
  EXPECT_EQ(code_of(call(2, g)), proto::META_NOT_FOUND);
  EXPECT_EQ(code_of(rmdir(1, root_, "a")), proto::META_NOT_FOUND);
  expect_clean();
}

TEST_F(CrossTest, RenameFilesAndDirectoriesBetweenMetads) {
  place_on(2);
  EntryId a = EntryId::from_proto(mkdir(1, root_, "a").attr().id());
  place_on(3);
  EntryId b = EntryId::from_proto(mkdir(1, root_, "b").attr().id());
  EntryId f = file(2, a, "f");
  // File from a (metad 2) to b (metad 3): the name moves, the inode stays on 2.
  must(rename(2, a, "f", 3, b, "g"));
  auto g = must(lookup(3, b, "g"));
  EXPECT_EQ(EntryId::from_proto(g.attr().id()), f);
  EXPECT_EQ(g.attr().owner_node(), 2u);
  EXPECT_EQ(g.attr().nlink(), 1u);
  EXPECT_EQ(code_of(lookup(2, a, "f")), proto::META_NOT_FOUND);
  expect_clean();
  // And on to the root (metad 1), replacing a file there.
  EntryId victim = file(1, root_, "victim");
  must(rename(3, b, "g", 1, root_, "victim"));
  EXPECT_EQ(EntryId::from_proto(must(lookup(1, root_, "victim")).attr().id()), f);
  proto::GetAttrRequest ga;
  victim.to_proto(ga.mutable_id());
  EXPECT_EQ(code_of(call(1, ga)), proto::META_NOT_FOUND) << "the replaced file lost its last link";
  expect_clean();
  // Back into a, where the inode lives: the name is local again.
  must(rename(1, root_, "victim", 2, a, "home"));
  EXPECT_FALSE(must(call(2, [&] {
                      proto::LookupRequest r;
                      a.to_proto(r.mutable_parent());
                      r.set_name("home");
                      return r;
                    }())).info().partial());
  expect_clean();

  // Directories: a/d (with content) into b; the ".." follows; nlinks move.
  place_on(1);
  EntryId d = EntryId::from_proto(mkdir(2, a, "d").attr().id());
  file(1, d, "inside");
  must(rename(2, a, "d", 3, b, "d"));
  EXPECT_EQ(must(lookup(1, root_, "a")).attr().nlink(), 2u);
  EXPECT_EQ(must(lookup(1, root_, "b")).attr().nlink(), 3u);
  EXPECT_EQ(names(1, d), std::vector<std::string>{"inside"});
  expect_clean();
  // No directory into its own subtree, across metads.
  place_on(2);
  EntryId deep = EntryId::from_proto(mkdir(1, d, "deep").attr().id());
  EXPECT_EQ(code_of(rename(3, b, "d", 2, deep, "x")), proto::META_INVALID);
  EXPECT_EQ(code_of(rename(1, root_, "b", 2, deep, "x")), proto::META_INVALID);
  // The POSIX refusals.
  place_on(3);
  mkdir(1, root_, "full");
  file(3, EntryId::from_proto(must(lookup(1, root_, "full")).attr().id()), "x");
  EXPECT_EQ(code_of(rename(2, a, "home", 1, root_, "full")), proto::META_IS_DIR);
  EXPECT_EQ(code_of(rename(3, b, "d", 1, root_, "full")), proto::META_NOT_EMPTY);
  EXPECT_EQ(code_of(rename(3, b, "d", 2, a, "home")), proto::META_NOT_DIR);
  EXPECT_EQ(code_of(rename(2, a, "home", 1, root_, "a", proto::RENAME_FLAG_NOREPLACE)), proto::META_EXISTS);
  EXPECT_EQ(code_of(rename(2, a, "home", 1, root_, "x", proto::RENAME_FLAG_EXCHANGE)), proto::META_XDEV);
  // A directory over an empty directory on a third metad.
  place_on(2);
  EntryId empty = EntryId::from_proto(mkdir(1, root_, "empty").attr().id());
  must(rename(3, b, "d", 1, root_, "empty"));
  EXPECT_EQ(EntryId::from_proto(must(lookup(1, root_, "empty")).attr().id()), d);
  proto::GetAttrRequest ge;
  empty.to_proto(ge.mutable_id());
  EXPECT_EQ(code_of(call(2, ge)), proto::META_NOT_FOUND);
  expect_clean();
}

TEST_F(CrossTest, RenameWithinOneMetadOfEntriesStoredElsewhere) {
  place_on(2);
  EntryId a = EntryId::from_proto(mkdir(1, root_, "a").attr().id());
  EntryId b = EntryId::from_proto(mkdir(1, root_, "b").attr().id());
  place_on(1);
  EntryId c = EntryId::from_proto(mkdir(1, root_, "c").attr().id());
  // Remote directory a into c: only names on metad 1 change; a's ".." follows.
  must(rename(1, root_, "a", 1, c, "a"));
  EXPECT_EQ(must(lookup(1, c, "a")).attr().owner_node(), 2u);
  expect_clean();
  // Replacing the empty remote directory b.
  must(rename(1, c, "a", 1, root_, "b"));
  proto::GetAttrRequest gb;
  b.to_proto(gb.mutable_id());
  EXPECT_EQ(code_of(call(2, gb)), proto::META_NOT_FOUND);
  EXPECT_EQ(EntryId::from_proto(must(lookup(1, root_, "b")).attr().id()), a);
  expect_clean();
  // A file stored on metad 2 but named on metad 1, renamed within metad 1.
  EntryId f = file(2, a, "f");
  must(rename(2, a, "f", 1, root_, "f"));
  must(rename(1, root_, "f", 1, c, "f2"));
  EXPECT_EQ(EntryId::from_proto(must(lookup(1, c, "f2")).attr().id()), f);
  expect_clean();
  // The subtree check follows ".." through metad 2.
  place_on(1);
  EntryId inner = EntryId::from_proto(mkdir(2, a, "inner").attr().id());
  EXPECT_EQ(code_of(rename(1, root_, "b", 1, inner, "loop")), proto::META_INVALID);
  expect_clean();
}

TEST_F(CrossTest, HardLinksAcrossMetads) {
  place_on(2);
  EntryId a = EntryId::from_proto(mkdir(1, root_, "a").attr().id());
  EntryId f = file(2, a, "f");
  auto linked = must(link(1, f, 2, root_, "l"));
  EXPECT_EQ(linked.attr().nlink(), 2u);
  EXPECT_EQ(must(lookup(1, root_, "l")).attr().nlink(), 2u);
  EXPECT_EQ(code_of(link(1, f, 2, root_, "l")), proto::META_EXISTS);
  EXPECT_EQ(code_of(link(1, a, 2, root_, "dirlink")), proto::PERMISSION_DENIED);
  expect_clean();
  must(unlink(2, a, "f"));
  EXPECT_EQ(must(lookup(1, root_, "l")).attr().nlink(), 1u);
  must(unlink(1, root_, "l"));
  proto::GetAttrRequest g;
  f.to_proto(g.mutable_id());
  EXPECT_EQ(code_of(call(2, g)), proto::META_NOT_FOUND);
  expect_clean();
}

TEST_F(CrossTest, CheckerFindsDanglingNamesLeaksAndWrongLinkCounts) {
  place_on(2);
  EntryId a = EntryId::from_proto(mkdir(1, root_, "a").attr().id());
  EntryId f = file(2, a, "f");
  must(link(1, f, 2, root_, "l"));
  expect_clean();
  std::vector<MetaStore::Snapshot> snaps;
  for (auto& [id, m] : metads_) snaps.push_back(must(m.store->snapshot()));
  auto broken = [&](auto change) {
    auto copy = snaps;
    change(copy);
    return check_namespace(copy, 1);
  };
  auto erase_inode = [](MetaStore::Snapshot& s, EntryId id) {
    std::erase_if(s.inodes, [&](const Inode& n) { return n.id == id; });
  };
  // The directory a is gone from metad 2: its name on metad 1 dangles (and f's names too).
  EXPECT_FALSE(broken([&](auto& s) { erase_inode(s[1], a); }).empty());
  // The name of a is gone: a is leaked.
  EXPECT_FALSE(broken([&](auto& s) {
                 std::erase_if(s[0].dentries, [&](const Dentry& d) { return d.child == a; });
               }).empty());
  // The remote-name row of the link is gone: the name on metad 1 is not accounted for.
  EXPECT_FALSE(broken([&](auto& s) { s[1].remote_names.clear(); }).empty());
  // A wrong link count, a pending directory, an unfinished journal record.
  EXPECT_FALSE(broken([&](auto& s) { s[1].inodes[0].nlink += 1; }).empty());
  EXPECT_FALSE(broken([&](auto& s) {
                 for (auto& n : s[1].inodes)
                   if (n.id == a) n.state = Inode::kPending;
               }).empty());
  EXPECT_FALSE(broken([&](auto& s) { s[0].journal.emplace_back(1, proto::MetaJournalRecord()); }).empty());
}

// fsck reads each metad's rows in pages (RemoteSnapshot): with pages of 3
// rows the pages add up to exactly the rows of one snapshot.
TEST_F(CrossTest, SnapshotPagesAddUpToTheWholeSnapshot) {
  place_on(1);
  EntryId a = EntryId::from_proto(mkdir(1, root_, "a").attr().id());
  for (int i = 0; i < 10; ++i) file(1, a, "f" + std::to_string(i));
  place_on(2);
  EntryId b = EntryId::from_proto(mkdir(1, a, "b").attr().id());
  must(link(1, file(2, b, "g"), 2, a, "g"));
  const auto whole = must(metads_.at(1).store->snapshot());
  proto::RemoteSnapshotRequest req;
  req.set_max_rows(3);
  req.set_first(true);
  std::vector<EntryId> inodes;
  std::vector<std::string> dentries;
  size_t pages = 0, remote_names = 0;
  for (bool more = true; more && pages < 100; ++pages) {
    auto page = must(call(1, req));
    EXPECT_LE(page.inodes_size(), 3);
    EXPECT_LE(page.dentries_size(), 3);
    for (const auto& n : page.inodes()) inodes.push_back(EntryId::from_proto(n.id()));
    for (const auto& d : page.dentries()) dentries.push_back(d.name());
    remote_names += page.remote_names_size();
    more = page.more();
    req.set_first(false);
    *req.mutable_inodes_after() = page.inodes_after();
    req.set_dentries_after(page.dentries_after());
  }
  EXPECT_GE(pages, 4u);
  ASSERT_EQ(inodes.size(), whole.inodes.size());
  for (size_t i = 0; i < inodes.size(); ++i) EXPECT_EQ(inodes[i], whole.inodes[i].id);
  ASSERT_EQ(dentries.size(), whole.dentries.size());
  for (size_t i = 0; i < dentries.size(); ++i) EXPECT_EQ(dentries[i], whole.dentries[i].name);
  EXPECT_EQ(remote_names, whole.remote_names.size());
}

// A step that cannot reach a metad after the commit is finished later by the worker.
TEST_F(CrossTest, StepsToAMetadThatIsDownAreFinishedLater) {
  place_on(2);
  mkdir(1, root_, "a");
  {
    std::lock_guard lock(mutex_);
    on_point_ = [this](std::string_view p) {
      if (p == "rmdir.committed") metads_.at(2).stop();
    };
  }
  must(rmdir(1, root_, "a"));  // the name is gone; deleting the directory failed
  {
    std::lock_guard lock(mutex_);
    on_point_ = nullptr;
  }
  EXPECT_FALSE(problems().empty()) << "metad 2 still has the directory, metad 1 the journal record";
  metads_.at(2).start();
  EXPECT_EQ(recover(), 0u);
  expect_clean();
}

// Every crash point of every cross-owner operation: after recovery the
// namespace checks clean and the operation happened entirely or not at all.
struct CrashCase {
  std::string point;
};

class CrashTest : public CrossTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(CrashTest, RecoveryLeavesAConsistentNamespace) {
  const std::string point = GetParam();
  const std::string op = point.substr(0, point.find('.'));
  place_on(2);
  EntryId a = EntryId::from_proto(mkdir(1, root_, "a").attr().id());
  place_on(3);
  EntryId b = EntryId::from_proto(mkdir(1, root_, "b").attr().id());
  EntryId f = file(2, a, "f");
  EntryId old = file(3, b, "old");
  place_on(2);
  mkdir(1, root_, "e1");
  mkdir(1, root_, "e2");
  expect_clean();

  crash_once_at(point);
  Result<void> done;
  if (op == "mkdir") {
    place_on(3);
    auto r = call(1, [&] {
      proto::MkDirRequest m;
      root_.to_proto(m.mutable_parent());
      m.set_name("new");
      m.set_mode(0755);
      return m;
    }());
    if (!r) done = std::unexpected(r.error());
  } else if (op == "rmdir") {
    done = rmdir(1, root_, "e1");
  } else if (op == "rename") {
    done = rename(1, root_, "e1", 1, root_, "e2");  // replaces an empty directory on metad 2
  } else if (op == "rename_out") {
    done = rename(2, a, "f", 3, b, "old");  // replaces a file on metad 3
  } else if (op == "link") {
    auto r = link(3, f, 2, b, "l");
    if (!r) done = std::unexpected(r.error());
  }
  ASSERT_EQ(crashes(), 1) << "crash point " << point << " was not reached: " << (done ? "OK" : done.error().to_string());
  EXPECT_FALSE(done) << "the operation reported success although it stopped at " << point;

  EXPECT_EQ(recover(), 0u);
  expect_clean();
  // All or nothing.
  if (op == "mkdir") {
    auto r = lookup(1, root_, "new");
    if (r) EXPECT_EQ(r->attr().owner_node(), 3u);
    else EXPECT_EQ(code_of(r), proto::META_NOT_FOUND);
  } else if (op == "rmdir") {
    auto r = lookup(1, root_, "e1");
    EXPECT_TRUE(r || code_of(r) == proto::META_NOT_FOUND) << r.error().to_string();
  } else if (op == "rename") {
    bool moved = code_of(lookup(1, root_, "e1")) == proto::META_NOT_FOUND;
    EXPECT_TRUE(moved ? bool(lookup(1, root_, "e2")) : bool(lookup(1, root_, "e2")));
  } else if (op == "rename_out") {
    bool moved = code_of(lookup(2, a, "f")) == proto::META_NOT_FOUND;
    auto there = must(lookup(3, b, "old"));
    EXPECT_EQ(EntryId::from_proto(there.attr().id()), moved ? f : old);
  } else if (op == "link") {
    auto r = lookup(3, b, "l");
    auto orig = must(lookup(2, a, "f"));
    EXPECT_EQ(orig.attr().nlink(), r ? 2u : 1u);
  }
  // The namespace stays usable: the same operation again succeeds.
  if (op == "mkdir") {
    if (code_of(lookup(1, root_, "new")) == proto::META_NOT_FOUND) mkdir(1, root_, "new");
  } else if (op == "rmdir") {
    if (lookup(1, root_, "e1")) must(rmdir(1, root_, "e1"));
  } else if (op == "rename") {
    if (lookup(1, root_, "e1")) must(rename(1, root_, "e1", 1, root_, "e2"));
  } else if (op == "rename_out") {
    if (lookup(2, a, "f")) must(rename(2, a, "f", 3, b, "old"));
  } else if (op == "link") {
    if (!lookup(3, b, "l")) must(link(3, f, 2, b, "l"));
  }
  expect_clean();
}

INSTANTIATE_TEST_SUITE_P(AllPoints, CrashTest,
                         ::testing::Values("mkdir.begun", "mkdir.created", "mkdir.committed", "rmdir.begun",
                                           "rmdir.prepared", "rmdir.committed", "rename.begun", "rename.prepared",
                                           "rename.committed", "rename_out.begun", "rename_out.prepared",
                                           "rename_out.inserted", "rename_out.committed", "link.begun", "link.added"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

// ---- Migration (docs/metadata.md "Migration") ----

class MigrateTest : public CrossTest {
 protected:
  Result<proto::MigrateDirResponse> migrate(uint32_t owner, EntryId dir, uint32_t to) {
    proto::MigrateDirRequest r;
    dir.to_proto(r.mutable_dir());
    r.set_to(to);
    r.set_reason("test");
    return call(owner, r);
  }
};

TEST_F(MigrateTest, MovesADirectoryWithItsFilesAndRedirects) {
  place_on(1);
  EntryId a = EntryId::from_proto(mkdir(1, root_, "a").attr().id());
  EntryId b = EntryId::from_proto(mkdir(1, a, "b").attr().id());
  EntryId f = file(1, a, "f");
  auto moved = must(migrate(1, a, 2));
  EXPECT_EQ(moved.moved_entries(), 2u);  // a and f; b is a name that moved, b itself stays
  ASSERT_EQ(moved.subdirs_size(), 1);
  EXPECT_EQ(EntryId::from_proto(moved.subdirs(0).id()), b);
  EXPECT_EQ(moved.subdirs(0).owner(), 1u);
  expect_clean();

  // The root's name points at metad 2; the old owner redirects.
  EXPECT_EQ(must(lookup(1, root_, "a")).attr().owner_node(), 2u);
  proto::GetAttrRequest g;
  f.to_proto(g.mutable_id());
  auto stale = call(1, g);
  ASSERT_EQ(code_of(stale), proto::META_NOT_OWNER);
  EXPECT_EQ(stale.error().redirect_node(), 2u);
  EXPECT_EQ(must(call(2, g)).info().attr().owner_node(), 2u);
  EXPECT_EQ(must(lookup(2, a, "f")).attr().owner_node(), 2u);
  // Requests with a stale owner are redirected, not refused; new entries land on 2.
  proto::CreateRequest c;
  a.to_proto(c.mutable_parent());
  c.set_name("g");
  c.set_mode(S_IFIFO | 0644);
  auto redirected = call(1, c);
  ASSERT_EQ(code_of(redirected), proto::META_NOT_OWNER);
  EXPECT_EQ(redirected.error().redirect_node(), 2u);
  file(2, a, "g");
  EXPECT_EQ(names(2, a), (std::vector<std::string>{"b", "f", "g"}));

  // b follows; then a moves back to 1 and is served there again.
  must(migrate(1, b, 2));
  must(migrate(2, a, 1));
  EXPECT_EQ(must(call(1, g)).info().attr().owner_node(), 1u);
  EXPECT_EQ(must(lookup(1, root_, "a")).attr().owner_node(), 1u);
  EXPECT_EQ(must(lookup(1, a, "b")).attr().owner_node(), 2u);
  expect_clean();
  // The root cannot move; moving to where it is already moves nothing.
  EXPECT_EQ(code_of(migrate(1, root_, 2)), proto::META_BUSY);
  EXPECT_TRUE(must(migrate(2, b, 2)).already_there());
}

// A hard-linked file stays with its other names and its name moves; a name
// of a file stored elsewhere moves as a name and the file's record of it
// follows, also when the file is stored on the target (the name is local there).
TEST_F(MigrateTest, HardLinkedFilesStayAndNamesOfRemoteFilesMove) {
  place_on(1);
  EntryId a = EntryId::from_proto(mkdir(1, root_, "a").attr().id());
  EntryId f = file(1, a, "f");
  must(link(1, f, 1, root_, "l"));
  place_on(2);
  EntryId d2 = EntryId::from_proto(mkdir(1, root_, "d2").attr().id());
  EntryId g = file(2, d2, "g");
  must(link(1, g, 2, a, "g"));
  place_on(3);
  EntryId d3 = EntryId::from_proto(mkdir(1, root_, "d3").attr().id());
  EntryId h = file(3, d3, "h");
  must(link(1, h, 3, a, "h"));
  expect_clean();
  auto where = [&](const std::string& name) {
    auto info = must(lookup(2, a, name));
    return std::pair(info.attr().owner_node(), info.attr().nlink());
  };

  auto moved = must(migrate(1, a, 2));
  EXPECT_EQ(moved.moved_entries(), 1u);  // a itself: f stays, g and h are names
  expect_clean();
  EXPECT_EQ(where("f"), std::pair(1u, 2u));
  EXPECT_EQ(where("g"), std::pair(2u, 2u));
  EXPECT_EQ(where("h"), std::pair(3u, 2u));
  EXPECT_EQ(names(2, a), (std::vector<std::string>{"f", "g", "h"}));

  must(migrate(2, a, 3));
  expect_clean();
  for (const char* name : {"f", "g", "h"}) must(unlink(3, a, name));
  for (auto [owner, dir, name] : {std::tuple(1u, root_, "l"), std::tuple(2u, d2, "g"), std::tuple(3u, d3, "h")})
    EXPECT_EQ(must(lookup(owner, dir, name)).attr().nlink(), 1u) << name;
  expect_clean();
}

class MigrateCrashTest : public MigrateTest, public ::testing::WithParamInterface<std::string> {};

// A directory named on metad 3, stored on 1, with a file and a subdirectory
// on 2, moves to 2 and stops at a crash point: after recovery it is on one
// metad entirely, the namespace checks clean, and the move can be repeated.
TEST_P(MigrateCrashTest, RecoveryLeavesTheDirectoryOnOneMetad) {
  place_on(3);
  EntryId p = EntryId::from_proto(mkdir(1, root_, "p").attr().id());
  place_on(1);
  EntryId a = EntryId::from_proto(mkdir(3, p, "a").attr().id());
  place_on(2);
  EntryId s = EntryId::from_proto(mkdir(1, a, "s").attr().id());
  EntryId f = file(1, a, "f");
  // A hard-linked file (it stays on 1) and a name of a file stored on 2, the
  // target: a copy that is given up must leave that file alone.
  must(link(1, f, 1, a, "f2"));
  EntryId g = file(2, s, "g");
  must(link(1, g, 2, a, "g"));
  expect_clean();

  crash_once_at(GetParam());
  auto done = migrate(1, a, 2);
  ASSERT_EQ(crashes(), 1) << GetParam() << " not reached: " << (done ? "OK" : done.error().to_string());
  EXPECT_FALSE(done);
  EXPECT_EQ(recover(), 0u);
  expect_clean();
  const uint32_t where = must(lookup(3, p, "a")).attr().owner_node();
  EXPECT_TRUE(where == 1 || where == 2) << where;
  EXPECT_EQ(must(lookup(where, a, "f")).attr().id().lo(), f.lo);
  EXPECT_EQ(must(lookup(where, a, "f2")).attr().nlink(), 2u);
  EXPECT_EQ(must(lookup(where, a, "g")).attr().nlink(), 2u);
  EXPECT_EQ(must(lookup(2, s, "g")).attr().nlink(), 2u);
  if (where == 1) must(migrate(1, a, 2));
  EXPECT_EQ(must(lookup(3, p, "a")).attr().owner_node(), 2u);
  EXPECT_EQ(must(lookup(2, a, "s")).attr().owner_node(), 2u);
  expect_clean();
}

INSTANTIATE_TEST_SUITE_P(AllPoints, MigrateCrashTest,
                         ::testing::Values("migrate.begun", "migrate.copied", "migrate.committed"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

// ---- Hashed directories (docs/metadata.md, "Hashed directories"). ----

proto::MkDirRequest hashed_mkdir_request(EntryId parent, const std::string& name, uint32_t shards) {
  proto::MkDirRequest r;
  parent.to_proto(r.mutable_parent());
  r.set_name(name);
  r.set_mode(0755);
  r.set_hash_shards(shards);
  return r;
}

proto::SetHashRequest sethash_request(EntryId dir, uint32_t shards) {
  proto::SetHashRequest r;
  dir.to_proto(r.mutable_id());
  r.set_shards(shards);
  return r;
}

TEST_F(CrossTest, HashedDirectoryKeepsItsNamesInItsShards) {
  place_on(2);
  auto h = must(call(1, hashed_mkdir_request(root_, "h", 3))).info();
  const EntryId hid = EntryId::from_proto(h.attr().id());
  EXPECT_EQ(h.attr().owner_node(), 2u);
  EXPECT_EQ(h.attr().nlink(), 1u);
  ASSERT_EQ(h.shards_size(), 3);
  std::set<uint32_t> owners;
  for (const auto& s : h.shards()) owners.insert(s.owner());
  EXPECT_EQ(owners.size(), 3u) << "3 shards on 3 metads share one";
  EXPECT_EQ(must(lookup(1, root_, "h")).shards_size(), 3);

  // The directory itself keeps no names: the client is told to use the shards.
  EXPECT_EQ(code_of(lookup(2, hid, "x")), proto::META_HASHED_DIR);
  EXPECT_EQ(code_of(call(2, [&] {
              proto::ReadDirRequest r;
              hid.to_proto(r.mutable_id());
              return r;
            }())),
            proto::META_HASHED_DIR);
  // Each name in its shard.
  for (int i = 0; i < 30; ++i) {
    const std::string name = "n" + std::to_string(i);
    const auto& s = h.shards(client::shard_of_name(name, 3));
    file(s.owner(), EntryId::from_proto(s.id()), name);
  }
  expect_clean();
  // A name in the wrong shard is found by the checker.
  const std::string stray = "stray";
  const auto& wrong = h.shards((client::shard_of_name(stray, 3) + 1) % 3);
  file(wrong.owner(), EntryId::from_proto(wrong.id()), stray);
  auto found = problems();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].find("hashes to shard"), std::string::npos) << found[0];
  must(unlink(wrong.owner(), EntryId::from_proto(wrong.id()), stray));

  // rmdir refuses while a shard holds names, and the shards stay usable.
  EXPECT_EQ(code_of(rmdir(1, root_, "h")), proto::META_NOT_EMPTY);
  for (int i = 0; i < 30; ++i) {
    const std::string name = "n" + std::to_string(i);
    const auto& s = h.shards(client::shard_of_name(name, 3));
    must(unlink(s.owner(), EntryId::from_proto(s.id()), name));
  }
  const auto& s0 = h.shards(0);
  file(s0.owner(), EntryId::from_proto(s0.id()), "after");
  must(unlink(s0.owner(), EntryId::from_proto(s0.id()), "after"));
  expect_clean();
  must(rmdir(1, root_, "h"));
  EXPECT_EQ(code_of(lookup(1, root_, "h")), proto::META_NOT_FOUND);
  for (const auto& s : h.shards())
    EXPECT_EQ(code_of(call(s.owner(), [&] {
                proto::GetAttrRequest g;
                *g.mutable_id() = s.id();
                return g;
              }())),
              proto::META_NOT_FOUND)
        << "shard left behind on metad " << s.owner();
  expect_clean();
}

TEST_F(CrossTest, SethashOnlyOnAnEmptyPlainDirectory) {
  place_on(3);
  const EntryId d = EntryId::from_proto(mkdir(1, root_, "d").attr().id());
  const EntryId full = EntryId::from_proto(mkdir(1, root_, "full").attr().id());
  file(3, full, "x");
  EXPECT_EQ(code_of(call(3, sethash_request(full, 2))), proto::META_NOT_EMPTY);
  EXPECT_EQ(code_of(call(3, sethash_request(d, 1))), proto::INVALID_ARGUMENT);
  EXPECT_EQ(code_of(call(3, sethash_request(d, 65))), proto::INVALID_ARGUMENT);
  auto info = must(call(3, sethash_request(d, 2))).info();
  ASSERT_EQ(info.shards_size(), 2);
  EXPECT_EQ(code_of(call(3, sethash_request(d, 2))), proto::META_EXISTS);
  EXPECT_EQ(code_of(lookup(3, d, "y")), proto::META_HASHED_DIR);
  const auto& s = info.shards(client::shard_of_name("y", 2));
  file(s.owner(), EntryId::from_proto(s.id()), "y");
  EXPECT_TRUE(lookup(s.owner(), EntryId::from_proto(s.id()), "y"));
  expect_clean();
}

// Every crash point of hashed mkdir, sethash and rmdir of a hashed directory:
// after recovery the namespace checks clean and the operation happened
// entirely or not at all.
// A hashed directory and its shards stay where they are (the hashed
// directory's inode lists each shard's metad); the balancer skips them.
TEST_F(MigrateTest, HashedDirectoriesAndTheirShardsDoNotMove) {
  place_on(2);
  auto h = must(call(1, hashed_mkdir_request(root_, "h", 3))).info();
  const EntryId hid = EntryId::from_proto(h.attr().id());
  auto refused = migrate(2, hid, 3);
  EXPECT_EQ(code_of(refused), proto::META_BUSY);
  EXPECT_NE(refused.error().message().find("hashed"), std::string::npos) << refused.error().to_string();
  for (const auto& s : h.shards()) {
    const uint32_t to = s.owner() == 1 ? 2 : 1;
    auto shard = migrate(s.owner(), EntryId::from_proto(s.id()), to);
    EXPECT_EQ(code_of(shard), proto::META_BUSY) << "shard on metad " << s.owner();
    if (!shard) {
      EXPECT_NE(shard.error().message().find("shard"), std::string::npos) << shard.error().to_string();
    }
  }
  expect_clean();
}

class HashedCrashTest : public CrossTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(HashedCrashTest, RecoveryLeavesAConsistentNamespace) {
  const std::string point = GetParam();
  const std::string op = point.substr(0, point.find('.'));
  place_on(2);
  const EntryId s = EntryId::from_proto(mkdir(1, root_, "s").attr().id());  // on metad 2
  if (op == "rmdir") must(call(1, hashed_mkdir_request(root_, "h", 3)));
  expect_clean();

  crash_once_at(point);
  Result<void> done;
  auto run = [&] {
    if (op == "mkdir") {
      auto r = call(1, hashed_mkdir_request(root_, "h", 3));
      if (!r) done = std::unexpected(r.error());
    } else if (op == "sethash") {
      auto r = call(2, sethash_request(s, 3));
      if (!r) done = std::unexpected(r.error());
    } else {
      done = rmdir(1, root_, "h");
    }
  };
  run();
  ASSERT_EQ(crashes(), 1) << "crash point " << point << " was not reached: " << (done ? "OK" : done.error().to_string());
  EXPECT_FALSE(done) << "the operation reported success although it stopped at " << point;

  EXPECT_EQ(recover(), 0u);
  expect_clean();
  // All or nothing, and usable.
  bool happened = false;
  if (op == "mkdir" || op == "rmdir") {
    auto h = lookup(1, root_, "h");
    EXPECT_TRUE(h || code_of(h) == proto::META_NOT_FOUND) << h.error().to_string();
    if (h) {
      EXPECT_EQ(h->shards_size(), 3);
    }
    happened = op == "mkdir" ? bool(h) : !h;
  } else {
    auto info = must(lookup(1, root_, "s"));
    EXPECT_TRUE(info.shards_size() == 0 || info.shards_size() == 3) << info.shards_size();
    happened = info.shards_size() == 3;
  }
  if (!happened) {
    done = {};
    run();
    EXPECT_TRUE(done) << point << ", the second time: " << done.error().to_string();
  }
  expect_clean();
}

INSTANTIATE_TEST_SUITE_P(AllPoints, HashedCrashTest,
                         ::testing::Values("mkdir.begun", "mkdir.created", "mkdir.committed", "sethash.begun",
                                           "sethash.created", "sethash.committed", "rmdir.begun", "rmdir.prepared",
                                           "rmdir.committed"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '.') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace combfs::metad
