#!/usr/bin/env bash
# The packages as an administrator meets them (issue 21): builds the .deb files
# from the build tree with CPack, checks them with lintian, installs them with
# dpkg, starts the daemons from the installed programs with the shipped
# configs (as user combfs), mounts with mount -t combfs, writes and reads as a
# user who is not root, stops everything, purges the packages and checks that
# only data directories stay. Then builds the .rpm files and checks their
# contents (skipped, saying why, without rpmbuild).
#
#   tests/packaging/package_test.sh BUILD_DIR
#
# Needs root and a Debian system; exits 77 (ctest: skipped) without them, or
# when combfs packages are already installed (it would replace them).
set -euo pipefail
BUILD_DIR=$(cd "${1:?usage: package_test.sh BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PACKAGES=(combfs-mgmtd combfs-metad combfs-stored combfs-client combfs-utils)

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }
[ "$(id -u)" -eq 0 ] || skip "needs root to install packages"
command -v dpkg >/dev/null || skip "not a Debian system (no dpkg)"
for p in "${PACKAGES[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    skip "$p is installed on this machine; this test installs and purges the combfs packages, run it where none is installed"
  fi
done

# One run at a time per machine: dpkg and /etc/combfs are shared.
exec 9>/run/lock/combfs-package-test.lock
flock -w 600 9 || fail "another package test held the lock for 10 minutes"

WORK=$(mktemp -d /tmp/combfs-package-test.XXXXXX)
MNT=$WORK/mnt
PIDS=()
cleanup() {
  set +e
  mountpoint -q "$MNT" && { umount "$MNT" || umount -l "$MNT"; }
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do timeout 20 tail --pid="$pid" -f /dev/null; kill -9 "$pid" 2>/dev/null; done
  installed=()
  for p in "${PACKAGES[@]}"; do dpkg-query -W "$p" >/dev/null 2>&1 && installed+=("$p"); done
  [ ${#installed[@]} -gt 0 ] && dpkg --purge "${installed[@]}" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

step "every option of each daemon is in its shipped config"
for role in mgmtd metad stored; do
  conf=$SRC/packaging/config/$role.toml
  for opt in $("$BUILD_DIR/bin/combfs-$role" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    key=${opt#--}
    case $key in help|config|port-file) continue ;; esac
    grep -Eq "^#?$key = " "$conf" || fail "packaging/config/$role.toml lacks '$key' (combfs-$role --help lists $opt): add it with its default and a comment"
  done
done

step "cpack -G DEB"
(cd "$WORK" && cpack --config "$BUILD_DIR/CPackConfig.cmake" -G DEB -B "$WORK/deb" >"$WORK/cpack-deb.log" 2>&1) ||
  { cat "$WORK/cpack-deb.log"; fail "cpack -G DEB failed"; }
debs=()
for p in "${PACKAGES[@]}"; do
  f=$(ls "$WORK"/deb/"${p}"_*.deb 2>/dev/null | head -1)
  [ -n "$f" ] || fail "cpack made no package $p (made: $(ls "$WORK/deb"))"
  debs+=("$f")
done

if command -v lintian >/dev/null; then
  step "lintian"
  lintian --fail-on error,warning --suppress-tags-from-file "$SRC/packaging/deb/lintian-suppressed" "${debs[@]}" ||
    fail "lintian found errors or warnings (above); fix them or justify the tag in packaging/deb/lintian-suppressed"
else
  echo "lintian is not installed: not checked (scripts/install-deps.sh installs it)"
fi

step "dpkg -i"
apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${debs[@]}" >"$WORK/install.log" 2>&1 ||
  { cat "$WORK/install.log"; fail "installing the packages failed"; }
for f in /usr/sbin/combfs-mgmtd /usr/sbin/combfs-metad /usr/sbin/combfs-stored /usr/bin/combfs-client \
         /usr/sbin/mount.combfs /usr/bin/fsctl /etc/combfs/mgmtd.toml /etc/combfs/metad.toml /etc/combfs/stored.toml \
         /lib/systemd/system/combfs-stored.service /usr/share/man/man8/combfs-stored.8.gz; do
  [ -e "$f" ] || [ -e "/usr$f" ] || fail "$f is not installed"
done
getent passwd combfs >/dev/null || fail "the packages made no user combfs"
[ "$(stat -c '%U %a' /etc/combfs/secret)" = "combfs 600" ] || fail "/etc/combfs/secret is not combfs's with mode 600: $(stat -c '%U %a' /etc/combfs/secret)"

step "systemd-analyze verify"
for role in mgmtd metad stored; do
  unit=$(ls /lib/systemd/system/combfs-$role.service /usr/lib/systemd/system/combfs-$role.service 2>/dev/null | head -1)
  # It also checks that the programs and man pages the unit names exist.
  out=$(systemd-analyze verify "$unit" 2>&1) || true
  if echo "$out" | grep "combfs-$role"; then fail "systemd-analyze verify complains about $unit (above)"; fi
done

step "start the installed daemons as user combfs with the shipped configs"
install -d -o combfs -g combfs "$WORK/data" "$WORK/data/target0"
chmod 755 "$WORK"
daemon() { # ROLE ARGS... — started in the background as combfs; waits for its port file
  local role=$1; shift
  runuser -u combfs -- "/usr/sbin/combfs-$role" --config "/etc/combfs/$role.toml" --port 0 \
    --port-file "$WORK/data/$role.port" --data-dir "$WORK/data/$role" "$@" &
  PIDS+=($!)
  for _ in $(seq 300); do
    [ -s "$WORK/data/$role.port" ] && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || fail "combfs-$role exited; its log: $(tail -5 /var/log/combfs/$role.log)"
    sleep 0.1
  done
  fail "combfs-$role was not ready within 30 s"
}
daemon mgmtd
MGMTD=127.0.0.1:$(cat "$WORK/data/mgmtd.port")
daemon stored --mgmtd "$MGMTD" --target "$WORK/data/target0"
daemon metad --mgmtd "$MGMTD"

step "mount -t combfs, write and read as a user who is not root"
mkdir -p "$MNT"
mount -t combfs "$MGMTD" "$MNT" -o secret=/etc/combfs/secret || fail "mount -t combfs failed"
mkdir "$MNT/shared" && chmod 1777 "$MNT/shared"
runuser -u nobody -- sh -c "head -c 3000000 /dev/urandom > '$MNT/shared/data' && sync '$MNT/shared/data'" ||
  fail "user nobody could not write under the mount"
cp "$MNT/shared/data" "$WORK/copy"
runuser -u nobody -- cmp "$MNT/shared/data" "$WORK/copy" || fail "user nobody read back other bytes"
[ "$(stat -c %U "$MNT/shared/data")" = nobody ] || fail "the file is not owned by nobody"
/usr/bin/fsctl --mgmtd "$MGMTD" --secret-file /etc/combfs/secret listtargets | grep -q online ||
  fail "the installed fsctl does not list an online target"

step "stop and purge"
umount "$MNT"
for pid in "${PIDS[@]}"; do kill "$pid"; done
for pid in "${PIDS[@]}"; do timeout 30 tail --pid="$pid" -f /dev/null || fail "a daemon did not stop on SIGTERM"; done
PIDS=()
owned=$(dpkg -L "${PACKAGES[@]}" | sort -u)
dpkg --purge "${PACKAGES[@]}" >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; fail "dpkg --purge failed"; }
left=()
while read -r f; do
  [ -e "$f" ] && [ ! -d "$f" ] && left+=("$f")
done <<<"$owned"
[ ${#left[@]} -eq 0 ] || fail "purged, but these files are still there: ${left[*]}"
for d in /etc/combfs /var/log/combfs; do [ ! -e "$d" ] || fail "purged, but $d is still there: $(ls -A "$d")"; done

step "cpack -G RPM"
if command -v rpmbuild >/dev/null; then
  (cd "$WORK" && cpack --config "$BUILD_DIR/CPackConfig.cmake" -G RPM -B "$WORK/rpm" >"$WORK/cpack-rpm.log" 2>&1) ||
    { tail -30 "$WORK/cpack-rpm.log"; fail "cpack -G RPM failed"; }
  rpm_stored=$(ls "$WORK"/rpm/combfs-stored-*.rpm 2>/dev/null | head -1)
  [ -n "$rpm_stored" ] || fail "no combfs-stored rpm (made: $(ls "$WORK/rpm"))"
  # Captured first: grep -q stops reading early and pipefail would count rpm's SIGPIPE.
  files=$(rpm -qpl "$rpm_stored") configs=$(rpm -qpc "$rpm_stored") scripts=$(rpm -qp --scripts "$rpm_stored")
  grep -qx /usr/sbin/combfs-stored <<<"$files" || fail "the stored rpm lacks /usr/sbin/combfs-stored"
  grep -qx /etc/combfs/stored.toml <<<"$configs" || fail "the stored rpm does not mark /etc/combfs/stored.toml as config"
  grep -q useradd <<<"$scripts" || fail "the stored rpm does not create the combfs user"
  for p in "${PACKAGES[@]}"; do ls "$WORK"/rpm/"$p"-*.rpm >/dev/null 2>&1 || fail "no $p rpm"; done
else
  echo "SKIPPED the rpm part: rpmbuild is missing (Debian's package rpm provides it)"
fi
echo "packages OK"
