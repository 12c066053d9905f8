// Calls requests on other nodes. Owns an io_context with its own threads, so
// synchronous callers (FUSE worker threads, fsctl, daemons' background loops)
// and coroutines share one connection pool per endpoint.
//
// - Each call has a deadline; on expiry the connection is closed and the call
//   fails with TIMEOUT.
// - Connecting retries with exponential backoff until the deadline.
// - A call that fails on a pooled connection before the server could have read
//   it (the server closed an idle connection) is sent once more on a new one.
// - Synchronous calls (call, run_batch) run on the calling thread: the request
//   is written and the reply read with non-blocking syscalls and poll()
//   (inline_exchange.h), so a call costs no hand-off to an io thread and back.
//   run_batch sends many calls at once (a striped I/O to all its targets) and
//   collects the replies as they come. Only connecting (and authenticating) a
//   new connection runs on the io threads.
// - start/finish run a call on the io threads and return a future; for
//   callers that must not block (coroutines) or overlap a call with other work.
#pragma once

#include <chrono>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/rpc/auth.h"
#include "common/rpc/frame_socket.h"
#include "common/rpc/messages.h"

namespace combfs::rpc {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
  auto operator<=>(const Endpoint&) const = default;
  // "host[:port]"; the port defaults to default_port.
  static Result<Endpoint> parse(const std::string& text, uint16_t default_port);
};

struct ClientOptions {
  std::string name = "client";  // shown in the server's log lines
  Secret secret;
  FrameLimits limits;
  std::chrono::milliseconds call_timeout{30000};
  std::chrono::milliseconds connect_backoff_max{1000};
  std::chrono::milliseconds connect_patience{5000};  // give up connecting after this (within the call timeout)
  size_t max_idle_per_endpoint = 32;
  int io_threads = 2;
};

// Bulk payloads of one call: `out` is sent with the request, the reply's bulk is
// read into `in` (at most in.size() bytes); its length is in RawReply::bulk_len.
struct CallBulk {
  std::span<const char> out;
  std::span<char> in;
};

struct RawReply {
  std::string body;
  size_t bulk_len = 0;
};

class RpcClient {
 public:
  explicit RpcClient(ClientOptions options);
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  template <class Request>
  using ResponseOf = typename MessageTraits<Request>::Response;

  // One call of run_batch(); make it with batch_call(), read it with batch_result().
  struct BatchCall {
    Endpoint ep;
    uint32_t type = 0;
    std::string body;
    CallBulk bulk;
    Result<RawReply> result = std::unexpected(Status(proto::INTERNAL, "call not run"));
  };
  template <class Request>
  static BatchCall batch_call(const Endpoint& ep, const Request& req, CallBulk bulk = {}) {
    return BatchCall{ep, MessageTraits<Request>::kType, encode(req), bulk};
  }
  template <class Request>
  static Result<ResponseOf<Request>> batch_result(BatchCall& call, size_t* bulk_len = nullptr) {
    return decode<Request>(std::move(call.result), bulk_len);
  }

  // Runs all calls at once on the calling thread, each on its own connection,
  // and returns when every one has its result (reply, error reply, or failure;
  // all share one deadline: `timeout`, or the client's call_timeout when 0).
  void run_batch(std::span<BatchCall> calls, std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

  // Synchronous call; `bulk_len` (optional) receives the reply's bulk length.
  template <class Request>
  Result<ResponseOf<Request>> call(const Endpoint& ep, const Request& req, CallBulk bulk = {},
                                   size_t* bulk_len = nullptr,
                                   std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
    BatchCall one = batch_call(ep, req, bulk);
    run_batch(std::span<BatchCall>(&one, 1), timeout);
    return batch_result<Request>(one, bulk_len);
  }

  // Starts the call now; get() on the result waits for it.
  template <class Request>
  std::future<Result<RawReply>> start(const Endpoint& ep, const Request& req, CallBulk bulk = {},
                                      std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
    return call_async_raw(ep, MessageTraits<Request>::kType, encode(req), bulk, timeout);
  }
  template <class Request>
  static Result<ResponseOf<Request>> finish(std::future<Result<RawReply>>& pending, size_t* bulk_len = nullptr) {
    return decode<Request>(pending.get(), bulk_len);
  }

  // Drops idle connections to an endpoint (e.g. after it restarted).
  void forget(const Endpoint& ep);
  const ClientOptions& options() const { return options_; }

 private:
  struct Connection;

  template <class Request>
  static std::string encode(const Request& req) {
    std::string body;
    req.SerializeToString(&body);
    return body;
  }
  template <class Request>
  static Result<ResponseOf<Request>> decode(Result<RawReply> raw, size_t* bulk_len) {
    if (!raw) return std::unexpected(raw.error());
    ResponseOf<Request> resp;
    if (!resp.ParseFromString(raw->body))
      return error(proto::RPC_MALFORMED_FRAME,
                   std::string("cannot parse ") + MessageTraits<Request>::kName + " response");
    if (bulk_len) *bulk_len = raw->bulk_len;
    return resp;
  }

  std::future<Result<RawReply>> call_async_raw(const Endpoint& ep, uint32_t type, std::string body, CallBulk bulk,
                                               std::chrono::milliseconds timeout);
  asio::awaitable<Result<RawReply>> do_call(Endpoint ep, uint32_t type, std::string body, CallBulk bulk,
                                            std::chrono::steady_clock::time_point deadline);
  // request_sent: the server may have seen the request; answered: it replied
  // (possibly with an error), so the connection is still usable.
  asio::awaitable<Result<RawReply>> exchange(Connection& conn, uint32_t type, const std::string& body, CallBulk bulk,
                                             bool& request_sent, bool& answered);
  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(const Endpoint& ep,
                                                               std::chrono::steady_clock::time_point deadline);
  asio::awaitable<Result<void>> handshake(Connection& conn);
  // connect() run on the io threads, for a synchronous caller.
  Result<std::unique_ptr<Connection>> connect_blocking(const Endpoint& ep, std::chrono::steady_clock::time_point deadline);

  std::unique_ptr<Connection> take_idle(const Endpoint& ep);
  void give_back(std::unique_ptr<Connection> conn);

  ClientOptions options_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::map<Endpoint, std::deque<std::unique_ptr<Connection>>> idle_;  // GUARDED_BY(mutex_)
};

}  // namespace combfs::rpc
