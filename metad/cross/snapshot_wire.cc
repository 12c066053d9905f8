#include "metad/cross/snapshot_wire.h"

#include <iterator>

namespace combfs::metad {

proto::RemoteSnapshotResponse snapshot_to_wire(const MetaStore::Snapshot& snap) {
  proto::RemoteSnapshotResponse w;
  w.set_node(snap.node);
  for (const auto& n : snap.inodes) {
    auto* i = w.add_inodes();
    n.id.to_proto(i->mutable_id());
    i->set_type(n.type);
    i->set_nlink(n.nlink);
    n.parent.to_proto(i->mutable_parent());
    i->set_parent_owner(n.parent_owner);
    i->set_orphan(n.orphan);
    i->set_state(static_cast<uint32_t>(n.state));
    for (const auto& [shard, node] : n.shards) {
      auto* s = i->add_shards();
      shard.to_proto(s->mutable_id());
      s->set_owner(node);
    }
  }
  for (const auto& d : snap.dentries) {
    auto* e = w.add_dentries();
    d.parent.to_proto(e->mutable_parent());
    e->set_name(d.name);
    d.child.to_proto(e->mutable_child());
    e->set_child_type(d.child_type);
    e->set_child_owner(d.child_owner);
  }
  for (const auto& r : snap.remote_names) {
    auto* e = w.add_remote_names();
    r.id.to_proto(e->mutable_id());
    e->set_node(r.node);
    r.parent.to_proto(e->mutable_parent());
    e->set_name(r.name);
  }
  for (const auto& [seq, record] : snap.journal) {
    w.add_journal_seqs(seq);
    *w.add_journal() = record;
  }
  return w;
}

void append_snapshot(MetaStore::Snapshot& snap, MetaStore::Snapshot page) {
  auto move_all = [](auto& to, auto& from) { std::move(from.begin(), from.end(), std::back_inserter(to)); };
  move_all(snap.inodes, page.inodes);
  move_all(snap.dentries, page.dentries);
  move_all(snap.remote_names, page.remote_names);
  move_all(snap.journal, page.journal);
}

MetaStore::Snapshot snapshot_from_wire(const proto::RemoteSnapshotResponse& w) {
  MetaStore::Snapshot snap;
  snap.node = w.node();
  for (const auto& i : w.inodes()) {
    Inode n;
    n.id = EntryId::from_proto(i.id());
    n.type = i.type();
    n.nlink = i.nlink();
    n.parent = EntryId::from_proto(i.parent());
    n.parent_owner = i.parent_owner();
    n.orphan = i.orphan();
    n.state = static_cast<Inode::State>(i.state());
    for (const auto& s : i.shards()) n.shards.emplace_back(EntryId::from_proto(s.id()), s.owner());
    snap.inodes.push_back(std::move(n));
  }
  for (const auto& e : w.dentries()) {
    Dentry d;
    d.parent = EntryId::from_proto(e.parent());
    d.name = e.name();
    d.child = EntryId::from_proto(e.child());
    d.child_type = e.child_type();
    d.child_owner = e.child_owner();
    snap.dentries.push_back(std::move(d));
  }
  for (const auto& e : w.remote_names())
    snap.remote_names.push_back(
        RemoteNameRow{EntryId::from_proto(e.id()), e.node(), EntryId::from_proto(e.parent()), e.name()});
  for (int i = 0; i < w.journal_size() && i < w.journal_seqs_size(); ++i)
    snap.journal.emplace_back(w.journal_seqs(i), w.journal(i));
  return snap;
}

}  // namespace combfs::metad
