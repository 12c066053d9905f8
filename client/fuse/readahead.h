// The mount's kernel readahead. FUSE caps it at the 128 KiB the kernel offers
// in INIT, so one sequential reader keeps at most one 128 KiB request in
// flight. The bdi's read_ahead_kb (sysfs, root only) lifts the cap: with
// 8 MiB the kernel sends several 1 MiB READs at once, which the worker
// threads serve from all targets in parallel (the prefetch of the next chunks).
#pragma once

#include <string>

#include "common/status.h"

namespace combfs::fuse {

inline constexpr unsigned kReadaheadKib = 8192;

// "MAJOR:MINOR" of the file system mounted on `mountpoint`, from the text of
// /proc/self/mountinfo (the last mount on that path wins). NOT_FOUND if absent.
Result<std::string> mount_device(const std::string& mountinfo, const std::string& mountpoint);

// Writes kib to /sys/class/bdi/<device>/read_ahead_kb of the FUSE mount on
// `mountpoint`. Must run after INIT was answered (INIT lowers it again).
Result<void> raise_readahead(const std::string& mountpoint, unsigned kib);

}  // namespace combfs::fuse
