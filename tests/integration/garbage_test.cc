// Hostile or broken peers on the daemons' ports: random bytes, oversized and
// truncated frames and silent connections, before and after authentication.
// Each daemon must drop such a connection (we see it close), log why, and keep
// serving everybody else.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include "common/rpc/auth.h"
#include "common/rpc/frame.h"
#include "common/rpc/messages.h"
#include "tests/harness/data.h"
#include "tests/harness/test_cluster.h"

namespace combfs::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A raw TCP connection to a daemon; closed on destruction.
class RawConn {
 public:
  explicit RawConn(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ADD_FAILURE() << "connect to port " << port << ": " << strerror(errno);
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawConn() {
    if (fd_ >= 0) close(fd_);
  }
  RawConn(RawConn&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

  bool ok() const { return fd_ >= 0; }

  bool send(const void* data, size_t size) {
    auto* p = static_cast<const char*>(data);
    while (size > 0) {
      ssize_t n = ::send(fd_, p, size, MSG_NOSIGNAL);
      if (n <= 0) return false;
      p += n;
      size -= n;
    }
    return true;
  }
  bool send(const std::string& s) { return send(s.data(), s.size()); }
  bool send_frame(const rpc::FrameHeader& h, const std::string& body) {
    auto bytes = rpc::encode_header(h);
    return send(bytes.data(), bytes.size()) && send(body);
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  // Reads exactly `size` bytes within `timeout`.
  bool recv_exact(void* out, size_t size, std::chrono::milliseconds timeout = 10s) {
    auto* p = static_cast<char*>(out);
    auto deadline = Clock::now() + timeout;
    while (size > 0) {
      pollfd pfd{fd_, POLLIN, 0};
      int left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || poll(&pfd, 1, left) <= 0) return false;
      ssize_t n = recv(fd_, p, size, 0);
      if (n <= 0) return false;
      p += n;
      size -= n;
    }
    return true;
  }

  // Reads one frame (header and body; bulk discarded).
  bool recv_frame(rpc::FrameHeader* h, std::string* body) {
    unsigned char raw[rpc::kHeaderSize];
    if (!recv_exact(raw, sizeof raw)) return false;
    auto decoded = rpc::decode_header(raw, sizeof raw, rpc::FrameLimits{});
    if (!decoded) return false;
    *h = *decoded;
    body->resize(h->body_len);
    std::string bulk(h->bulk_len, '\0');
    return recv_exact(body->data(), body->size()) && recv_exact(bulk.data(), bulk.size());
  }

  // True when the peer closes the connection within `timeout`; whatever it
  // sends before that (a challenge, an error reply) is discarded.
  bool closed_by_peer(std::chrono::milliseconds timeout = 15s) {
    auto deadline = Clock::now() + timeout;
    char buf[4096];
    for (;;) {
      int left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      pollfd pfd{fd_, POLLIN, 0};
      if (poll(&pfd, 1, left) <= 0) continue;
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
      if (n < 0 && errno != EINTR && errno != EAGAIN) return true;
    }
  }

  // Completes the handshake as a legitimate client would, with the secret.
  bool authenticate(const rpc::Secret& secret) {
    rpc::FrameHeader h;
    std::string body;
    proto::AuthChallenge challenge;
    if (!recv_frame(&h, &body) || h.type != rpc::kAuthChallengeType || !challenge.ParseFromString(body)) return false;
    proto::AuthResponse response;
    response.set_client_nonce(rpc::random_nonce());
    response.set_mac(rpc::auth_mac(secret, "combfs-client", challenge.server_nonce(), response.client_nonce()));
    response.set_client_name("garbage_test");
    rpc::FrameHeader out;
    out.type = rpc::kAuthResponseType;
    response.SerializeToString(&body);
    out.body_len = body.size();
    if (!send_frame(out, body)) return false;
    proto::AuthResult result;
    return recv_frame(&h, &body) && h.type == rpc::kAuthResultType && result.ParseFromString(body) && result.ok();
  }

 private:
  int fd_ = -1;
};

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen());
  return s;
}

rpc::FrameHeader header(uint32_t type, uint32_t body_len, uint64_t id = 1) {
  rpc::FrameHeader h;
  h.type = type;
  h.body_len = body_len;
  h.request_id = id;
  return h;
}

// A request type each daemon serves, to send an unparsable body of.
uint32_t served_type(const std::string& daemon) {
  if (daemon == "mgmtd") return rpc::MessageTraits<proto::GetMapsRequest>::kType;
  if (daemon == "metad") return rpc::MessageTraits<proto::GetAttrRequest>::kType;
  return rpc::MessageTraits<proto::StatChunkRequest>::kType;
}

class GarbageTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.start({.storage_daemons = 1, .targets_per_daemon = 2}));
    auto secret = rpc::load_secret(cluster_.secret_file());
    ASSERT_TRUE(secret) << secret.error().to_string();
    secret_ = *secret;
  }

  // The mount still works end to end: write, remount, read back.
  void expect_cluster_serves(const std::string& name) {
    std::vector<char> data = make_data(42, (4u << 20) + 123);
    std::string err;
    std::string path = cluster_.mountpoint() + "/" + name;
    ASSERT_TRUE(write_file(path, data, &err)) << err;
    ASSERT_TRUE(cluster_.remount());
    auto back = read_file(path, &err);
    ASSERT_TRUE(err.empty()) << err;
    EXPECT_EQ(first_difference(data, back), -1);
    for (const auto& d : cluster_.daemon_names()) EXPECT_TRUE(cluster_.alive(d)) << d << " died";
  }

  TestCluster cluster_;
  rpc::Secret secret_;
};

TEST_F(GarbageTest, BeforeAuthentication) {
  const std::vector<std::string> daemons = {"mgmtd", "metad", "stored0"};
  // Silent connections, held open while everything else happens.
  std::vector<RawConn> idle;
  for (const auto& d : daemons)
    for (int i = 0; i < 16; ++i) idle.emplace_back(cluster_.port(d));

  for (const auto& d : daemons) {
    SCOPED_TRACE(d);
    uint16_t port = cluster_.port(d);
    {
      RawConn c(port);
      ASSERT_TRUE(c.ok());
      c.send(random_bytes(4096, 1));
      EXPECT_TRUE(c.closed_by_peer()) << "random bytes did not get the connection closed";
    }
    {
      RawConn c(port);
      ASSERT_TRUE(c.ok());
      c.send_frame(header(rpc::kAuthResponseType, 0xFFFFFFF0u), "");
      EXPECT_TRUE(c.closed_by_peer()) << "a 4 GiB body length did not get the connection closed";
    }
    {
      RawConn c(port);
      ASSERT_TRUE(c.ok());
      auto bytes = rpc::encode_header(header(rpc::kAuthResponseType, 100));
      c.send(bytes.data(), 10);
      c.shutdown_write();
      EXPECT_TRUE(c.closed_by_peer()) << "a truncated header did not get the connection closed";
    }
    {
      // An authentication attempt with the wrong secret.
      RawConn c(port);
      ASSERT_TRUE(c.ok());
      EXPECT_FALSE(c.authenticate(rpc::Secret{"not the secret"}));
      EXPECT_TRUE(c.closed_by_peer());
    }
  }

  expect_cluster_serves("after-garbage");

  // The handshake deadline drops connections that never say anything.
  for (auto& c : idle) EXPECT_TRUE(c.closed_by_peer(20s)) << "an idle unauthenticated connection stayed open";
  for (const auto& d : daemons) {
    EXPECT_TRUE(cluster_.wait_for_log(d, "rejected connection")) << d << " logged no rejected connection";
    EXPECT_TRUE(cluster_.alive(d)) << d << " died";
  }
}

TEST_F(GarbageTest, AfterAuthentication) {
  const std::vector<std::string> daemons = {"mgmtd", "metad", "stored0"};
  for (const auto& d : daemons) {
    SCOPED_TRACE(d);
    uint16_t port = cluster_.port(d);
    {
      // Sanity: this raw client speaks the protocol. An unknown type gets an
      // error reply and the connection stays usable.
      RawConn c(port);
      ASSERT_TRUE(c.authenticate(secret_));
      for (uint64_t id : {7, 8}) {
        ASSERT_TRUE(c.send_frame(header(9999, 0, id), ""));
        rpc::FrameHeader h;
        std::string body;
        ASSERT_TRUE(c.recv_frame(&h, &body)) << "no reply to an unknown message type";
        EXPECT_TRUE(h.is_reply() && h.is_error());
        EXPECT_EQ(h.request_id, id);
        proto::ErrorReply e;
        ASSERT_TRUE(e.ParseFromString(body));
        EXPECT_EQ(e.code(), proto::RPC_UNKNOWN_MESSAGE) << e.message();
      }
    }
    {
      RawConn c(port);
      ASSERT_TRUE(c.authenticate(secret_));
      c.send(random_bytes(4096, 2));
      EXPECT_TRUE(c.closed_by_peer()) << "random bytes after the handshake did not close the connection";
    }
    {
      RawConn c(port);
      ASSERT_TRUE(c.authenticate(secret_));
      c.send_frame(header(served_type(d), 0xFFFFFFF0u), "");
      EXPECT_TRUE(c.closed_by_peer()) << "a 4 GiB body length did not close the connection";
    }
    {
      RawConn c(port);
      ASSERT_TRUE(c.authenticate(secret_));
      rpc::FrameHeader h = header(served_type(d), 0);
      h.bulk_len = 0xFFFFFFF0u;
      c.send_frame(h, "");
      EXPECT_TRUE(c.closed_by_peer()) << "a 4 GiB bulk length did not close the connection";
    }
    {
      // A body that is not the protobuf it claims to be: error reply, then close.
      RawConn c(port);
      ASSERT_TRUE(c.authenticate(secret_));
      std::string junk(8, '\xff');
      c.send_frame(header(served_type(d), junk.size(), 3), junk);
      rpc::FrameHeader h;
      std::string body;
      ASSERT_TRUE(c.recv_frame(&h, &body)) << "no reply to an unparsable request";
      EXPECT_TRUE(h.is_error());
      proto::ErrorReply e;
      ASSERT_TRUE(e.ParseFromString(body));
      EXPECT_EQ(e.code(), proto::RPC_MALFORMED_FRAME) << e.message();
      EXPECT_TRUE(c.closed_by_peer());
    }
    {
      // Half a header, then the client goes away.
      RawConn c(port);
      ASSERT_TRUE(c.authenticate(secret_));
      auto bytes = rpc::encode_header(header(served_type(d), 10));
      c.send(bytes.data(), 20);
    }
    // A full header promising a body that never comes, then close.
    {
      RawConn c(port);
      ASSERT_TRUE(c.authenticate(secret_));
      c.send_frame(header(served_type(d), 1000), "only a little");
    }
  }

  expect_cluster_serves("after-garbage");
  for (const auto& d : daemons) {
    EXPECT_TRUE(cluster_.wait_for_log(d, "closing connection")) << d << " logged no closed connection";
    EXPECT_TRUE(cluster_.alive(d)) << d << " died";
  }
}

}  // namespace
}  // namespace combfs::test
