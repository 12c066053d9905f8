// Shared-secret authentication. Every connection starts with a challenge-response
// in both directions (HMAC-SHA256 over fresh nonces), so the secret never crosses
// the wire and a recorded handshake cannot be replayed.
#pragma once

#include <string>

#include "common/status.h"

namespace combfs::rpc {

struct Secret {
  std::string bytes;  // the file's contents, trailing whitespace removed
  bool empty() const { return bytes.empty(); }
};

// Reads a secret file. Errors name the file and what to do about it: a missing
// file, an empty one, or one readable by others than its owner is refused.
Result<Secret> load_secret(const std::string& path);

std::string random_nonce();  // 32 bytes from the OS CSPRNG

// HMAC-SHA256(secret, label | a | b)
std::string auth_mac(const Secret& secret, const std::string& label, const std::string& a, const std::string& b);

// Constant-time comparison, so the check leaks no timing.
bool mac_equal(const std::string& a, const std::string& b);

}  // namespace combfs::rpc
