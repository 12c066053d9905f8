#include "common/rpc/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/rpc/watchdog.h"

namespace combfs::rpc {

RpcServer::RpcServer(asio::io_context& io, ServerOptions options, const Dispatcher& dispatcher)
    : io_(io), options_(std::move(options)), dispatcher_(dispatcher), acceptor_(io) {}

Result<uint16_t> RpcServer::listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.bind_host, ec);
  if (ec) return error(proto::INVALID_ARGUMENT, fmt::format("bad listen address '{}': {}", options_.bind_host, ec.message()));
  tcp::endpoint ep(address, options_.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return error(proto::UNAVAILABLE, fmt::format("cannot listen on {}:{}: {} (is another daemon using the port?)",
                                                 options_.bind_host, options_.port, ec.message()));
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(), asio::detached);
  return port_;
}

void RpcServer::stop() {
  // Close on the io_context so it never races a pending accept on another thread.
  asio::post(io_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
  });
}

asio::awaitable<void> RpcServer::accept_loop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
      // E.g. out of file descriptors: pause instead of spinning on the error.
      spdlog::warn("{}: accept failed: {}", options_.name, ec.message());
      asio::steady_timer pause(io_, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    // One strand per connection: its handshake watchdog never races its I/O.
    asio::co_spawn(asio::make_strand(io_), serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<Result<void>> RpcServer::handshake(FrameSocket& conn) {
  proto::AuthChallenge challenge;
  challenge.set_server_nonce(random_nonce());
  challenge.set_server_name(options_.name);
  std::string body;
  challenge.SerializeToString(&body);
  FrameHeader h;
  h.type = kAuthChallengeType;
  COMBFS_CO_CHECK(co_await conn.write(h, body));

  BulkSink none;
  auto got = co_await conn.read(body, none);
  if (!got) co_return error(got.error());
  proto::AuthResponse response;
  if (got->type != kAuthResponseType || !response.ParseFromString(body))
    co_return error(proto::RPC_AUTH_FAILED, "peer did not answer the authentication challenge (not a combfs client?)");

  proto::AuthResult result;
  std::string expected = auth_mac(options_.secret, "combfs-client", challenge.server_nonce(), response.client_nonce());
  if (response.mac().empty() || !mac_equal(expected, response.mac())) {
    result.set_ok(false);
    result.set_message(response.mac().empty() ? "no credentials sent; configure the cluster's shared secret file"
                                              : "wrong shared secret; use the same secret file as the cluster");
  } else {
    result.set_ok(true);
    result.set_mac(auth_mac(options_.secret, "combfs-server", response.client_nonce(), challenge.server_nonce()));
  }
  result.SerializeToString(&body);
  h.type = kAuthResultType;
  co_await conn.write(h, body);
  if (!result.ok())
    co_return error(proto::RPC_AUTH_FAILED, fmt::format("refused '{}': {}", response.client_name(), result.message()));
  co_return Result<void>{};
}

asio::awaitable<void> RpcServer::serve(tcp::socket socket) {
  FrameSocket conn(std::move(socket), options_.limits);
  const std::string peer = conn.peer();

  // The handshake must finish in time, so a silent peer cannot hold the slot.
  Watchdog watchdog(co_await asio::this_coro::executor, std::chrono::steady_clock::now() + options_.handshake_timeout,
                    [&conn] { conn.close(); });
  auto auth = co_await handshake(conn);
  watchdog.disarm();
  if (!auth) {
    spdlog::warn("{}: rejected connection from {}: {}", options_.name, peer, auth.error().to_string());
    conn.close();
    co_return;
  }

  std::string body;
  std::vector<char> bulk_in;
  std::vector<char> bulk_out;
  for (;;) {
    BulkSink sink{.into = {}, .grow = &bulk_in};
    auto header = co_await conn.read(body, sink);
    if (!header) {
      if (header.error().code() != proto::RPC_CONNECTION_LOST)
        spdlog::warn("{}: closing connection from {}: {}", options_.name, peer, header.error().to_string());
      break;
    }
    if (header->is_reply()) {
      spdlog::warn("{}: closing connection from {}: it sent a reply frame where a request was expected", options_.name, peer);
      break;
    }
    bulk_out.clear();
    RequestContext ctx{std::span<const char>(bulk_in.data(), sink.received), bulk_out, peer};
    Reply reply = dispatcher_.handle(header->type, body, ctx);

    FrameHeader out;
    out.flags = kFlagReply | reply.flags;
    out.type = header->type;
    out.request_id = header->request_id;
    Result<void> sent;
    if (ctx.bulk_file.fd >= 0 && !(reply.flags & kFlagError)) {
      sent = co_await conn.write_file(out, reply.body, ctx.bulk_file.fd, ctx.bulk_file.offset, reply.bulk_size);
    } else {
      std::span<const char> bulk(bulk_out.data(), reply.flags & kFlagError ? 0 : reply.bulk_size);
      sent = co_await conn.write(out, reply.body, bulk);
    }
    if (!sent) {
      // A lost connection is routine; a file that could not be sent is not.
      if (sent.error().code() != proto::RPC_CONNECTION_LOST)
        spdlog::warn("{}: closing connection from {}: {}", options_.name, peer, sent.error().to_string());
      break;
    }
    // A request whose body did not parse is a malformed frame: answer, then close.
    if (reply.flags & kFlagError) {
      proto::ErrorReply e;
      e.ParseFromString(reply.body);
      if (e.code() == proto::RPC_MALFORMED_FRAME) {
        spdlog::warn("{}: closing connection from {}: {}", options_.name, peer, e.message());
        break;
      }
    }
    // Large buffers of one big request should not stay pinned per idle connection.
    if (bulk_in.capacity() > (8u << 20)) std::vector<char>().swap(bulk_in);
    if (bulk_out.capacity() > (8u << 20)) std::vector<char>().swap(bulk_out);
  }
  conn.close();
}

}  // namespace combfs::rpc
