// A storage target: one directory on a local disk that holds chunk files.
//
// On-disk layout (docs/architecture.md):
//   <target>/target.uuid                     stable identity; mgmtd maps it to a target id
//   <target>/write_epoch                     "<epoch> <boot id>": the write verifier (below)
//   <target>/chunks/<bb>/<hi>-<lo>           chunk file of entry <hi>-<lo> (EntryId::to_string()),
//                                            <bb> = last two hex digits of lo, spreading
//                                            files over 256 bucket directories
//   <target>/chunks/<bb>/<hi>-<lo>.crc       its checksum sidecar: the CRC32C of each 64 KiB
//                                            block, 4 bytes little-endian per block
//                                            (stored/block_crcs.h, docs/mirroring.md)
//   <target>/mirror/<bb>/<hi>-<lo>[.crc]     the same for chunk files of buddy-mirrored
//                                            files (mirror()), so a target holds both
//                                            kinds and a resync walks only mirror/
//
// A chunk file holds this target's chunks of one file back to back, raw: byte
// k of the chunk file is byte k of the file's local data on this target, so a
// missing range reads as zeros (sparse) and the size is the local size. Data
// files stay raw, so targets written before checksums existed remain
// readable: a chunk file without a sidecar is served unverified.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/entry_id.h"
#include "common/env/env.h"
#include "common/status.h"

namespace combfs::stored {

struct Capacity {
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;  // available to this unprivileged daemon
};

class Target {
 public:
  // Opens the target directory `dir`, creating it, target.uuid and chunks/
  // when missing. The path is made absolute so mgmtd and logs show where it is.
  // Sets the write epoch (below) through `env`.
  static Result<std::shared_ptr<Target>> open(const std::string& dir, env::Env& env = env::Env::get());

  const std::string& path() const { return path_; }
  const std::string& uuid() const { return uuid_; }

  // The write verifier, NFS's answer to "did the server lose my unstable
  // writes?". It changes when the target is opened under another boot id
  // than the one recorded at its last open: the machine restarted (crash or
  // power loss) since, so writes acknowledged but not fsynced may be gone.
  // A restart of stored alone keeps it: the kernel still holds those writes.
  // Every chunk answer carries it (client/lib/write_epochs.h). Starts at 1.
  uint64_t write_epoch() const { return write_epoch_; }

  // <target>/chunks (<target>/mirror for the mirror() view)
  std::string area_dir() const { return path_ + "/" + area_; }
  // <target>/chunks/<bb> (<target>/mirror/<bb> for the mirror() view)
  std::string bucket_dir(const EntryId& file) const;
  // <target>/chunks/<bb>/<hi>-<lo> (<target>/mirror/... for the mirror() view)
  std::string chunk_path(const EntryId& file) const;

  // The same target seen through its mirror/ area: chunk files of
  // buddy-mirrored files. Same path, uuid and write epoch; null for the
  // mirror view itself. ChunkStore needs no other change: it keys files by
  // path.
  const std::shared_ptr<Target>& mirror() const { return mirror_; }

  // Size and free space of the file system holding the target (statvfs).
  Result<Capacity> capacity() const;

 private:
  Target(std::string path, std::string uuid, uint64_t write_epoch, std::string area)
      : path_(std::move(path)), uuid_(std::move(uuid)), write_epoch_(write_epoch), area_(std::move(area)) {}
  std::string path_;
  std::string uuid_;
  uint64_t write_epoch_;
  std::string area_;                // "chunks" or "mirror"
  std::shared_ptr<Target> mirror_;  // the mirror/ view of the chunks/ view
};

}  // namespace combfs::stored
