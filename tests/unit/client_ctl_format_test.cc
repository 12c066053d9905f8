// ctl/format: sizes as fsctl reads and prints them.
#include <gtest/gtest.h>

#include "ctl/format.h"

namespace combfs::ctl {
namespace {

TEST(ParseSize, UnitsAndPlainBytes) {
  EXPECT_EQ(*parse_size("512K"), 512u << 10);
  EXPECT_EQ(*parse_size("1M"), 1u << 20);
  EXPECT_EQ(*parse_size("4m"), 4u << 20);
  EXPECT_EQ(*parse_size("1MiB"), 1u << 20);
  EXPECT_EQ(*parse_size("2G"), 2ull << 30);
  EXPECT_EQ(*parse_size("1048576"), 1u << 20);
  EXPECT_EQ(*parse_size("64kb"), 64u << 10);
}

TEST(ParseSize, RejectsGarbageAndOverflow) {
  for (const char* bad : {"", "M", "1X", "1.5M", "-1", "1 M", "99999999999999999999", "17179869184G"}) {
    auto r = parse_size(bad);
    EXPECT_FALSE(r) << bad;
  }
  EXPECT_NE(parse_size("1X").error().message().find("'1X'"), std::string::npos);
}

TEST(FormatExactSize, LargestUnitThatDivides) {
  EXPECT_EQ(format_exact_size(512u << 10), "512K");
  EXPECT_EQ(format_exact_size(1u << 20), "1M");
  EXPECT_EQ(format_exact_size(4u << 20), "4M");
  EXPECT_EQ(format_exact_size(1u << 30), "1G");
  EXPECT_EQ(format_exact_size(1536u << 10), "1536K");
  EXPECT_EQ(format_exact_size(1000), "1000");
  EXPECT_EQ(format_exact_size(0), "0");
}

TEST(FormatHumanSize, LikeDfH) {
  EXPECT_EQ(format_human_size(0), "0B");
  EXPECT_EQ(format_human_size(900), "900B");
  EXPECT_EQ(format_human_size(1536), "1.5K");
  EXPECT_EQ(format_human_size(12ull << 30), "12G");
  EXPECT_EQ(format_human_size((1ull << 20) - 1), "1.0M");
  EXPECT_EQ(format_human_size(252ull << 30), "252G");
}

TEST(Names, StatesAndTypes) {
  EXPECT_STREQ(reach_name(proto::REACH_PROBABLY_OFFLINE), "probably-offline");
  EXPECT_STREQ(consistency_name(proto::CONS_NEEDS_RESYNC), "needs-resync");
  EXPECT_STREQ(node_type_name(proto::NODE_STORAGE), "stored");
  EXPECT_STREQ(file_type_name(proto::FT_DIR), "directory");
  EXPECT_STREQ(file_type_name(proto::FT_FIFO), "other");
  EXPECT_STREQ(pattern_name(proto::PATTERN_RAID0), "raid0");
}

}  // namespace
}  // namespace combfs::ctl
