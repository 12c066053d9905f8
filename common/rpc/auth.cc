#include "common/rpc/auth.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace combfs::rpc {

Result<Secret> load_secret(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return error(proto::NOT_FOUND, fmt::format("cannot read shared secret file '{}': {}; create it with "
                                               "'head -c 32 /dev/urandom | base64 > {}; chmod 600 {}' and use the "
                                               "same file on every node",
                                               path, std::strerror(errno), path, path));
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return error(proto::PERMISSION_DENIED,
                 fmt::format("shared secret file '{}' is accessible by group or others; run 'chmod 600 {}'", path, path));
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.size() < 8)
    return error(proto::INVALID_ARGUMENT,
                 fmt::format("shared secret file '{}' holds {} bytes; use at least 8 (32 random bytes recommended)", path, s.size()));
  return Secret{std::move(s)};
}

std::string random_nonce() {
  std::string n(32, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(n.data()), static_cast<int>(n.size()));
  return n;
}

std::string auth_mac(const Secret& secret, const std::string& label, const std::string& a, const std::string& b) {
  std::string msg = label + a + b;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.bytes.data(), static_cast<int>(secret.bytes.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

bool mac_equal(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace combfs::rpc
