#include "common/rpc/frame_socket.h"

#include <fmt/format.h>
#include <sys/sendfile.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace combfs::rpc {
namespace {

Status lost(const std::string& peer, const boost::system::error_code& ec) {
  return Status(proto::RPC_CONNECTION_LOST, fmt::format("connection to {} lost: {}", peer, ec.message()));
}

// Writes a frame's header (announcing `bulk_len` bytes of bulk), its body and
// `bulk` with one gathered write; the rest of the bulk, if any, follows.
asio::awaitable<boost::system::error_code> write_start(tcp::socket& socket, FrameHeader header,
                                                       const std::string& body, size_t bulk_len,
                                                       std::span<const char> bulk) {
  header.body_len = static_cast<uint32_t>(body.size());
  header.bulk_len = static_cast<uint32_t>(bulk_len);
  HeaderBytes raw = encode_header(header);
  std::array<asio::const_buffer, 3> buffers{asio::buffer(raw), asio::buffer(body), asio::buffer(bulk.data(), bulk.size())};
  boost::system::error_code ec;
  co_await asio::async_write(socket, buffers, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

}  // namespace

FrameSocket::FrameSocket(tcp::socket socket, FrameLimits limits) : socket_(std::move(socket)), limits_(limits) {
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("unknown peer") : fmt::format("{}:{}", ep.address().to_string(), ep.port());
  socket_.set_option(tcp::no_delay(true), ec);
}

asio::awaitable<Result<FrameHeader>> FrameSocket::read(std::string& body, BulkSink& bulk) {
  boost::system::error_code ec;
  HeaderBytes raw;
  co_await asio::async_read(socket_, asio::buffer(raw), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return error(lost(peer_, ec));
  auto header = decode_header(raw.data(), raw.size(), limits_);
  if (!header) co_return error(header.error());

  body.resize(header->body_len);
  if (header->body_len) {
    co_await asio::async_read(socket_, asio::buffer(body), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return error(lost(peer_, ec));
  }
  bulk.received = header->bulk_len;
  if (header->bulk_len) {
    char* dst;
    if (!bulk.into.empty()) {
      if (header->bulk_len > bulk.into.size())
        co_return error(proto::RPC_MALFORMED_FRAME,
                        fmt::format("{} sent {} bulk bytes where at most {} were asked for", peer_,
                                    header->bulk_len, bulk.into.size()));
      dst = bulk.into.data();
    } else if (bulk.grow) {
      if (bulk.grow->size() < header->bulk_len) bulk.grow->resize(header->bulk_len);
      dst = bulk.grow->data();
    } else {
      co_return error(proto::RPC_MALFORMED_FRAME, fmt::format("{} sent an unexpected bulk payload", peer_));
    }
    co_await asio::async_read(socket_, asio::buffer(dst, header->bulk_len), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return error(lost(peer_, ec));
  }
  co_return *header;
}

asio::awaitable<Result<void>> FrameSocket::write(FrameHeader header, const std::string& body, std::span<const char> bulk) {
  boost::system::error_code ec = co_await write_start(socket_, header, body, bulk.size(), bulk);
  if (ec) co_return error(lost(peer_, ec));
  co_return Result<void>{};
}

asio::awaitable<Result<void>> FrameSocket::write_file(FrameHeader header, const std::string& body, int fd,
                                                      uint64_t offset, size_t length) {
  boost::system::error_code ec = co_await write_start(socket_, header, body, length, {});
  if (ec) co_return error(lost(peer_, ec));
  socket_.native_non_blocking(true, ec);
  if (ec) co_return error(lost(peer_, ec));
  off_t at = static_cast<off_t>(offset);
  size_t left = length;
  while (left > 0) {
    ssize_t n = ::sendfile(socket_.native_handle(), fd, &at, left);
    if (n > 0) {
      left -= static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      co_await socket_.async_wait(tcp::socket::wait_write, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return error(lost(peer_, ec));
      continue;
    }
    if (n < 0)  // the header promised the data: the connection cannot carry on
      co_return error(proto::IO_ERROR, fmt::format("sendfile of {} bytes at offset {} to {}: {}", left,
                                                   static_cast<uint64_t>(at), peer_, std::strerror(errno)));
    // End of file: cut since the handler measured it. The frame promised
    // `length` bytes; what the file no longer has reads as zeros, as after a
    // truncate.
    static const std::vector<char> zeros(1 << 16, 0);
    while (left > 0) {
      size_t piece = std::min(left, zeros.size());
      co_await asio::async_write(socket_, asio::buffer(zeros.data(), piece), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return error(lost(peer_, ec));
      left -= piece;
    }
  }
  co_return Result<void>{};
}

void FrameSocket::close() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace combfs::rpc
