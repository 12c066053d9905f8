#include "client/lib/data_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace combfs::client {

Result<striping::Pattern> pattern_of(const proto::Layout& layout) {
  striping::Pattern p{layout.pattern().chunk_size(), static_cast<uint32_t>(layout.targets_size())};
  if (p.num_targets == 0)
    return error(proto::INVALID_ARGUMENT, "the file's layout lists no storage targets; it cannot hold data");
  if (auto ok = striping::validate(p); !ok)
    return error(proto::INVALID_ARGUMENT, fmt::format("the file's layout is invalid: {}", ok.error().message()));
  return p;
}

std::vector<ChunkRequest> plan_io(const striping::Pattern& p, uint64_t offset, uint64_t length, uint64_t max_request) {
  std::vector<ChunkRequest> out;
  for (const auto& piece : striping::split(p, offset, length)) {
    uint64_t done = 0;
    while (done < piece.length) {
      ChunkRequest r{piece.target_index, piece.local_offset + done, piece.file_offset - offset + done,
                     std::min(piece.length - done, max_request)};
      if (!out.empty()) {
        auto& last = out.back();
        if (last.target_index == r.target_index && last.local_offset + last.length == r.local_offset &&
            last.buf_offset + last.length == r.buf_offset && last.length + r.length <= max_request) {
          last.length += r.length;
          done += r.length;
          continue;
        }
      }
      out.push_back(r);
      done += r.length;
    }
  }
  return out;
}

uint64_t size_from_local_sizes(const striping::Pattern& p, std::span<const uint64_t> local_sizes) {
  uint64_t size = 0;
  for (uint32_t i = 0; i < local_sizes.size(); ++i) size = std::max(size, striping::file_end(p, i, local_sizes[i]));
  return size;
}

size_t complete_read(std::span<char> buf, uint64_t offset, std::span<const ChunkRequest> requests,
                     std::span<const uint64_t> got, uint64_t file_size) {
  uint64_t result = offset >= file_size ? 0 : std::min<uint64_t>(buf.size(), file_size - offset);
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    if (got[i] >= r.length) continue;
    uint64_t from = r.buf_offset + got[i];
    uint64_t to = std::min(r.buf_offset + r.length, result);
    if (from < to) std::memset(buf.data() + from, 0, to - from);
  }
  return result;
}

std::vector<uint32_t> chunk_files_to_create(const striping::Pattern& p, uint64_t covered_end, uint64_t new_end,
                                            std::span<const ChunkRequest> requests) {
  std::vector<uint32_t> out;
  if (new_end <= covered_end) return out;
  for (uint32_t i = 0; i < p.num_targets; ++i) {
    if (striping::local_size(p, i, new_end) == 0 || striping::local_size(p, i, covered_end) > 0) continue;
    bool written = std::any_of(requests.begin(), requests.end(),
                               [i](const ChunkRequest& r) { return r.target_index == i && r.length > 0; });
    if (!written) out.push_back(i);
  }
  return out;
}

std::optional<size_t> first_missing_chunk(const striping::Pattern& p, std::span<const ChunkRequest> requests,
                                          std::span<const uint8_t> absent, uint64_t file_size) {
  for (size_t i = 0; i < requests.size(); ++i)
    if (absent[i] && requests[i].local_offset < striping::local_size(p, requests[i].target_index, file_size))
      return i;
  return std::nullopt;
}

}  // namespace combfs::client
