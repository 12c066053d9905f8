// mgmtd's registry against a real SQLite file in a temp directory, with a
// manual clock: id stability across reopen, root owner, version bumps and
// reachability transitions, mirror groups.
#include <gtest/gtest.h>

#include <filesystem>

#include "mgmtd/store/registry.h"

namespace combfs::mgmtd {
namespace {

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mgmtd_store_test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    policy_.probably_offline_after_ms = 10000;
    policy_.offline_after_ms = 30000;
    reopen();
  }
  void TearDown() override {
    reg_.reset();
    std::filesystem::remove_all(dir_);
  }
  void reopen() {
    reg_.reset();
    auto r = Registry::open((dir_ / "mgmtd.db").string(), policy_, clock_);
    ASSERT_TRUE(r) << r.error().to_string();
    reg_ = std::move(*r);
  }

  static proto::RegisterNodeRequest storage(const std::string& uuid, std::vector<std::string> target_uuids,
                                            uint32_t port = 8003) {
    proto::RegisterNodeRequest req;
    req.set_uuid(uuid);
    req.set_type(proto::NODE_STORAGE);
    req.set_alias("stor-" + uuid);
    req.set_host("127.0.0.1");
    req.set_port(port);
    for (auto& t : target_uuids) {
      auto* reg = req.add_targets();
      reg->set_uuid(t);
      reg->set_path("/data/" + t);
      reg->set_total_bytes(1000);
      reg->set_free_bytes(600);
    }
    return req;
  }
  static proto::RegisterNodeRequest meta(const std::string& uuid) {
    proto::RegisterNodeRequest req;
    req.set_uuid(uuid);
    req.set_type(proto::NODE_META);
    req.set_alias("meta-" + uuid);
    req.set_host("127.0.0.1");
    req.set_port(8005);
    return req;
  }
  proto::RegisterNodeResponse must_register(const proto::RegisterNodeRequest& req) {
    auto r = reg_->register_node(req);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? *r : proto::RegisterNodeResponse();
  }
  proto::NodeInfo node(uint32_t id) {
    auto maps = reg_->get_maps(0);
    for (auto& n : maps.nodes())
      if (n.id() == id) return n;
    ADD_FAILURE() << "node " << id << " not in the map";
    return {};
  }
  proto::TargetInfo target(uint32_t id) {
    auto maps = reg_->get_maps(0);
    for (auto& t : maps.targets())
      if (t.id() == id) return t;
    ADD_FAILURE() << "target " << id << " not in the map";
    return {};
  }
  Result<uint64_t> beat(uint32_t node_id) {
    proto::HeartbeatRequest hb;
    hb.set_node_id(node_id);
    return reg_->heartbeat(hb);
  }

  std::filesystem::path dir_;
  ReachabilityPolicy policy_;
  ManualClock clock_;
  std::unique_ptr<Registry> reg_;
};

TEST(Reachability, ThresholdsAreHalfOpen) {
  ReachabilityPolicy p{.probably_offline_after_ms = 10, .offline_after_ms = 30};
  EXPECT_EQ(reachability(-5, p), proto::REACH_ONLINE);
  EXPECT_EQ(reachability(0, p), proto::REACH_ONLINE);
  EXPECT_EQ(reachability(9, p), proto::REACH_ONLINE);
  EXPECT_EQ(reachability(10, p), proto::REACH_PROBABLY_OFFLINE);
  EXPECT_EQ(reachability(29, p), proto::REACH_PROBABLY_OFFLINE);
  EXPECT_EQ(reachability(30, p), proto::REACH_OFFLINE);
  EXPECT_EQ(reachability(1'000'000, p), proto::REACH_OFFLINE);
}

TEST_F(RegistryTest, IdsAreAssignedInOrderAndStableAcrossReopen) {
  auto a = must_register(storage("node-a", {"t-a1", "t-a2"}));
  auto b = must_register(storage("node-b", {"t-b1"}));
  EXPECT_EQ(a.node_id(), 1u);
  EXPECT_EQ(b.node_id(), 2u);
  ASSERT_EQ(a.target_ids_size(), 2);
  EXPECT_EQ(a.target_ids(0), 1u);
  EXPECT_EQ(a.target_ids(1), 2u);
  ASSERT_EQ(b.target_ids_size(), 1);
  EXPECT_EQ(b.target_ids(0), 3u);

  reopen();
  // Same uuids, new order and a new address: ids stay, the address is updated.
  auto b2 = must_register(storage("node-b", {"t-b1"}, 9003));
  auto a2 = must_register(storage("node-a", {"t-a2", "t-a1"}));
  EXPECT_EQ(b2.node_id(), 2u);
  EXPECT_EQ(a2.node_id(), 1u);
  ASSERT_EQ(a2.target_ids_size(), 2);
  EXPECT_EQ(a2.target_ids(0), 2u);
  EXPECT_EQ(a2.target_ids(1), 1u);
  EXPECT_EQ(node(2).port(), 9003u);
  EXPECT_EQ(target(3).node_id(), 2u);
  EXPECT_EQ(target(1).path(), "/data/t-a1");

  // New registrations after a reopen continue the counters.
  auto c = must_register(storage("node-c", {"t-c1"}));
  EXPECT_EQ(c.node_id(), 3u);
  EXPECT_EQ(c.target_ids(0), 4u);
}

TEST_F(RegistryTest, RootOwnerIsTheFirstMetaNodeAndPersists) {
  must_register(storage("s1", {"t1"}));
  EXPECT_EQ(reg_->root_owner(), 0u);
  auto m1 = must_register(meta("m1"));
  auto m2 = must_register(meta("m2"));
  EXPECT_EQ(m1.node_id(), 2u);
  EXPECT_EQ(m2.node_id(), 3u);
  EXPECT_EQ(reg_->root_owner(), 2u);
  EXPECT_EQ(reg_->get_maps(0).root_owner(), 2u);
  reopen();
  EXPECT_EQ(reg_->root_owner(), 2u);
  must_register(meta("m2"));
  EXPECT_EQ(reg_->root_owner(), 2u);
}

TEST_F(RegistryTest, VersionBumpsOnChangesOnlyAndPersists) {
  uint64_t v0 = reg_->version();
  auto r = must_register(storage("s1", {"t1"}));
  EXPECT_GT(r.maps_version(), v0);
  uint64_t v1 = reg_->version();
  EXPECT_EQ(r.maps_version(), v1);

  // Identical re-registration and capacity-only heartbeats change nothing visible.
  must_register(storage("s1", {"t1"}));
  EXPECT_EQ(reg_->version(), v1);
  proto::HeartbeatRequest hb;
  hb.set_node_id(r.node_id());
  auto* cap = hb.add_targets();
  cap->set_target_id(r.target_ids(0));
  cap->set_total_bytes(5000);
  cap->set_free_bytes(100);
  auto hv = reg_->heartbeat(hb);
  ASSERT_TRUE(hv) << hv.error().to_string();
  EXPECT_EQ(*hv, v1);
  EXPECT_EQ(reg_->version(), v1);
  // ... but the full map shows the fresh capacity.
  EXPECT_EQ(target(r.target_ids(0)).free_bytes(), 100u);
  EXPECT_EQ(target(r.target_ids(0)).total_bytes(), 5000u);

  // An address change and a new target are changes.
  must_register(storage("s1", {"t1"}, 9999));
  uint64_t v2 = reg_->version();
  EXPECT_GT(v2, v1);
  must_register(storage("s1", {"t1", "t2"}, 9999));
  uint64_t v3 = reg_->version();
  EXPECT_GT(v3, v2);

  // GetMaps: unchanged when the caller is current, full otherwise.
  auto same = reg_->get_maps(v3);
  EXPECT_TRUE(same.unchanged());
  EXPECT_EQ(same.version(), v3);
  EXPECT_EQ(same.targets_size(), 0);
  auto old = reg_->get_maps(v1);
  EXPECT_FALSE(old.unchanged());
  EXPECT_EQ(old.targets_size(), 2);
  EXPECT_EQ(old.nodes_size(), 1);

  // Reopening moves the version past anything handed out before.
  reopen();
  EXPECT_GT(reg_->version(), v3);
}

TEST_F(RegistryTest, ReachabilityTransitionsBumpTheVersion) {
  auto s = must_register(storage("s1", {"t1", "t2"}));
  auto m = must_register(meta("m1"));
  EXPECT_EQ(node(s.node_id()).reach(), proto::REACH_ONLINE);
  EXPECT_EQ(target(s.target_ids(0)).reach(), proto::REACH_ONLINE);
  uint64_t v = reg_->version();

  clock_.advance_ms(9999);
  ASSERT_TRUE(beat(m.node_id()));
  auto changed = reg_->tick();
  ASSERT_TRUE(changed);
  EXPECT_FALSE(*changed);
  EXPECT_EQ(reg_->version(), v);

  clock_.advance_ms(1);  // s1: 10 s without heartbeat
  changed = reg_->tick();
  ASSERT_TRUE(changed);
  EXPECT_TRUE(*changed);
  EXPECT_GT(reg_->version(), v);
  v = reg_->version();
  EXPECT_EQ(node(s.node_id()).reach(), proto::REACH_PROBABLY_OFFLINE);
  EXPECT_EQ(target(s.target_ids(1)).reach(), proto::REACH_PROBABLY_OFFLINE);
  EXPECT_EQ(node(m.node_id()).reach(), proto::REACH_ONLINE);
  // No double bump while the state holds.
  EXPECT_FALSE(*reg_->tick());
  EXPECT_EQ(reg_->version(), v);

  ASSERT_TRUE(beat(m.node_id()));
  clock_.advance_ms(20000);  // s1: 30 s without heartbeat; m1: 20 s
  EXPECT_TRUE(*reg_->tick());
  EXPECT_EQ(node(s.node_id()).reach(), proto::REACH_OFFLINE);
  EXPECT_EQ(target(s.target_ids(0)).reach(), proto::REACH_OFFLINE);
  EXPECT_EQ(node(m.node_id()).reach(), proto::REACH_PROBABLY_OFFLINE);
  EXPECT_GT(reg_->version(), v);
  v = reg_->version();

  // Offline targets do not count in StatFs.
  auto fs = reg_->stat_fs();
  EXPECT_EQ(fs.online_targets(), 0u);
  EXPECT_EQ(fs.total_targets(), 2u);
  EXPECT_EQ(fs.total_bytes(), 0u);

  // A heartbeat brings the node back at once, with a new version.
  auto hv = beat(s.node_id());
  ASSERT_TRUE(hv);
  EXPECT_GT(*hv, v);
  EXPECT_EQ(node(s.node_id()).reach(), proto::REACH_ONLINE);
  EXPECT_EQ(target(s.target_ids(0)).reach(), proto::REACH_ONLINE);
  EXPECT_EQ(reg_->stat_fs().online_targets(), 2u);
}

TEST_F(RegistryTest, KnownNodesGetAGracePeriodAfterReopen) {
  auto s = must_register(storage("s1", {"t1"}));
  clock_.advance_ms(60000);
  reopen();
  EXPECT_EQ(node(s.node_id()).reach(), proto::REACH_ONLINE);
  clock_.advance_ms(policy_.probably_offline_after_ms);
  EXPECT_TRUE(*reg_->tick());
  EXPECT_EQ(node(s.node_id()).reach(), proto::REACH_PROBABLY_OFFLINE);
}

TEST_F(RegistryTest, HeartbeatFromUnknownNodeOrTargetAsksToRegister) {
  auto hb = beat(42);
  ASSERT_FALSE(hb);
  EXPECT_EQ(hb.error().code(), proto::MGMT_UNKNOWN_NODE);
  EXPECT_NE(hb.error().message().find("register again"), std::string::npos) << hb.error().message();

  auto a = must_register(storage("a", {"ta"}));
  auto b = must_register(storage("b", {"tb"}));
  proto::HeartbeatRequest req;
  req.set_node_id(a.node_id());
  req.add_targets()->set_target_id(b.target_ids(0));  // not a's target
  auto wrong = reg_->heartbeat(req);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), proto::MGMT_UNKNOWN_TARGET);
}

TEST_F(RegistryTest, StatFsSumsOnlineTargetsAndMetaEntries) {
  must_register(storage("s1", {"t1", "t2"}));  // 1000 total / 600 free each
  auto m = must_register(meta("m1"));
  proto::HeartbeatRequest hb;
  hb.set_node_id(m.node_id());
  hb.set_entries(1234);
  ASSERT_TRUE(reg_->heartbeat(hb));
  auto fs = reg_->stat_fs();
  EXPECT_EQ(fs.total_bytes(), 2000u);
  EXPECT_EQ(fs.free_bytes(), 1200u);
  EXPECT_EQ(fs.entries(), 1234u);
  EXPECT_EQ(fs.online_targets(), 2u);
  EXPECT_EQ(fs.total_targets(), 2u);
}

TEST_F(RegistryTest, TargetDroppedFromRegistrationIsOffline) {
  auto s = must_register(storage("s1", {"t1", "t2"}));
  uint64_t v = reg_->version();
  must_register(storage("s1", {"t1"}));
  EXPECT_GT(reg_->version(), v);
  EXPECT_EQ(target(s.target_ids(0)).reach(), proto::REACH_ONLINE);
  EXPECT_EQ(target(s.target_ids(1)).reach(), proto::REACH_OFFLINE);
  EXPECT_EQ(target(s.target_ids(1)).node_id(), s.node_id());  // still known, id kept
}

TEST_F(RegistryTest, RejectsBadRegistrations) {
  auto no_uuid = storage("", {});
  EXPECT_EQ(reg_->register_node(no_uuid).error().code(), proto::INVALID_ARGUMENT);
  auto twice = storage("s1", {"t1", "t1"});
  EXPECT_EQ(reg_->register_node(twice).error().code(), proto::INVALID_ARGUMENT);
  auto no_port = storage("s1", {"t1"}, 0);
  EXPECT_EQ(reg_->register_node(no_port).error().code(), proto::INVALID_ARGUMENT);
  must_register(storage("s1", {"t1"}));
  // The same uuid cannot come back as another kind of daemon.
  auto as_meta = meta("s1");
  auto r = reg_->register_node(as_meta);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::INVALID_ARGUMENT);
  // Nothing of the refused requests was stored.
  EXPECT_EQ(reg_->get_maps(0).nodes_size(), 1);
  EXPECT_EQ(reg_->get_maps(0).targets_size(), 1);
}

TEST_F(RegistryTest, DatabaseIsWalMode) {
  must_register(storage("s1", {"t1"}));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "mgmtd.db-wal"));
}

proto::AddMirrorGroupRequest group_of(uint32_t primary, uint32_t secondary, uint32_t id = 0) {
  proto::AddMirrorGroupRequest req;
  req.set_primary(primary);
  req.set_secondary(secondary);
  req.set_group_id(id);
  return req;
}

TEST_F(RegistryTest, MirrorGroupsPairTargetsOfTwoNodesAndPersist) {
  must_register(storage("s1", {"t1", "t2"}));        // targets 1, 2 on node 1
  must_register(storage("s2", {"t3", "t4"}, 8004));  // targets 3, 4 on node 2
  uint64_t before = reg_->version();
  auto added = reg_->add_mirror_groups(group_of(1, 3));
  ASSERT_TRUE(added) << added.error().to_string();
  ASSERT_EQ(added->added_size(), 1);
  EXPECT_EQ(added->added(0).id(), 1u);
  EXPECT_GT(reg_->version(), before) << "readers must see the new group";

  // Refused, each with a reason: same node, a target already in a group,
  // unknown target, a target with itself, a taken group id.
  for (auto [req, why] : std::vector<std::pair<proto::AddMirrorGroupRequest, std::string>>{
           {group_of(2, 2), "its own buddy"},
           {group_of(1, 4), "already in mirror group 1"},
           {group_of(9, 4), "no target 9"},
           {group_of(2, 4, 1), "mirror group 1 exists"}}) {
    auto r = reg_->add_mirror_groups(req);
    ASSERT_FALSE(r) << why;
    EXPECT_EQ(r.error().code(), proto::INVALID_ARGUMENT);
    EXPECT_NE(r.error().message().find(why), std::string::npos) << r.error().message();
  }
  must_register(storage("s1", {"t1", "t2", "t5"}));  // target 5 on node 1 too
  auto same_node = reg_->add_mirror_groups(group_of(2, 5));
  ASSERT_FALSE(same_node);
  EXPECT_NE(same_node.error().message().find("both on node 1"), std::string::npos) << same_node.error().message();

  ASSERT_TRUE(reg_->add_mirror_groups(group_of(4, 2, 7)));
  reopen();
  auto maps = reg_->get_maps(0);
  ASSERT_EQ(maps.mirror_groups_size(), 2);
  EXPECT_EQ(maps.mirror_groups(0).primary(), 1u);
  EXPECT_EQ(maps.mirror_groups(0).secondary(), 3u);
  EXPECT_EQ(maps.mirror_groups(1).id(), 7u);
  EXPECT_EQ(maps.mirror_groups(1).primary(), 4u);
  auto next = reg_->add_mirror_groups([] {
    proto::AddMirrorGroupRequest req;
    req.set_automatic(true);
    return req;
  }());
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_EQ(next->added_size(), 0) << "target 5 has no buddy on another node";
  EXPECT_EQ(std::vector<uint32_t>(next->unpaired().begin(), next->unpaired().end()), std::vector<uint32_t>{5});
}

TEST_F(RegistryTest, AutomaticMirrorGroupsPairEveryUnpairedTarget) {
  must_register(storage("s1", {"t1", "t2"}));
  must_register(storage("s2", {"t3", "t4"}, 8004));
  proto::AddMirrorGroupRequest req;
  req.set_automatic(true);
  auto r = reg_->add_mirror_groups(req);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->added_size(), 2);
  EXPECT_EQ(r->unpaired_size(), 0);
  for (const auto& g : r->added()) EXPECT_NE(target(g.primary()).node_id(), target(g.secondary()).node_id());
  EXPECT_NE(target(r->added(0).primary()).node_id(), target(r->added(1).primary()).node_id())
      << "one primary per node";
  req.set_primary(1);
  EXPECT_FALSE(reg_->add_mirror_groups(req)) << "--automatic with targets given";
}

}  // namespace
}  // namespace combfs::mgmtd
