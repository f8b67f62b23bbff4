#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Tidepool: bake the Incus container image tidepool/<version>.
#
#   sudo images/incus/bake.sh [--force] [--keep-work]
#
#   --force      rebuild even if tidepool/<version> already has the current recipe hash
#   --keep-work  keep the unpacked rootfs under <cache>/work after a successful bake
#
# Steps (each printed as "==> <phase>", then its elapsed seconds):
#   check -> stage (Node 24 + code-server, cached) -> debootstrap -> upgrade -> configure
#   (provision.sh in a chroot) -> metadata -> squash -> import
#
# Caches, under TIDEPOOL_IMAGE_CACHE (default /var/cache/tidepool/images):
#   debs/    debootstrap --cache-dir (warm second run)
#   stage/   staged /usr/local per node/code-server version (stage-usr-local.sh)
#   out/     rootfs.squashfs + incus-meta.tar.xz of the last bake
# The whole bake is skipped when the image alias exists with the same recipe hash
# (sha256 over images/recipe and images/incus, docs excluded; versions.env is part of it).
#
# Environment:
#   TIDEPOOL_IMAGE_CACHE      cache directory
#   TIDEPOOL_DEBIAN_MIRROR    Debian mirror (default: the one in this host's apt sources)
#   TIDEPOOL_DEBIAN_SECURITY  security mirror (default: <mirror>-security)
#   TIDEPOOL_SQUASHFS_LEVEL   zstd level for mksquashfs (default 6)
# Needs: root, debootstrap, mksquashfs (squashfs-tools), xz, incus with a running daemon
# (scripts/setup-incus.sh sets all of that up).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES=$(cd "$HERE/.." && pwd)
RECIPE="$IMAGES/recipe"
# shellcheck source=../recipe/versions.env
. "$RECIPE/versions.env"

FORCE=0
KEEP_WORK=0
for a in "$@"; do
  case "$a" in
    --force) FORCE=1;;
    --keep-work) KEEP_WORK=1;;
    -h|--help) awk 'NR > 1 && /^#/ && !/shellcheck/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0;;
    *) echo "bake.sh: unknown argument $a (try --help)" >&2; exit 2;;
  esac
done

CACHE="${TIDEPOOL_IMAGE_CACHE:-/var/cache/tidepool/images}"
ALIAS="tidepool/${TIDEPOOL_IMAGE_VERSION}"
WORK="$CACHE/work"
ROOT="$WORK/rootfs"
OUT="$CACHE/out"
LEVEL="${TIDEPOOL_SQUASHFS_LEVEL:-6}"
INCLUDES="systemd,systemd-sysv,systemd-resolved,libpam-systemd,udev,dbus,openssh-server,openssh-client,ca-certificates,curl,git,sudo,locales,iproute2,iputils-ping,procps,less,netbase,tzdata,vim-tiny,nano,unzip,xz-utils,bash-completion"

T_START=$(date +%s.%N)
PHASE=""
T_PHASE=""
TIMINGS=()
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
phase() {
  phase_end
  PHASE=$1; T_PHASE=$(now)
  printf '==> %s\n' "$PHASE"
}
phase_end() {
  if [ -n "$PHASE" ]; then
    local s; s=$(secs "$T_PHASE" "$(now)")
    TIMINGS+=("$PHASE=$s")
    printf '    %s: %s s\n' "$PHASE" "$s"
    PHASE=""
  fi
}
info() { printf '    %s\n' "$*"; }
die() { printf 'bake.sh: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# mounts for the chroot; always undone (also on failure)
# ---------------------------------------------------------------------------
MOUNTS=()
mnt() { mount "$@"; MOUNTS+=("${*: -1}"); }
unmount_all() {
  local i
  for (( i=${#MOUNTS[@]}-1; i>=0; i-- )); do
    umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" 2>/dev/null || true
  done
  MOUNTS=()
  # Anything else still mounted below the work dir (e.g. from an interrupted run).
  if [ -d "$WORK" ]; then
    awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
  fi
}
on_exit() {
  local rc=$?
  unmount_all
  rm -f "$ROOT/usr/sbin/policy-rc.d" 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    printf 'bake.sh: FAILED during phase "%s" after %s s (exit %s).%s\n' \
      "${PHASE:-?}" "$(secs "$T_START" "$(now)")" "$rc" "$( [ -d "$ROOT" ] && printf ' Work dir kept for inspection: %s' "$WORK")" >&2
  fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
phase check
# ---------------------------------------------------------------------------
[ "$(uname -s)" = Linux ] || die "the Incus bake runs on Linux; on macOS use: tidepool image build --runtime tart"
[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot and mounts need it)"
for t in debootstrap mksquashfs xz tar incus chroot flock sha256sum; do
  command -v "$t" >/dev/null 2>&1 || die "$t not found; run scripts/setup-incus.sh first"
done
incus query /1.0 >/dev/null 2>&1 || die "the Incus daemon does not answer; run scripts/setup-incus.sh first"

mkdir -p "$CACHE" "$CACHE/debs" "$OUT"
exec 9>"$CACHE/bake.lock"
flock -n 9 || { info "another bake is running; waiting for it"; flock 9; }

case "$(uname -m)" in
  x86_64) ARCH=x86_64; DEB_ARCH=amd64;;
  aarch64) ARCH=aarch64; DEB_ARCH=arm64;;
  *) die "unsupported architecture $(uname -m)";;
esac

RECIPE_HASH=$(
  cd "$IMAGES" &&
  find recipe incus -type f ! -name '*.md' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  echo "arch=$ARCH includes=$INCLUDES"
)
RECIPE_HASH=$(printf '%s\n' "$RECIPE_HASH" | sha256sum | cut -c1-64)
info "image $ALIAS, Debian $DEBIAN_RELEASE, code-server $CODE_SERVER_VERSION, node $NODE_PACKAGE_VERSION, recipe ${RECIPE_HASH:0:12}"

current_hash=$(incus image get-property "$ALIAS" tidepool.recipe_hash 2>/dev/null || true)
if [ "$FORCE" -eq 0 ] && [ "$current_hash" = "$RECIPE_HASH" ]; then
  phase_end
  echo "image $ALIAS is up to date (recipe ${RECIPE_HASH:0:12}; --force rebuilds)"
  exit 0
fi
[ -n "$current_hash" ] && info "existing $ALIAS has recipe ${current_hash:0:12}: rebuilding"

mirror_from_apt() {
  local u=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    u=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  fi
  if [ -z "$u" ] && [ -r /etc/apt/sources.list ]; then
    u=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) { print $i; exit } }' /etc/apt/sources.list || true)
  fi
  printf '%s\n' "${u:-http://deb.debian.org/debian}"
}
MIRROR="${TIDEPOOL_DEBIAN_MIRROR:-$(mirror_from_apt)}"
MIRROR=${MIRROR%/}
SECURITY="${TIDEPOOL_DEBIAN_SECURITY:-${MIRROR}-security}"
info "mirror $MIRROR (security: $SECURITY)"

# ---------------------------------------------------------------------------
phase stage
# ---------------------------------------------------------------------------
STAGE=$(TIDEPOOL_IMAGE_CACHE="$CACHE" "$RECIPE/stage-usr-local.sh" 2> >(sed 's/^/    /' >&2)) || die "staging /usr/local failed"
[ -x "$STAGE/bin/code-server" ] || die "stage $STAGE has no bin/code-server"
info "stage: $STAGE"

# ---------------------------------------------------------------------------
phase debootstrap
# ---------------------------------------------------------------------------
unmount_all
# Never rm -rf through a leftover bind mount (it could reach the caches).
if awk -v w="$WORK/" 'index($2, w) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
  die "mounts remain under $WORK; unmount them first (grep $WORK /proc/mounts)"
fi
rm -rf "$WORK"
mkdir -p "$ROOT"
DBLOG="$CACHE/logs/debootstrap.log"
mkdir -p "$CACHE/logs"
if ! debootstrap --variant=minbase --arch="$DEB_ARCH" --cache-dir="$CACHE/debs" \
     --include="$INCLUDES" "$DEBIAN_RELEASE" "$ROOT" "$MIRROR" >"$DBLOG" 2>&1; then
  tail -n 30 "$DBLOG" >&2
  die "debootstrap of $DEBIAN_RELEASE from $MIRROR failed (log: $DBLOG)"
fi
info "$(chroot "$ROOT" dpkg-query -W -f='.\n' | wc -l) packages, $(du -sm "$ROOT" | cut -f1) MiB ($(grep '^I: Retrieving' "$DBLOG" | grep -cv 'Retrieving \(InRelease\|Release\|Packages\)' || true) .debs downloaded, the rest from $CACHE/debs)"

# ---------------------------------------------------------------------------
phase upgrade
# ---------------------------------------------------------------------------
mount_chroot() {
  mnt -t proc proc "$ROOT/proc"
  mnt -t sysfs -o ro sysfs "$ROOT/sys"
  mnt --bind /dev "$ROOT/dev"
  mnt -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
  mnt -t tmpfs -o mode=0755 tmpfs "$ROOT/run"
}
mount_chroot
# The chroot gets the host's resolver for the build; the image ends with resolved's stub.
cp --remove-destination /etc/resolv.conf "$ROOT/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"; chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
rm -f "$ROOT/etc/apt/sources.list"
cat > "$ROOT/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: ${MIRROR}
Suites: ${DEBIAN_RELEASE} ${DEBIAN_RELEASE}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${SECURITY}
Suites: ${DEBIAN_RELEASE}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
UPLOG="$CACHE/logs/upgrade.log"
if ! chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
     sh -c 'apt-get -q update && apt-get -q -y -o Dpkg::Options::=--force-confold dist-upgrade' >"$UPLOG" 2>&1; then
  tail -n 30 "$UPLOG" >&2
  die "apt-get update/dist-upgrade in the chroot failed (log: $UPLOG)"
fi
info "$(grep -Eo '^[0-9]+ upgraded, [0-9]+ newly installed' "$UPLOG" | tail -n1 || echo 'upgrade done')"

# ---------------------------------------------------------------------------
phase configure
# ---------------------------------------------------------------------------
# Recipe and stage are mounted read-only under /run (a tmpfs) so nothing in the chroot
# can touch the cache, and nothing of them stays in the image.
mkdir -p "$ROOT/run/tidepool/recipe" "$ROOT/run/tidepool/stage"
mnt --bind "$RECIPE" "$ROOT/run/tidepool/recipe"
mount -o remount,bind,ro "$ROOT/run/tidepool/recipe"
mnt --bind "$STAGE" "$ROOT/run/tidepool/stage"
mount -o remount,bind,ro "$ROOT/run/tidepool/stage"
BUILD_DATE=$(date -u +%FT%TZ)
if ! chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
     TIDEPOOL_CONTEXT=chroot TIDEPOOL_STAGE_MODE=copy TIDEPOOL_STAGE_DIR=/run/tidepool/stage TIDEPOOL_FINALIZE=1 \
     TIDEPOOL_RECIPE_HASH="$RECIPE_HASH" TIDEPOOL_BUILD_DATE="$BUILD_DATE" \
     bash /run/tidepool/recipe/provision.sh 2>&1 | sed -u 's/^/    /'; then
  die "provision.sh failed in the chroot"
fi
unmount_all
rm -f "$ROOT/usr/sbin/policy-rc.d"
# DNS in the guest: systemd-resolved's stub, fed by networkd's DHCP lease.
ln -sfn ../run/systemd/resolve/stub-resolv.conf "$ROOT/etc/resolv.conf"
awk -v r="$ROOT/" 'index($2, r) == 1 { found = 1 } END { exit found }' /proc/mounts || die "mounts left under $ROOT"
ROOTFS_SIZE="$(du -sm "$ROOT" | cut -f1) MiB"
info "rootfs: $ROOTFS_SIZE"

# ---------------------------------------------------------------------------
phase metadata
# ---------------------------------------------------------------------------
META="$WORK/meta"
mkdir -p "$META/templates"
cp "$HERE"/templates/*.tpl "$META/templates/"
sed -e "s|@ARCH@|$ARCH|g" -e "s|@CREATION_DATE@|$(date +%s)|g" -e "s|@DEBIAN_RELEASE@|$DEBIAN_RELEASE|g" \
    -e "s|@VERSION@|$TIDEPOOL_IMAGE_VERSION|g" -e "s|@CODE_SERVER_VERSION@|$CODE_SERVER_VERSION|g" \
    -e "s|@RECIPE_HASH@|$RECIPE_HASH|g" "$HERE/metadata.yaml.in" > "$META/metadata.yaml"
! grep -q '@[A-Z_]*@' "$META/metadata.yaml" || die "unfilled placeholder in metadata.yaml"
rm -f "$OUT/incus-meta.tar.xz"
tar -C "$META" -cJf "$OUT/incus-meta.tar.xz" metadata.yaml templates

# ---------------------------------------------------------------------------
phase squash
# ---------------------------------------------------------------------------
rm -f "$OUT/rootfs.squashfs"
# Journal ACL xattrs (system.posix_acl_*) are not storable in squashfs: filter that noise.
mksquashfs "$ROOT" "$OUT/rootfs.squashfs" -comp zstd -Xcompression-level "$LEVEL" -noappend -quiet -no-progress \
  2> >(grep -v 'Unrecognised xattr prefix system.posix_acl' >&2) >/dev/null
SQUASH_BYTES=$(stat -c %s "$OUT/rootfs.squashfs")
info "rootfs.squashfs: $(awk -v b="$SQUASH_BYTES" 'BEGIN { printf "%.0f MiB", b / 1048576 }') (zstd level $LEVEL)"

# ---------------------------------------------------------------------------
phase import
# ---------------------------------------------------------------------------
OLD_FP=$(incus query "/1.0/images/aliases/$ALIAS" 2>/dev/null | awk -F'"' '/"target"/ { print $4 }' || true)
# Incus fingerprint of a split image = sha256(metadata tarball + rootfs).
NEW_FP=$(cat "$OUT/incus-meta.tar.xz" "$OUT/rootfs.squashfs" | sha256sum | cut -d' ' -f1)
if incus query "/1.0/images/$NEW_FP" >/dev/null 2>&1; then
  info "identical image ${NEW_FP:0:12} already in the store"
else
  # Import without the alias first, then repoint the alias in one API call: launches that
  # use the alias while this runs never see it missing.
  incus image import "$OUT/incus-meta.tar.xz" "$OUT/rootfs.squashfs" --quiet >/dev/null ||
    die "incus image import failed"
fi
incus query "/1.0/images/$NEW_FP" >/dev/null 2>&1 || die "imported image ${NEW_FP:0:12} not found in the image store"
if [ -n "$OLD_FP" ]; then
  incus query -X PUT "/1.0/images/aliases/$ALIAS" --data "{\"target\": \"$NEW_FP\", \"description\": \"Tidepool workspace image\"}" >/dev/null ||
    die "could not repoint alias $ALIAS to ${NEW_FP:0:12}"
else
  incus image alias create "$ALIAS" "$NEW_FP" --description "Tidepool workspace image" >/dev/null
fi
NEW_FP=$(incus query "/1.0/images/aliases/$ALIAS" | awk -F'"' '/"target"/ { print $4 }')
[ "$(incus image get-property "$ALIAS" tidepool.recipe_hash)" = "$RECIPE_HASH" ] || die "imported image does not carry the recipe hash"
if [ -n "$OLD_FP" ] && [ "$OLD_FP" != "$NEW_FP" ]; then
  # The old image's volume is not needed by existing instances (they are independent copies/snapshots).
  n_alias=$(incus query "/1.0/images/$OLD_FP" 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin).get("aliases") or []))' 2>/dev/null || echo 0)
  if [ "$n_alias" != 0 ]; then
    info "old image ${OLD_FP:0:12} still has other aliases; kept"
  else
    incus image delete "$OLD_FP" && info "deleted previous image ${OLD_FP:0:12}"
  fi
fi
info "imported $ALIAS = ${NEW_FP:0:12}"
phase_end

if [ "$KEEP_WORK" -eq 0 ]; then rm -rf "$WORK"; fi

TOTAL=$(secs "$T_START" "$(now)")
IMG_BYTES=$(( SQUASH_BYTES + $(stat -c %s "$OUT/incus-meta.tar.xz") ))
{
  echo "alias=$ALIAS"
  echo "fingerprint=$NEW_FP"
  echo "recipe_hash=$RECIPE_HASH"
  echo "debian_release=$DEBIAN_RELEASE"
  echo "code_server=$CODE_SERVER_VERSION"
  echo "node=$NODE_PACKAGE_VERSION"
  echo "rootfs_size=$ROOTFS_SIZE"
  echo "image_bytes=$IMG_BYTES"
  for t in "${TIMINGS[@]}"; do echo "seconds.$t"; done
  echo "seconds.total=$TOTAL"
  echo "date=$BUILD_DATE"
} > "$OUT/bake-report.txt"
echo "image $ALIAS baked: $(awk -v b="$IMG_BYTES" 'BEGIN { printf "%.0f MiB", b / 1048576 }') (rootfs $ROOTFS_SIZE unpacked) in $TOTAL s"
echo "    timings: ${TIMINGS[*]}"
