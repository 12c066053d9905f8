// MetaStore: open/close accounting, sizes measured by writers, and orphans.
//
// Open records are persisted per (entry, client) so that an unlinked file's
// data survives a metad restart while clients still have it open. They
// belong to the client's lease (metad/sessions.h): a client that dies without
// closing loses them through close_client, as if it had closed everything.
#include "metad/store/store_internal.h"

namespace combfs::metad {

Result<proto::EntryInfo> MetaStore::open_file(EntryId id, bool for_write, uint64_t client_id) {
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    Inode n = COMBFS_TRY(load(t, id));
    if (n.is_dir()) {
      if (for_write)
        return error(proto::META_IS_DIR, fmt::format("{} is a directory: it cannot be opened for writing", id.to_string()));
      return info_of(t, n);  // directories hold no data, nothing to protect
    }
    OpenCounts c = COMBFS_TRY(t.open_counts(id, client_id));
    if (for_write)
      c.writers += 1;
    else
      c.readers += 1;
    COMBFS_CHECK(t.set_open_counts(id, client_id, c));
    return info_of(t, n);
  });
}

Result<OpenCounts> MetaStore::release_orphan(Tables& t, const Inode& n) {
  OpenCounts total = COMBFS_TRY(t.open_totals(n.id));
  if (n.orphan && total.readers + total.writers == 0) COMBFS_CHECK(remove_inode(t, n));
  return total;
}

Result<proto::EntryInfo> MetaStore::close_file(const CloseArgs& args) {
  return write([&](Tables& t) -> Result<proto::EntryInfo> {
    Inode n = COMBFS_TRY(load(t, args.id));
    if (n.is_dir()) return info_of(t, n);
    OpenCounts c = COMBFS_TRY(t.open_counts(args.id, args.client_id));
    uint32_t& count = args.for_write ? c.writers : c.readers;
    if (count > 0) count -= 1;
    COMBFS_CHECK(t.set_open_counts(args.id, args.client_id, c));
    if (args.has_size && n.is_reg()) {
      n.size = args.size;
      if (args.mtime_ns != 0) {
        n.mtime_ns = args.mtime_ns;
        n.ctime_ns = std::max(n.ctime_ns, args.mtime_ns);
      }
    }
    OpenCounts total = COMBFS_TRY(release_orphan(t, n));
    if (n.orphan && total.readers + total.writers == 0) {
      n.nlink = 0;
      return n.to_info(options_.node_id, 0);
    }
    COMBFS_CHECK(t.update_inode(n));
    return n.to_info(options_.node_id, total.writers);
  }, Await::ride_along);  // the client sends Close after close(2) returned
}

Result<MetaStore::ClientClosed> MetaStore::close_client(uint64_t client_id) {
  return write([&](Tables& t) -> Result<ClientClosed> {
    ClientClosed closed;
    for (const auto& [id, counts] : COMBFS_TRY(t.opened_by(client_id))) {
      COMBFS_CHECK(t.set_open_counts(id, client_id, OpenCounts{}));
      ++closed.records;
      auto n = COMBFS_TRY(t.find_inode(id));
      if (!n) continue;
      OpenCounts left = COMBFS_TRY(release_orphan(t, *n));
      const bool removed = n->orphan && left.readers + left.writers == 0;
      // Other writers record the size at their own Close.
      if (counts.writers > 0 && !removed && left.writers == 0 && n->is_reg()) closed.unsized.push_back(id);
    }
    return closed;
  });
}

Result<bool> MetaStore::settle_size(EntryId id, const proto::Attr& seen, uint64_t measured) {
  return write([&](Tables& t) -> Result<bool> {
    auto n = COMBFS_TRY(t.find_inode(id));
    if (!n || !n->is_reg()) return false;
    if (COMBFS_TRY(t.open_totals(id)).writers > 0) return false;
    if (n->size != seen.size() || n->mtime_ns != seen.mtime_ns() || n->ctime_ns != seen.ctime_ns()) return false;
    if (measured <= n->size) return true;
    n->size = measured;
    n->mtime_ns = n->ctime_ns = now();
    COMBFS_CHECK(t.update_inode(*n));
    return true;
  });
}

Result<std::vector<uint64_t>> MetaStore::open_clients() {
  return read([](Tables& t) { return t.open_clients(); });
}

}  // namespace combfs::metad
