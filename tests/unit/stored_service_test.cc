// mgmtd and stored services in one process on loopback (port 0), wired exactly
// like their mains: RpcServer + Dispatcher + register_ops, stored registering
// through its MgmtSession. A real RpcClient then gets maps and moves data.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>
#include <thread>

#include "common/checksum.h"
#include "common/rpc/client.h"
#include "common/rpc/server.h"
#include "mgmtd/service.h"
#include "stored/mgmt_session.h"
#include "stored/service.h"

namespace combfs {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const rpc::Secret kSecret{"stored service test secret"};

// One daemon's server side: its own io_context, so a "restart" really drops
// every connection (destroying the io_context closes their sockets).
struct ServerHost {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  rpc::Dispatcher dispatcher;
  std::unique_ptr<rpc::RpcServer> server;
  std::vector<std::thread> threads;
  uint16_t port = 0;

  void listen(const std::string& name, uint16_t want_port) {
    rpc::ServerOptions opts;
    opts.name = name;
    opts.bind_host = "127.0.0.1";
    opts.port = want_port;
    opts.secret = kSecret;
    server = std::make_unique<rpc::RpcServer>(io, opts, dispatcher);
    auto bound = server->listen();
    ASSERT_TRUE(bound) << bound.error().to_string();
    port = *bound;
    for (int i = 0; i < 4; ++i) threads.emplace_back([this] { io.run(); });
  }
  void shutdown() {
    io.stop();
    for (auto& t : threads) t.join();
    threads.clear();
  }
  ~ServerHost() { shutdown(); }
};

struct Mgmtd {
  // Declared first: destroyed after the service it runs.
  ServerHost host;
  std::unique_ptr<mgmtd::MgmtdService> service;

  Mgmtd(const fs::path& dir, uint16_t port) {
    mgmtd::MgmtdOptions opts;
    opts.data_dir = dir.string();
    opts.tick_interval = 100ms;
    auto s = mgmtd::MgmtdService::open(host.io, opts);
    EXPECT_TRUE(s) << s.error().to_string();
    if (!s) return;
    service = std::move(*s);
    service->register_ops(host.dispatcher);
    service->start();
    host.listen("mgmtd", port);
  }
  ~Mgmtd() {
    if (service) service->stop();
    host.shutdown();
  }
  rpc::Endpoint endpoint() const { return {"127.0.0.1", host.port}; }
};

class StoredServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stored_service_test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    mgmtd_ = std::make_unique<Mgmtd>(dir_ / "mgmtd", 0);
    ASSERT_TRUE(mgmtd_->service);

    stored::StoredOptions opts;
    opts.target_dirs = {(dir_ / "t1").string(), (dir_ / "t2").string()};
    auto s = stored::StoredService::open(opts);
    ASSERT_TRUE(s) << s.error().to_string();
    stored_ = std::move(*s);
    stored_->register_ops(stored_host_.dispatcher);
    stored_host_.listen("stored", 0);

    rpc::ClientOptions copts;
    copts.name = "test";
    copts.secret = kSecret;
    copts.call_timeout = 5000ms;
    client_ = std::make_unique<rpc::RpcClient>(copts);

    stored::SessionOptions sopts;
    sopts.node_uuid = "stored-node-uuid";
    sopts.alias = "test-stored";
    sopts.host = "127.0.0.1";
    sopts.port = stored_host_.port;
    sopts.heartbeat_interval = 50ms;
    sopts.patience = 10s;
    session_ = std::make_unique<stored::MgmtSession>(*client_, mgmtd_->endpoint(), stored_->state(), sopts);
  }
  void TearDown() override {
    session_.reset();
    stored_host_.shutdown();
    client_.reset();
    mgmtd_.reset();
    fs::remove_all(dir_);
  }

  rpc::Endpoint stored_ep() const { return {"127.0.0.1", stored_host_.port}; }

  proto::GetMapsResponse maps() {
    auto m = client_->call(mgmtd_->endpoint(), proto::GetMapsRequest());
    EXPECT_TRUE(m) << m.error().to_string();
    return m ? *m : proto::GetMapsResponse();
  }

  fs::path dir_;
  std::unique_ptr<Mgmtd> mgmtd_;
  ServerHost stored_host_;
  std::unique_ptr<stored::StoredService> stored_;
  std::unique_ptr<rpc::RpcClient> client_;
  std::unique_ptr<stored::MgmtSession> session_;
};

TEST_F(StoredServiceTest, RegistersAndServesChunksOverRpc) {
  // Before registration the node answers, but asks to retry.
  proto::StatChunkRequest early;
  early.set_target_id(1);
  *early.mutable_file() = EntryId{1, 2}.to_proto();
  auto too_early = client_->call(stored_ep(), early);
  ASSERT_FALSE(too_early);
  EXPECT_EQ(too_early.error().code(), proto::UNAVAILABLE);

  auto reg = session_->register_node();
  ASSERT_TRUE(reg) << reg.error().to_string();
  session_->start_heartbeat();

  auto m = maps();
  ASSERT_EQ(m.nodes_size(), 1);
  EXPECT_EQ(m.nodes(0).type(), proto::NODE_STORAGE);
  EXPECT_EQ(m.nodes(0).port(), stored_host_.port);
  EXPECT_EQ(m.nodes(0).reach(), proto::REACH_ONLINE);
  ASSERT_EQ(m.targets_size(), 2);
  std::map<std::string, uint32_t> id_of_path;
  for (auto& t : m.targets()) {
    EXPECT_EQ(t.node_id(), m.nodes(0).id());
    EXPECT_GT(t.total_bytes(), 0u);
    id_of_path[t.path()] = t.id();
  }
  ASSERT_TRUE(id_of_path.count((dir_ / "t1").string()));
  ASSERT_TRUE(id_of_path.count((dir_ / "t2").string()));
  const uint32_t t1 = id_of_path[(dir_ / "t1").string()];
  const uint32_t t2 = id_of_path[(dir_ / "t2").string()];

  auto ping = client_->call(stored_ep(), proto::PingRequest());
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->service(), "stored");
  EXPECT_EQ(ping->node_id(), m.nodes(0).id());
  auto mping = client_->call(mgmtd_->endpoint(), proto::PingRequest());
  ASSERT_TRUE(mping);
  EXPECT_EQ(mping->service(), "mgmtd");

  // Write to t1 through the bulk payload, read it back, stat it.
  const EntryId file{1, 0x2a};
  std::vector<char> data(300000);
  std::iota(data.begin(), data.end(), 0);
  proto::WriteChunkRequest w;
  w.set_target_id(t1);
  *w.mutable_file() = file.to_proto();
  w.set_offset(4096);
  {
    // Without its checksums a write is refused; with one wrong, too, and
    // nothing reaches the disk.
    auto unsummed = client_->call(stored_ep(), w, rpc::CallBulk{data, {}});
    ASSERT_FALSE(unsummed);
    EXPECT_EQ(unsummed.error().code(), proto::INVALID_ARGUMENT);
    auto crcs = checksum::piece_crcs(4096, data);
    crcs[2] ^= 1;
    w.mutable_crcs()->Add(crcs.begin(), crcs.end());
    auto damaged = client_->call(stored_ep(), w, rpc::CallBulk{data, {}});
    ASSERT_FALSE(damaged);
    EXPECT_EQ(damaged.error().code(), proto::STORAGE_CHECKSUM_MISMATCH);
    EXPECT_NE(damaged.error().message().find("local offset 131072"), std::string::npos) << damaged.error().message();
    EXPECT_FALSE(fs::exists(dir_ / "t1/chunks/2a" / file.to_string())) << "a refused write writes nothing";
    w.set_crcs(2, crcs[2] ^ 1);
  }
  auto wr = client_->call(stored_ep(), w, rpc::CallBulk{data, {}});
  ASSERT_TRUE(wr) << wr.error().to_string();
  EXPECT_EQ(wr->written(), data.size());
  EXPECT_TRUE(fs::exists(dir_ / "t1/chunks/2a" / file.to_string()));

  proto::ReadChunkRequest r;
  r.set_target_id(t1);
  *r.mutable_file() = file.to_proto();
  r.set_offset(0);
  r.set_length(400000);
  std::vector<char> in(400000, 'x');
  size_t bulk_len = 0;
  auto rd = client_->call(stored_ep(), r, rpc::CallBulk{{}, in}, &bulk_len);
  ASSERT_TRUE(rd) << rd.error().to_string();
  EXPECT_EQ(rd->length(), 4096 + data.size());
  EXPECT_EQ(bulk_len, 4096 + data.size());
  EXPECT_TRUE(std::all_of(in.begin(), in.begin() + 4096, [](char c) { return c == 0; }));
  EXPECT_TRUE(std::equal(data.begin(), data.end(), in.begin() + 4096));
  EXPECT_TRUE(rd->checksummed());
  EXPECT_FALSE(rd->absent());
  EXPECT_EQ(std::vector<uint32_t>(rd->crcs().begin(), rd->crcs().end()),
            checksum::piece_crcs(0, std::span<const char>(in.data(), bulk_len)));

  // A small read (sent from a buffer, not with sendfile) across the file's end.
  r.set_offset(4096 + data.size() - 1000);
  r.set_length(5000);
  rd = client_->call(stored_ep(), r, rpc::CallBulk{{}, in}, &bulk_len);
  ASSERT_TRUE(rd) << rd.error().to_string();
  EXPECT_EQ(rd->length(), 1000u);
  EXPECT_EQ(bulk_len, 1000u);
  EXPECT_TRUE(std::equal(data.end() - 1000, data.end(), in.begin()));
  EXPECT_EQ(std::vector<uint32_t>(rd->crcs().begin(), rd->crcs().end()),
            checksum::piece_crcs(r.offset(), std::span<const char>(in.data(), bulk_len)));
  r.set_offset(0);
  r.set_length(400000);

  // The same file on t2 is a different chunk file: there is none.
  r.set_target_id(t2);
  rd = client_->call(stored_ep(), r, rpc::CallBulk{{}, in}, &bulk_len);
  ASSERT_TRUE(rd);
  EXPECT_EQ(rd->length(), 0u);
  EXPECT_EQ(bulk_len, 0u);
  EXPECT_TRUE(rd->absent());

  proto::StatChunkRequest st;
  st.set_target_id(t1);
  *st.mutable_file() = file.to_proto();
  auto sr = client_->call(stored_ep(), st);
  ASSERT_TRUE(sr);
  EXPECT_TRUE(sr->exists());
  EXPECT_TRUE(sr->checksummed());
  EXPECT_EQ(sr->local_size(), 4096 + data.size());

  proto::TruncateChunkRequest tr;
  tr.set_target_id(t1);
  *tr.mutable_file() = file.to_proto();
  tr.set_local_size(10);
  ASSERT_TRUE(client_->call(stored_ep(), tr));
  proto::FsyncChunkRequest fr;
  fr.set_target_id(t1);
  *fr.mutable_file() = file.to_proto();
  ASSERT_TRUE(client_->call(stored_ep(), fr));
  EXPECT_EQ(client_->call(stored_ep(), st)->local_size(), 10u);

  proto::RemoveChunksRequest rm;
  rm.set_target_id(t1);
  *rm.add_files() = file.to_proto();
  *rm.add_files() = EntryId{1, 0x99}.to_proto();  // never written: fine
  auto rmr = client_->call(stored_ep(), rm);
  ASSERT_TRUE(rmr) << rmr.error().to_string();
  EXPECT_EQ(rmr->removed(), 1u);
  EXPECT_FALSE(client_->call(stored_ep(), st)->exists());

  // A target id this node does not have.
  proto::WriteChunkRequest bad = w;
  bad.set_target_id(999);
  auto unknown = client_->call(stored_ep(), bad, rpc::CallBulk{data, {}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code(), proto::STORAGE_UNKNOWN_TARGET);
  EXPECT_NE(unknown.error().message().find("target 999"), std::string::npos) << unknown.error().message();

  // Heartbeats carry capacities: mgmtd's StatFs sums both targets.
  auto fsr = client_->call(mgmtd_->endpoint(), proto::StatFsRequest());
  ASSERT_TRUE(fsr);
  EXPECT_EQ(fsr->total_targets(), 2u);
  EXPECT_EQ(fsr->online_targets(), 2u);
  EXPECT_GT(fsr->total_bytes(), 0u);
}

TEST_F(StoredServiceTest, ReRegistersWhenMgmtdForgetsTheNode) {
  ASSERT_TRUE(session_->register_node());
  session_->start_heartbeat();
  const uint16_t port = mgmtd_->host.port;
  auto before = maps();
  ASSERT_EQ(before.targets_size(), 2);

  // mgmtd comes back on the same port with an empty registry, where another
  // storage node registers first: this node's ids will be different.
  mgmtd_.reset();
  mgmtd_ = std::make_unique<Mgmtd>(dir_ / "mgmtd-fresh", port);
  ASSERT_TRUE(mgmtd_->service);
  proto::RegisterNodeRequest other;
  other.set_uuid("other-node");
  other.set_type(proto::NODE_STORAGE);
  other.set_host("127.0.0.1");
  other.set_port(1);
  auto* ot = other.add_targets();
  ot->set_uuid("other-target");
  ot->set_path("/elsewhere");
  // The client's pooled connection went with the old mgmtd: a call may find it
  // dead (the error says so) before the pool opens a new one.
  auto registered = client_->call(mgmtd_->endpoint(), other);
  for (int attempt = 0; attempt < 3 && !registered; ++attempt) {
    std::this_thread::sleep_for(50ms);
    registered = client_->call(mgmtd_->endpoint(), other);
  }
  ASSERT_TRUE(registered) << registered.error().to_string();

  // The next heartbeat is refused (unknown node) and the session registers again.
  proto::GetMapsResponse after;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    after = maps();
    if (after.nodes_size() == 2) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(after.nodes_size(), 2);
  uint32_t new_t1 = 0;
  for (auto& t : after.targets())
    if (t.path() == (dir_ / "t1").string()) new_t1 = t.id();
  ASSERT_EQ(new_t1, 2u);  // other-target got 1

  // stored uses the new ids: target 2 is t1 now, and 1 is not on this node.
  const EntryId file{1, 5};
  std::vector<char> data(1000, 'z');
  proto::WriteChunkRequest w;
  w.set_target_id(new_t1);
  *w.mutable_file() = file.to_proto();
  w.add_crcs(checksum::crc32c(data));
  auto deadline2 = std::chrono::steady_clock::now() + 5s;
  Result<proto::WriteChunkResponse> wr = client_->call(stored_ep(), w, rpc::CallBulk{data, {}});
  while (!wr && std::chrono::steady_clock::now() < deadline2) {  // ids are installed right after the registration
    std::this_thread::sleep_for(20ms);
    wr = client_->call(stored_ep(), w, rpc::CallBulk{data, {}});
  }
  ASSERT_TRUE(wr) << wr.error().to_string();
  EXPECT_TRUE(fs::exists(dir_ / "t1/chunks/05" / file.to_string()));
  w.set_target_id(1);
  auto stale = client_->call(stored_ep(), w, rpc::CallBulk{data, {}});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code(), proto::STORAGE_UNKNOWN_TARGET);
}

TEST_F(StoredServiceTest, StopCancelsRegistrationWhileMgmtdIsDown) {
  mgmtd_.reset();  // nobody listens on the mgmtd port any more
  std::thread stopper([this] {
    std::this_thread::sleep_for(300ms);
    session_->stop();
  });
  auto start = std::chrono::steady_clock::now();
  auto reg = session_->register_node();  // patience is 10 s
  auto took = std::chrono::steady_clock::now() - start;
  stopper.join();
  ASSERT_FALSE(reg);
  EXPECT_LT(took, 7s);  // bounded by one call timeout, not by the patience
}

}  // namespace
}  // namespace combfs
