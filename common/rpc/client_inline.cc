// RpcClient's synchronous calls, run on the caller's thread (see client.h):
// the same pool, deadline, retry and error rules as do_call() on the io
// threads, with the exchange itself done by run_inline().
#include <fmt/format.h>

#include "common/rpc/client.h"
#include "common/rpc/client_connection.h"
#include "common/rpc/inline_exchange.h"

namespace combfs::rpc {

using Clock = std::chrono::steady_clock;

Result<std::unique_ptr<RpcClient::Connection>> RpcClient::connect_blocking(const Endpoint& ep,
                                                                            Clock::time_point deadline) {
  return asio::co_spawn(asio::make_strand(io_), connect(ep, deadline), asio::use_future).get();
}

namespace {

struct Slot {
  RpcClient::BatchCall* call = nullptr;
  InlineExchange x;
  bool retry = false;  // the pooled connection was dead before the server saw the request
};

}  // namespace

void RpcClient::run_batch(std::span<BatchCall> calls, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + (timeout.count() > 0 ? timeout : options_.call_timeout);
  std::vector<Slot> slots(calls.size());
  std::vector<std::unique_ptr<Connection>> conns(calls.size());
  for (size_t i = 0; i < calls.size(); ++i) slots[i].call = &calls[i];

  // Attempt 0 uses pooled connections; attempt 1 re-sends, on fresh
  // connections, only the calls whose pooled connection turned out dead.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<InlineExchange*> active;
    for (size_t i = 0; i < slots.size(); ++i) {
      Slot& s = slots[i];
      if (attempt == 1 && !s.retry) continue;
      s.retry = false;
      conns[i] = attempt == 0 ? take_idle(s.call->ep) : nullptr;
      if (!conns[i]) {
        // Connecting gives up earlier than the call: a node that moved to another
        // address is found again through the map by the caller, not by waiting here.
        auto fresh = connect_blocking(s.call->ep, std::min(deadline, Clock::now() + options_.connect_patience));
        if (!fresh) {
          s.call->result = std::unexpected(fresh.error());
          continue;
        }
        conns[i] = std::move(*fresh);
      }
      Connection& c = *conns[i];
      boost::system::error_code ec;
      c.sock.socket().native_non_blocking(true, ec);
      s.x = InlineExchange{};
      s.x.fd = c.sock.socket().native_handle();
      s.x.peer = c.sock.peer();
      s.x.request.type = s.call->type;
      s.x.request.request_id = c.next_request_id++;
      s.x.body = &s.call->body;
      s.x.bulk_out = s.call->bulk.out;
      s.x.bulk_in = s.call->bulk.in;
      active.push_back(&s.x);
    }
    if (active.empty()) return;
    run_inline(active, options_.limits, deadline);

    bool again = false;
    for (size_t i = 0; i < slots.size(); ++i) {
      Slot& s = slots[i];
      if (!conns[i]) continue;
      std::unique_ptr<Connection> conn = std::move(conns[i]);
      const InlineExchange& x = s.x;
      const std::string what = message_name(s.call->type);
      if (x.timed_out) {
        conn->sock.close();
        s.call->result = error(proto::TIMEOUT, fmt::format("{} to {} got no answer in time; the server may be "
                                                           "overloaded or down",
                                                           what, s.call->ep.to_string()));
        continue;
      }
      if (x.failure) {
        conn->sock.close();
        // EOF before any byte of the answer on a reused connection: the server
        // had closed it while idle and never saw the request.
        bool lost = x.failure->code() == proto::RPC_CONNECTION_LOST;
        if (attempt == 0 && conn->reused && lost && !x.reply_started) {
          s.retry = again = true;
          continue;
        }
        s.call->result = std::unexpected(*x.failure);
        continue;
      }
      const FrameHeader& h = *x.reply;
      if (!h.is_reply() || h.type != x.request.type || h.request_id != x.request.request_id) {
        conn->sock.close();
        s.call->result = error(proto::RPC_MALFORMED_FRAME,
                               fmt::format("{} answered request {} ({}) with frame for request {} type {}", x.peer,
                                           x.request.request_id, what, h.request_id, h.type));
        continue;
      }
      if (h.is_error()) {
        proto::ErrorReply e;
        if (!e.ParseFromString(s.x.reply_body)) {
          conn->sock.close();
          s.call->result = error(proto::RPC_MALFORMED_FRAME, fmt::format("{} sent an unparsable error reply", x.peer));
          continue;
        }
        // An error reply is a complete exchange: the connection stays good.
        give_back(std::move(conn));
        // redirect_node: where a moved entry lives now (META_NOT_OWNER), for the caller to follow.
        s.call->result = error(std::move(Status(e.code(), e.message()).set_redirect_node(e.redirect_node())));
        continue;
      }
      give_back(std::move(conn));
      s.call->result = RawReply{std::move(s.x.reply_body), x.bulk_received};
    }
    if (!again) return;
  }
}

}  // namespace combfs::rpc
