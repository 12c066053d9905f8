#include "ctl/format.h"

#include <fmt/format.h>

#include <cctype>

namespace combfs::ctl {

Result<uint64_t> parse_size(const std::string& text) {
  auto bad = [&] {
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("'{}' is not a size; write bytes or a number with K, M or G (e.g. 512K, 1M, 4M)", text));
  };
  size_t i = 0;
  uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    uint64_t digit = text[i] - '0';
    if (value > (UINT64_MAX - digit) / 10) return bad();
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return bad();
  std::string unit = text.substr(i);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int shift = 0;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else {
    switch (unit[0]) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      default: return bad();
    }
    std::string rest = unit.substr(1);
    if (!(rest.empty() || rest == "B" || rest == "IB")) return bad();
  }
  if (shift && value > (UINT64_MAX >> shift)) return bad();
  return value << shift;
}

std::string format_exact_size(uint64_t bytes) {
  if (bytes == 0) return "0";
  if (bytes % (1ull << 30) == 0) return fmt::format("{}G", bytes >> 30);
  if (bytes % (1ull << 20) == 0) return fmt::format("{}M", bytes >> 20);
  if (bytes % (1ull << 10) == 0) return fmt::format("{}K", bytes >> 10);
  return fmt::format("{}", bytes);
}

std::string format_human_size(uint64_t bytes) {
  static const char* kUnits[] = {"K", "M", "G", "T", "P", "E"};
  if (bytes < 1024) return fmt::format("{}B", bytes);
  double v = static_cast<double>(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  // Round first, so 1023.96K shows as 1.0M rather than 1024K.
  if (v >= 1023.95 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  if (v < 9.95) return fmt::format("{:.1f}{}", v, kUnits[unit]);
  return fmt::format("{:.0f}{}", v, kUnits[unit]);
}

const char* reach_name(proto::Reachability r) {
  switch (r) {
    case proto::REACH_ONLINE: return "online";
    case proto::REACH_PROBABLY_OFFLINE: return "probably-offline";
    case proto::REACH_OFFLINE: return "offline";
    default: return "unknown";
  }
}

const char* consistency_name(proto::Consistency c) {
  switch (c) {
    case proto::CONS_GOOD: return "good";
    case proto::CONS_NEEDS_RESYNC: return "needs-resync";
    case proto::CONS_BAD: return "bad";
    default: return "unknown";
  }
}

const char* node_type_name(proto::NodeType t) {
  switch (t) {
    case proto::NODE_MGMT: return "mgmtd";
    case proto::NODE_META: return "metad";
    case proto::NODE_STORAGE: return "stored";
    default: return "unknown";
  }
}

const char* file_type_name(proto::FileType t) {
  switch (t) {
    case proto::FT_REG: return "file";
    case proto::FT_DIR: return "directory";
    case proto::FT_SYMLINK: return "symlink";
    default: return "other";
  }
}

const char* pattern_name(proto::PatternType t) {
  switch (t) {
    case proto::PATTERN_RAID0: return "raid0";
    case proto::PATTERN_BUDDYMIRROR: return "buddymirror";
    default: return "unknown";
  }
}

std::string shard_nodes(const proto::EntryInfo& info) {
  std::string out = "metad ";
  for (int i = 0; i < info.shards_size(); ++i) out += fmt::format("{}{}", i ? ", " : "", info.shards(i).owner());
  return out;
}

}  // namespace combfs::ctl
