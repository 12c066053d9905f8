// The steps of a journal record (MetaJournalStep): each is one idempotent
// Remote* request to a metad, built here so that the store and metad/cross/
// describe them the same way.
#pragma once

#include <string>

#include "common/entry_id.h"
#include "proto/meta.pb.h"

namespace combfs::metad {

// On `node`: the name (name_node, parent, name) of non-directory `id` is added / removed.
inline proto::MetaJournalStep name_step(uint32_t node, EntryId id, bool add, uint32_t name_node, EntryId parent,
                                        const std::string& name) {
  proto::MetaJournalStep s;
  s.set_node(node);
  auto* r = s.mutable_name();
  id.to_proto(r->mutable_id());
  r->set_add(add);
  r->set_node(name_node);
  parent.to_proto(r->mutable_parent());
  r->set_name(name);
  return s;
}

// On `node`: directory `id` changes state (confirm, abort, prepare/cancel removal, remove).
inline proto::MetaJournalStep dir_step(uint32_t node, EntryId id, proto::RemoteDirAction action) {
  proto::MetaJournalStep s;
  s.set_node(node);
  id.to_proto(s.mutable_dir_state()->mutable_id());
  s.mutable_dir_state()->set_action(action);
  return s;
}

// On `node`: directory `id` now has ".." = parent on parent_owner.
inline proto::MetaJournalStep parent_step(uint32_t node, EntryId id, EntryId parent, uint32_t parent_owner) {
  proto::MetaJournalStep s;
  s.set_node(node);
  auto* r = s.mutable_set_parent();
  id.to_proto(r->mutable_id());
  parent.to_proto(r->mutable_parent());
  r->set_parent_owner(parent_owner);
  return s;
}

// "mkdir 'a' in 00000001-..." for log lines about a record.
std::string describe(const proto::MetaJournalRecord& record);

}  // namespace combfs::metad
