// The one table of request types on the wire: each request message has a fixed
// type id and a response message. Ids are grouped like the error ranges:
// 1-99 message layer, 200-299 mgmtd, 300-399 metad, 400-499 stored.
#pragma once

#include <cstdint>

#include "proto/common.pb.h"
#include "proto/meta.pb.h"
#include "proto/mgmt.pb.h"
#include "proto/rpc.pb.h"
#include "proto/storage.pb.h"

namespace combfs::rpc {

// Handshake frames (not requests; exchanged once per connection).
inline constexpr uint32_t kAuthChallengeType = 1;
inline constexpr uint32_t kAuthResponseType = 2;
inline constexpr uint32_t kAuthResultType = 3;

template <class Request>
struct MessageTraits;  // id and Response of each request type

#define COMBFS_RPC(NAME, ID)                                   \
  template <>                                                  \
  struct MessageTraits<proto::NAME##Request> {                 \
    static constexpr uint32_t kType = ID;                      \
    static constexpr const char* kName = #NAME;                \
    using Response = proto::NAME##Response;                    \
  };

#define COMBFS_RPC_LIST(X) \
  X(Ping, 10)              \
  X(RegisterNode, 200)     \
  X(Heartbeat, 201)        \
  X(GetMaps, 202)          \
  X(StatFs, 203)           \
  X(AddMirrorGroup, 204)   \
  X(Lookup, 300)           \
  X(GetAttr, 301)          \
  X(SetAttr, 302)          \
  X(Create, 303)           \
  X(MkDir, 304)            \
  X(RmDir, 305)            \
  X(Unlink, 306)           \
  X(Rename, 307)           \
  X(ReadDir, 308)          \
  X(Symlink, 309)          \
  X(ReadLink, 310)         \
  X(Link, 311)             \
  X(Open, 312)             \
  X(Close, 313)            \
  X(UpdateSize, 314)       \
  X(SetPattern, 315)       \
  X(GetXattr, 316)         \
  X(SetXattr, 317)         \
  X(ListXattr, 318)        \
  X(RemoveXattr, 319)      \
  X(SetHash, 320)          \
  X(RemoteDirCreate, 330)  \
  X(RemoteDirState, 331)   \
  X(RemoteSetParent, 332)  \
  X(RemoteName, 333)       \
  X(RemoteInsertDentry, 334) \
  X(RemoteOpApplied, 335)  \
  X(RemoteAncestry, 336)   \
  X(MigrateDir, 370)       \
  X(RemoteMigrateIn, 371)  \
  X(RemoteMigrateDrop, 372) \
  X(RemoteSetChildOwner, 373) \
  X(ListMigrations, 374)   \
  X(MetaFsck, 375)         \
  X(RemoteSnapshot, 376)   \
  X(RemoteRepair, 377)     \
  X(SetLock, 350)          \
  X(GetLock, 351)          \
  X(LockKeepalive, 352)    \
  X(WriteChunk, 400)       \
  X(ReadChunk, 401)        \
  X(TruncateChunk, 402)    \
  X(FsyncChunk, 403)       \
  X(StatChunk, 404)        \
  X(RemoveChunks, 405)

COMBFS_RPC_LIST(COMBFS_RPC)

// Name of a type id for log lines; "unknown" when not in the table.
const char* message_name(uint32_t type);

}  // namespace combfs::rpc
