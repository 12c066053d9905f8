// 128-bit entry ids: hi = id of the metad that created the entry, lo = that
// metad's persistent counter. Unique cluster-wide and never reused.
#pragma once

#include <compare>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include "proto/common.pb.h"

namespace combfs {

struct EntryId {
  uint64_t hi = 0;
  uint64_t lo = 0;

  auto operator<=>(const EntryId&) const = default;
  bool is_null() const { return hi == 0 && lo == 0; }

  // The root directory has a fixed id so every node agrees on it without a lookup.
  static constexpr EntryId root() { return EntryId{0, 1}; }

  // "00000001-000000000000002a": fixed width, so it sorts and makes file names.
  std::string to_string() const {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08llx-%016llx", (unsigned long long)hi, (unsigned long long)lo);
    return buf;
  }
  static std::optional<EntryId> parse(const std::string& s) {
    unsigned long long h = 0, l = 0;
    int used = 0;
    if (std::sscanf(s.c_str(), "%llx-%llx%n", &h, &l, &used) != 2 || used != (int)s.size()) return std::nullopt;
    return EntryId{h, l};
  }

  proto::EntryId to_proto() const {
    proto::EntryId p;
    p.set_hi(hi);
    p.set_lo(lo);
    return p;
  }
  void to_proto(proto::EntryId* p) const {
    p->set_hi(hi);
    p->set_lo(lo);
  }
  static EntryId from_proto(const proto::EntryId& p) { return EntryId{p.hi(), p.lo()}; }
};

}  // namespace combfs

template <>
struct std::hash<combfs::EntryId> {
  size_t operator()(const combfs::EntryId& id) const noexcept {
    return std::hash<uint64_t>()(id.hi * 0x9e3779b97f4a7c15ULL ^ id.lo);
  }
};
