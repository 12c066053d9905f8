// metad/locks/: the lock table (conflicts, split/merge, owners, flock,
// deadlock detection) checked case by case and against a per-byte model with
// random operations; leases; the SetLock/GetLock/LockKeepalive handlers
// through a Dispatcher with a fake clock.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <random>

#include "metad/locks/leases.h"
#include "metad/locks/lock_ops.h"
#include "metad/locks/lock_table.h"

namespace combfs::metad::locks {
namespace {

const EntryId kFile{7, 100};
const EntryId kOther{7, 101};
const Owner kA{1, 10};
const Owner kB{1, 11};  // same client, another process
const Owner kC{2, 10};  // another client, same kernel owner value

LockRequest posix(const Owner& o, Type t, uint64_t start, uint64_t end, bool wait = false, EntryId file = kFile) {
  return LockRequest{file, Kind::posix, o, t, start, end, uint32_t(o.owner), wait};
}
LockRequest flock(const Owner& o, Type t) { return LockRequest{kFile, Kind::flock, o, t, 0, kToEof, 0, false}; }

Lock lock(const Owner& o, Type t, uint64_t start, uint64_t end) { return Lock{o, t, start, end, uint32_t(o.owner)}; }

// ---- POSIX: ranges of one owner -------------------------------------------------

TEST(LockTableTest, SetAndUnlockWholeFile) {
  LockTable t;
  EXPECT_EQ(t.set(posix(kA, Type::write, 0, kToEof), 0).outcome, Outcome::granted);
  EXPECT_EQ(t.locks(kFile, Kind::posix), std::vector<Lock>{lock(kA, Type::write, 0, kToEof)});
  EXPECT_EQ(t.set(posix(kA, Type::unlock, 0, kToEof), 0).outcome, Outcome::granted);
  EXPECT_TRUE(t.locks(kFile, Kind::posix).empty());
  EXPECT_EQ(t.files(), 0u);  // no empty entries stay behind
}

TEST(LockTableTest, UnlockWithoutLocksSucceeds) {
  LockTable t;
  EXPECT_EQ(t.set(posix(kA, Type::unlock, 5, 10), 0).outcome, Outcome::granted);
  EXPECT_EQ(t.size(), 0u);
}

TEST(LockTableTest, UnlockInTheMiddleSplits) {
  LockTable t;
  t.set(posix(kA, Type::read, 0, 99), 0);
  t.set(posix(kA, Type::unlock, 40, 59), 0);
  EXPECT_EQ(t.locks(kFile, Kind::posix),
            (std::vector<Lock>{lock(kA, Type::read, 0, 39), lock(kA, Type::read, 60, 99)}));
}

TEST(LockTableTest, OtherTypeInTheMiddleSplitsIntoThree) {
  LockTable t;
  t.set(posix(kA, Type::read, 0, 99), 0);
  t.set(posix(kA, Type::write, 10, 19), 0);
  EXPECT_EQ(t.locks(kFile, Kind::posix),
            (std::vector<Lock>{lock(kA, Type::read, 0, 9), lock(kA, Type::write, 10, 19), lock(kA, Type::read, 20, 99)}));
  // Downgrading the middle back merges all three.
  t.set(posix(kA, Type::read, 10, 19), 0);
  EXPECT_EQ(t.locks(kFile, Kind::posix), std::vector<Lock>{lock(kA, Type::read, 0, 99)});
}

TEST(LockTableTest, AdjacentAndOverlappingSameTypeMerge) {
  LockTable t;
  t.set(posix(kA, Type::write, 0, 9), 0);
  t.set(posix(kA, Type::write, 10, 19), 0);  // adjacent
  EXPECT_EQ(t.locks(kFile, Kind::posix), std::vector<Lock>{lock(kA, Type::write, 0, 19)});
  t.set(posix(kA, Type::write, 30, 39), 0);
  EXPECT_EQ(t.locks(kFile, Kind::posix).size(), 2u);  // gap 20-29 keeps them apart
  t.set(posix(kA, Type::write, 15, 34), 0);           // bridges both
  EXPECT_EQ(t.locks(kFile, Kind::posix), std::vector<Lock>{lock(kA, Type::write, 0, 39)});
}

TEST(LockTableTest, AdjacentDifferentTypesStayApart) {
  LockTable t;
  t.set(posix(kA, Type::write, 0, 9), 0);
  t.set(posix(kA, Type::read, 10, 19), 0);
  EXPECT_EQ(t.locks(kFile, Kind::posix),
            (std::vector<Lock>{lock(kA, Type::write, 0, 9), lock(kA, Type::read, 10, 19)}));
}

TEST(LockTableTest, UpgradeOverlapReplacesThePart) {
  LockTable t;
  t.set(posix(kA, Type::read, 0, 49), 0);
  t.set(posix(kA, Type::write, 25, 74), 0);
  EXPECT_EQ(t.locks(kFile, Kind::posix),
            (std::vector<Lock>{lock(kA, Type::read, 0, 24), lock(kA, Type::write, 25, 74)}));
}

TEST(LockTableTest, ToEofRangesMergeAndSplitWithoutOverflow) {
  LockTable t;
  t.set(posix(kA, Type::write, 100, kToEof), 0);
  t.set(posix(kA, Type::write, 0, 99), 0);
  EXPECT_EQ(t.locks(kFile, Kind::posix), std::vector<Lock>{lock(kA, Type::write, 0, kToEof)});
  t.set(posix(kA, Type::unlock, kToEof, kToEof), 0);
  EXPECT_EQ(t.locks(kFile, Kind::posix), std::vector<Lock>{lock(kA, Type::write, 0, kToEof - 1)});
  t.set(posix(kA, Type::unlock, 0, 0), 0);
  EXPECT_EQ(t.locks(kFile, Kind::posix), std::vector<Lock>{lock(kA, Type::write, 1, kToEof - 1)});
}

// ---- POSIX: owners ----------------------------------------------------------------

TEST(LockTableTest, ReadLocksShareWriteLocksExclude) {
  LockTable t;
  EXPECT_EQ(t.set(posix(kA, Type::read, 0, 99), 0).outcome, Outcome::granted);
  EXPECT_EQ(t.set(posix(kB, Type::read, 50, 149), 0).outcome, Outcome::granted);
  auto r = t.set(posix(kC, Type::write, 120, 130), 0);
  EXPECT_EQ(r.outcome, Outcome::would_block);
  ASSERT_TRUE(r.conflict);
  EXPECT_EQ(*r.conflict, lock(kB, Type::read, 50, 149));
  EXPECT_EQ(t.set(posix(kC, Type::write, 150, 200), 0).outcome, Outcome::granted);  // just past B's range
  EXPECT_EQ(t.set(posix(kA, Type::read, 150, 150), 0).outcome, Outcome::would_block);
}

TEST(LockTableTest, RefusedRequestChangesNothing) {
  LockTable t;
  t.set(posix(kA, Type::read, 0, 99), 0);
  t.set(posix(kB, Type::read, 50, 59), 0);
  auto before = t.locks(kFile, Kind::posix);
  // A wants to upgrade all of its range, but B reads in the middle.
  EXPECT_EQ(t.set(posix(kA, Type::write, 0, 99), 0).outcome, Outcome::would_block);
  EXPECT_EQ(t.locks(kFile, Kind::posix), before);
}

TEST(LockTableTest, OwnersAreClientAndKernelOwner) {
  LockTable t;
  t.set(posix(kA, Type::write, 0, 9), 0);
  // kC has the same kernel owner number on another mount: a different owner.
  EXPECT_EQ(t.set(posix(kC, Type::write, 0, 9), 0).outcome, Outcome::would_block);
  // The same owner never conflicts with itself.
  EXPECT_EQ(t.set(posix(kA, Type::read, 0, 9), 0).outcome, Outcome::granted);
}

TEST(LockTableTest, UnlockOnlyTouchesTheOwnersLocks) {
  LockTable t;
  t.set(posix(kA, Type::read, 0, 9), 0);
  t.set(posix(kB, Type::read, 0, 9), 0);
  t.set(posix(kA, Type::unlock, 0, kToEof), 0);  // what a close of A does
  EXPECT_EQ(t.locks(kFile, Kind::posix), std::vector<Lock>{lock(kB, Type::read, 0, 9)});
}

TEST(LockTableTest, FilesAreIndependent) {
  LockTable t;
  t.set(posix(kA, Type::write, 0, kToEof), 0);
  EXPECT_EQ(t.set(posix(kB, Type::write, 0, kToEof, false, kOther), 0).outcome, Outcome::granted);
}

TEST(LockTableTest, TestReportsLowestConflictingLock) {
  LockTable t;
  t.set(posix(kA, Type::read, 50, 59), 0);
  t.set(posix(kB, Type::write, 20, 29), 0);
  EXPECT_EQ(t.test(kFile, Kind::posix, kC, Type::write, 0, kToEof), lock(kB, Type::write, 20, 29));
  EXPECT_EQ(t.test(kFile, Kind::posix, kC, Type::read, 0, kToEof), lock(kB, Type::write, 20, 29));
  EXPECT_EQ(t.test(kFile, Kind::posix, kC, Type::read, 40, 100), std::nullopt);  // read vs read
  EXPECT_EQ(t.test(kFile, Kind::posix, kC, Type::write, 40, 100), lock(kA, Type::read, 50, 59));
  EXPECT_EQ(t.test(kFile, Kind::posix, kA, Type::write, 50, 59), std::nullopt);   // own lock
  EXPECT_EQ(t.test(kFile, Kind::posix, kC, Type::unlock, 0, kToEof), std::nullopt);
  EXPECT_EQ(t.test(kOther, Kind::posix, kC, Type::write, 0, kToEof), std::nullopt);
}

// ---- flock -----------------------------------------------------------------------

TEST(LockTableTest, FlockSharedAndExclusive) {
  LockTable t;
  EXPECT_EQ(t.set(flock(kA, Type::read), 0).outcome, Outcome::granted);
  EXPECT_EQ(t.set(flock(kB, Type::read), 0).outcome, Outcome::granted);
  EXPECT_EQ(t.set(flock(kC, Type::write), 0).outcome, Outcome::would_block);
  // A cannot upgrade while B shares; its shared lock stays.
  EXPECT_EQ(t.set(flock(kA, Type::write), 0).outcome, Outcome::would_block);
  EXPECT_EQ(t.locks(kFile, Kind::flock).size(), 2u);
  t.set(flock(kB, Type::unlock), 0);
  EXPECT_EQ(t.set(flock(kA, Type::write), 0).outcome, Outcome::granted);
  EXPECT_EQ(t.locks(kFile, Kind::flock), (std::vector<Lock>{Lock{kA, Type::write, 0, kToEof, 0}}));
  EXPECT_EQ(t.set(flock(kB, Type::read), 0).outcome, Outcome::would_block);
  EXPECT_EQ(t.set(flock(kA, Type::read), 0).outcome, Outcome::granted);  // downgrade
  EXPECT_EQ(t.set(flock(kB, Type::read), 0).outcome, Outcome::granted);
}

TEST(LockTableTest, FlockAndPosixDoNotInteract) {
  LockTable t;
  t.set(flock(kA, Type::write), 0);
  EXPECT_EQ(t.set(posix(kB, Type::write, 0, kToEof), 0).outcome, Outcome::granted);
  EXPECT_EQ(t.test(kFile, Kind::flock, kB, Type::read, 0, kToEof), (Lock{kA, Type::write, 0, kToEof, 0}));
  t.set(posix(kA, Type::unlock, 0, kToEof), 0);  // a POSIX unlock leaves the flock lock
  EXPECT_EQ(t.locks(kFile, Kind::flock).size(), 1u);
}

// ---- clients ---------------------------------------------------------------------

TEST(LockTableTest, DropClientRemovesAllItsLocksAndWaiters) {
  LockTable t;
  t.set(posix(kA, Type::write, 0, 9), 0);
  t.set(posix(kB, Type::write, 20, 29, false, kOther), 0);
  t.set(flock(kA, Type::read), 0);
  t.set(posix(kC, Type::read, 40, 49), 0);
  t.set(posix(kC, Type::write, 0, 9, /*wait=*/true), 0);  // kC (client 2) waits
  EXPECT_TRUE(t.waiting(kC, 0));
  EXPECT_EQ(t.drop_client(1), 3u);
  EXPECT_EQ(t.locks(kFile, Kind::posix), std::vector<Lock>{lock(kC, Type::read, 40, 49)});
  EXPECT_TRUE(t.locks(kOther, Kind::posix).empty());
  EXPECT_TRUE(t.locks(kFile, Kind::flock).empty());
  EXPECT_EQ(t.drop_client(2), 2u);  // its lock and its waiter record
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.files(), 0u);
  EXPECT_FALSE(t.waiting(kC, 0));
}

// ---- deadlock detection -----------------------------------------------------------

TEST(LockTableTest, TwoOwnerDeadlockIsDetected) {
  LockTable t;
  t.set(posix(kA, Type::write, 0, 0), 0);
  t.set(posix(kC, Type::write, 1, 1), 0);
  // A waits for C's byte 1 ...
  EXPECT_EQ(t.set(posix(kA, Type::write, 1, 1, true), 0).outcome, Outcome::would_block);
  // ... and C now asks to wait for A's byte 0: a cycle.
  auto r = t.set(posix(kC, Type::write, 0, 0, true), 10);
  EXPECT_EQ(r.outcome, Outcome::deadlock);
  EXPECT_FALSE(t.waiting(kC, 10));
  // Without waiting it is just EAGAIN.
  EXPECT_EQ(t.set(posix(kC, Type::write, 0, 0, false), 10).outcome, Outcome::would_block);
  // C gives up its byte; A's retry is granted and A stops waiting.
  t.set(posix(kC, Type::unlock, 1, 1), 10);
  EXPECT_EQ(t.set(posix(kA, Type::write, 1, 1, true), 20).outcome, Outcome::granted);
  EXPECT_FALSE(t.waiting(kA, 20));
}

TEST(LockTableTest, ThreeOwnerCycleAcrossFilesIsDetected) {
  LockTable t;
  t.set(posix(kA, Type::write, 0, 0), 0);
  t.set(posix(kB, Type::write, 0, 0, false, kOther), 0);
  t.set(posix(kC, Type::write, 5, 5), 0);
  EXPECT_EQ(t.set(posix(kA, Type::write, 0, 0, true, kOther), 0).outcome, Outcome::would_block);  // A -> B
  EXPECT_EQ(t.set(posix(kB, Type::write, 5, 5, true), 0).outcome, Outcome::would_block);          // B -> C
  EXPECT_EQ(t.set(posix(kC, Type::read, 0, 0, true), 0).outcome, Outcome::deadlock);              // C -> A
}

TEST(LockTableTest, ChainWithoutCycleIsNoDeadlock) {
  LockTable t;
  t.set(posix(kA, Type::write, 0, 0), 0);
  t.set(posix(kB, Type::write, 1, 1), 0);
  EXPECT_EQ(t.set(posix(kA, Type::write, 1, 1, true), 0).outcome, Outcome::would_block);  // A -> B
  EXPECT_EQ(t.set(posix(kC, Type::write, 0, 0, true), 0).outcome, Outcome::would_block);  // C -> A -> B
}

TEST(LockTableTest, StaleAndCancelledWaitersDoNotCauseDeadlocks) {
  LockTable t(/*waiter_ttl_ms=*/1000);
  t.set(posix(kA, Type::write, 0, 0), 0);
  t.set(posix(kC, Type::write, 1, 1), 0);
  t.set(posix(kA, Type::write, 1, 1, true), 0);  // A waits at t=0, then stops asking
  EXPECT_EQ(t.set(posix(kC, Type::write, 0, 0, true), 1001).outcome, Outcome::would_block);
  t.cancel_wait(kC);
  t.set(posix(kA, Type::write, 1, 1, true), 2000);  // A waits again ...
  t.cancel_wait(kA);                               // ... and is interrupted
  EXPECT_EQ(t.set(posix(kC, Type::write, 0, 0, true), 2001).outcome, Outcome::would_block);
}

// ---- random operations against a per-byte model ----------------------------------

// The model's file: bytes 0..kBytes-1 and one cell (index kBytes) for all of
// [kBytes, kToEof]. Requests end inside the bytes or at kToEof, so that tail
// is never cut and one cell models it exactly.
constexpr int kBytes = 24;

struct Model {
  // owner index -> per-cell lock type
  std::map<int, std::array<Type, kBytes + 1>> bytes;
  bool conflicts(int owner, Type type, int s, int e) const {
    if (type == Type::unlock) return false;
    for (const auto& [o, b] : bytes) {
      if (o == owner) continue;
      for (int i = s; i <= e; ++i)
        if (b[i] != Type::unlock && (b[i] == Type::write || type == Type::write)) return true;
    }
    return false;
  }
  void set(int owner, Type type, int s, int e) {
    auto& b = bytes.try_emplace(owner).first->second;
    for (int i = s; i <= e; ++i) b[i] = type;
  }
};

TEST(LockTableTest, RandomOperationsMatchAPerByteModel) {
  const Owner owners[] = {kA, kB, kC, Owner{3, 1}};
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    LockTable t;
    Model m;
    for (int o = 0; o < 4; ++o) m.bytes[o].fill(Type::unlock);
    for (int step = 0; step < 200; ++step) {
      int o = rng() % 4;
      Type type = static_cast<Type>(rng() % 3);
      int s = rng() % kBytes, e = s + int(rng() % (kBytes - s));
      bool to_eof = e == kBytes - 1 && rng() % 2;
      uint64_t end = to_eof ? kToEof : uint64_t(e);
      if (to_eof) e = kBytes;
      bool model_conflict = m.conflicts(o, type, s, e);
      ASSERT_EQ(t.test(kFile, Kind::posix, owners[o], type, s, end).has_value(), model_conflict)
          << "round " << round << " step " << step << " owner " << o << " type " << int(type) << " [" << s << "," << end << "]";
      auto r = t.set(posix(owners[o], type, s, end), step);
      ASSERT_EQ(r.outcome, model_conflict ? Outcome::would_block : Outcome::granted) << "round " << round << " step " << step;
      if (!model_conflict) m.set(o, type, s, e);

      // The table, expanded to bytes, equals the model; an owner's locks are
      // disjoint, sorted and merged as far as possible.
      Model got;
      for (int x = 0; x < 4; ++x) got.bytes[x].fill(Type::unlock);
      auto locks = t.locks(kFile, Kind::posix);
      for (size_t i = 0; i < locks.size(); ++i) {
        const Lock& l = locks[i];
        int x = int(std::find(std::begin(owners), std::end(owners), l.owner) - std::begin(owners));
        ASSERT_LT(x, 4);
        ASSERT_LE(l.start, l.end);
        ASSERT_TRUE(l.end < uint64_t(kBytes) || l.end == kToEof) << "lock beyond the model: " << l.end;
        ASSERT_LE(l.start, uint64_t(kBytes));
        for (uint64_t i2 = l.start; i2 <= std::min<uint64_t>(l.end, kBytes); ++i2) {
          ASSERT_EQ(got.bytes[x][i2], Type::unlock) << "overlapping locks of one owner";
          got.bytes[x][i2] = l.type;
        }
        if (i + 1 < locks.size() && locks[i + 1].owner == l.owner) {
          const Lock& n = locks[i + 1];
          ASSERT_LT(l.end, n.start);
          ASSERT_FALSE(l.type == n.type && l.end + 1 == n.start) << "adjacent same-type locks not merged";
        }
      }
      for (int x = 0; x < 4; ++x) ASSERT_EQ(got.bytes[x], m.bytes[x]) << "owner " << x << " round " << round << " step " << step;
    }
  }
}

// ---- leases ------------------------------------------------------------------------

TEST(LeasesTest, ExpireAfterSilence) {
  Leases l(1000);
  l.renew(1, 0);
  l.renew(2, 500);
  EXPECT_TRUE(l.take_expired(1000).empty());  // exactly the lease: still alive
  EXPECT_EQ(l.take_expired(1001), std::vector<uint64_t>{1});
  EXPECT_EQ(l.clients(), 1u);
  l.renew(2, 1400);
  EXPECT_TRUE(l.take_expired(2000).empty());
  EXPECT_EQ(l.take_expired(2401), std::vector<uint64_t>{2});
}

TEST(LeasesTest, LostFlagIsReportedOnce) {
  Leases l(1000);
  EXPECT_FALSE(l.take_lost(1));
  l.mark_lost(1);
  EXPECT_TRUE(l.take_lost(1));
  EXPECT_FALSE(l.take_lost(1));
}

// ---- the handlers through a Dispatcher ---------------------------------------------

class LockServiceTest : public ::testing::Test {
 protected:
  LockServiceTest() : service_({.lease = std::chrono::milliseconds(1000), .clock_ms = [this] { return now_; }}) {
    service_.register_handlers(dispatcher_);
  }

  template <class Request>
  Result<typename rpc::MessageTraits<Request>::Response> call(const Request& req) {
    std::string body;
    req.SerializeToString(&body);
    std::vector<char> bulk_out;
    std::string peer = "test";
    rpc::RequestContext ctx{{}, bulk_out, peer};
    rpc::Reply reply = dispatcher_.handle(rpc::MessageTraits<Request>::kType, body, ctx);
    if (reply.flags & rpc::kFlagError) {
      proto::ErrorReply e;
      e.ParseFromString(reply.body);
      return error(e.code(), e.message());
    }
    typename rpc::MessageTraits<Request>::Response resp;
    EXPECT_TRUE(resp.ParseFromString(reply.body));
    return resp;
  }

  static proto::SetLockRequest set(uint64_t client, uint64_t owner, proto::LockType type, uint64_t start,
                                   uint64_t end, bool wait = false) {
    proto::SetLockRequest r;
    kFile.to_proto(r.mutable_id());
    r.set_client_id(client);
    r.set_owner(owner);
    r.set_kind(proto::LOCK_KIND_POSIX);
    r.mutable_range()->set_type(type);
    r.mutable_range()->set_start(start);
    r.mutable_range()->set_end(end);
    r.mutable_range()->set_pid(4242);
    r.set_wait(wait);
    return r;
  }

  int64_t now_ = 0;
  LockService service_;
  rpc::Dispatcher dispatcher_;
};

TEST_F(LockServiceTest, SetGetAndConflict) {
  auto granted = call(set(1, 10, proto::LOCK_TYPE_WRITE, 0, 99));
  ASSERT_TRUE(granted);
  EXPECT_EQ(granted->result(), proto::LOCK_GRANTED);
  auto refused = call(set(2, 10, proto::LOCK_TYPE_READ, 50, 50));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result(), proto::LOCK_WOULD_BLOCK);
  EXPECT_EQ(refused->conflict().pid(), 4242u);
  EXPECT_EQ(refused->conflict().end(), 99u);

  proto::GetLockRequest g;
  kFile.to_proto(g.mutable_id());
  g.set_client_id(2);
  g.set_owner(10);
  g.mutable_range()->set_type(proto::LOCK_TYPE_READ);
  g.mutable_range()->set_start(0);
  g.mutable_range()->set_end(kToEof);
  auto got = call(g);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->conflict());
  EXPECT_EQ(got->lock().type(), proto::LOCK_TYPE_WRITE);
  EXPECT_EQ(got->lock().client_id(), 1u);
  g.set_client_id(1);  // the holder itself sees no conflict
  EXPECT_FALSE(call(g)->conflict());
}

TEST_F(LockServiceTest, BadRequestsAreRejected) {
  auto bad_range = call(set(1, 10, proto::LOCK_TYPE_WRITE, 10, 5));
  EXPECT_EQ(bad_range.error().code(), proto::INVALID_ARGUMENT);
  auto beyond = call(set(1, 10, proto::LOCK_TYPE_WRITE, 0, kToEof + 1));
  EXPECT_EQ(beyond.error().code(), proto::INVALID_ARGUMENT);
  auto no_client = call(set(0, 10, proto::LOCK_TYPE_WRITE, 0, 5));
  EXPECT_EQ(no_client.error().code(), proto::INVALID_ARGUMENT);
  auto bad_type = set(1, 10, proto::LOCK_TYPE_WRITE, 0, 5);
  bad_type.mutable_range()->set_type(static_cast<proto::LockType>(9));
  EXPECT_EQ(call(bad_type).error().code(), proto::INVALID_ARGUMENT);
}

TEST_F(LockServiceTest, SilentClientLosesItsLocksAndIsToldSo) {
  ASSERT_EQ(call(set(1, 10, proto::LOCK_TYPE_WRITE, 0, kToEof))->result(), proto::LOCK_GRANTED);
  proto::LockKeepaliveRequest ka;
  ka.set_client_id(1);
  // Renewed in time: the lock survives well past one lease.
  for (now_ = 800; now_ <= 4000; now_ += 800) {
    auto r = call(ka);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->expired());
    EXPECT_EQ(r->lease_ms(), 1000u);
    EXPECT_EQ(r->instance(), service_.instance());
  }
  EXPECT_EQ(call(set(2, 10, proto::LOCK_TYPE_WRITE, 0, 0))->result(), proto::LOCK_WOULD_BLOCK);
  // Client 1 goes silent; client 2's next request after the lease gets it.
  now_ += 1001;
  EXPECT_EQ(call(set(2, 10, proto::LOCK_TYPE_WRITE, 0, 0))->result(), proto::LOCK_GRANTED);
  auto back = call(ka);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->expired());
  EXPECT_FALSE(call(ka)->expired());  // reported once
}

TEST_F(LockServiceTest, CancelWaitForgetsTheWaiter) {
  call(set(1, 10, proto::LOCK_TYPE_WRITE, 0, 0));
  call(set(2, 20, proto::LOCK_TYPE_WRITE, 1, 1));
  EXPECT_EQ(call(set(1, 10, proto::LOCK_TYPE_WRITE, 1, 1, true))->result(), proto::LOCK_WOULD_BLOCK);
  auto cancel = set(1, 10, proto::LOCK_TYPE_WRITE, 1, 1, true);
  cancel.set_cancel_wait(true);
  EXPECT_EQ(call(cancel)->result(), proto::LOCK_WOULD_BLOCK);
  // Without the cancel this would be a deadlock (see TwoOwnerDeadlockIsDetected).
  EXPECT_EQ(call(set(2, 20, proto::LOCK_TYPE_WRITE, 0, 0, true))->result(), proto::LOCK_WOULD_BLOCK);
}

}  // namespace
}  // namespace combfs::metad::locks
