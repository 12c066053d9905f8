// The table from request type to handler. Each daemon registers one handler per
// request (ops/<name>.cc); the server looks it up, never switches on types.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/rpc/frame.h"
#include "common/rpc/messages.h"
#include "common/status.h"

namespace combfs::rpc {

// File data sent as a reply's bulk straight from a file with sendfile(2), so
// it never passes through user space (a storage read: page cache to socket).
// `keep` holds whatever keeps `fd` open until the reply is sent.
struct BulkFile {
  int fd = -1;
  uint64_t offset = 0;
  size_t length = 0;
  std::shared_ptr<const void> keep{};
};

struct RequestContext {
  std::span<const char> bulk_in;  // payload that came with the request
  std::vector<char>& bulk_out;    // payload to send with the reply (handler resizes)
  const std::string& peer;
  BulkFile bulk_file{};  // sent instead of bulk_out when the handler sets fd
};

struct Reply {
  uint16_t flags = 0;  // kFlagError when body is an ErrorReply
  std::string body;
  size_t bulk_size = 0;  // bytes of RequestContext::bulk_out to send
};

class Dispatcher {
 public:
  // F: Result<Response>(const Request&, RequestContext&)
  template <class Request, class F>
  void add(F handler) {
    using Traits = MessageTraits<Request>;
    table_[Traits::kType] = [handler = std::move(handler)](const std::string& body, RequestContext& ctx) -> Reply {
      Request req;
      if (!req.ParseFromString(body))
        return error_reply(Status(proto::RPC_MALFORMED_FRAME,
                                  std::string("cannot parse ") + Traits::kName + " request body"));
      Result<typename Traits::Response> resp = handler(req, ctx);
      if (!resp) return error_reply(resp.error());
      Reply r;
      resp->SerializeToString(&r.body);
      r.bulk_size = ctx.bulk_file.fd >= 0 ? ctx.bulk_file.length : ctx.bulk_out.size();
      return r;
    };
  }

  // Runs the handler for `type`. Unknown types, unparsable bodies and handler
  // exceptions become error replies; nothing escapes.
  Reply handle(uint32_t type, const std::string& body, RequestContext& ctx) const;

  static Reply error_reply(const Status& status);

 private:
  std::unordered_map<uint32_t, std::function<Reply(const std::string&, RequestContext&)>> table_;
};

}  // namespace combfs::rpc
