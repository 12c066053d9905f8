// metad in-process: the request handlers behind a real RpcServer, called
// through RpcClient with an injected cluster map (no mgmtd), and the removal
// queue worker against an in-process stand-in for stored's RemoveChunks.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <mutex>
#include <set>
#include <thread>

#include "common/rpc/client.h"
#include "common/rpc/server.h"
#include "metad/removal_queue_worker.h"
#include "metad/service.h"
#include "tests/unit/metad_test_util.h"

namespace combfs::metad {
namespace {

using namespace std::chrono_literals;
using testing::code_of;
using testing::must;

constexpr uint32_t kNode = 7;
const rpc::Secret kSecret{"metad-service-test-secret"};

// An RpcServer on 127.0.0.1:0 with its own io thread.
class LocalServer {
 public:
  explicit LocalServer(const std::string& name) {
    rpc::ServerOptions o;
    o.name = name;
    o.bind_host = "127.0.0.1";
    o.secret = kSecret;
    server_ = std::make_unique<rpc::RpcServer>(io_, o, dispatcher);
  }
  ~LocalServer() { stop(); }
  uint16_t start() {
    port_ = must(server_->listen());
    thread_ = std::thread([this] { io_.run(); });
    return port_;
  }
  void stop() {
    if (!thread_.joinable()) return;
    // RpcServer::stop() closes the acceptor, which must not race the io thread.
    io_.stop();
    thread_.join();
    server_->stop();
  }
  rpc::Endpoint endpoint() const { return {"127.0.0.1", port_}; }

  rpc::Dispatcher dispatcher;

 private:
  asio::io_context io_;
  std::unique_ptr<rpc::RpcServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

// Records the files RemoveChunks was asked to remove, per target.
struct FakeStored {
  FakeStored() : server("fake-stored") {
    server.dispatcher.add<proto::RemoveChunksRequest>(
        [this](const proto::RemoveChunksRequest& req, rpc::RequestContext&) -> Result<proto::RemoveChunksResponse> {
          std::lock_guard lock(mutex);
          for (auto& f : req.files()) removed[req.target_id()].insert(EntryId::from_proto(f));
          ++requests;
          proto::RemoveChunksResponse resp;
          resp.set_removed(req.files_size());
          return resp;
        });
  }
  std::set<EntryId> files_on(uint32_t target) {
    std::lock_guard lock(mutex);
    return removed[target];
  }
  LocalServer server;
  std::mutex mutex;
  std::map<uint32_t, std::set<EntryId>> removed;
  int requests = 0;
};

proto::TargetInfo target(uint32_t id, uint32_t node, proto::Reachability reach = proto::REACH_ONLINE) {
  proto::TargetInfo t;
  t.set_id(id);
  t.set_node_id(node);
  t.set_free_bytes(1ull << 40);
  t.set_reach(reach);
  return t;
}

proto::NodeInfo node(uint32_t id, uint16_t port) {
  proto::NodeInfo n;
  n.set_id(id);
  n.set_type(proto::NODE_STORAGE);
  n.set_host("127.0.0.1");
  n.set_port(port);
  return n;
}

uint16_t unused_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();  // closed on return: nothing listens there
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = must(MetaStore::open({.path = dir_.path() + "/meta.db", .node_id = kNode, .clock = {}}));
    must(store_->ensure_root());
    stored_.server.start();
    auto m = std::make_shared<ClusterMap>();
    m->version = 1;
    m->root_owner = kNode;
    m->nodes[10] = node(10, stored_.server.endpoint().port);
    m->nodes[11] = node(11, unused_port());
    m->targets[1] = target(1, 10);
    m->targets[2] = target(2, 10);
    m->targets[3] = target(3, 11);
    set_map(m);
    service_ = std::make_unique<MetaService>(*store_, source(), 1);
    service_->register_handlers(metad_.dispatcher);
    metad_.start();
    rpc::ClientOptions o;
    o.name = "test-client";
    o.secret = kSecret;
    o.call_timeout = 5s;
    client_ = std::make_unique<rpc::RpcClient>(o);
  }
  void TearDown() override {
    client_.reset();
    metad_.stop();
    stored_.server.stop();
  }

  ClusterMapSource source() {
    return [this]() -> Result<std::shared_ptr<const ClusterMap>> {
      std::lock_guard lock(map_mutex_);
      return map_;
    };
  }
  void set_map(std::shared_ptr<ClusterMap> m) {
    std::lock_guard lock(map_mutex_);
    map_ = std::move(m);
  }
  std::shared_ptr<ClusterMap> copy_map() {
    std::lock_guard lock(map_mutex_);
    return std::make_shared<ClusterMap>(*map_);
  }

  template <class Req>
  auto call(const Req& req) {
    return client_->call(metad_.endpoint(), req);
  }

  EntryId create_file(EntryId parent, const std::string& name, std::vector<uint32_t> targets) {
    CreateArgs a;
    a.parent = parent;
    a.name = name;
    a.mode = S_IFREG | 0644;
    auto r = must(store_->create(a, [&](const proto::StripePattern&) { return Result<std::vector<uint32_t>>(targets); }));
    return EntryId::from_proto(r.info.attr().id());
  }

  testing::TempDir dir_;
  std::unique_ptr<MetaStore> store_;
  FakeStored stored_;
  std::mutex map_mutex_;
  std::shared_ptr<const ClusterMap> map_;
  std::unique_ptr<MetaService> service_;
  LocalServer metad_{"metad"};
  std::unique_ptr<rpc::RpcClient> client_;
};

TEST_F(ServiceTest, NamespaceRequestsOverRpc) {
  auto ping = must(call(proto::PingRequest()));
  EXPECT_EQ(ping.service(), "metad");
  EXPECT_EQ(ping.node_id(), kNode);

  proto::MkDirRequest mk;
  EntryId::root().to_proto(mk.mutable_parent());
  mk.set_name("dir");
  mk.set_mode(0755);
  mk.set_uid(1000);
  proto::MkDirResponse made = must(call(mk));
  EXPECT_EQ(made.info().attr().type(), proto::FT_DIR);
  EXPECT_EQ(made.info().attr().owner_node(), kNode);
  EntryId dir = EntryId::from_proto(made.info().attr().id());

  auto again = call(mk);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), proto::META_EXISTS);
  EXPECT_EQ(again.error().to_errno(), EEXIST);

  proto::CreateRequest cr;
  dir.to_proto(cr.mutable_parent());
  cr.set_name("file");
  cr.set_mode(S_IFREG | 0644);
  cr.set_exclusive(true);
  cr.set_open_for_write(true);
  cr.set_client_id(99);
  proto::CreateResponse created = must(call(cr));
  EXPECT_TRUE(created.created());
  EXPECT_EQ(created.info().attr().open_writers(), 1u);
  // Root pattern asks for 4 targets, the map has 3 online ones: all three, distinct.
  std::set<uint32_t> targets(created.info().layout().targets().begin(), created.info().layout().targets().end());
  EXPECT_EQ(targets, (std::set<uint32_t>{1, 2, 3}));
  EXPECT_EQ(created.info().layout().pattern().num_targets(), 3u);

  proto::SymlinkRequest sl;
  dir.to_proto(sl.mutable_parent());
  sl.set_name("link");
  sl.set_target("file");
  must(call(sl));

  proto::ReadDirRequest rd;
  dir.to_proto(rd.mutable_id());
  rd.set_plus(true);
  proto::ReadDirResponse listing = must(call(rd));
  ASSERT_EQ(listing.entries_size(), 2);
  EXPECT_TRUE(listing.eof());
  EXPECT_EQ(listing.entries(0).name(), "file");
  EXPECT_EQ(listing.entries(0).info().layout().targets_size(), 3);
  EXPECT_EQ(listing.entries(1).name(), "link");
  EXPECT_EQ(listing.entries(1).type(), proto::FT_SYMLINK);

  proto::LookupRequest lk;
  dir.to_proto(lk.mutable_parent());
  lk.set_name("file");
  EXPECT_EQ(must(call(lk)).info().attr().id().lo(), created.info().attr().id().lo());
  lk.set_name("missing");
  auto missing = call(lk);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), proto::META_NOT_FOUND);
  EXPECT_NE(missing.error().message().find("missing"), std::string::npos);

  proto::CloseRequest cl;
  created.info().attr().id().hi();
  *cl.mutable_id() = created.info().attr().id();
  cl.set_for_write(true);
  cl.set_client_id(99);
  cl.set_has_size(true);
  cl.set_size(3 << 20);
  proto::CloseResponse closed = must(call(cl));
  EXPECT_EQ(closed.info().attr().size(), 3u << 20);
  EXPECT_EQ(closed.info().attr().open_writers(), 0u);

  proto::RenameRequest rn;
  dir.to_proto(rn.mutable_src_parent());
  rn.set_src_name("file");
  EntryId::root().to_proto(rn.mutable_dst_parent());
  rn.set_dst_name("dir");
  auto over_dir = call(rn);
  ASSERT_FALSE(over_dir);
  EXPECT_EQ(over_dir.error().code(), proto::META_IS_DIR);

  proto::UnlinkRequest ul;
  dir.to_proto(ul.mutable_parent());
  ul.set_name("file");
  must(call(ul));
  EXPECT_EQ(must(store_->removal_queue_size()), 1u);

  proto::GetAttrRequest ga;
  EntryId{kNode + 1, 5}.to_proto(ga.mutable_id());  // another metad's entry
  EXPECT_EQ(code_of(call(ga)), proto::META_NOT_FOUND);
}

TEST_F(ServiceTest, CreateWithoutOnlineTargetsFailsButSpecialFilesWork) {
  auto m = copy_map();
  for (auto& [id, t] : m->targets) t.set_reach(proto::REACH_OFFLINE);
  set_map(m);
  proto::CreateRequest cr;
  EntryId::root().to_proto(cr.mutable_parent());
  cr.set_name("file");
  cr.set_mode(S_IFREG | 0644);
  auto r = call(cr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::MGMT_NO_TARGETS);
  EXPECT_EQ(r.error().to_errno(), ENOSPC);
  cr.set_name("fifo");
  cr.set_mode(S_IFIFO | 0644);
  EXPECT_TRUE(call(cr));
}

TEST_F(ServiceTest, CreateWithoutAClusterMapFailsWithItsError) {
  service_.reset();
  // A second service on the same store whose map source fails.
  LocalServer other("metad-2");
  MetaService broken(*store_, [] { return Result<std::shared_ptr<const ClusterMap>>(error(proto::UNAVAILABLE, "mgmtd away")); }, 1);
  broken.register_handlers(other.dispatcher);
  other.start();
  proto::CreateRequest cr;
  EntryId::root().to_proto(cr.mutable_parent());
  cr.set_name("file");
  cr.set_mode(S_IFREG | 0644);
  auto r = client_->call(other.endpoint(), cr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::UNAVAILABLE);
  proto::MkDirRequest mk;
  EntryId::root().to_proto(mk.mutable_parent());
  mk.set_name("d");
  EXPECT_TRUE(client_->call(other.endpoint(), mk));
  other.stop();
}

TEST_F(ServiceTest, RemovalWorkerSendsRemoveChunksPerTarget) {
  RemovalWorkerOptions o;
  o.call_timeout = 500ms;
  o.files_per_request = 2;
  RemovalQueueWorker worker(*store_, *client_, source(), o);
  std::vector<EntryId> files;
  for (int i = 0; i < 5; ++i) files.push_back(create_file(EntryId::root(), "f" + std::to_string(i), {1, 2}));
  for (int i = 0; i < 5; ++i) must(store_->unlink(EntryId::root(), "f" + std::to_string(i)));
  EXPECT_EQ(must(store_->removal_queue_size()), 5u);

  RemovalQueueWorker::Pass pass = worker.drain_once();
  EXPECT_EQ(pass.rows, 5u);
  EXPECT_EQ(pass.finished, 5u);
  EXPECT_EQ(pass.failed_targets, 0u);
  EXPECT_EQ(stored_.files_on(1), std::set<EntryId>(files.begin(), files.end()));
  EXPECT_EQ(stored_.files_on(2), std::set<EntryId>(files.begin(), files.end()));
  EXPECT_EQ(stored_.requests, 6);  // 5 files, 2 per request, 2 targets
  EXPECT_EQ(must(store_->removal_queue_size()), 0u);
  EXPECT_EQ(worker.drain_once().rows, 0u);
}

TEST_F(ServiceTest, RemovalWorkerKeepsEntriesWhileATargetIsDown) {
  RemovalWorkerOptions o;
  o.call_timeout = 300ms;
  RemovalQueueWorker worker(*store_, *client_, source(), o);
  EntryId f = create_file(EntryId::root(), "f", {1, 3});  // target 3's node does not listen
  must(store_->unlink(EntryId::root(), "f"));

  RemovalQueueWorker::Pass pass = worker.drain_once();
  EXPECT_EQ(pass.finished, 0u);
  EXPECT_EQ(pass.failed_targets, 1u);
  EXPECT_EQ(stored_.files_on(1), std::set<EntryId>{f});
  auto left = must(store_->pending_removals(10));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].targets, std::vector<uint32_t>{3});  // target 1 is done

  // mgmtd says offline: not even tried.
  auto m = copy_map();
  m->targets[3].set_reach(proto::REACH_OFFLINE);
  set_map(m);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(worker.drain_once().failed_targets, 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms);

  // The target's node comes back (here: served by the same fake).
  m = copy_map();
  m->targets[3].set_reach(proto::REACH_ONLINE);
  m->nodes[11].set_port(stored_.server.endpoint().port);
  set_map(m);
  pass = worker.drain_once();
  EXPECT_EQ(pass.finished, 1u);
  EXPECT_EQ(stored_.files_on(3), std::set<EntryId>{f});
  EXPECT_EQ(must(store_->removal_queue_size()), 0u);
}

TEST_F(ServiceTest, RemovalWorkerThreadDrainsOnWakeAndStopsPromptly) {
  RemovalWorkerOptions o;
  o.idle_poll = 60s;  // only wake() can explain a quick removal
  o.call_timeout = 5s;
  RemovalQueueWorker worker(*store_, *client_, source(), o);
  store_->set_removal_listener([&] { worker.wake(); });
  worker.start();
  EntryId f = create_file(EntryId::root(), "f", {2});
  must(store_->unlink(EntryId::root(), "f"));
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (stored_.files_on(2).empty() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(stored_.files_on(2), std::set<EntryId>{f});

  // Now a target that never answers: stop() must not wait for the 5 s call timeout.
  create_file(EntryId::root(), "g", {3});
  must(store_->unlink(EntryId::root(), "g"));
  std::this_thread::sleep_for(100ms);
  auto start = std::chrono::steady_clock::now();
  worker.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  store_->set_removal_listener(nullptr);
  EXPECT_EQ(must(store_->removal_queue_size()), 1u);
}

}  // namespace
}  // namespace combfs::metad
