#include "client/fuse/readahead.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace combfs::fuse {
namespace {

// mountinfo writes space, tab, newline and backslash in paths as \ooo.
std::string unescape(const std::string& field) {
  auto octal = [&](size_t i) { return i < field.size() && field[i] >= '0' && field[i] <= '7'; };
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

}  // namespace

Result<std::string> mount_device(const std::string& mountinfo, const std::string& mountpoint) {
  // Fields: mount id, parent id, MAJOR:MINOR, root, mount point, ...
  std::istringstream lines(mountinfo);
  std::string line;
  std::string found;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    if (!(fields >> id >> parent >> dev >> root >> point)) continue;
    if (unescape(point) == mountpoint) found = dev;
  }
  if (found.empty())
    return error(proto::NOT_FOUND, fmt::format("no mount on '{}' in /proc/self/mountinfo", mountpoint));
  return found;
}

Result<void> raise_readahead(const std::string& mountpoint, unsigned kib) {
  std::ifstream in("/proc/self/mountinfo");
  std::stringstream text;
  text << in.rdbuf();
  auto dev = COMBFS_TRY(mount_device(text.str(), mountpoint));
  std::string path = fmt::format("/sys/class/bdi/{}/read_ahead_kb", dev);
  std::ofstream out(path);
  out << kib << "\n";
  out.flush();
  if (!out)
    return error(proto::ACCESS_DENIED, fmt::format("cannot write {}: sequential reads keep the kernel's 128 KiB "
                                                   "readahead (mount as root to raise it)",
                                                   path));
  return {};
}

}  // namespace combfs::fuse
