// Which set-ID bits a write by a user without CAP_FSETID clears, as the
// kernel's setattr_should_drop_suidgid: S_ISUID always, S_ISGID only with
// group execute (without it, S_ISGID marks mandatory locking and stays).
// Shared by metad (SETATTR_KILL_PRIVS) and the FUSE client, which must agree
// on whether a direct write has anything to clear.
#pragma once

#include <sys/stat.h>

#include <cstdint>

namespace combfs {

inline uint32_t set_id_bits_killed_by_write(uint32_t mode) {
  uint32_t kill = S_ISUID;
  if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) kill |= S_ISGID;
  return mode & kill;
}

}  // namespace combfs
