#include "metad/size_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "buddy/route.h"
#include "proto/storage.pb.h"
#include "striping/striping.h"

namespace combfs::metad {

Result<uint64_t> measure_size(rpc::RpcClient& rpc, const ClusterMapSource& cluster_map, EntryId id,
                              const proto::Layout& layout, std::chrono::milliseconds timeout) {
  const striping::Pattern p{layout.pattern().chunk_size(), static_cast<uint32_t>(layout.targets_size())};
  if (p.num_targets == 0) return 0;  // holds no data
  if (auto ok = striping::validate(p); !ok)
    return error(proto::INVALID_ARGUMENT, fmt::format("layout of {} is invalid: {}", id.to_string(), ok.error().message()));
  auto map = COMBFS_TRY(cluster_map());
  std::vector<rpc::RpcClient::BatchCall> calls;
  for (const auto& route : COMBFS_TRY(buddy::routes_of(*map, layout))) {
    auto info = map->targets.find(route.target);
    if (info != map->targets.end() && info->second.reach() == proto::REACH_OFFLINE)
      return error(proto::UNAVAILABLE, fmt::format("target {} of {} is offline", route.target, id.to_string()));
    proto::StatChunkRequest req;
    buddy::address(req, route);
    id.to_proto(req.mutable_file());
    calls.push_back(rpc::RpcClient::batch_call(route.endpoint, req));
  }
  rpc.run_batch(calls, timeout);
  uint64_t size = 0;
  for (uint32_t i = 0; i < calls.size(); ++i) {
    auto stat = COMBFS_TRY(rpc::RpcClient::batch_result<proto::StatChunkRequest>(calls[i]));
    if (stat.exists()) size = std::max(size, striping::file_end(p, i, stat.local_size()));
  }
  return size;
}

}  // namespace combfs::metad
