// MetaStore: listing a directory with stable cookies.
#include <spdlog/spdlog.h>

#include "metad/store/store_internal.h"

namespace combfs::metad {

Result<proto::ReadDirResponse> MetaStore::read_dir(EntryId dir, uint64_t cookie, uint32_t max_entries, bool plus) {
  if (max_entries == 0) max_entries = kDefaultReadDirEntries;
  max_entries = std::min(max_entries, kMaxReadDirEntries);
  return read([&](Tables& t) -> Result<proto::ReadDirResponse> {
    COMBFS_CHECK(load_dir(t, dir));
    // The cookie is the dentry's seq: AUTOINCREMENT never hands one out twice,
    // so entries added during a listing sort after it and nothing is skipped.
    // One extra row tells whether the directory ends here.
    auto rows = COMBFS_TRY(t.list_dentries(dir, static_cast<int64_t>(cookie), max_entries + 1));
    proto::ReadDirResponse resp;
    resp.set_eof(rows.size() <= max_entries);
    if (rows.size() > max_entries) rows.resize(max_entries);
    for (const Dentry& d : rows) {
      proto::DirEntry* e = resp.add_entries();
      e->set_name(d.name);
      d.child.to_proto(e->mutable_id());
      e->set_type(d.child_type);
      e->set_cookie(static_cast<uint64_t>(d.seq));
      e->set_owner_node(node_of(d.child_owner));
      if (plus && is_remote(d)) {
        *e->mutable_info() = partial_info(d);
      } else if (plus) {
        auto child = COMBFS_TRY(t.find_inode(d.child));
        if (!child) {
          spdlog::error("directory {} names '{}' -> {} but that inode is missing", dir.to_string(), d.name,
                        d.child.to_string());
          continue;
        }
        *e->mutable_info() = COMBFS_TRY(info_of(t, *child));
      }
    }
    return resp;
  });
}

}  // namespace combfs::metad
