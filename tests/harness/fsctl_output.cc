#include "tests/harness/fsctl_output.h"

#include <cctype>
#include <sstream>

namespace combfs::test {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

uint64_t parse_size(const std::string& text) {
  std::string s = trim(text);
  if (s.empty()) return 0;
  uint64_t unit = 1;
  switch (std::toupper(static_cast<unsigned char>(s.back()))) {
    case 'K': unit = 1ull << 10; break;
    case 'M': unit = 1ull << 20; break;
    case 'G': unit = 1ull << 30; break;
    default: break;
  }
  if (unit != 1) s.pop_back();
  if (!all_digits(s)) return 0;
  return std::stoull(s) * unit;
}

std::optional<EntryInfo> parse_entry_info(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon != std::string::npos) fields[trim(line.substr(0, colon))] = trim(line.substr(colon + 1));
  }
  for (const char* key : {"EntryID", "Type", "Stripe pattern", "Chunk size", "Number of targets", "Targets"})
    if (!fields.count(key)) return std::nullopt;
  EntryInfo info;
  info.entry_id = fields["EntryID"];
  info.type = fields["Type"];
  info.pattern = fields["Stripe pattern"];
  info.chunk_size = parse_size(fields["Chunk size"]);
  if (!all_digits(fields["Number of targets"]) || info.chunk_size == 0) return std::nullopt;
  info.num_targets = std::stoul(fields["Number of targets"]);
  auto ids = [&](const char* key, std::vector<uint32_t>& out) {
    std::istringstream in(fields[key]);
    std::string id;
    while (in >> id) {
      if (!all_digits(id)) return false;
      out.push_back(std::stoul(id));
    }
    return true;
  };
  if (!ids("Targets", info.targets)) return std::nullopt;
  if (fields.count("Mirror groups") &&
      (!ids("Mirror groups", info.mirror_groups) || !ids("Secondary targets", info.secondaries)))
    return std::nullopt;
  if (fields.count("Open writers")) {
    if (!all_digits(fields["Open writers"])) return std::nullopt;
    info.open_writers = std::stoul(fields["Open writers"]);
  }
  return info;
}

std::map<uint32_t, std::string> parse_target_paths(const std::string& text) {
  std::map<uint32_t, std::string> paths;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream cols(line);
    std::vector<std::string> c;
    for (std::string w; cols >> w;) c.push_back(w);
    if (c.size() < 7 || !all_digits(c[0])) continue;
    paths[std::stoul(c[0])] = c.back();
  }
  return paths;
}

std::string chunk_file_path(const std::string& target_dir, const std::string& entry_id, const std::string& area) {
  std::string tail = entry_id.size() >= 2 ? entry_id.substr(entry_id.size() - 2) : entry_id;
  return target_dir + "/" + area + "/" + tail + "/" + entry_id;
}

}  // namespace combfs::test
