// Unit tests of metad/acl/: the POSIX ACL xattr form, the validity rules and
// how ACLs and mode bits follow each other (the values are those Linux
// computes in fs/posix_acl.c; tests/posix compares the whole behaviour with ext4).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "metad/acl/posix_acl.h"

namespace combfs::metad::acl {
namespace {

// An ACL from (tag, perm, id) triples; unnamed entries get kUndefinedId.
Acl make(std::initializer_list<Entry> entries) { return Acl{entries}; }

std::string blob(uint32_t version, std::initializer_list<Entry> entries) {
  std::string b;
  auto put = [&b](uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) b.push_back(char((v >> (8 * i)) & 0xff));
  };
  put(version, 4);
  for (const Entry& e : entries) {
    put(e.tag, 2);
    put(e.perm, 2);
    put(e.id, 4);
  }
  return b;
}

const Acl kNamed = make({{kUserObj, 6}, {kUser, 4, 1002}, {kGroupObj, 4}, {kGroup, 6, 2001}, {kMask, 6}, {kOther, 0}});

TEST(PosixAcl, SerializeParseRoundTrip) {
  std::string b = serialize(kNamed);
  EXPECT_EQ(b.size(), 4u + 6 * 8);
  EXPECT_EQ(b.substr(0, 4), std::string("\x02\0\0\0", 4));
  // Entry 2: tag 0x02, perm 4, id 1002 = 0x3ea, little-endian.
  EXPECT_EQ(b.substr(12, 8), std::string("\x02\0\x04\0\xea\x03\0\0", 8));
  auto parsed = parse(b);
  ASSERT_TRUE(parsed && *parsed);
  EXPECT_EQ(**parsed, kNamed);
}

TEST(PosixAcl, ParseCanonicalisesIdsOfUnnamedEntries) {
  auto parsed = parse(blob(2, {{kUserObj, 7, 0}, {kGroupObj, 5, 123}, {kOther, 1, 7}}));
  ASSERT_TRUE(parsed && *parsed);
  for (const Entry& e : (*parsed)->entries) EXPECT_EQ(e.id, kUndefinedId);
  EXPECT_EQ(serialize(**parsed), blob(2, {{kUserObj, 7, kUndefinedId}, {kGroupObj, 5, kUndefinedId}, {kOther, 1, kUndefinedId}}));
}

TEST(PosixAcl, HeaderOnlyMeansNoAcl) {
  auto parsed = parse(blob(2, {}));
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(parsed->has_value());
}

TEST(PosixAcl, MalformedBlobsAreInvalid) {
  auto code = [](std::string_view b) { auto r = parse(b); return r ? proto::OK : r.error().code(); };
  EXPECT_EQ(code(""), proto::META_INVALID);
  EXPECT_EQ(code(std::string("\x02\0\0", 3)), proto::META_INVALID);
  EXPECT_EQ(code(blob(1, {{kUserObj, 7}, {kGroupObj, 5}, {kOther, 5}})), proto::META_INVALID);  // version
  std::string truncated = blob(2, {{kUserObj, 7}, {kGroupObj, 5}, {kOther, 5}});
  truncated.pop_back();
  EXPECT_EQ(code(truncated), proto::META_INVALID);
  EXPECT_EQ(code(blob(2, {{kUserObj, 7}, {kGroupObj, 5}, {kOther, 5}})), proto::OK);
}

TEST(PosixAcl, ValidityRules) {
  auto valid = [](Acl a) { return validate(a).has_value(); };
  EXPECT_TRUE(valid(from_mode(0640)));
  EXPECT_TRUE(valid(kNamed));
  EXPECT_TRUE(valid(make({{kUserObj, 7}, {kGroupObj, 5}, {kMask, 5}, {kOther, 0}})));  // a mask alone is fine
  EXPECT_FALSE(valid(make({})));
  EXPECT_FALSE(valid(make({{kUserObj, 7}, {kGroupObj, 5}})));                            // no other
  EXPECT_FALSE(valid(make({{kGroupObj, 5}, {kUserObj, 7}, {kOther, 0}})));               // order
  EXPECT_FALSE(valid(make({{kUserObj, 7}, {kUserObj, 7}, {kGroupObj, 5}, {kOther, 0}})));
  EXPECT_FALSE(valid(make({{kUserObj, 7}, {kUser, 4, 1}, {kGroupObj, 5}, {kOther, 0}})));  // named needs a mask
  EXPECT_FALSE(valid(make({{kUserObj, 7}, {kUser, 4, kUndefinedId}, {kGroupObj, 5}, {kMask, 7}, {kOther, 0}})));
  EXPECT_FALSE(valid(make({{kUserObj, 7}, {kGroupObj, 5}, {kUser, 4, 1}, {kMask, 7}, {kOther, 0}})));  // user after group
  EXPECT_FALSE(valid(make({{kUserObj, 8}, {kGroupObj, 5}, {kOther, 0}})));               // perm beyond rwx
  EXPECT_FALSE(valid(make({{kUserObj, 7}, {kGroupObj, 5}, {kOther, 0}, {kOther, 0}})));  // after other
  EXPECT_FALSE(valid(make({{kUserObj, 7}, {kGroupObj, 5}, {0x40, 0}, {kOther, 0}})));    // unknown tag
  EXPECT_FALSE(valid(make({{kUserObj, 7}, {kGroupObj, 5}, {kMask, 5}, {kMask, 5}, {kOther, 0}})));
}

TEST(PosixAcl, EquivalentModeUsesTheMaskForTheGroupClass) {
  EquivMode m = equiv_mode(from_mode(0754), S_IFREG | S_ISGID | 0);
  EXPECT_TRUE(m.equivalent);
  EXPECT_EQ(m.mode, S_IFREG | S_ISGID | 0754u);  // type and special bits stay
  m = equiv_mode(kNamed, S_IFREG | 0777);
  EXPECT_FALSE(m.equivalent);
  EXPECT_EQ(m.mode, S_IFREG | 0660u);  // group class = mask rw-, not the group entry r--
  m = equiv_mode(make({{kUserObj, 7}, {kGroupObj, 7}, {kMask, 1}, {kOther, 0}}), S_IFDIR);
  EXPECT_FALSE(m.equivalent);  // a mask alone is more than a mode (ext4 keeps such an ACL)
  EXPECT_EQ(m.mode, S_IFDIR | 0710u);
}

TEST(PosixAcl, ChmodRewritesOwnerMaskAndOther) {
  Acl a = chmod(kNamed, S_IFREG | 0751);
  EXPECT_EQ(a, make({{kUserObj, 7}, {kUser, 4, 1002}, {kGroupObj, 4}, {kGroup, 6, 2001}, {kMask, 5}, {kOther, 1}}));
  // Without a mask the group entry takes the group bits.
  EXPECT_EQ(chmod(from_mode(0600), 0475), from_mode(0475));
  // chmod then equiv_mode gives the chmod's bits back.
  EXPECT_EQ(equiv_mode(a, S_IFREG).mode, S_IFREG | 0751u);
}

TEST(PosixAcl, InheritWithoutDefaultAclAppliesTheUmask) {
  Inherited i = inherit(std::nullopt, S_IFREG | 0666, 022);
  EXPECT_EQ(i.mode, S_IFREG | 0644u);
  EXPECT_FALSE(i.access);
  EXPECT_FALSE(i.default_acl);
  i = inherit(std::nullopt, S_IFDIR | S_ISGID | 0777, 027);
  EXPECT_EQ(i.mode, S_IFDIR | S_ISGID | 0750u);  // the umask never touches special bits
  EXPECT_FALSE(i.default_acl);
}

TEST(PosixAcl, InheritIntoAFileIgnoresTheUmask) {
  const Acl dflt = make({{kUserObj, 7}, {kUser, 5, 1002}, {kGroupObj, 5}, {kMask, 7}, {kOther, 0}});
  Inherited i = inherit(dflt, S_IFREG | 0666, 077);
  // owner 7&6=6, mask 7&6=6, other 0&6=0; the mode follows: rw-rw----.
  EXPECT_EQ(i.mode, S_IFREG | 0660u);
  ASSERT_TRUE(i.access);
  EXPECT_EQ(*i.access, make({{kUserObj, 6}, {kUser, 5, 1002}, {kGroupObj, 5}, {kMask, 6}, {kOther, 0}}));
  EXPECT_FALSE(i.default_acl);  // files have no default ACL
}

TEST(PosixAcl, InheritIntoADirectoryKeepsTheDefaultAcl) {
  const Acl dflt = make({{kUserObj, 7}, {kUser, 5, 1002}, {kGroupObj, 5}, {kMask, 5}, {kOther, 0}});
  Inherited i = inherit(dflt, S_IFDIR | S_ISGID | 0755, 022);
  EXPECT_EQ(i.mode, S_IFDIR | S_ISGID | 0750u);
  ASSERT_TRUE(i.access);
  EXPECT_EQ(*i.access, dflt);
  ASSERT_TRUE(i.default_acl);
  EXPECT_EQ(*i.default_acl, dflt);
}

TEST(PosixAcl, InheritOfAMinimalDefaultAclStoresNoAccessAcl) {
  // Without mask or named entries the result is a plain mode: no access ACL,
  // but a directory still inherits the default ACL.
  Inherited f = inherit(from_mode(0750), S_IFREG | 0666, 0);
  EXPECT_EQ(f.mode, S_IFREG | 0640u);
  EXPECT_FALSE(f.access);
  Inherited d = inherit(from_mode(0750), S_IFDIR | 0777, 0);
  EXPECT_EQ(d.mode, S_IFDIR | 0750u);
  EXPECT_FALSE(d.access);
  ASSERT_TRUE(d.default_acl);
  EXPECT_EQ(*d.default_acl, from_mode(0750));
}

}  // namespace
}  // namespace combfs::metad::acl
