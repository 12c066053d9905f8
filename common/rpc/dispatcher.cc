#include "common/rpc/dispatcher.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace combfs::rpc {

Reply Dispatcher::error_reply(const Status& status) {
  proto::ErrorReply e;
  e.set_code(status.code());
  e.set_message(status.message());
  e.set_redirect_node(status.redirect_node());
  Reply r;
  r.flags = kFlagError;
  e.SerializeToString(&r.body);
  return r;
}

Reply Dispatcher::handle(uint32_t type, const std::string& body, RequestContext& ctx) const {
  auto it = table_.find(type);
  if (it == table_.end())
    return error_reply(Status(proto::RPC_UNKNOWN_MESSAGE,
                              fmt::format("message type {} ({}) is not served here", type, message_name(type))));
  try {
    return it->second(body, ctx);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} from {} threw: {}", message_name(type), ctx.peer, e.what());
    return error_reply(Status(proto::INTERNAL, fmt::format("internal error in {}: {}", message_name(type), e.what())));
  }
}

const char* message_name(uint32_t type) {
#define COMBFS_RPC_NAME(NAME, ID) \
  case ID: return #NAME;
  switch (type) {
    COMBFS_RPC_LIST(COMBFS_RPC_NAME)
    case kAuthChallengeType: return "AuthChallenge";
    case kAuthResponseType: return "AuthResponse";
    case kAuthResultType: return "AuthResult";
    default: return "unknown";
  }
#undef COMBFS_RPC_NAME
}

}  // namespace combfs::rpc
