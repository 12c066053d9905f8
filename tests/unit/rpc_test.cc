// The message layer end to end in one process: a real RpcServer on loopback and
// a real RpcClient, including authentication failures, hostile peers, timeouts
// and bulk payloads.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <numeric>
#include <thread>

#include "common/rpc/client.h"
#include "common/rpc/server.h"

namespace combfs::rpc {
namespace {

using namespace std::chrono_literals;

class RpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dispatcher_.add<proto::PingRequest>([](const proto::PingRequest&, RequestContext&) -> Result<proto::PingResponse> {
      proto::PingResponse r;
      r.set_service("test");
      return r;
    });
    // Echo-like handlers for bulk: a write returns the byte sum, a read returns a pattern.
    dispatcher_.add<proto::WriteChunkRequest>(
        [](const proto::WriteChunkRequest& req, RequestContext& ctx) -> Result<proto::WriteChunkResponse> {
          proto::WriteChunkResponse r;
          uint64_t sum = 0;
          for (char c : ctx.bulk_in) sum += static_cast<unsigned char>(c);
          r.set_written(sum);
          return r;
        });
    dispatcher_.add<proto::ReadChunkRequest>(
        [](const proto::ReadChunkRequest& req, RequestContext& ctx) -> Result<proto::ReadChunkResponse> {
          ctx.bulk_out.resize(req.length());
          for (size_t i = 0; i < req.length(); ++i) ctx.bulk_out[i] = static_cast<char>((req.offset() + i) & 0xff);
          proto::ReadChunkResponse r;
          r.set_length(req.length());
          return r;
        });
    dispatcher_.add<proto::FsyncChunkRequest>(
        [](const proto::FsyncChunkRequest&, RequestContext&) -> Result<proto::FsyncChunkResponse> {
          std::this_thread::sleep_for(500ms);  // a slow handler, for timeouts
          return proto::FsyncChunkResponse();
        });
    dispatcher_.add<proto::RmDirRequest>([](const proto::RmDirRequest&, RequestContext&) -> Result<proto::RmDirResponse> {
      return error(proto::META_NOT_EMPTY, "directory 'x' is not empty");
    });
    ServerOptions opts;
    opts.name = "testd";
    opts.bind_host = "127.0.0.1";
    opts.secret = Secret{"correct horse battery staple"};
    opts.limits.max_bulk = 8 << 20;
    server_ = std::make_unique<RpcServer>(io_, opts, dispatcher_);
    auto port = server_->listen();
    ASSERT_TRUE(port) << port.error().to_string();
    ep_ = Endpoint{"127.0.0.1", *port};
    for (int i = 0; i < 4; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  void TearDown() override {
    server_->stop();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  std::unique_ptr<RpcClient> client(std::string secret, std::chrono::milliseconds timeout = 5000ms) {
    ClientOptions o;
    o.secret = Secret{std::move(secret)};
    o.call_timeout = timeout;
    return std::make_unique<RpcClient>(o);
  }
  // Sends raw bytes on a fresh TCP connection and returns whether the server closed it.
  bool server_closes_after(const std::string& bytes) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), ep_.port));
    asio::write(s, asio::buffer(bytes));
    s.shutdown(tcp::socket::shutdown_send);
    // Read until EOF; a live server that waits for more would block: bound it.
    ::timeval tv{5, 0};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(s.native_handle(), buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return false;
    }
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  Dispatcher dispatcher_;
  std::unique_ptr<RpcServer> server_;
  Endpoint ep_;
};

TEST_F(RpcTest, PingAndErrorReplies) {
  auto c = client("correct horse battery staple");
  auto r = c->call(ep_, proto::PingRequest());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->service(), "test");
  auto e = c->call(ep_, proto::RmDirRequest());
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code(), proto::META_NOT_EMPTY);
  EXPECT_EQ(e.error().to_errno(), ENOTEMPTY);
  EXPECT_EQ(e.error().message(), "directory 'x' is not empty");
  auto u = c->call(ep_, proto::MkDirRequest());
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code(), proto::RPC_UNKNOWN_MESSAGE);
}

TEST_F(RpcTest, BulkBothWays) {
  auto c = client("correct horse battery staple");
  std::vector<char> data(3 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  uint64_t sum = 0;
  for (char ch : data) sum += static_cast<unsigned char>(ch);
  auto w = c->call(ep_, proto::WriteChunkRequest(), CallBulk{.out = data, .in = {}});
  ASSERT_TRUE(w) << w.error().to_string();
  EXPECT_EQ(w->written(), sum);

  std::vector<char> in(1 << 20, 0);
  proto::ReadChunkRequest rr;
  rr.set_offset(5);
  rr.set_length(1000);
  size_t got = 0;
  auto r = c->call(ep_, rr, CallBulk{.out = {}, .in = in}, &got);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(got, 1000u);
  for (size_t i = 0; i < 1000; ++i) ASSERT_EQ(in[i], static_cast<char>((5 + i) & 0xff));
  // A reply bulk larger than the caller's buffer is a protocol error, not an overflow.
  rr.set_length(2000);
  std::vector<char> small(100);
  auto bad = c->call(ep_, rr, CallBulk{.out = {}, .in = small});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), proto::RPC_MALFORMED_FRAME);
}

TEST_F(RpcTest, ParallelCallsUseSeveralConnections) {
  auto c = client("correct horse battery staple");
  std::vector<std::future<Result<RawReply>>> pending;
  for (int i = 0; i < 32; ++i) pending.push_back(c->start(ep_, proto::PingRequest()));
  for (auto& p : pending) {
    auto r = RpcClient::finish<proto::PingRequest>(p);
    ASSERT_TRUE(r) << r.error().to_string();
  }
  // Four slow calls in parallel take about one call's time, not four.
  auto start = std::chrono::steady_clock::now();
  std::vector<std::future<Result<RawReply>>> slow;
  for (int i = 0; i < 4; ++i) slow.push_back(c->start(ep_, proto::FsyncChunkRequest()));
  for (auto& p : slow) ASSERT_TRUE(RpcClient::finish<proto::FsyncChunkRequest>(p));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

// run_batch: calls of different kinds on the caller's thread, all at once;
// each gets its own result.
TEST_F(RpcTest, BatchGivesEachCallItsResult) {
  auto c = client("correct horse battery staple");
  std::vector<char> in(4096, 0);
  proto::ReadChunkRequest rr;
  rr.set_offset(3);
  rr.set_length(4096);
  std::vector<char> out(1 << 20, 1);
  std::vector<RpcClient::BatchCall> calls;
  calls.push_back(RpcClient::batch_call(ep_, proto::PingRequest()));
  calls.push_back(RpcClient::batch_call(ep_, proto::RmDirRequest()));
  calls.push_back(RpcClient::batch_call(ep_, rr, CallBulk{.out = {}, .in = in}));
  calls.push_back(RpcClient::batch_call(ep_, proto::WriteChunkRequest(), CallBulk{.out = out, .in = {}}));
  c->run_batch(calls);
  auto ping = RpcClient::batch_result<proto::PingRequest>(calls[0]);
  ASSERT_TRUE(ping) << ping.error().to_string();
  EXPECT_EQ(ping->service(), "test");
  auto rmdir = RpcClient::batch_result<proto::RmDirRequest>(calls[1]);
  ASSERT_FALSE(rmdir);
  EXPECT_EQ(rmdir.error().code(), proto::META_NOT_EMPTY);
  size_t got = 0;
  auto read = RpcClient::batch_result<proto::ReadChunkRequest>(calls[2], &got);
  ASSERT_TRUE(read) << read.error().to_string();
  ASSERT_EQ(got, 4096u);
  for (size_t i = 0; i < got; ++i) ASSERT_EQ(in[i], static_cast<char>((3 + i) & 0xff));
  auto write = RpcClient::batch_result<proto::WriteChunkRequest>(calls[3]);
  ASSERT_TRUE(write) << write.error().to_string();
  EXPECT_EQ(write->written(), out.size());

  // Four slow calls in one batch take about one call's time, not four.
  auto start = std::chrono::steady_clock::now();
  std::vector<RpcClient::BatchCall> slow;
  for (int i = 0; i < 4; ++i) slow.push_back(RpcClient::batch_call(ep_, proto::FsyncChunkRequest()));
  c->run_batch(slow);
  for (auto& call : slow) ASSERT_TRUE(RpcClient::batch_result<proto::FsyncChunkRequest>(call));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

// One call of a batch timing out fails alone; the others and the next calls
// (on the connections the batch gave back to the pool, used by both the
// caller-thread and the io-thread paths) work.
TEST_F(RpcTest, BatchTimeoutFailsOnlyTheLateCall) {
  auto c = client("correct horse battery staple");
  std::vector<RpcClient::BatchCall> calls;
  calls.push_back(RpcClient::batch_call(ep_, proto::FsyncChunkRequest()));
  calls.push_back(RpcClient::batch_call(ep_, proto::PingRequest()));
  c->run_batch(calls, 200ms);
  auto late = RpcClient::batch_result<proto::FsyncChunkRequest>(calls[0]);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code(), proto::TIMEOUT);
  EXPECT_TRUE(RpcClient::batch_result<proto::PingRequest>(calls[1]));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(c->call(ep_, proto::PingRequest()));
    auto p = c->start(ep_, proto::PingRequest());
    EXPECT_TRUE(RpcClient::finish<proto::PingRequest>(p));
  }
}

TEST_F(RpcTest, WrongSecretIsRefused) {
  auto c = client("a different secret");
  auto r = c->call(ep_, proto::PingRequest());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::RPC_AUTH_FAILED);
  EXPECT_NE(r.error().message().find("wrong shared secret"), std::string::npos) << r.error().message();
}

TEST_F(RpcTest, MissingSecretIsRefused) {
  auto c = client("");
  auto r = c->call(ep_, proto::PingRequest());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::RPC_AUTH_FAILED);
  EXPECT_NE(r.error().message().find("no credentials"), std::string::npos) << r.error().message();
}

TEST_F(RpcTest, TimeoutThenRecovers) {
  auto c = client("correct horse battery staple", 200ms);
  auto r = c->call(ep_, proto::FsyncChunkRequest());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::TIMEOUT);
  EXPECT_TRUE(r.error().retryable());
  EXPECT_TRUE(c->call(ep_, proto::PingRequest()));
}

TEST_F(RpcTest, ConnectFailureIsRetryableAndBounded) {
  auto c = client("correct horse battery staple", 300ms);
  // Bind then close a socket to get a port that nothing listens on.
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  uint16_t dead = a.local_endpoint().port();
  a.close();
  auto start = std::chrono::steady_clock::now();
  auto r = c->call(Endpoint{"127.0.0.1", dead}, proto::PingRequest());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::RPC_CONNECT_FAILED);
  EXPECT_TRUE(r.error().retryable());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

// A server that dies between its challenge and its verdict (killed while a
// client connects) is a server to reconnect to, not a wrong secret.
TEST_F(RpcTest, ServerClosingDuringAuthenticationIsRetryable) {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = a.local_endpoint().port();
  std::atomic<bool> stop{false};
  std::thread dying([&] {
    while (!stop) {
      boost::system::error_code ec;
      tcp::socket s(io);
      a.accept(s, ec);
      if (ec || stop) break;
      proto::AuthChallenge challenge;
      challenge.set_server_nonce(std::string(16, 'n'));
      challenge.set_server_name("dying");
      std::string body;
      challenge.SerializeToString(&body);
      FrameHeader h;
      h.type = kAuthChallengeType;
      h.body_len = static_cast<uint32_t>(body.size());
      auto raw = encode_header(h);
      asio::write(s, std::array<asio::const_buffer, 2>{asio::buffer(raw), asio::buffer(body)}, ec);
      char response[256];
      s.read_some(asio::buffer(response), ec);  // the client's answer, then close
    }
  });
  auto c = client("correct horse battery staple", 300ms);
  auto r = c->call(Endpoint{"127.0.0.1", port}, proto::PingRequest());
  stop = true;
  tcp::socket wake(io);
  boost::system::error_code ignored;
  wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ignored);
  dying.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), proto::RPC_CONNECT_FAILED) << r.error().to_string();
  EXPECT_TRUE(r.error().retryable());
  EXPECT_NE(r.error().message().find("closed the connection during authentication"), std::string::npos)
      << r.error().message();
}

TEST_F(RpcTest, HostilePeersLoseTheirConnectionOnly) {
  // Garbage instead of an auth response.
  EXPECT_TRUE(server_closes_after(std::string(1000, 'x')));
  // A well-formed header announcing a body far over the limit.
  FrameHeader h;
  h.type = 2;
  h.body_len = 1u << 31;
  auto raw = encode_header(h);
  EXPECT_TRUE(server_closes_after(std::string(raw.begin(), raw.end())));
  // A truncated header.
  EXPECT_TRUE(server_closes_after(std::string(raw.begin(), raw.begin() + 10)));
  // A silent peer holding the socket does not block others.
  asio::io_context io;
  tcp::socket silent(io);
  silent.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), ep_.port));

  auto c = client("correct horse battery staple");
  auto r = c->call(ep_, proto::PingRequest());
  EXPECT_TRUE(r) << r.error().to_string();
}

// A daemon restart kills every pooled connection; the next call must notice
// the dead connection and transparently use a new one.
TEST(RpcRestart, ReconnectsAfterServerRestart) {
  Dispatcher d;
  d.add<proto::PingRequest>([](const proto::PingRequest&, RequestContext&) -> Result<proto::PingResponse> {
    return proto::PingResponse();
  });
  ServerOptions opts;
  opts.name = "restartd";
  opts.bind_host = "127.0.0.1";
  opts.secret = Secret{"correct horse battery staple"};
  auto run_server = [&](uint16_t port) {
    auto io = std::make_unique<asio::io_context>();
    opts.port = port;
    auto server = std::make_unique<RpcServer>(*io, opts, d);
    auto bound = server->listen();
    EXPECT_TRUE(bound) << bound.error().to_string();
    std::thread t([&io = *io] { io.run(); });
    return std::make_tuple(std::move(io), std::move(server), std::move(t), bound.value_or(0));
  };
  ClientOptions co;
  co.secret = opts.secret;
  co.call_timeout = 5000ms;
  RpcClient c(co);

  auto [io1, s1, t1, port] = run_server(0);
  Endpoint ep{"127.0.0.1", port};
  ASSERT_TRUE(c.call(ep, proto::PingRequest()));
  s1->stop();
  io1->stop();
  t1.join();
  s1.reset();
  io1.reset();  // closes the server side of the pooled connection

  auto [io2, s2, t2, port2] = run_server(port);
  ASSERT_EQ(port2, port);
  auto r = c.call(ep, proto::PingRequest());
  EXPECT_TRUE(r) << r.error().to_string();
  s2->stop();
  io2->stop();
  t2.join();
}

}  // namespace
}  // namespace combfs::rpc
