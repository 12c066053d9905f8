// What stored needs to act as a mirror group's primary (docs/mirroring.md
// "Mirrored data path"): its view of the cluster map (who is primary, where
// the secondary is), a client to reach the other stored daemons, and the
// limits below. main.cc (or a test) wires the map and the client; without
// them every request for a mirrored chunk file fails with UNAVAILABLE.
//
// Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <utility>

#include "common/entry_id.h"
#include "common/mgmt_client.h"
#include "common/rpc/client.h"

namespace combfs::stored {

class MirrorLink {
 public:
  // forward_slots: how many requests may wait for their secondary at once.
  // Handlers run on the server's io threads and a forward blocks one; two
  // stored daemons that are each other's secondaries could otherwise fill
  // all their threads with forwards that wait for the other's threads.
  // Keep it below the number of io threads.
  explicit MirrorLink(std::ptrdiff_t forward_slots) : slots_(forward_slots) {}

  using MapSource = std::function<Result<std::shared_ptr<const ClusterMap>>(bool fresh)>;
  // Call before serving requests.
  void connect(MapSource map, rpc::RpcClient* peers) {
    map_ = std::move(map);
    peers_ = peers;
  }

  // The cluster map; `fresh` fetches it from mgmtd now. UNAVAILABLE when not connected.
  Result<std::shared_ptr<const ClusterMap>> map(bool fresh) const;
  // Where the stored daemon of `target` listens, in the current map.
  Result<rpc::Endpoint> endpoint_of(uint32_t target) const;
  rpc::RpcClient* peers() const { return peers_; }

  // A forward slot, held while the returned guard lives. Waits a little for
  // one and then fails with UNAVAILABLE (retryable): a thread never blocks
  // for long on a slot, so threads stay free to serve forwarded requests.
  class Slot {
   public:
    explicit Slot(MirrorLink* link) : link_(link) {}
    Slot(Slot&& o) noexcept : link_(std::exchange(o.link_, nullptr)) {}
    ~Slot() {
      if (link_) link_->slots_.release();
    }

   private:
    MirrorLink* link_;
  };
  Result<Slot> forward_slot();

  // The order lock of one mirrored chunk file on its primary: held from the
  // local apply until the secondary answered, so the secondary applies the
  // mutations of one chunk file in the primary's order. Striped; only
  // primaries take them and a secondary takes none while it applies, so two
  // stored daemons can never wait for each other's locks.
  std::unique_lock<std::mutex> order_lock(uint32_t target, const EntryId& file);

 private:
  MapSource map_;
  rpc::RpcClient* peers_ = nullptr;
  std::counting_semaphore<1024> slots_;
  std::array<std::mutex, 256> order_locks_;
};

}  // namespace combfs::stored
