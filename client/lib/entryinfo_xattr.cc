#include "client/lib/entryinfo_xattr.h"

#include <fmt/format.h>

#include <charconv>

namespace combfs::client {

std::string format_entryinfo(const EntryInfoXattr& info) {
  return fmt::format("entry={} owner={} mgmtd={} secret={}", info.entry.to_string(), info.owner, info.mgmtd,
                     info.secret_file);
}

Result<EntryInfoXattr> parse_entryinfo(const std::string& text) {
  auto bad = [&](const char* what) {
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("malformed {} attribute '{}': {}; is the client the same version as fsctl?",
                             kEntryInfoXattr, text, what));
  };
  // Fields in fixed order; each value ends at the next " key=" (secret: at the end).
  auto field = [&](const std::string& key, const std::string& next, std::string& out) -> bool {
    auto start = text.find(key + "=");
    if (start == std::string::npos || (start > 0 && text[start - 1] != ' ')) return false;
    start += key.size() + 1;
    size_t end = next.empty() ? text.size() : text.find(" " + next + "=", start);
    if (end == std::string::npos) return false;
    out = text.substr(start, end - start);
    return true;
  };
  std::string entry, owner, mgmtd, secret;
  if (!field("entry", "owner", entry)) return bad("no entry= field");
  if (!field("owner", "mgmtd", owner)) return bad("no owner= field");
  if (!field("mgmtd", "secret", mgmtd) || mgmtd.empty()) return bad("no mgmtd= field");
  if (!field("secret", "", secret)) return bad("no secret= field");
  EntryInfoXattr info;
  auto id = EntryId::parse(entry);
  if (!id) return bad("entry= is not an entry id");
  info.entry = *id;
  auto [ptr, ec] = std::from_chars(owner.data(), owner.data() + owner.size(), info.owner);
  if (ec != std::errc() || ptr != owner.data() + owner.size()) return bad("owner= is not a node id");
  info.mgmtd = mgmtd;
  info.secret_file = secret;
  return info;
}

}  // namespace combfs::client
