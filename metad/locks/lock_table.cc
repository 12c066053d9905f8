#include "metad/locks/lock_table.h"

#include <algorithm>

namespace combfs::metad::locks {
namespace {

bool overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2) { return s1 <= e2 && s2 <= e1; }

// [s1, e1] ends right before [s2, e2] starts, or the other way round.
bool adjacent(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2) {
  return (e1 < kToEof && e1 + 1 == s2) || (e2 < kToEof && e2 + 1 == s1);
}

bool types_conflict(Type a, Type b) { return a == Type::write || b == Type::write; }

bool by_owner_start(const Lock& a, const Lock& b) {
  return a.owner != b.owner ? a.owner < b.owner : a.start < b.start;
}

// The lowest-start lock of another owner in `v` that conflicts with the request.
std::optional<Lock> first_conflict(const std::vector<Lock>& v, const Owner& owner, Type type, uint64_t start,
                                   uint64_t end) {
  std::optional<Lock> first;
  if (type == Type::unlock) return first;
  for (const Lock& l : v) {
    if (l.owner == owner || !overlap(l.start, l.end, start, end) || !types_conflict(l.type, type)) continue;
    if (!first || l.start < first->start) first = l;
  }
  return first;
}

bool client_has_locks(const std::vector<Lock>& v, uint64_t client_id) {
  return std::any_of(v.begin(), v.end(), [&](const Lock& l) { return l.owner.client_id == client_id; });
}

}  // namespace

SetResult LockTable::set(const LockRequest& req, int64_t now_ms) {
  auto it = files_.find(req.file);
  if (it == files_.end()) {
    // Unlocking nothing needs no entry; a lock creates one.
    if (req.type == Type::unlock) {
      if (req.kind == Kind::posix && req.wait) waiters_.erase(req.owner);
      return {};
    }
    it = files_.emplace(req.file, FileLocks{}).first;
  }
  SetResult result = req.kind == Kind::posix ? set_posix(it->second, req, now_ms) : set_flock(it->second, req);
  if (result.outcome == Outcome::granted) {
    const FileLocks& fl = it->second;
    if (req.type != Type::unlock) {
      note_client_file(req.owner.client_id, req.file);
    } else if (!client_has_locks(fl.posix, req.owner.client_id) && !client_has_locks(fl.flock, req.owner.client_id)) {
      auto c = client_files_.find(req.owner.client_id);
      if (c != client_files_.end()) {
        c->second.erase(req.file);
        if (c->second.empty()) client_files_.erase(c);
      }
    }
  }
  forget_file_if_empty(req.file);
  return result;
}

SetResult LockTable::set_posix(FileLocks& locks, const LockRequest& req, int64_t now_ms) {
  if (auto conflict = first_conflict(locks.posix, req.owner, req.type, req.start, req.end)) {
    if (req.wait) {
      if (would_deadlock(req, *conflict, now_ms)) {
        waiters_.erase(req.owner);
        return {Outcome::deadlock, conflict};
      }
      waiters_[req.owner] = Waiter{req.file, req.type, req.start, req.end, now_ms + waiter_ttl_ms_};
    }
    return {Outcome::would_block, conflict};
  }
  if (req.wait) waiters_.erase(req.owner);

  // Rebuild the owner's locks: same-type locks touching the range merge into
  // the new lock; other overlapping locks keep only their parts outside it.
  uint64_t start = req.start, end = req.end;
  std::vector<Lock> kept;
  kept.reserve(locks.posix.size() + 2);
  for (const Lock& l : locks.posix) {
    if (l.owner != req.owner) {
      kept.push_back(l);
      continue;
    }
    bool touches = overlap(l.start, l.end, req.start, req.end) || adjacent(l.start, l.end, req.start, req.end);
    if (req.type != Type::unlock && l.type == req.type && touches) {
      start = std::min(start, l.start);
      end = std::max(end, l.end);
      continue;
    }
    if (!overlap(l.start, l.end, req.start, req.end)) {
      kept.push_back(l);
      continue;
    }
    if (l.start < req.start) kept.push_back(Lock{l.owner, l.type, l.start, req.start - 1, l.pid});
    if (l.end > req.end) kept.push_back(Lock{l.owner, l.type, req.end + 1, l.end, l.pid});
  }
  if (req.type != Type::unlock) kept.push_back(Lock{req.owner, req.type, start, end, req.pid});
  std::sort(kept.begin(), kept.end(), by_owner_start);
  locks.posix = std::move(kept);
  return {};
}

SetResult LockTable::set_flock(FileLocks& locks, const LockRequest& req) {
  auto& v = locks.flock;
  auto mine = std::find_if(v.begin(), v.end(), [&](const Lock& l) { return l.owner == req.owner; });
  if (req.type == Type::unlock) {
    if (mine != v.end()) v.erase(mine);
    return {};
  }
  if (auto conflict = first_conflict(v, req.owner, req.type, 0, kToEof)) return {Outcome::would_block, conflict};
  if (mine != v.end()) {
    mine->type = req.type;
    mine->pid = req.pid;
  } else {
    v.push_back(Lock{req.owner, req.type, 0, kToEof, req.pid});
    std::sort(v.begin(), v.end(), by_owner_start);
  }
  return {};
}

bool LockTable::would_deadlock(const LockRequest& req, const Lock& first, int64_t now_ms) const {
  // Walk the wait-for graph from every owner the request would wait for; a
  // path back to the requester is a cycle. Visited owners bound the walk.
  const FileLocks& mine = files_.at(req.file);
  std::vector<Owner> frontier;
  for (const Lock& l : mine.posix)
    if (l.owner != req.owner && overlap(l.start, l.end, req.start, req.end) && types_conflict(l.type, req.type))
      frontier.push_back(l.owner);
  std::set<Owner> visited;
  while (!frontier.empty()) {
    Owner o = frontier.back();
    frontier.pop_back();
    if (o == req.owner) return true;
    if (!visited.insert(o).second) continue;
    auto w = waiters_.find(o);
    if (w == waiters_.end() || w->second.expires_ms < now_ms) continue;
    auto f = files_.find(w->second.file);
    if (f == files_.end()) continue;
    for (const Lock& l : f->second.posix)
      if (l.owner != o && overlap(l.start, l.end, w->second.start, w->second.end) &&
          types_conflict(l.type, w->second.type))
        frontier.push_back(l.owner);
  }
  return false;
}

std::optional<Lock> LockTable::test(const EntryId& file, Kind kind, const Owner& owner, Type type, uint64_t start,
                                    uint64_t end) const {
  auto it = files_.find(file);
  if (it == files_.end()) return std::nullopt;
  if (kind == Kind::flock) return first_conflict(it->second.flock, owner, type, 0, kToEof);
  return first_conflict(it->second.posix, owner, type, start, end);
}

void LockTable::cancel_wait(const Owner& owner) { waiters_.erase(owner); }

bool LockTable::waiting(const Owner& owner, int64_t now_ms) const {
  auto w = waiters_.find(owner);
  return w != waiters_.end() && w->second.expires_ms >= now_ms;
}

size_t LockTable::drop_client(uint64_t client_id) {
  size_t dropped = 0;
  for (auto w = waiters_.begin(); w != waiters_.end();) {
    if (w->first.client_id == client_id) {
      w = waiters_.erase(w);
      ++dropped;
    } else {
      ++w;
    }
  }
  auto c = client_files_.find(client_id);
  if (c == client_files_.end()) return dropped;
  for (const EntryId& file : c->second) {
    auto it = files_.find(file);
    if (it == files_.end()) continue;
    auto mine = [&](const Lock& l) { return l.owner.client_id == client_id; };
    for (auto* v : {&it->second.posix, &it->second.flock}) {
      auto gone = std::remove_if(v->begin(), v->end(), mine);
      dropped += static_cast<size_t>(v->end() - gone);
      v->erase(gone, v->end());
    }
    forget_file_if_empty(file);
  }
  client_files_.erase(c);
  return dropped;
}

std::vector<Lock> LockTable::locks(const EntryId& file, Kind kind) const {
  auto it = files_.find(file);
  if (it == files_.end()) return {};
  return kind == Kind::posix ? it->second.posix : it->second.flock;
}

size_t LockTable::size() const {
  size_t n = 0;
  for (const auto& [id, fl] : files_) n += fl.posix.size() + fl.flock.size();
  return n;
}

void LockTable::forget_file_if_empty(const EntryId& file) {
  auto it = files_.find(file);
  if (it != files_.end() && it->second.posix.empty() && it->second.flock.empty()) files_.erase(it);
}

void LockTable::note_client_file(uint64_t client_id, const EntryId& file) { client_files_[client_id].insert(file); }

}  // namespace combfs::metad::locks
