// MetaStore: what new entries inherit (setgid directories, default ACLs, the
// umask) and POSIX ACLs kept in step with the mode (set_xattr, remove_xattr,
// chmod), each in the operation's own transaction.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "metad/acl/posix_acl.h"
#include "metad/store/store.h"
#include "tests/unit/metad_test_util.h"

namespace combfs::metad {
namespace {

using acl::Acl;
using testing::code_of;
using testing::errno_of;
using testing::must;

constexpr uint32_t kNode = 7;
const EntryId kRoot = EntryId::root();

const Acl kDefault{{{acl::kUserObj, 7},
                    {acl::kUser, 5, 1002},
                    {acl::kGroupObj, 5},
                    {acl::kMask, 5},
                    {acl::kOther, 0}}};

class StorePermsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = must(MetaStore::open({.path = dir_.path() + "/meta.db", .node_id = kNode}));
    must(store_->ensure_root());
  }

  proto::EntryInfo create(EntryId parent, const std::string& name, uint32_t mode, uint32_t gid, uint32_t umask) {
    CreateArgs a;
    a.parent = parent;
    a.name = name;
    a.mode = mode;
    a.uid = 1000;
    a.gid = gid;
    a.umask = umask;
    a.exclusive = true;
    auto chooser = [](const proto::StripePattern&) -> Result<std::vector<uint32_t>> { return std::vector<uint32_t>{1}; };
    return must(store_->create(a, chooser)).info;
  }
  EntryId id_of(const proto::EntryInfo& info) { return EntryId::from_proto(info.attr().id()); }
  proto::Attr attr(EntryId id) { return must(store_->get_attr(id)).attr(); }
  // The stored ACL `name` of `id`, or nullopt when there is none.
  std::optional<Acl> stored(EntryId id, const char* name) {
    auto blob = store_->get_xattr(id, name);
    if (!blob) {
      EXPECT_EQ(code_of(blob), proto::META_NO_XATTR);
      return std::nullopt;
    }
    return must(acl::parse(*blob));
  }
  EntryId setgid_dir(uint32_t gid) {
    EntryId d = id_of(must(store_->mkdir(kRoot, "g", 0777, 0, 0)));
    proto::SetAttrRequest r;
    d.to_proto(r.mutable_id());
    r.set_valid(proto::SETATTR_MODE | proto::SETATTR_GID);
    r.set_mode(S_ISGID | 0777);
    r.set_gid(gid);
    must(store_->set_attr(r));
    return d;
  }
  void chmod(EntryId id, uint32_t mode) {
    proto::SetAttrRequest r;
    id.to_proto(r.mutable_id());
    r.set_valid(proto::SETATTR_MODE);
    r.set_mode(mode);
    must(store_->set_attr(r));
  }

  testing::TempDir dir_;
  std::unique_ptr<MetaStore> store_;
};

TEST_F(StorePermsTest, SetgidDirectoryGivesItsGroupAndSubdirectoriesKeepTheBit) {
  EntryId g = setgid_dir(2001);
  proto::EntryInfo f = create(g, "f", S_IFREG | 0644, 1000, 0);
  EXPECT_EQ(f.attr().gid(), 2001u);
  EXPECT_EQ(f.attr().mode(), uint32_t(S_IFREG | 0644));  // files do not get S_ISGID
  proto::EntryInfo fifo = create(g, "p", S_IFIFO | 0644, 1000, 0);
  EXPECT_EQ(fifo.attr().gid(), 2001u);
  proto::EntryInfo sub = must(store_->mkdir(g, "sub", 0755, 1000, 1000));
  EXPECT_EQ(sub.attr().gid(), 2001u);
  EXPECT_EQ(sub.attr().mode(), uint32_t(S_IFDIR | S_ISGID | 0755));
  proto::EntryInfo deeper = must(store_->mkdir(id_of(sub), "deeper", 0700, 1000, 1000));
  EXPECT_EQ(deeper.attr().gid(), 2001u);  // carried on by the inherited bit
  EXPECT_EQ(deeper.attr().mode(), uint32_t(S_IFDIR | S_ISGID | 0700));
  proto::EntryInfo link = must(store_->symlink(g, "l", "target", 1000, 1000));
  EXPECT_EQ(link.attr().gid(), 2001u);
  EXPECT_EQ(link.attr().mode(), uint32_t(S_IFLNK | 0777));
  // Without S_ISGID the creator's group stays.
  proto::EntryInfo plain = create(kRoot, "plain", S_IFREG | 0644, 1000, 0);
  EXPECT_EQ(plain.attr().gid(), 1000u);
  EXPECT_EQ(must(store_->mkdir(kRoot, "pd", 0755, 1000, 1000)).attr().mode(), uint32_t(S_IFDIR | 0755));
}

TEST_F(StorePermsTest, UmaskAppliesWithoutADefaultAcl) {
  EXPECT_EQ(create(kRoot, "f", S_IFREG | 0666, 0, 027).attr().mode(), uint32_t(S_IFREG | 0640));
  EXPECT_EQ(must(store_->mkdir(kRoot, "d", 0777, 0, 0, 022)).attr().mode(), uint32_t(S_IFDIR | 0755));
  EXPECT_EQ(create(kRoot, "s", S_IFSOCK | 0777, 0, 002).attr().mode(), uint32_t(S_IFSOCK | 0775));
}

TEST_F(StorePermsTest, DefaultAclIsInheritedInsteadOfTheUmask) {
  EntryId d = id_of(must(store_->mkdir(kRoot, "d", 0755, 0, 0)));
  must(store_->set_xattr(d, acl::kDefaultXattr, acl::serialize(kDefault), 0));
  EXPECT_EQ(attr(d).mode(), uint32_t(S_IFDIR | 0755));  // a default ACL leaves the mode alone
  EXPECT_EQ(stored(d, acl::kDefaultXattr), kDefault);

  proto::EntryInfo f = create(d, "f", S_IFREG | 0666, 0, 077);
  EXPECT_EQ(f.attr().mode(), uint32_t(S_IFREG | 0640));  // owner 7&6, mask 5&6, other 0: the umask is ignored
  Acl want_f{{{acl::kUserObj, 6}, {acl::kUser, 5, 1002}, {acl::kGroupObj, 5}, {acl::kMask, 4}, {acl::kOther, 0}}};
  EXPECT_EQ(stored(EntryId::from_proto(f.attr().id()), acl::kAccessXattr), want_f);
  EXPECT_EQ(stored(EntryId::from_proto(f.attr().id()), acl::kDefaultXattr), std::nullopt);

  proto::EntryInfo sub = must(store_->mkdir(d, "sub", 0777, 0, 0, 077));
  EXPECT_EQ(sub.attr().mode(), uint32_t(S_IFDIR | 0750));
  EXPECT_EQ(stored(id_of(sub), acl::kAccessXattr), kDefault);
  EXPECT_EQ(stored(id_of(sub), acl::kDefaultXattr), kDefault);
  // ... and on: the subdirectory's files inherit the same way.
  EXPECT_EQ(create(id_of(sub), "g", S_IFREG | 0600, 0, 0).attr().mode(), uint32_t(S_IFREG | 0600));
  // Symlinks take no ACL.
  proto::EntryInfo l = must(store_->symlink(d, "l", "x", 0, 0));
  EXPECT_EQ(l.attr().mode(), uint32_t(S_IFLNK | 0777));
  EXPECT_EQ(stored(id_of(l), acl::kAccessXattr), std::nullopt);
}

TEST_F(StorePermsTest, AccessAclSetsTheModeAndAnEquivalentOneIsStoredAsTheModeOnly) {
  proto::EntryInfo f = create(kRoot, "f", S_IFREG | S_ISUID | 0600, 0, 0);
  EntryId id = id_of(f);
  Acl named{{{acl::kUserObj, 6}, {acl::kUser, 4, 1002}, {acl::kGroupObj, 0}, {acl::kMask, 4}, {acl::kOther, 1}}};
  int64_t ctime = attr(id).ctime_ns();
  must(store_->set_xattr(id, acl::kAccessXattr, acl::serialize(named), XATTR_REPLACE));  // flags do not apply
  EXPECT_EQ(attr(id).mode(), uint32_t(S_IFREG | S_ISUID | 0641));  // group class = mask
  EXPECT_GE(attr(id).ctime_ns(), ctime);
  EXPECT_EQ(stored(id, acl::kAccessXattr), named);
  EXPECT_EQ(must(store_->list_xattr(id)), std::vector<std::string>{acl::kAccessXattr});

  must(store_->set_xattr(id, acl::kAccessXattr, acl::serialize(acl::from_mode(0754)), 0));
  EXPECT_EQ(attr(id).mode(), uint32_t(S_IFREG | S_ISUID | 0754));
  EXPECT_EQ(stored(id, acl::kAccessXattr), std::nullopt);

  // Removing an ACL that is not there is no error (ext4); removing one keeps the mode.
  must(store_->remove_xattr(id, acl::kAccessXattr));
  must(store_->set_xattr(id, acl::kAccessXattr, acl::serialize(named), 0));
  must(store_->remove_xattr(id, acl::kAccessXattr));
  EXPECT_EQ(attr(id).mode(), uint32_t(S_IFREG | S_ISUID | 0641));
  EXPECT_EQ(stored(id, acl::kAccessXattr), std::nullopt);
}

TEST_F(StorePermsTest, AccessAclSetOutsideTheFilesGroupDropsSetgid) {
  const std::string minimal = acl::serialize(acl::from_mode(0770));
  EntryId f = id_of(create(kRoot, "f", S_IFREG | S_ISGID | 0750, 2001, 0));
  must(store_->set_xattr(f, acl::kAccessXattr, minimal, 0, {1001, 2001}));  // a member
  EXPECT_EQ(attr(f).mode(), uint32_t(S_IFREG | S_ISGID | 0770));
  must(store_->set_xattr(f, acl::kAccessXattr, minimal, 0));  // privileged
  EXPECT_EQ(attr(f).mode(), uint32_t(S_IFREG | S_ISGID | 0770));
  must(store_->set_xattr(f, "user.x", "1", 0, {1001}));  // other attributes leave the mode alone
  EXPECT_EQ(attr(f).mode(), uint32_t(S_IFREG | S_ISGID | 0770));
  must(store_->set_xattr(f, acl::kAccessXattr, minimal, 0, {1001, 1002}));
  EXPECT_EQ(attr(f).mode(), uint32_t(S_IFREG | 0770));
}

TEST_F(StorePermsTest, InvalidAndMisplacedAclsAreRefused) {
  EntryId f = id_of(create(kRoot, "f", S_IFREG | 0644, 0, 0));
  Acl no_mask{{{acl::kUserObj, 6}, {acl::kUser, 4, 1002}, {acl::kGroupObj, 0}, {acl::kOther, 0}}};
  auto bad = store_->set_xattr(f, acl::kAccessXattr, acl::serialize(no_mask), 0);
  EXPECT_EQ(errno_of(bad), EINVAL);
  EXPECT_EQ(errno_of(store_->set_xattr(f, acl::kAccessXattr, "garbage", 0)), EINVAL);
  EXPECT_EQ(attr(f).mode(), uint32_t(S_IFREG | 0644));  // nothing changed
  // Default ACLs belong to directories.
  EXPECT_EQ(errno_of(store_->set_xattr(f, acl::kDefaultXattr, acl::serialize(kDefault), 0)), EACCES);
  EntryId l = id_of(must(store_->symlink(kRoot, "l", "x", 0, 0)));
  EXPECT_EQ(errno_of(store_->set_xattr(l, acl::kAccessXattr, acl::serialize(kDefault), 0)), EOPNOTSUPP);
  EXPECT_EQ(must(store_->list_xattr(f)), std::vector<std::string>{});
}

TEST_F(StorePermsTest, ChmodRewritesTheAccessAcl) {
  EntryId f = id_of(create(kRoot, "f", S_IFREG | 0644, 0, 0));
  Acl named{{{acl::kUserObj, 6}, {acl::kUser, 7, 1002}, {acl::kGroupObj, 4}, {acl::kMask, 6}, {acl::kOther, 4}}};
  must(store_->set_xattr(f, acl::kAccessXattr, acl::serialize(named), 0));
  chmod(f, 0710);
  EXPECT_EQ(attr(f).mode(), uint32_t(S_IFREG | 0710));
  Acl want{{{acl::kUserObj, 7}, {acl::kUser, 7, 1002}, {acl::kGroupObj, 4}, {acl::kMask, 1}, {acl::kOther, 0}}};
  EXPECT_EQ(stored(f, acl::kAccessXattr), want);
  // A directory's default ACL is not touched by chmod.
  EntryId d = id_of(must(store_->mkdir(kRoot, "d", 0755, 0, 0)));
  must(store_->set_xattr(d, acl::kDefaultXattr, acl::serialize(kDefault), 0));
  chmod(d, 0700);
  EXPECT_EQ(stored(d, acl::kDefaultXattr), kDefault);
  EXPECT_EQ(stored(d, acl::kAccessXattr), std::nullopt);
}

}  // namespace
}  // namespace combfs::metad
