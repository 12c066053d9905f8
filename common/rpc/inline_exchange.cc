#include "common/rpc/inline_exchange.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace combfs::rpc {
namespace {

void fail_lost(InlineExchange& x, const std::string& why) {
  x.failure = Status(proto::RPC_CONNECTION_LOST, fmt::format("connection to {} lost: {}", x.peer, why));
}

size_t request_size(const InlineExchange& x) { return kHeaderSize + x.body->size() + x.bulk_out.size(); }

// Writes as much of the request as the socket takes now.
void step_send(InlineExchange& x) {
  const size_t total = request_size(x);
  while (x.sent < total) {
    iovec iov[3];
    int n_iov = 0;
    size_t skip = x.sent;
    auto add = [&](const void* p, size_t len) {
      if (skip >= len) {
        skip -= len;
        return;
      }
      iov[n_iov++] = iovec{const_cast<char*>(static_cast<const char*>(p)) + skip, len - skip};
      skip = 0;
    };
    add(x.out_header.data(), x.out_header.size());
    add(x.body->data(), x.body->size());
    add(x.bulk_out.data(), x.bulk_out.size());
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(n_iov);
    ssize_t n = ::sendmsg(x.fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      return fail_lost(x, std::strerror(errno));
    }
    x.sent += static_cast<size_t>(n);
  }
}

// Checks a complete reply header and sizes the body.
void on_header(InlineExchange& x, const FrameLimits& limits, FrameHeader& incoming) {
  auto h = decode_header(x.in_header.data(), x.in_header.size(), limits);
  if (!h) {
    x.failure = h.error();
    return;
  }
  if (h->bulk_len > 0 && x.bulk_in.empty()) {
    x.failure = Status(proto::RPC_MALFORMED_FRAME, fmt::format("{} sent an unexpected bulk payload", x.peer));
    return;
  }
  if (h->bulk_len > x.bulk_in.size()) {
    x.failure = Status(proto::RPC_MALFORMED_FRAME, fmt::format("{} sent {} bulk bytes where at most {} were asked for",
                                                               x.peer, h->bulk_len, x.bulk_in.size()));
    return;
  }
  x.reply_body.resize(h->body_len);
  incoming = *h;
}

// Reads as much of the reply as has arrived; the bulk goes straight into
// the caller's buffer.
void step_recv(InlineExchange& x, const FrameLimits& limits, FrameHeader& incoming) {
  for (;;) {
    char* dst;
    size_t len;
    if (x.received < kHeaderSize) {
      dst = reinterpret_cast<char*>(x.in_header.data()) + x.received;
      len = kHeaderSize - x.received;
    } else if (x.received < kHeaderSize + incoming.body_len) {
      size_t at = x.received - kHeaderSize;
      dst = x.reply_body.data() + at;
      len = incoming.body_len - at;
    } else {
      size_t at = x.received - kHeaderSize - incoming.body_len;
      dst = x.bulk_in.data() + at;
      len = incoming.bulk_len - at;
    }
    ssize_t n = ::recv(x.fd, dst, len, 0);
    if (n == 0) return fail_lost(x, "closed by the peer");
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      return fail_lost(x, std::strerror(errno));
    }
    x.reply_started = true;
    x.received += static_cast<size_t>(n);
    if (x.received == kHeaderSize) {
      on_header(x, limits, incoming);
      if (x.failure) return;
    }
    if (x.received >= kHeaderSize && x.received == kHeaderSize + incoming.body_len + incoming.bulk_len) {
      x.bulk_received = incoming.bulk_len;
      x.reply = incoming;
      return;
    }
  }
}

}  // namespace

void run_inline(std::span<InlineExchange*> exchanges, const FrameLimits& limits,
                std::chrono::steady_clock::time_point deadline) {
  std::vector<FrameHeader> incoming(exchanges.size());
  for (InlineExchange* x : exchanges) {
    x->request.body_len = static_cast<uint32_t>(x->body->size());
    x->request.bulk_len = static_cast<uint32_t>(x->bulk_out.size());
    x->out_header = encode_header(x->request);
    step_send(*x);  // most requests fit the socket buffer: no poll needed to send
  }
  std::vector<pollfd> fds;
  std::vector<size_t> which;
  for (;;) {
    fds.clear();
    which.clear();
    for (size_t i = 0; i < exchanges.size(); ++i) {
      InlineExchange& x = *exchanges[i];
      if (x.done()) continue;
      short events = x.sent < request_size(x) ? POLLOUT : POLLIN;
      fds.push_back(pollfd{x.fd, events, 0});
      which.push_back(i);
    }
    if (fds.empty()) return;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      for (size_t i : which) {
        exchanges[i]->timed_out = true;
        exchanges[i]->failure = Status(proto::TIMEOUT, "no answer in time");
      }
      return;
    }
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(wait, 1 << 30)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      for (size_t i : which) fail_lost(*exchanges[i], std::string("poll: ") + std::strerror(errno));
      return;
    }
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      InlineExchange& x = *exchanges[which[k]];
      // POLLERR/POLLHUP: the next syscall reports what happened.
      if (x.sent < request_size(x))
        step_send(x);
      else
        step_recv(x, limits, incoming[which[k]]);
    }
  }
}

}  // namespace combfs::rpc
