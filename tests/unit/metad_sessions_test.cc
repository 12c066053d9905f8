// Sessions: a client's open records belong to its lease. Expiry closes the
// records of the silent client only (orphans it alone had open go to the
// removal queue), requests and keepalives renew, and records found without a
// lease (after a restart) get a full lease first; a file left without a
// writer gets the size its targets hold. Store + lease + fake clock + fake targets.
#include "metad/sessions.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "tests/unit/metad_test_util.h"

namespace combfs::metad {
namespace {

using testing::code_of;
using testing::must;

constexpr uint32_t kNode = 7;
constexpr int64_t kLeaseMs = 2000;
const EntryId kRoot = EntryId::root();

class SessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = must(MetaStore::open({.path = dir_.path() + "/meta.db", .node_id = kNode, .clock = {}}));
    must(store_->ensure_root());
    restart_leases();
  }

  // What a metad restart does to leases: they live in memory only.
  void restart_leases() {
    sessions_.reset();
    locks_ = std::make_unique<locks::LockService>(
        locks::LockServiceOptions{.lease = std::chrono::milliseconds(kLeaseMs), .clock_ms = [this] { return now_; }});
    sessions_ = std::make_unique<Sessions>(*store_, *locks_);
    sessions_->set_size_probe([this](EntryId id, const proto::Layout&) -> Result<uint64_t> {
      ++probes_;
      if (!targets_up_) return error(proto::UNAVAILABLE, "target 1 is offline");
      auto it = on_targets_.find(id);
      return it == on_targets_.end() ? 0 : it->second;
    });
  }

  EntryId file(const std::string& name) {
    CreateArgs a;
    a.parent = kRoot;
    a.name = name;
    a.mode = S_IFREG | 0644;
    auto choose = [](const proto::StripePattern&) -> Result<std::vector<uint32_t>> {
      return std::vector<uint32_t>{1, 2};
    };
    return EntryId::from_proto(must(store_->create(a, choose)).info.attr().id());
  }
  // An Open as the service runs it: the request renews first.
  void open(EntryId id, bool for_write, uint64_t client) {
    sessions_->renew(client);
    must(store_->open_file(id, for_write, client));
  }
  proto::Attr attr(EntryId id) { return must(store_->get_attr(id)).attr(); }
  std::vector<Removal> queue() { return must(store_->pending_removals(100)); }

  testing::TempDir dir_;
  std::unique_ptr<MetaStore> store_;
  std::unique_ptr<locks::LockService> locks_;
  std::unique_ptr<Sessions> sessions_;
  int64_t now_ = 1'000'000;
  std::map<EntryId, uint64_t> on_targets_;  // what the fake targets hold
  bool targets_up_ = true;
  int probes_ = 0;
};

TEST_F(SessionsTest, ExpiryClosesTheSilentClientsRecordsOnly) {
  EntryId both = file("both");
  EntryId orphan = file("orphan");
  open(both, true, 1);
  open(both, true, 2);
  open(orphan, true, 1);
  must(store_->unlink(kRoot, "orphan"));
  EXPECT_EQ(attr(both).open_writers(), 2u);

  // Client 2 renews (keepalives); client 1 has died.
  for (int i = 0; i < 5; ++i) {
    now_ += kLeaseMs / 2;
    EXPECT_FALSE(locks_->renew_and_take_lost(2));
    sessions_->sweep();
  }
  EXPECT_EQ(attr(both).open_writers(), 1u);
  EXPECT_EQ(must(store_->open_clients()), (std::vector<uint64_t>{2}));
  ASSERT_EQ(queue().size(), 1u);  // the orphan only client 1 had open
  EXPECT_EQ(queue()[0].id, orphan);
  EXPECT_EQ(code_of(store_->get_attr(orphan)), proto::META_NOT_FOUND);

  // Client 1 comes back: its keepalive says once that it lost its files, and
  // its late Close changes nothing.
  EXPECT_TRUE(locks_->renew_and_take_lost(1));
  EXPECT_FALSE(locks_->renew_and_take_lost(1));
  CloseArgs c;
  c.id = both;
  c.for_write = true;
  c.client_id = 1;
  EXPECT_EQ(must(store_->close_file(c)).attr().open_writers(), 1u);
}

TEST_F(SessionsTest, RequestsAndKeepalivesRenew) {
  EntryId f = file("f");
  open(f, false, 1);
  for (int i = 0; i < 10; ++i) {
    now_ += kLeaseMs - 1;
    sessions_->renew(1);  // e.g. a Close of another file, or a Create
    sessions_->sweep();
  }
  EXPECT_EQ(must(store_->open_clients()), (std::vector<uint64_t>{1}));
  now_ += kLeaseMs;  // exactly the lease: still alive
  sessions_->sweep();
  EXPECT_EQ(must(store_->open_clients()), (std::vector<uint64_t>{1}));
  now_ += 1;
  sessions_->sweep();
  EXPECT_TRUE(must(store_->open_clients()).empty());
}

TEST_F(SessionsTest, RecordsFoundAtStartGetAFullLeaseFirst) {
  EntryId f = file("f");
  open(f, true, 1);
  must(store_->unlink(kRoot, "f"));
  // metad was down for far longer than the lease, then starts again.
  now_ += 100 * kLeaseMs;
  restart_leases();
  sessions_->sweep();  // the sweep at start
  EXPECT_EQ(attr(f).open_writers(), 1u);
  now_ += kLeaseMs - 1;
  sessions_->sweep();
  EXPECT_EQ(attr(f).open_writers(), 1u) << "expired before a full lease after the restart";
  // The client renews in time: it keeps its file.
  EXPECT_FALSE(locks_->renew_and_take_lost(1));
  now_ += kLeaseMs;
  sessions_->sweep();
  EXPECT_EQ(attr(f).open_writers(), 1u);
  // Then it dies.
  now_ += kLeaseMs + 1;
  sessions_->sweep();
  EXPECT_EQ(code_of(store_->get_attr(f)), proto::META_NOT_FOUND);
  EXPECT_EQ(queue().size(), 1u);
}

TEST_F(SessionsTest, LockRequestsExpireOpenRecordsToo) {
  // A lock request of another client finds the lease run out before the
  // periodic sweep does: the records go then, not a lease later.
  EntryId f = file("f");
  open(f, true, 1);
  now_ += kLeaseMs + 1;
  locks_->with_table(2, [](locks::LockTable&, int64_t) { return 0; });
  EXPECT_EQ(attr(f).open_writers(), 0u);
  EXPECT_TRUE(must(store_->open_clients()).empty());
}

TEST_F(SessionsTest, FilesLeftWithoutAWriterGetTheSizeOnTheTargets) {
  EntryId alone = file("alone");    // only the dead client wrote
  EntryId shared = file("shared");  // another writer stays
  EntryId read = file("read");      // the dead client only read
  open(alone, true, 1);
  open(shared, true, 1);
  open(shared, true, 2);
  open(read, false, 1);
  on_targets_ = {{alone, 5 * 1024 * 1024}, {shared, 777}, {read, 1234}};
  targets_up_ = false;
  for (int i = 0; i < 2; ++i) {  // client 2 renews, client 1 does not
    now_ += kLeaseMs / 2 + 1;
    EXPECT_FALSE(locks_->renew_and_take_lost(2));
  }
  sessions_->sweep();
  EXPECT_EQ(attr(alone).open_writers(), 0u);
  EXPECT_EQ(attr(alone).size(), 0u);  // targets down: not measured yet
  EXPECT_EQ(probes_, 1) << "only the file left without a writer is measured";
  targets_up_ = true;
  sessions_->sweep();
  EXPECT_EQ(attr(alone).size(), 5u * 1024 * 1024);
  EXPECT_EQ(attr(shared).size(), 0u) << "client 2's Close records that one";
  EXPECT_EQ(attr(read).size(), 0u);
  sessions_->sweep();
  EXPECT_EQ(probes_, 2) << "a settled file is not measured again";
}

}  // namespace
}  // namespace combfs::metad
