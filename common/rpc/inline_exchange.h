// Request/reply exchanges driven on the calling thread with non-blocking
// syscalls and one poll() over all sockets, instead of handing each call to an
// io thread and waiting on a future. A synchronous caller (a FUSE worker, the
// library) thereby pays no thread wake-up per call, and a striped I/O sends
// its pieces to all targets at once and collects them as they arrive.
//
// Knows frames, not requests: RpcClient (client_inline.cc) checks what the
// reply means and owns the connections. REQUIRES: no asio operation is pending
// on a socket while it is used here (a pooled idle connection has none).
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "common/rpc/frame.h"

namespace combfs::rpc {

struct InlineExchange {
  // Filled by the caller.
  int fd = -1;
  std::string peer;  // for error messages
  FrameHeader request;  // type and request_id; lengths are set from body and bulk_out
  const std::string* body = nullptr;
  std::span<const char> bulk_out;
  std::span<char> bulk_in;  // the reply's bulk goes here; a larger bulk is a protocol error

  // Results. On success `reply` holds the header, `reply_body` the body and
  // `bulk_received` the bulk length; otherwise `failure` says why.
  std::optional<FrameHeader> reply;
  std::string reply_body;
  size_t bulk_received = 0;
  std::optional<Status> failure;
  bool timed_out = false;
  bool reply_started = false;  // some byte of the reply arrived

  // Progress (private to run_inline).
  HeaderBytes out_header{};
  size_t sent = 0;
  HeaderBytes in_header{};
  size_t received = 0;  // of the reply: header, then body, then bulk
  bool done() const { return reply.has_value() || failure.has_value(); }
};

// Runs every exchange until it completed, failed or `deadline` passed (then
// timed_out is set and failure is a TIMEOUT). Never throws.
void run_inline(std::span<InlineExchange*> exchanges, const FrameLimits& limits,
                std::chrono::steady_clock::time_point deadline);

}  // namespace combfs::rpc
