#include "client/lib/data_path.h"

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "client/lib/chunk_requests.h"
#include "client/lib/data_plan.h"

namespace combfs::client {
namespace {

using Call = rpc::RpcClient::BatchCall;

Status on_target(const Status& s, uint32_t target, const EntryId& file) {
  return Status(s.code(), fmt::format("target {} (file {}): {}", target, file.to_string(), s.message()));
}

// Sends one Request (target, mirror group and file set, the rest by
// fill(index, req)) to every entry of the layout at once (a mirror group's
// primary, which forwards what changes data) and waits for all answers.
template <class Request, class Fill>
Result<std::vector<typename rpc::RpcClient::ResponseOf<Request>>> on_all_targets(
    Cluster& cluster, const EntryId& file, const std::vector<buddy::Route>& routes, Fill fill) {
  std::vector<Call> calls;
  calls.reserve(routes.size());
  for (size_t i = 0; i < routes.size(); ++i) {
    Request req;
    buddy::address(req, routes[i]);
    file.to_proto(req.mutable_file());
    fill(static_cast<uint32_t>(i), req);
    calls.push_back(rpc::RpcClient::batch_call(routes[i].endpoint, req));
  }
  cluster.rpc().run_batch(calls);
  std::vector<typename rpc::RpcClient::ResponseOf<Request>> replies(calls.size());
  std::optional<Status> failed;
  for (size_t i = 0; i < calls.size(); ++i) {
    auto resp = rpc::RpcClient::batch_result<Request>(calls[i]);
    if (resp)
      replies[i] = std::move(*resp);
    else if (!failed)
      failed = on_target(resp.error(), routes[i].target, file);
  }
  if (failed) return error(*failed);
  return replies;
}

}  // namespace

uint64_t DataPath::max_request(const striping::Pattern& p) const {
  return std::min<uint64_t>(p.chunk_size, cluster_.limits().max_bulk);
}

Result<size_t> DataPath::read_once(const EntryId& file, const proto::Layout& layout, char* buf, size_t length,
                              uint64_t offset) {
  if (length == 0) return size_t{0};
  auto p = COMBFS_TRY(pattern_of(layout));
  auto routes = COMBFS_TRY(cluster_.routes(layout));
  auto requests = plan_io(p, offset, length, max_request(p));

  std::vector<Call> calls;
  calls.reserve(requests.size());
  for (const auto& r : requests) {
    rpc::CallBulk bulk;
    bulk.in = std::span<char>(buf + r.buf_offset, r.length);
    const auto& route = routes[r.target_index];
    calls.push_back(rpc::RpcClient::batch_call(route.endpoint, read_request(route, file, r.local_offset, r.length), bulk));
  }
  // run_batch returns once every request is finished: they all write into buf.
  cluster_.rpc().run_batch(calls);
  std::vector<uint64_t> got(requests.size());
  std::vector<uint8_t> absent(requests.size());
  std::optional<Status> failed;
  bool short_piece = false;
  for (size_t i = 0; i < calls.size(); ++i) {
    const auto& r = requests[i];
    const auto& route = routes[r.target_index];
    const uint32_t target = route.target;
    size_t bulk_len = 0;
    auto resp = rpc::RpcClient::batch_result<proto::ReadChunkRequest>(calls[i], &bulk_len);
    Result<void> checked;
    if (resp) checked = verify_read(*resp, {buf + r.buf_offset, bulk_len}, r, offset, target, file);
    if (!checked) {
      // Whole blocks come unchecked by stored (sent from its page cache): ask
      // again with its check. Damage on its disk is then reported by stored;
      // a block rewritten meanwhile or damaged on the way now reads right.
      auto req = read_request(route, file, r.local_offset, r.length);
      req.set_verify(true);
      resp = cluster_.rpc().call(route.endpoint, req, rpc::CallBulk{{}, {buf + r.buf_offset, r.length}}, &bulk_len);
      if (resp) checked = verify_read(*resp, {buf + r.buf_offset, bulk_len}, r, offset, target, file);
    }
    if (!resp) {
      if (!failed) failed = read_failed(resp.error(), r, offset, target, file);
      continue;
    }
    if (!checked) {
      if (!failed) failed = checked.error();
      continue;
    }
    got[i] = bulk_len;
    absent[i] = resp->absent();
    if (bulk_len < r.length) short_piece = true;
  }
  if (failed) return error(*failed);
  if (!short_piece) return length;
  // Some chunk file ended early: a hole, the end of the file, or a lost
  // chunk file. Only now is the file's size needed.
  return finish_short_read(file, layout, {buf, length}, offset, requests, got, absent);
}

Result<size_t> DataPath::finish_short_read(const EntryId& file, const proto::Layout& layout, std::span<char> buf,
                                           uint64_t offset, std::span<const ChunkRequest> requests,
                                           std::span<const uint64_t> got, std::span<const uint8_t> absent) {
  auto p = COMBFS_TRY(pattern_of(layout));
  auto routes = COMBFS_TRY(cluster_.routes(layout));
  auto stats = COMBFS_TRY(stat_once(file, layout, nullptr));
  std::vector<uint64_t> local(stats.size());
  bool keeps_rule = false;
  for (size_t i = 0; i < stats.size(); ++i) {
    local[i] = stats[i].exists() ? stats[i].local_size() : 0;
    keeps_rule |= stats[i].checksummed();
  }
  const uint64_t file_size = size_from_local_sizes(p, local);
  // Files written before checksums existed were written without the rule
  // (a sparse write created only its own chunk file): holes there are holes.
  std::vector<uint64_t> got_now(got.begin(), got.end());
  std::vector<uint8_t> absent_now(absent.begin(), absent.end());
  while (keeps_rule) {
    auto i = first_missing_chunk(p, requests, absent_now, file_size);
    if (!i) break;
    const auto& r = requests[*i];
    const auto& route = routes[r.target_index];
    const std::string where = fmt::format("target {}, file {}, offset {}", route.target, file.to_string(),
                                          offset + r.buf_offset);
    if (route.group == 0)
      return error(proto::STORAGE_CHUNK_MISSING,
                   fmt::format("{}: the target has no chunk file for this file although its size ({} bytes) says it "
                               "holds bytes there (local offset {}): the chunk file was lost or deleted; restore it "
                               "from a backup or remove the file",
                               where, file_size, r.local_offset));
    // A mirrored file's primary restores its copy from the secondary when
    // asked with `verify` (stored/ops/repair.h), and answers with the bytes.
    auto req = read_request(route, file, r.local_offset, r.length);
    req.set_verify(true);
    size_t bulk_len = 0;
    auto resp = cluster_.rpc().call(route.endpoint, req, rpc::CallBulk{{}, {buf.data() + r.buf_offset, r.length}},
                                    &bulk_len);
    if (!resp) return error(read_failed(resp.error(), r, offset, route.target, file));
    if (resp->absent())
      return error(proto::STORAGE_CHUNK_MISSING,
                   fmt::format("{}: neither copy of mirror group {} has a chunk file for this file although its size "
                               "({} bytes) says it holds bytes there: restore it from a backup or remove the file",
                               where, route.group, file_size));
    COMBFS_CHECK(verify_read(*resp, {buf.data() + r.buf_offset, bulk_len}, r, offset, route.target, file));
    got_now[*i] = bulk_len;
    absent_now[*i] = 0;
  }
  return complete_read(buf, offset, requests, got_now, file_size);
}

Result<void> DataPath::cover_chunk_files(const EntryId& file, const proto::Layout& layout, uint64_t end,
                                         std::span<const ChunkRequest> requests, ChunkCover& cover) {
  auto p = COMBFS_TRY(pattern_of(layout));
  auto missing = chunk_files_to_create(p, cover.end(), end, requests);
  if (missing.empty()) return {};
  auto routes = COMBFS_TRY(cluster_.routes(layout));
  std::vector<Call> calls;
  for (uint32_t i : missing)
    calls.push_back(rpc::RpcClient::batch_call(routes[i].endpoint, write_request(routes[i], file, 0, {})));
  cluster_.rpc().run_batch(calls);
  for (size_t k = 0; k < calls.size(); ++k)
    if (auto resp = rpc::RpcClient::batch_result<proto::WriteChunkRequest>(calls[k]); !resp)
      return error(on_target(resp.error(), routes[missing[k]].target, file));
  return {};
}

Result<void> DataPath::write_once(const EntryId& file, const proto::Layout& layout, const char* buf, size_t length,
                                  uint64_t offset, WriteEpochs* epochs, ChunkCover& cover) {
  if (length == 0) return {};
  auto p = COMBFS_TRY(pattern_of(layout));
  auto routes = COMBFS_TRY(cluster_.routes(layout));
  auto requests = plan_io(p, offset, length, max_request(p));
  // Before the data: a reader that finds the new size must find these too.
  COMBFS_CHECK(cover_chunk_files(file, layout, offset + length, requests, cover));

  std::vector<Call> calls;
  calls.reserve(requests.size());
  for (const auto& r : requests) {
    rpc::CallBulk bulk;
    bulk.out = std::span<const char>(buf + r.buf_offset, r.length);
    const auto& route = routes[r.target_index];
    calls.push_back(
        rpc::RpcClient::batch_call(route.endpoint, write_request(route, file, r.local_offset, bulk.out), bulk));
  }
  cluster_.rpc().run_batch(calls);
  std::optional<Status> failed;
  for (size_t i = 0; i < calls.size(); ++i) {
    auto resp = rpc::RpcClient::batch_result<proto::WriteChunkRequest>(calls[i]);
    uint32_t target = routes[requests[i].target_index].target;
    if (resp && epochs) epochs->wrote(file, target, resp->write_epoch());
    if (!resp) {
      if (!failed) failed = on_target(resp.error(), target, file);
    } else if (resp->written() != requests[i].length && !failed) {
      failed = Status(proto::STORAGE_IO, fmt::format("target {} (file {}) wrote {} of {} bytes at local offset {}",
                                                     target, file.to_string(), resp->written(), requests[i].length,
                                                     requests[i].local_offset));
    }
  }
  if (failed) return error(*failed);
  cover.extend(offset + length);
  return {};
}

Result<std::vector<proto::StatChunkResponse>> DataPath::stat_once(const EntryId& file, const proto::Layout& layout,
                                                                  WriteEpochs* epochs) {
  auto routes = COMBFS_TRY(cluster_.routes(layout));
  auto replies = COMBFS_TRY(on_all_targets<proto::StatChunkRequest>(cluster_, file, routes, [](uint32_t, auto&) {}));
  if (epochs)
    for (size_t i = 0; i < replies.size(); ++i) epochs->answered(file, routes[i].target, replies[i].write_epoch());
  return replies;
}

Result<uint64_t> DataPath::size_once(const EntryId& file, const proto::Layout& layout, WriteEpochs* epochs) {
  auto p = COMBFS_TRY(pattern_of(layout));
  auto replies = COMBFS_TRY(stat_once(file, layout, epochs));
  std::vector<uint64_t> local(replies.size());
  for (size_t i = 0; i < replies.size(); ++i) local[i] = replies[i].exists() ? replies[i].local_size() : 0;
  return size_from_local_sizes(p, local);
}

Result<void> DataPath::truncate_once(const EntryId& file, const proto::Layout& layout, uint64_t new_size) {
  auto p = COMBFS_TRY(pattern_of(layout));
  auto routes = COMBFS_TRY(cluster_.routes(layout));
  COMBFS_CHECK(on_all_targets<proto::TruncateChunkRequest>(
      cluster_, file, routes, [&](uint32_t i, auto& req) { req.set_local_size(striping::local_size(p, i, new_size)); }));
  return {};
}

Result<void> DataPath::fsync_once(const EntryId& file, const proto::Layout& layout, WriteEpochs* epochs) {
  auto routes = COMBFS_TRY(cluster_.routes(layout));
  auto replies = COMBFS_TRY(on_all_targets<proto::FsyncChunkRequest>(cluster_, file, routes, [](uint32_t, auto&) {}));
  if (epochs)
    for (size_t i = 0; i < replies.size(); ++i) epochs->answered(file, routes[i].target, replies[i].write_epoch());
  return {};
}

// Storage requests are idempotent (positional writes, reads, stats, truncates
// to an absolute size), so a whole operation may be sent again. Retryable
// errors (a target restarting, a lost connection, a timeout) are retried with
// backoff for up to the retry window; the map is consulted again on each try,
// so a target that moved is found at its new address.
template <class F>
auto DataPath::retrying(const char* what, const EntryId& file, F attempt) -> decltype(attempt()) {
  auto give_up = std::chrono::steady_clock::now() + retry_window_;
  auto backoff = std::chrono::milliseconds(50);
  for (;;) {
    auto result = attempt();
    if (result || !result.error().retryable() || std::chrono::steady_clock::now() + backoff > give_up) return result;
    spdlog::info("{} of {}: {}; retrying in {} ms", what, file.to_string(), result.error().to_string(), backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

Result<size_t> DataPath::read(const EntryId& file, const proto::Layout& layout, char* buf, size_t length,
                              uint64_t offset) {
  auto result = retrying("read", file, [&] { return read_once(file, layout, buf, length, offset); });
  if (!result && result.error().code() == proto::STORAGE_CHUNK_MISSING) {
    // Once more: a writer that extends the file creates the chunk files its
    // new end requires just before its data lands, so a read that raced with
    // it may have seen the file absent and then the new size.
    result = retrying("read", file, [&] { return read_once(file, layout, buf, length, offset); });
  }
  if (!result) log_if_data_lost(result.error());
  return result;
}

Result<void> DataPath::write(const EntryId& file, const proto::Layout& layout, const char* buf, size_t length,
                             uint64_t offset, WriteEpochs* epochs, ChunkCover* cover) {
  ChunkCover assume_nothing;
  ChunkCover& c = cover ? *cover : assume_nothing;
  return retrying("write", file, [&] { return write_once(file, layout, buf, length, offset, epochs, c); });
}

Result<uint64_t> DataPath::size(const EntryId& file, const proto::Layout& layout, WriteEpochs* epochs) {
  return retrying("size query", file, [&] { return size_once(file, layout, epochs); });
}

Result<void> DataPath::truncate(const EntryId& file, const proto::Layout& layout, uint64_t new_size) {
  return retrying("truncate", file, [&] { return truncate_once(file, layout, new_size); });
}

Result<void> DataPath::fsync(const EntryId& file, const proto::Layout& layout, WriteEpochs* epochs) {
  return retrying("fsync", file, [&] { return fsync_once(file, layout, epochs); });
}

}  // namespace combfs::client
