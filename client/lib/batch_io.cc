#include "client/lib/batch_io.h"

#include <fmt/format.h>

#include <map>

#include "client/lib/chunk_requests.h"
#include "client/lib/data_plan.h"

namespace combfs::client {
namespace {

struct Piece {
  size_t io;  // index into the batch
  ChunkRequest request;
  buddy::Route route;
  uint64_t got = 0;
  bool absent = false;  // a read found no chunk file
  std::optional<Status> failed;
};

// Plans one I/O into `pieces`; false (with io.result set) if it cannot run.
// A write first creates the chunk files its end requires (chunk_cover.h).
bool plan(Cluster& cluster, DataPath& data, BatchIo& io, size_t index, std::vector<Piece>& pieces) {
  auto p = pattern_of(*io.layout);
  if (!p) {
    io.result = std::unexpected(p.error());
    return false;
  }
  auto routes = cluster.routes(*io.layout);
  if (!routes) {
    io.result = std::unexpected(routes.error());
    return false;
  }
  uint64_t max_request = std::min<uint64_t>(p->chunk_size, cluster.limits().max_bulk);
  auto requests = plan_io(*p, io.offset, io.length, max_request);
  if (io.write) {
    ChunkCover assume_nothing;
    auto covered = data.cover_chunk_files(*io.file, *io.layout, io.offset + io.length, requests,
                                          io.cover ? *io.cover : assume_nothing);
    if (!covered) {
      io.result = std::unexpected(covered.error());
      return false;
    }
  }
  for (const auto& r : requests) pieces.push_back(Piece{index, r, (*routes)[r.target_index], 0, false, std::nullopt});
  return true;
}

rpc::RpcClient::BatchCall call_for(const BatchIo& io, const Piece& piece) {
  const ChunkRequest& r = piece.request;
  if (io.write) {
    std::span<const char> data(io.buf + r.buf_offset, r.length);
    return rpc::RpcClient::batch_call(piece.route.endpoint, write_request(piece.route, *io.file, r.local_offset, data),
                                      rpc::CallBulk{.out = data, .in = {}});
  }
  return rpc::RpcClient::batch_call(piece.route.endpoint, read_request(piece.route, *io.file, r.local_offset, r.length),
                                    rpc::CallBulk{.out = {}, .in = {io.buf + r.buf_offset, r.length}});
}

void take_reply(const BatchIo& io, Piece& piece, rpc::RpcClient::BatchCall& call) {
  uint32_t target = piece.route.target;
  auto on_target = [&](const Status& s) {
    return Status(s.code(), fmt::format("target {} (file {}): {}", target, io.file->to_string(), s.message()));
  };
  if (io.write) {
    auto resp = rpc::RpcClient::batch_result<proto::WriteChunkRequest>(call);
    if (!resp) {
      piece.failed = on_target(resp.error());
    } else if (resp->written() != piece.request.length) {
      piece.failed = Status(proto::STORAGE_IO, fmt::format("target {} (file {}) wrote {} of {} bytes", target,
                                                           io.file->to_string(), resp->written(), piece.request.length));
    }
    piece.got = resp ? resp->written() : 0;
    if (resp && io.epochs) io.epochs->wrote(*io.file, target, resp->write_epoch());
    return;
  }
  size_t bulk_len = 0;
  auto resp = rpc::RpcClient::batch_result<proto::ReadChunkRequest>(call, &bulk_len);
  if (!resp) {
    piece.failed = read_failed(resp.error(), piece.request, io.offset, target, *io.file);
    return;
  }
  if (auto ok = verify_read(*resp, {io.buf + piece.request.buf_offset, bulk_len}, piece.request, io.offset, target,
                            *io.file);
      !ok)
    piece.failed = ok.error();
  piece.got = bulk_len;
  piece.absent = resp->absent();
}

}  // namespace

void run_batch_io(Cluster& cluster, DataPath& data, std::span<BatchIo> ios, BatchLimits limits) {
  std::vector<Piece> pieces;
  std::vector<bool> planned(ios.size(), false);
  for (size_t i = 0; i < ios.size(); ++i) {
    if (ios[i].length == 0) {
      ios[i].result = size_t{0};
      continue;
    }
    planned[i] = plan(cluster, data, ios[i], i, pieces);
  }

  // Waves of at most limits.per_endpoint pieces per endpoint, in order.
  std::map<rpc::Endpoint, std::vector<size_t>> by_endpoint;
  for (size_t k = 0; k < pieces.size(); ++k) by_endpoint[pieces[k].route.endpoint].push_back(k);
  size_t per = std::max<size_t>(1, limits.per_endpoint);
  for (size_t wave = 0;; ++wave) {
    std::vector<size_t> members;
    for (auto& [ep, list] : by_endpoint)
      for (size_t j = wave * per; j < list.size() && j < (wave + 1) * per; ++j) members.push_back(list[j]);
    if (members.empty()) break;
    std::vector<rpc::RpcClient::BatchCall> calls;
    calls.reserve(members.size());
    for (size_t k : members) calls.push_back(call_for(ios[pieces[k].io], pieces[k]));
    cluster.rpc().run_batch(calls);
    for (size_t m = 0; m < members.size(); ++m) take_reply(ios[pieces[members[m]].io], pieces[members[m]], calls[m]);
  }

  // Per I/O: its pieces are contiguous in `pieces`, in plan order.
  size_t k = 0;
  for (size_t i = 0; i < ios.size(); ++i) {
    if (!planned[i]) continue;
    BatchIo& io = ios[i];
    size_t first = k;
    while (k < pieces.size() && pieces[k].io == i) ++k;
    std::optional<Status> failed;
    bool short_piece = false;
    for (size_t j = first; j < k; ++j) {
      if (pieces[j].failed && !failed) failed = pieces[j].failed;
      if (pieces[j].got < pieces[j].request.length) short_piece = true;
    }
    // A client-side mismatch: DataPath::read asks again with stored's check.
    const bool recheck = failed && !io.write && failed->code() == proto::STORAGE_CHECKSUM_MISMATCH;
    if (failed && (failed->retryable() || recheck)) {
      // Redo the whole I/O with DataPath's retries (positional I/O is idempotent).
      if (io.write) {
        auto done = data.write(*io.file, *io.layout, io.buf, io.length, io.offset, io.epochs, io.cover);
        io.result = done ? Result<size_t>(io.length) : std::unexpected(done.error());
      } else {
        io.result = data.read(*io.file, *io.layout, io.buf, io.length, io.offset);
      }
      continue;
    }
    if (failed) {
      log_if_data_lost(*failed);
      io.result = std::unexpected(*failed);
      continue;
    }
    if (io.write) {
      if (io.cover) io.cover->extend(io.offset + io.length);
      io.result = io.length;
      continue;
    }
    if (!short_piece) {
      io.result = io.length;
      continue;
    }
    // A chunk file ended early: a hole, the end of the file or a lost chunk file.
    std::vector<ChunkRequest> requests;
    std::vector<uint64_t> got;
    std::vector<uint8_t> absent;
    for (size_t j = first; j < k; ++j) {
      requests.push_back(pieces[j].request);
      got.push_back(pieces[j].got);
      absent.push_back(pieces[j].absent);
    }
    io.result = data.finish_short_read(*io.file, *io.layout, std::span<char>(io.buf, io.length), io.offset, requests,
                                       got, absent);
    // DataPath::read looks again (a writer may have been creating it) and logs.
    if (!io.result && io.result.error().code() == proto::STORAGE_CHUNK_MISSING)
      io.result = data.read(*io.file, *io.layout, io.buf, io.length, io.offset);
  }
}

}  // namespace combfs::client
