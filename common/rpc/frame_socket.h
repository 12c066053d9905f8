// Reads and writes whole frames on a TCP socket with asio coroutines. Used by
// both ends of a connection; knows nothing about requests or handlers.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/rpc/asio.h"
#include "common/rpc/frame.h"

namespace combfs::rpc {

using tcp = asio::ip::tcp;

// Where the bulk payload of an incoming frame goes: into caller memory when it
// fits (a client reading file data straight into the application's buffer),
// otherwise into a growable vector (a server receiving a write).
struct BulkSink {
  std::span<char> into;             // used when non-empty
  std::vector<char>* grow = nullptr;  // used otherwise
  size_t received = 0;
};

class FrameSocket {
 public:
  FrameSocket(tcp::socket socket, FrameLimits limits);

  // Reads one complete frame. Errors: connection lost, or a frame that violates
  // the protocol (the connection must then be closed).
  asio::awaitable<Result<FrameHeader>> read(std::string& body, BulkSink& bulk);

  // Writes header, body and bulk with one gathered write (the bulk is not copied).
  asio::awaitable<Result<void>> write(FrameHeader header, const std::string& body, std::span<const char> bulk = {});
  // The same with `length` bytes of file `fd` at `offset` as the bulk, sent
  // with sendfile(2). Bytes the file no longer has (cut meanwhile) go as zeros.
  asio::awaitable<Result<void>> write_file(FrameHeader header, const std::string& body, int fd, uint64_t offset,
                                           size_t length);

  void close();
  bool is_open() const { return socket_.is_open(); }
  const std::string& peer() const { return peer_; }
  tcp::socket& socket() { return socket_; }

 private:
  tcp::socket socket_;
  FrameLimits limits_;
  std::string peer_;
};

}  // namespace combfs::rpc
