#!/usr/bin/env bash
# Tidepool: prepare a Linux host for Incus workspaces.
#
#   sudo scripts/setup-incus.sh
#
# Idempotent. Run as root. On a host that is already set up it only checks and
# returns within a few seconds. What it does (each step is skipped when done):
#   1. Debian 12 only: add bookworm-backports (deb822, same mirror as the main
#      Debian source) because Incus is only packaged there for bookworm.
#   2. Install incus plus the image-build tools (btrfs-progs, debootstrap,
#      squashfs-tools, xz-utils) and the code-server build deps used when
#      staging /usr/local (python3, make, g++, libkrb5-dev; npm if missing),
#      and nftables/dnsmasq-base for the managed bridge.
#   3. Start incusd: via systemd when systemd runs the box, otherwise in the
#      background (log: /var/log/incusd.log), then wait for the API socket.
#   4. Create the btrfs storage pool "tidepool" (sparse loop file) and the NAT
#      bridge "tidepoolbr0" (IPv4 only, a private /24 that does not overlap any
#      route, address, resolver or package-mirror address of this host).
#   5. Raise the inotify and keyring limits that many containers share
#      (/etc/sysctl.d/60-tidepool-incus.conf; never lowered).
# The default profile is left untouched: Tidepool passes the pool and the
# network explicitly when it creates an instance.
#
# Environment overrides:
#   TIDEPOOL_POOL_SIZE      loop file size for the pool       (default 30GiB)
#   TIDEPOOL_BRIDGE_SUBNET  gateway address/prefix to use     (default: first free of a list)
#   TIDEPOOL_POOL / TIDEPOOL_BRIDGE  names                    (default tidepool / tidepoolbr0)
set -euo pipefail

POOL="${TIDEPOOL_POOL:-tidepool}"
BRIDGE="${TIDEPOOL_BRIDGE:-tidepoolbr0}"
POOL_SIZE="${TIDEPOOL_POOL_SIZE:-30GiB}"
INCUSD_LOG=/var/log/incusd.log
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
START_TS=$(date +%s)

say() { printf 'setup-incus: %s\n' "$*"; }
die() { printf 'setup-incus: ERROR: %s\n' "$*" >&2; exit 1; }

if [ "$(uname -s)" = "Darwin" ]; then
  cat <<'EOF'
setup-incus: Incus set-up is for Linux hosts only.
On macOS Tidepool runs workspaces as Tart VMs instead:
  brew install openai/tools/tart        # formerly cirruslabs/cli/tart
  tidepool image build --runtime tart   # bakes the tidepool-<version> VM (see images/tart/README.md)
Nothing to do here.
EOF
  exit 0
fi

[ "$(uname -s)" = "Linux" ] || die "unsupported OS $(uname -s); Tidepool supports Linux (Incus) and macOS (Tart)"
[ "$(id -u)" -eq 0 ] || die "run me as root (sudo $0)"

# --------------------------------------------------------------------------
# 1. apt sources + packages
# --------------------------------------------------------------------------
OS_ID=""; OS_CODENAME=""
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  OS_ID="${ID:-}"; OS_CODENAME="${VERSION_CODENAME:-}"
fi

# Packages we need (command -> reason). libkrb5-dev, g++, make, python3 are only
# needed on the build host to compile code-server's native modules.
PKGS=(incus btrfs-progs debootstrap squashfs-tools xz-utils libkrb5-dev python3 make g++ nftables dnsmasq-base)

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

# The main Debian mirror URI as configured in apt's sources (deb822 or one-line).
debian_mirror_uri() {
  local uri=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    uri=$(awk -v suite="$OS_CODENAME" '
      BEGIN { RS=""; FS="\n" }
      {
        uris=""; ok=0; enabled=1
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/)    { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris=u[1] }
          if ($i ~ /^Suites:/)  { n=split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok=1 }
          if ($i ~ /^Enabled:[ \t]*no/) enabled=0
        }
        if (ok && enabled && uris != "") { print uris; exit }
      }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  fi
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    uri=$(awk -v suite="$OS_CODENAME" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i == suite) { u=$(i-1); if (u !~ /^\[/) { print u; exit } } }' /etc/apt/sources.list || true)
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

SOURCES_CHANGED=0
INCUS_TARGET=()
if command -v apt-get >/dev/null 2>&1; then
  if [ "$OS_ID" = "debian" ] && [ "$OS_CODENAME" = "bookworm" ]; then
    INCUS_TARGET=(-t bookworm-backports)
    if grep -Eqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; then
      say "ok: bookworm-backports already in apt sources"
    else
      MIRROR=$(debian_mirror_uri)
      cat > /etc/apt/sources.list.d/bookworm-backports.sources <<EOF
# Added by Tidepool scripts/setup-incus.sh: Incus is packaged for Debian 12 in backports.
Types: deb
URIs: ${MIRROR}
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
      SOURCES_CHANGED=1
      say "added: /etc/apt/sources.list.d/bookworm-backports.sources (URIs: ${MIRROR})"
    fi
  fi

  MISSING=()
  for p in "${PKGS[@]}"; do pkg_installed "$p" || MISSING+=("$p"); done
  command -v npm >/dev/null 2>&1 || MISSING+=(npm)   # only needed to stage code-server

  if [ "${#MISSING[@]}" -eq 0 ]; then
    say "ok: packages already installed (${PKGS[*]})"
  else
    export DEBIAN_FRONTEND=noninteractive
    say "installing: ${MISSING[*]}"
    if [ "$SOURCES_CHANGED" -eq 1 ] || ! apt-cache policy incus 2>/dev/null | grep -q 'Candidate: [0-9]'; then
      say "apt-get update"
      apt-get "${APT_OPTS[@]}" update -q
    fi
    OTHERS=()
    for p in "${MISSING[@]}"; do [ "$p" = incus ] || OTHERS+=("$p"); done
    if [ "${#OTHERS[@]}" -gt 0 ]; then
      apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "${OTHERS[@]}"
    fi
    if ! pkg_installed incus; then
      # Install incus with its recommends minus the VM stack; containers need no qemu.
      apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "${INCUS_TARGET[@]}" incus
    fi
    say "installed: ${MISSING[*]}"
  fi
else
  command -v incus >/dev/null 2>&1 || die "no apt-get on this host: install Incus (>= 6.0), btrfs-progs, debootstrap, squashfs-tools yourself, then re-run"
  say "warning: not a Debian/Ubuntu host; skipping package installation"
fi

# --------------------------------------------------------------------------
# 2. incusd
# --------------------------------------------------------------------------
incus_up() { incus query /1.0 >/dev/null 2>&1; }

find_incusd() {
  local c
  for c in "$(command -v incusd 2>/dev/null || true)" /usr/libexec/incus/incusd /usr/lib/incus/incusd /usr/sbin/incusd /opt/incus/bin/incusd; do
    [ -n "$c" ] && [ -x "$c" ] && { printf '%s\n' "$c"; return 0; }
  done
  return 1
}

if incus_up; then
  say "ok: incusd is running"
elif [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  say "starting incus via systemd"
  systemctl enable --now incus.socket >/dev/null 2>&1 || true
  systemctl start incus.service
  incus admin waitready --timeout 60 || die "incusd did not become ready (journalctl -u incus)"
  say "started: incus.service"
else
  INCUSD=$(find_incusd) || die "incusd binary not found"
  # Same environment the packaged service would get (PATH with /usr/libexec/incus etc.).
  if [ -r /etc/default/incus ]; then
    set -a
    # shellcheck disable=SC1091
    . /etc/default/incus
    set +a
  fi
  # lxcfs gives containers /proc/meminfo, /proc/cpuinfo... that reflect their limits.
  # Optional: containers work without it.
  # A lxcfs that died (killed with the session that started it) leaves its FUSE mount
  # behind: every stat of it fails with "Transport endpoint is not connected". Detach it.
  if grep -qs ' /var/lib/lxcfs fuse' /proc/mounts && ! stat /var/lib/lxcfs >/dev/null 2>&1; then
    umount -l /var/lib/lxcfs 2>/dev/null || fusermount -uz /var/lib/lxcfs 2>/dev/null || true
    say "detached: a dead lxcfs's mount on /var/lib/lxcfs"
  fi
  if command -v lxcfs >/dev/null 2>&1 && [ -e /dev/fuse ] && ! mountpoint -q /var/lib/lxcfs 2>/dev/null \
    && mkdir -p /var/lib/lxcfs 2>/dev/null; then
    setsid -f lxcfs /var/lib/lxcfs >>/var/log/lxcfs.log 2>&1 </dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do mountpoint -q /var/lib/lxcfs && break; sleep 0.2; done
    if mountpoint -q /var/lib/lxcfs; then say "started: lxcfs on /var/lib/lxcfs (log: /var/log/lxcfs.log)"
    else say "warning: lxcfs did not start (see /var/log/lxcfs.log); continuing without it"; fi
  fi
  GROUP_ARGS=()
  getent group incus-admin >/dev/null 2>&1 && GROUP_ARGS=(--group incus-admin)
  say "no service manager runs incusd: starting $INCUSD in the background (log: $INCUSD_LOG)"
  setsid -f "$INCUSD" "${GROUP_ARGS[@]}" >>"$INCUSD_LOG" 2>&1 </dev/null
  incus admin waitready --timeout 60 || die "incusd did not become ready in 60 s; see $INCUSD_LOG"
  say "started: incusd (pid $(pgrep -xo incusd || echo '?'))"
fi

say "incus: $(incus version 2>/dev/null | tr '\n' ' ' | sed 's/ *$//')"

# --------------------------------------------------------------------------
# 3. storage pool
# --------------------------------------------------------------------------
if incus storage show "$POOL" >/dev/null 2>&1; then
  say "ok: storage pool '$POOL' exists (driver $(incus storage list -f csv -c nD | awk -F, -v p="$POOL" '$1==p{print $2}'))"
else
  if grep -qw btrfs /proc/filesystems 2>/dev/null || modprobe btrfs 2>/dev/null; then
    incus storage create "$POOL" btrfs size="$POOL_SIZE" --description "Tidepool workspaces (copy-on-write)" >/dev/null
    say "created: storage pool '$POOL' (btrfs, sparse loop file of $POOL_SIZE under /var/lib/incus/disks)"
  else
    incus storage create "$POOL" dir --description "Tidepool workspaces" >/dev/null
    say "warning: kernel has no btrfs; created '$POOL' as a dir pool (every workspace copies the full rootfs; slower)"
  fi
fi

# --------------------------------------------------------------------------
# 4. bridge network
# --------------------------------------------------------------------------
ip2int() { local IFS=.; local -a o; read -r -a o <<<"$1"; echo $(( (o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3] )); }
# overlaps CIDR_A CIDR_B -> 0 if the two IPv4 prefixes share any address
overlaps() {
  local a=${1%/*} pa=${1#*/} b=${2%/*} pb=${2#*/} p m
  [ "$pa" = "$1" ] && pa=32; [ "$pb" = "$2" ] && pb=32
  p=$(( pa < pb ? pa : pb ))
  m=$(( p == 0 ? 0 : (0xffffffff << (32 - p)) & 0xffffffff ))
  [ $(( $(ip2int "$a") & m )) -eq $(( $(ip2int "$b") & m )) ]
}
# Everything this host already uses: routes (all tables), addresses, resolvers,
# and the addresses the package mirrors resolve to (a bridge there would capture them).
used_prefixes() {
  ip -4 route show table all 2>/dev/null | awk '{ d=($1=="local"||$1=="broadcast"||$1=="unreachable"||$1=="blackhole"||$1=="prohibit"||$1=="throw")?$2:$1; if (d!="default" && d ~ /^[0-9]/) print d }'
  ip -4 -o addr show 2>/dev/null | awk '{print $4}'
  awk '$1=="nameserver" && $2 ~ /^[0-9]+\./ {print $2}' /etc/resolv.conf 2>/dev/null
  getent ahostsv4 deb.debian.org registry.npmjs.org 2>/dev/null | awk '{print $1}'
  incus network list -f csv -c 4 2>/dev/null | awk -F'[ ,]' '$1 ~ /^[0-9]/ {print $1}'
}
pick_subnet() {
  local used cand u clash
  used=$(used_prefixes | sort -u)
  for cand in 10.201.77.1/24 10.201.78.1/24 10.202.77.1/24 10.203.77.1/24 172.29.77.1/24 172.30.177.1/24 192.168.177.1/24 192.168.231.1/24; do
    clash=""
    for u in $used; do
      if overlaps "$cand" "$u"; then clash=$u; break; fi
    done
    if [ -z "$clash" ]; then echo "$cand"; return 0; fi
    say "subnet ${cand} overlaps ${clash} in use on this host; trying the next one" >&2
  done
  return 1
}

if incus network show "$BRIDGE" >/dev/null 2>&1; then
  say "ok: network '$BRIDGE' exists (ipv4.address $(incus network get "$BRIDGE" ipv4.address))"
else
  if [ -n "${TIDEPOOL_BRIDGE_SUBNET:-}" ]; then
    SUBNET=$TIDEPOOL_BRIDGE_SUBNET
    for u in $(used_prefixes | sort -u); do
      overlaps "$SUBNET" "$u" && die "TIDEPOOL_BRIDGE_SUBNET=$SUBNET overlaps $u, which this host uses"
    done
  else
    SUBNET=$(pick_subnet) || die "could not find a free private /24 for $BRIDGE; set TIDEPOOL_BRIDGE_SUBNET=a.b.c.1/24"
  fi
  incus network create "$BRIDGE" ipv4.address="$SUBNET" ipv4.nat=true ipv6.address=none \
    --description "Tidepool workspaces (NAT, IPv4 only)" >/dev/null
  say "created: network '$BRIDGE' ($SUBNET, IPv4 NAT, IPv6 off)"
fi

# --------------------------------------------------------------------------
# 5. kernel limits for many containers
# --------------------------------------------------------------------------
# Every unprivileged container's root maps to the same host uid, so all workspaces share one
# per-user inotify budget. Debian's default (128 instances) runs out at about 15 started workspaces
# (fewer while several boot at once): udevd, networkd and resolved then fail in the next one, which
# never gets an address (measured: 12 of 20 containers started at once). Values from the Incus
# production-setup guide; only ever raised.
SYSCTL_FILE=/etc/sysctl.d/60-tidepool-incus.conf
raised=()
for setting in fs.inotify.max_user_instances=1024 fs.inotify.max_user_watches=1048576 kernel.keys.maxkeys=2000 kernel.keys.maxbytes=2000000; do
  key=${setting%%=*}
  want=${setting#*=}
  have=$(sysctl -n "$key" 2>/dev/null || echo 0)
  if [ "$have" -lt "$want" ]; then
    if sysctl -qw "$key=$want" 2>/dev/null; then
      raised+=("$key=$want")
    else
      say "note: could not raise $key to $want (it is $have); more than a dozen workspaces may fail to start"
    fi
  fi
done
if [ "${#raised[@]}" -gt 0 ]; then
  { echo '# Added by Tidepool scripts/setup-incus.sh: limits for many Incus containers.'; printf '%s\n' "${raised[@]}"; } >>"$SYSCTL_FILE"
  say "raised: ${raised[*]} (kept in $SYSCTL_FILE)"
else
  say "ok: inotify and keyring limits are high enough for many workspaces"
fi

# --------------------------------------------------------------------------
# 6. hints
# --------------------------------------------------------------------------
if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && getent group incus-admin >/dev/null 2>&1; then
  if id -nG "$SUDO_USER" | tr ' ' '\n' | grep -qx incus-admin; then
    say "ok: $SUDO_USER is in group incus-admin"
  else
    usermod -aG incus-admin "$SUDO_USER"
    say "added: $SUDO_USER to group incus-admin (log out and in again so Tidepool can reach the Incus socket)"
  fi
fi
if pgrep -x dockerd >/dev/null 2>&1; then
  say "note: dockerd is running; if workspaces have no internet, Docker's FORWARD policy DROP is the usual cause (see Incus docs: 'Prevent connectivity issues with Incus and Docker')"
fi

say "done in $(( $(date +%s) - START_TS )) s: pool '$POOL', network '$BRIDGE' ready"
