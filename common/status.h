// One error type for all of combfs. A Status is a code from proto/common.proto's
// ErrorCode table plus a message that says what went wrong and what to do.
// Functions return Result<T>; no exception crosses a module boundary.
#pragma once

#include <expected>
#include <string>
#include <utility>

#include "proto/common.pb.h"

namespace combfs {

using ErrorCode = proto::ErrorCode;

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == proto::OK; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "META_NOT_FOUND: no entry 'x' in directory 1-2"
  std::string to_string() const;
  // errno the client returns to the application for this status (0 for OK).
  int to_errno() const;
  // True when the same request may succeed if sent again (after failover, reconnect...).
  bool retryable() const;

  // META_NOT_OWNER from a metad that knows where the entry moved: the node
  // to send the same request to (0: none). Travels in ErrorReply.redirect_node.
  uint32_t redirect_node() const { return redirect_node_; }
  Status& set_redirect_node(uint32_t node) {
    redirect_node_ = node;
    return *this;
  }

 private:
  ErrorCode code_ = proto::OK;
  std::string message_;
  uint32_t redirect_node_ = 0;
};

template <class T>
using Result = std::expected<T, Status>;

// Builds the error side of a Result: `return error(proto::META_EXISTS, "...")`.
inline std::unexpected<Status> error(ErrorCode code, std::string message) {
  return std::unexpected<Status>(Status(code, std::move(message)));
}
inline std::unexpected<Status> error(Status status) {
  return std::unexpected<Status>(std::move(status));
}

int error_to_errno(ErrorCode code);
bool error_retryable(ErrorCode code);
const char* error_name(ErrorCode code);

// Status for an errno from a failed system call, e.g. from_errno(errno, "open x").
Status status_from_errno(int err, const std::string& what);

}  // namespace combfs

// Propagates the error of a Result-returning expression; yields its value.
#define COMBFS_TRY(expr)                                                  \
  ({                                                                      \
    auto&& _r = (expr);                                                   \
    if (!_r) return ::std::unexpected<::combfs::Status>(std::move(_r).error()); \
    std::move(*_r);                                                       \
  })

// Propagates the error of a Result<void>-returning expression.
#define COMBFS_CHECK(expr)                                                \
  do {                                                                    \
    auto&& _r = (expr);                                                   \
    if (!_r) return ::std::unexpected<::combfs::Status>(std::move(_r).error()); \
  } while (0)

// The same for coroutines (co_return instead of return).
#define COMBFS_CO_CHECK(expr)                                                \
  do {                                                                       \
    auto&& _r = (expr);                                                      \
    if (!_r) co_return ::std::unexpected<::combfs::Status>(std::move(_r).error()); \
  } while (0)
