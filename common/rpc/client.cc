#include "common/rpc/client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "common/rpc/client_connection.h"
#include "common/rpc/watchdog.h"

namespace combfs::rpc {

using Clock = std::chrono::steady_clock;

Result<Endpoint> Endpoint::parse(const std::string& text, uint16_t default_port) {
  Endpoint ep;
  auto colon = text.rfind(':');
  if (colon == std::string::npos || text.find(':') != colon) {
    ep.host = text;
    ep.port = default_port;
  } else {
    ep.host = text.substr(0, colon);
    try {
      int port = std::stoi(text.substr(colon + 1));
      if (port <= 0 || port > 65535) throw std::out_of_range("port");
      ep.port = static_cast<uint16_t>(port);
    } catch (const std::exception&) {
      return error(proto::INVALID_ARGUMENT, fmt::format("bad port in '{}': expected HOST[:PORT] with PORT 1-65535", text));
    }
  }
  if (ep.host.empty()) return error(proto::INVALID_ARGUMENT, fmt::format("no host in '{}': expected HOST[:PORT]", text));
  return ep;
}

RpcClient::RpcClient(ClientOptions options) : options_(std::move(options)), work_(io_.get_executor()) {
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) threads_.emplace_back([this] { io_.run(); });
}

RpcClient::~RpcClient() {
  {
    std::lock_guard lock(mutex_);
    for (auto& [ep, conns] : idle_)
      for (auto& c : conns) c->sock.close();
  }
  work_.reset();
  io_.stop();
  for (auto& t : threads_) t.join();
  idle_.clear();
}

void RpcClient::forget(const Endpoint& ep) {
  std::lock_guard lock(mutex_);
  auto it = idle_.find(ep);
  if (it == idle_.end()) return;
  for (auto& c : it->second) c->sock.close();
  idle_.erase(it);
}

std::unique_ptr<RpcClient::Connection> RpcClient::take_idle(const Endpoint& ep) {
  std::lock_guard lock(mutex_);
  auto it = idle_.find(ep);
  if (it == idle_.end() || it->second.empty()) return nullptr;
  auto conn = std::move(it->second.back());
  it->second.pop_back();
  conn->reused = true;
  return conn;
}

void RpcClient::give_back(std::unique_ptr<Connection> conn) {
  std::lock_guard lock(mutex_);
  auto& list = idle_[conn->ep];
  if (list.size() < options_.max_idle_per_endpoint) list.push_back(std::move(conn));
}

std::future<Result<RawReply>> RpcClient::call_async_raw(const Endpoint& ep, uint32_t type, std::string body,
                                                        CallBulk bulk, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + (timeout.count() > 0 ? timeout : options_.call_timeout);
  // Each call runs on its own strand: its watchdog never races its socket I/O.
  return asio::co_spawn(asio::make_strand(io_), do_call(ep, type, std::move(body), bulk, deadline), asio::use_future);
}

asio::awaitable<Result<RawReply>> RpcClient::do_call(Endpoint ep, uint32_t type, std::string body, CallBulk bulk,
                                                     Clock::time_point deadline) {
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> conn = take_idle(ep);
    if (!conn) {
      // Connecting gives up earlier than the call: a node that moved to another
      // address is found again through the map by the caller, not by waiting here.
      auto fresh = co_await connect(ep, std::min(deadline, Clock::now() + options_.connect_patience));
      if (!fresh) co_return error(fresh.error());
      conn = std::move(*fresh);
    }

    // The deadline closes the socket, which ends any pending read or write.
    Watchdog watchdog(co_await asio::this_coro::executor, deadline, [c = conn.get()] { c->sock.close(); });
    bool request_sent = false;
    bool answered = false;
    auto reply = co_await exchange(*conn, type, body, bulk, request_sent, answered);
    watchdog.disarm();

    if (watchdog.fired())
      co_return error(proto::TIMEOUT, fmt::format("{} to {} got no answer in time; the server may be overloaded or down",
                                                  message_name(type), ep.to_string()));
    // An error reply is a complete exchange: the connection stays good.
    if (reply || answered) {
      give_back(std::move(conn));
      co_return reply;
    }
    conn->sock.close();
    // A pooled connection the server had closed while idle fails before the
    // request reached it: send once more on a fresh connection.
    if (conn->reused && !request_sent && attempt == 0 && reply.error().code() == proto::RPC_CONNECTION_LOST) continue;
    co_return reply;
  }
}

asio::awaitable<Result<RawReply>> RpcClient::exchange(Connection& conn, uint32_t type, const std::string& body,
                                                      CallBulk bulk, bool& request_sent, bool& answered) {
  FrameHeader h;
  h.type = type;
  h.request_id = conn.next_request_id++;
  COMBFS_CO_CHECK(co_await conn.sock.write(h, body, bulk.out));
  std::string reply_body;
  BulkSink sink{.into = bulk.in, .grow = nullptr};
  auto got = co_await conn.sock.read(reply_body, sink);
  if (!got) {
    // EOF before any byte of the answer on a reused connection: the server had
    // closed it while idle and never saw the request.
    request_sent = !(conn.reused && got.error().code() == proto::RPC_CONNECTION_LOST);
    co_return error(got.error());
  }
  request_sent = true;
  if (!got->is_reply() || got->type != type || got->request_id != h.request_id)
    co_return error(proto::RPC_MALFORMED_FRAME,
                    fmt::format("{} answered request {} ({}) with frame for request {} type {}", conn.sock.peer(),
                                h.request_id, message_name(type), got->request_id, got->type));
  if (got->is_error()) {
    proto::ErrorReply e;
    if (!e.ParseFromString(reply_body))
      co_return error(proto::RPC_MALFORMED_FRAME, fmt::format("{} sent an unparsable error reply", conn.sock.peer()));
    answered = true;
    co_return error(std::move(Status(e.code(), e.message()).set_redirect_node(e.redirect_node())));
  }
  co_return RawReply{std::move(reply_body), sink.received};
}

asio::awaitable<Result<std::unique_ptr<RpcClient::Connection>>> RpcClient::connect(const Endpoint& ep,
                                                                                    Clock::time_point deadline) {
  auto backoff = std::chrono::milliseconds(10);
  std::string last_error;
  for (;;) {
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    auto results = co_await resolver.async_resolve(ep.host, std::to_string(ep.port),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) {
      tcp::socket socket(io_);
      std::unique_ptr<Connection> conn;
      Watchdog watchdog(co_await asio::this_coro::executor, deadline, [&socket, &conn] {
        if (conn)
          conn->sock.close();
        else
          socket.close();
      });
      co_await asio::async_connect(socket, results, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        conn = std::make_unique<Connection>(std::move(socket), ep, options_.limits);
        auto auth = co_await handshake(*conn);
        watchdog.disarm();
        if (auth) co_return conn;
        if (auth.error().code() == proto::RPC_AUTH_FAILED) {
          spdlog::warn("{}", auth.error().message());
          co_return error(auth.error());
        }
        last_error = auth.error().message();
      } else {
        watchdog.disarm();
        last_error = ec.message();
      }
    } else {
      last_error = ec.message();
    }
    if (Clock::now() + backoff >= deadline)
      co_return error(proto::RPC_CONNECT_FAILED,
                      fmt::format("cannot connect to {}: {}; check that the daemon runs and the address is right",
                                  ep.to_string(), last_error));
    asio::steady_timer wait(co_await asio::this_coro::executor, backoff);
    co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    backoff = std::min(backoff * 2, options_.connect_backoff_max);
  }
}

asio::awaitable<Result<void>> RpcClient::handshake(Connection& conn) {
  std::string body;
  BulkSink none;
  auto got = co_await conn.sock.read(body, none);
  if (!got) co_return error(got.error());
  proto::AuthChallenge challenge;
  if (got->type != kAuthChallengeType || !challenge.ParseFromString(body))
    co_return error(proto::RPC_MALFORMED_FRAME, fmt::format("{} did not start with an authentication challenge", conn.sock.peer()));
  conn.server_name = challenge.server_name();

  proto::AuthResponse response;
  response.set_client_nonce(random_nonce());
  response.set_client_name(options_.name);
  if (!options_.secret.empty())
    response.set_mac(auth_mac(options_.secret, "combfs-client", challenge.server_nonce(), response.client_nonce()));
  response.SerializeToString(&body);
  FrameHeader h;
  h.type = kAuthResponseType;
  COMBFS_CO_CHECK(co_await conn.sock.write(h, body));

  got = co_await conn.sock.read(body, none);
  if (!got) {
    // A server that refuses the secret says so in its AuthResult (below); one
    // that closes without it died or restarted meanwhile: worth connecting again.
    co_return error(proto::RPC_CONNECTION_LOST,
                    fmt::format("{} ({}) closed the connection during authentication (restarting?): {}",
                                conn.server_name, conn.sock.peer(), got.error().message()));
  }
  proto::AuthResult result;
  if (got->type != kAuthResultType || !result.ParseFromString(body))
    co_return error(proto::RPC_MALFORMED_FRAME, fmt::format("{} sent a malformed authentication result", conn.sock.peer()));
  if (!result.ok())
    co_return error(proto::RPC_AUTH_FAILED, fmt::format("{} ({}) refused authentication: {}", conn.server_name,
                                                        conn.sock.peer(), result.message()));
  std::string expected = auth_mac(options_.secret, "combfs-server", response.client_nonce(), challenge.server_nonce());
  if (!mac_equal(expected, result.mac()))
    co_return error(proto::RPC_AUTH_FAILED, fmt::format("{} ({}) could not prove it knows the shared secret; refusing it",
                                                        conn.server_name, conn.sock.peer()));
  co_return Result<void>{};
}

}  // namespace combfs::rpc
