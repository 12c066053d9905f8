// Helpers shared by metad's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "common/status.h"

namespace combfs::metad::testing {

// The value of a Result that must have succeeded; otherwise the test fails
// (gtest reports the exception with the Status text).
template <class T>
T must(Result<T> r) {
  if (!r) throw std::runtime_error("unexpected error: " + r.error().to_string());
  return std::move(*r);
}
inline void must(Result<void> r) {
  if (!r) throw std::runtime_error("unexpected error: " + r.error().to_string());
}

template <class T>
ErrorCode code_of(const Result<T>& r) {
  return r ? proto::OK : r.error().code();
}
template <class T>
int errno_of(const Result<T>& r) {
  return r ? 0 : r.error().to_errno();
}

// A fresh directory under $TMPDIR, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "combfs-metad-test.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace combfs::metad::testing
