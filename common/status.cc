#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace combfs {

const char* error_name(ErrorCode code) {
  const std::string& name = proto::ErrorCode_Name(code);
  return name.empty() ? "UNKNOWN_ERROR" : name.c_str();
}

int error_to_errno(ErrorCode code) {
  switch (code) {
    case proto::OK: return 0;
    case proto::INVALID_ARGUMENT: return EINVAL;
    case proto::NOT_SUPPORTED: return EOPNOTSUPP;
    case proto::NO_SPACE: return ENOSPC;
    case proto::TIMEOUT: return ETIMEDOUT;
    case proto::UNAVAILABLE: return EAGAIN;
    case proto::PERMISSION_DENIED: return EPERM;
    case proto::ACCESS_DENIED: return EACCES;
    case proto::NOT_FOUND: return ENOENT;
    case proto::RPC_AUTH_FAILED: return EACCES;
    case proto::RPC_CONNECTION_LOST:
    case proto::RPC_CONNECT_FAILED: return ECOMM;
    case proto::RPC_MALFORMED_FRAME:
    case proto::RPC_FRAME_TOO_LARGE:
    case proto::RPC_UNKNOWN_MESSAGE:
    case proto::RPC_BAD_VERSION: return EPROTO;
    case proto::MGMT_NO_TARGETS: return ENOSPC;
    case proto::MGMT_NO_META: return EAGAIN;
    case proto::META_NOT_FOUND: return ENOENT;
    case proto::META_EXISTS: return EEXIST;
    case proto::META_NOT_DIR: return ENOTDIR;
    case proto::META_IS_DIR: return EISDIR;
    case proto::META_NOT_EMPTY: return ENOTEMPTY;
    case proto::META_NAME_TOO_LONG: return ENAMETOOLONG;
    case proto::META_INVALID: return EINVAL;
    case proto::META_NOT_OWNER: return EAGAIN;
    case proto::META_TOO_MANY_LINKS: return EMLINK;
    case proto::META_NO_XATTR: return ENODATA;
    case proto::META_XDEV: return EXDEV;
    case proto::META_BUSY: return EBUSY;
    case proto::META_RANGE: return ERANGE;
    // Only a client that does not know hashed directories sees it.
    case proto::META_HASHED_DIR: return EIO;
    case proto::STORAGE_NO_SPACE: return ENOSPC;
    case proto::STORAGE_TARGET_OFFLINE: return EAGAIN;
    default: return EIO;
  }
}

bool error_retryable(ErrorCode code) {
  switch (code) {
    case proto::TIMEOUT:
    case proto::UNAVAILABLE:
    case proto::RPC_CONNECTION_LOST:
    case proto::RPC_CONNECT_FAILED:
    case proto::MGMT_NO_META:
    case proto::META_NOT_OWNER:
    case proto::STORAGE_TARGET_OFFLINE:
    case proto::STORAGE_NOT_PRIMARY:
      return true;
    default:
      return false;
  }
}

std::string Status::to_string() const {
  if (ok()) return "OK";
  return std::string(error_name(code_)) + ": " + message_;
}

int Status::to_errno() const { return error_to_errno(code_); }
bool Status::retryable() const { return error_retryable(code_); }

Status status_from_errno(int err, const std::string& what) {
  ErrorCode code = proto::IO_ERROR;
  switch (err) {
    case ENOENT: code = proto::NOT_FOUND; break;
    case ENOSPC:
    case EDQUOT: code = proto::NO_SPACE; break;
    case EACCES: code = proto::ACCESS_DENIED; break;
    case EPERM: code = proto::PERMISSION_DENIED; break;
    case EINVAL: code = proto::INVALID_ARGUMENT; break;
    default: break;
  }
  return Status(code, what + ": " + std::strerror(err));
}

}  // namespace combfs
