// RpcClient's pooled connection (internal to common/rpc/client*.cc).
#pragma once

#include <cstdint>
#include <string>

#include "common/rpc/client.h"
#include "common/rpc/frame_socket.h"

namespace combfs::rpc {

struct RpcClient::Connection {
  Connection(tcp::socket s, Endpoint e, FrameLimits limits) : sock(std::move(s), limits), ep(std::move(e)) {}
  FrameSocket sock;
  Endpoint ep;
  uint64_t next_request_id = 1;
  std::string server_name;
  bool reused = false;  // came from the idle pool (the server may have closed it meanwhile)
};

}  // namespace combfs::rpc
