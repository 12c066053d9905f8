// Accepts connections, authenticates them, reads request frames and answers each
// with its handler's reply. A connection carries one request at a time; clients
// get parallelism from several pooled connections. A peer that breaks the
// protocol loses its connection, never the daemon.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "common/rpc/auth.h"
#include "common/rpc/dispatcher.h"
#include "common/rpc/frame_socket.h"

namespace combfs::rpc {

struct ServerOptions {
  std::string name;                 // service name for handshakes and logs
  std::string bind_host = "0.0.0.0";
  uint16_t port = 0;                // 0: any free port (see RpcServer::port)
  Secret secret;
  FrameLimits limits;
  std::chrono::milliseconds handshake_timeout{5000};
};

class RpcServer {
 public:
  RpcServer(asio::io_context& io, ServerOptions options, const Dispatcher& dispatcher);

  // Binds and starts accepting. Returns the bound port.
  Result<uint16_t> listen();
  void stop();
  uint16_t port() const { return port_; }

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(tcp::socket socket);
  asio::awaitable<Result<void>> handshake(FrameSocket& conn);

  asio::io_context& io_;
  ServerOptions options_;
  const Dispatcher& dispatcher_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
};

}  // namespace combfs::rpc
