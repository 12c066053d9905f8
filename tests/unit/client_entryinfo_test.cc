// client/lib/entryinfo_xattr: the text fsctl reads from user.combfs.entryinfo.
#include <gtest/gtest.h>

#include "client/lib/entryinfo_xattr.h"

namespace combfs::client {
namespace {

TEST(EntryInfoXattr, RoundTrips) {
  EntryInfoXattr x{EntryId{3, 0x2a}, 7, "10.0.0.1:8008", "/etc/combfs/secret"};
  std::string text = format_entryinfo(x);
  EXPECT_EQ(text, "entry=00000003-000000000000002a owner=7 mgmtd=10.0.0.1:8008 secret=/etc/combfs/secret");
  auto back = parse_entryinfo(text);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, x);
}

TEST(EntryInfoXattr, SecretPathMayContainSpaces) {
  EntryInfoXattr x{EntryId::root(), 1, "h:1", "/tmp/my dir/secret file"};
  auto back = parse_entryinfo(format_entryinfo(x));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->secret_file, "/tmp/my dir/secret file");
}

TEST(EntryInfoXattr, MalformedTextIsRejectedWithTheText) {
  for (const char* bad : {"", "entry=zz owner=1 mgmtd=h:1 secret=/s", "entry=00000001-0000000000000001 owner=x mgmtd=h:1 secret=/s",
                          "entry=00000001-0000000000000001 owner=1 secret=/s",
                          "entry=00000001-0000000000000001 owner=1 mgmtd=h:1"}) {
    auto r = parse_entryinfo(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), proto::INVALID_ARGUMENT);
    EXPECT_NE(r.error().message().find("user.combfs.entryinfo"), std::string::npos);
  }
}

}  // namespace
}  // namespace combfs::client
