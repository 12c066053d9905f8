# shellcheck shell=bash
# Process and port helpers for scripts that run daemons in the background.

# True when something on 127.0.0.1 accepts connections on port $1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when pid $1 is alive and its command line contains $2 (so a recycled
# pid of some other program is never mistaken for ours).
pid_is() {
  local pid=$1 name=$2
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name"
}

# Waits up to $3 seconds for file $1 to be non-empty while pid $2 lives.
# Returns 1 when the process died, 2 on timeout.
wait_for_file() {
  local file=$1 pid=$2 seconds=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    [ -s "$file" ] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 2
}

# Sends SIGTERM to pid $1 (if it is still program $2), waits up to 10 s, then SIGKILL.
stop_pid() {
  local pid=$1 name=$2 i
  pid_is "$pid" "$name" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    pid_is "$pid" "$name" || return 0
    sleep 0.1
  done
  echo "$name (pid $pid) ignored SIGTERM for 10 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

# True when directory $1 is a mount point (also a dead FUSE mount).
is_mounted() {
  local dir
  dir=$(realpath -m "$1")
  grep -q " $(printf '%s' "$dir" | sed 's/ /\\040/g') " /proc/self/mountinfo
}

# Integration tests killed with SIGKILL leave a dead FUSE mount (their client
# died with them) and their directory under $TMPDIR. Removes those; live mounts
# of tests running right now are left alone.
clean_dead_test_mounts() {
  local tmp=${TMPDIR:-/tmp} mnt dir
  while read -r mnt; do
    case $mnt in "$tmp"/combfs-test-*/*) ;; *) continue ;; esac
    if ! stat "$mnt" >/dev/null 2>&1; then
      dir=${mnt#"$tmp"/}
      dir=$tmp/${dir%%/*}
      echo "removing the leftover of a killed test: $dir"
      umount -l "$mnt" 2>/dev/null || fusermount3 -u -z "$mnt" 2>/dev/null || true
      # Another mount inside it may still be busy: leave it rather than fail the run.
      is_mounted "$mnt" || rm -rf "$dir" 2>/dev/null || echo "could not remove $dir yet (still in use); leaving it"
    fi
  done < <(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) ~ /^fuse/) print $5; break } }' /proc/self/mountinfo)
}
