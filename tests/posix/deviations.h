// Known deviations of combfs from the local reference file system (ext4), as
// the POSIX suite sees them. Each one is explained in docs/posix.md (same
// case id and label); the suite requires combfs to record exactly `combfs`
// for that step, so a deviation never hides another difference, and fails
// when a deviation disappears (remove it here and in docs/posix.md then).
#pragma once

#include <string>
#include <vector>

namespace combfs::posix {

struct Deviation {
  const char* mode;     // "root", "user" or "*" (both runs)
  const char* case_id;  // "group.name"
  const char* combfs;   // the whole line combfs records, "label: value" or "label = value"
  const char* reason;   // one line; docs/posix.md has the full story
};

const std::vector<Deviation>& known_deviations();

// The label of a record line: the text before ": " or " = ".
std::string label_of(const std::string& line);

}  // namespace combfs::posix
