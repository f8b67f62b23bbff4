#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Tidepool image: provision a Debian root file system as a Tidepool workspace.
#
# ONE idempotent script, run as root either
#   * inside a chroot of a fresh debootstrap (Incus bake: images/incus/bake.sh), or
#   * inside a booted Debian guest (Tart bake, driven over SSH by the app; see images/tart/README.md).
# Run it again at any time: every step checks before it changes anything.
#
# What it sets up:
#   user dev (uid 1000, passwordless sudo, no password), key-only sshd (no root login),
#   host keys generated at first sshd start (never baked), systemd-networkd DHCP on eth0,
#   code-server.service (as dev, 127.0.0.1:13337 only, --auth none: the SSH tunnel is the
#   authentication), desktop-like code-server user settings, tidepool-firstboot.service,
#   /etc/tidepool/image.json, slimming (apt lists, docs, man pages).
#
# Environment:
#   TIDEPOOL_STAGE_MODE   copy (default): /usr/local already holds, or is copied from
#                           TIDEPOOL_STAGE_DIR, a tree made by stage-usr-local.sh.
#                         npm: install Node 24 + code-server in place with npm (installs
#                           python3/make/g++/libkrb5-dev/npm temporarily, purges them after).
#   TIDEPOOL_STAGE_DIR    copy mode: staged tree to copy into /usr/local (optional).
#   TIDEPOOL_CONTEXT      chroot | guest (default: guest when systemd runs as PID 1, else chroot).
#   TIDEPOOL_FINALIZE     1 = this is the last step before the image is frozen: delete the
#                         SSH host keys and empty /etc/machine-id. Default 1 in a chroot, 0 in a guest
#                         (the Tart bake sets it on its final run, right before shutting down).
#   TIDEPOOL_RECIPE_HASH  recorded in /etc/tidepool/image.json (default "unknown").
#   TIDEPOOL_BUILD_DATE   recorded in /etc/tidepool/image.json (default: now, UTC).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$HERE/versions.env"

DEV_USER=dev
DEV_UID=1000
DEV_HOME=/home/$DEV_USER
CS_PORT=13337
STAGE_MODE="${TIDEPOOL_STAGE_MODE:-copy}"
if [ -n "${TIDEPOOL_CONTEXT:-}" ]; then CONTEXT=$TIDEPOOL_CONTEXT
elif [ -d /run/systemd/system ]; then CONTEXT=guest
else CONTEXT=chroot; fi
if [ "$CONTEXT" = chroot ]; then FINALIZE="${TIDEPOOL_FINALIZE:-1}"; else FINALIZE="${TIDEPOOL_FINALIZE:-0}"; fi
RECIPE_HASH="${TIDEPOOL_RECIPE_HASH:-unknown}"
BUILD_DATE="${TIDEPOOL_BUILD_DATE:-$(date -u +%FT%TZ)}"
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)

T0=$SECONDS
step() { printf 'provision: [%3ss] %s\n' "$((SECONDS - T0))" "$*"; }
die() { printf 'provision: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root"
case "$STAGE_MODE" in copy|npm) ;; *) die "TIDEPOOL_STAGE_MODE must be copy or npm, not '$STAGE_MODE'";; esac
case "$CONTEXT" in chroot|guest) ;; *) die "TIDEPOOL_CONTEXT must be chroot or guest, not '$CONTEXT'";; esac
step "context=$CONTEXT stage-mode=$STAGE_MODE finalize=$FINALIZE debian=$(cat /etc/debian_version 2>/dev/null || echo '?')"

# write_file PATH MODE CONTENT: write only when the content differs (keeps mtimes stable).
write_file() {
  local path=$1 mode=$2 content=$3
  mkdir -p "$(dirname "$path")"
  if [ ! -f "$path" ] || [ "$(cat "$path")" != "$content" ]; then
    printf '%s\n' "$content" > "$path.tidepool-new"
    chmod "$mode" "$path.tidepool-new"
    mv -f "$path.tidepool-new" "$path"
  else
    chmod "$mode" "$path"
  fi
}
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

# ---------------------------------------------------------------------------
# 1. Packages the workspace needs (already there after the Incus debootstrap).
# ---------------------------------------------------------------------------
RUNTIME_PKGS=(systemd systemd-sysv udev dbus openssh-server ca-certificates curl git sudo locales
              iproute2 procps less netbase)
missing=()
for p in "${RUNTIME_PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  step "installing missing packages: ${missing[*]}"
  apt-get "${APT_OPTS[@]}" update -q
  apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "${missing[@]}"
fi

# ---------------------------------------------------------------------------
# 2. Node 24 + code-server in /usr/local
# ---------------------------------------------------------------------------
cs_version() { /usr/local/bin/node -p 'require("/usr/local/lib/node_modules/code-server/package.json").version' 2>/dev/null; }
cs_ok() {
  [ -x /usr/local/bin/code-server ] && [ -x /usr/local/bin/node ] && [ "$(cs_version)" = "$CODE_SERVER_VERSION" ]
}
drop_node_headers() { rm -rf /usr/local/lib/node_modules/node-linux-*/include; }

if [ "$STAGE_MODE" = copy ]; then
  if [ -n "${TIDEPOOL_STAGE_DIR:-}" ]; then
    [ -x "$TIDEPOOL_STAGE_DIR/bin/code-server" ] || die "TIDEPOOL_STAGE_DIR=$TIDEPOOL_STAGE_DIR has no bin/code-server"
    step "copying staged /usr/local from $TIDEPOOL_STAGE_DIR (without node headers)"
    rm -rf /usr/local/lib/node_modules/code-server /usr/local/lib/node_modules/node-linux-*
    tar -C "$TIDEPOOL_STAGE_DIR" --exclude='./lib/node_modules/node-linux-*/include' --exclude='./.tidepool-stage' \
        --exclude='./etc/npmrc' -cf - . | tar -C /usr/local -xf -
  fi
  cs_ok || die "copy mode: /usr/local has no code-server $CODE_SERVER_VERSION (set TIDEPOOL_STAGE_DIR or use TIDEPOOL_STAGE_MODE=npm)"
else
  if cs_ok; then
    step "code-server $CODE_SERVER_VERSION already in /usr/local"
  else
    BUILD_PKGS=(python3 make g++ libkrb5-dev npm)
    added=()
    for p in "${BUILD_PKGS[@]}"; do pkg_installed "$p" || added+=("$p"); done
    if [ "${#added[@]}" -gt 0 ]; then
      step "installing temporary build packages: ${added[*]}"
      apt-get "${APT_OPTS[@]}" update -q
      apt-get "${APT_OPTS[@]}" install -y -q --no-install-recommends "${added[@]}"
    fi
    step "npm: installing node $NODE_PACKAGE_VERSION + code-server $CODE_SERVER_VERSION into /usr/local (builds native modules)"
    TIDEPOOL_IMAGE_CACHE="${TIDEPOOL_IMAGE_CACHE:-/var/cache/tidepool-stage}" "$HERE/stage-usr-local.sh" --dest /usr/local
    if [ "${#added[@]}" -gt 0 ]; then
      step "purging temporary build packages"
      apt-get "${APT_OPTS[@]}" purge -y -q --auto-remove "${added[@]}"
    fi
    rm -rf /var/cache/tidepool-stage /root/.npm /root/.cache/node-gyp
  fi
  cs_ok || die "npm mode: code-server $CODE_SERVER_VERSION did not end up in /usr/local"
fi
drop_node_headers
step "node $(/usr/local/bin/node --version), code-server $(cs_version)"

# ---------------------------------------------------------------------------
# 3. User dev
# ---------------------------------------------------------------------------
if id "$DEV_USER" >/dev/null 2>&1; then
  step "user $DEV_USER exists (uid $(id -u "$DEV_USER"))"
else
  owner=$(getent passwd "$DEV_UID" | cut -d: -f1 || true)
  if [ -z "$owner" ]; then
    useradd --create-home --uid "$DEV_UID" --user-group --shell /bin/bash --comment "Tidepool developer" "$DEV_USER"
  elif [ "$CONTEXT" = chroot ]; then
    die "uid $DEV_UID is taken by '$owner'; the Incus image templates need dev to be uid $DEV_UID"
  else
    # Tart's Debian image has admin as uid 1000; nothing there depends on dev's uid.
    useradd --create-home --user-group --shell /bin/bash --comment "Tidepool developer" "$DEV_USER"
    step "note: uid $DEV_UID belongs to '$owner'; dev got uid $(id -u "$DEV_USER")"
  fi
  step "created user $DEV_USER (uid $(id -u "$DEV_USER"))"
fi
usermod -p '*' "$DEV_USER"        # no password at all: SSH keys only ('*', not '!', so sshd does not treat it as locked)
for g in sudo adm systemd-journal; do getent group "$g" >/dev/null && usermod -aG "$g" "$DEV_USER"; done
write_file /etc/sudoers.d/90-tidepool-dev 0440 "# Tidepool: the workspace owner is root-capable inside the workspace.
$DEV_USER ALL=(ALL:ALL) NOPASSWD:ALL"
visudo -cqf /etc/sudoers.d/90-tidepool-dev || die "sudoers drop-in is invalid"
install -d -m 0700 -o "$DEV_USER" -g "$DEV_USER" "$DEV_HOME/.ssh"
[ -e "$DEV_HOME/.ssh/authorized_keys" ] || install -m 0600 -o "$DEV_USER" -g "$DEV_USER" /dev/null "$DEV_HOME/.ssh/authorized_keys"
usermod -p '*' root

# ---------------------------------------------------------------------------
# 4. sshd: key-only, no root; host keys generated at first start
# ---------------------------------------------------------------------------
# 01- so it wins over e.g. cloud-init's 50-cloud-init.conf (sshd keeps the first value it reads).
write_file /etc/ssh/sshd_config.d/01-tidepool.conf 0644 "# Tidepool workspace: public-key login only.
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthenticationMethods publickey
PermitEmptyPasswords no
X11Forwarding no
# The app reaches code-server with a local forward (ssh -L ...:127.0.0.1:13337).
AllowTcpForwarding yes
ClientAliveInterval 30
ClientAliveCountMax 4
# Tidepool multiplexes terminals, port forwards and commands over one connection (default 10).
MaxSessions 64"
# Debian's ssh.service runs 'sshd -t' first, which fails without host keys: reset the
# pre-start list and generate missing keys (ssh-keygen -A only creates absent ones).
write_file /etc/systemd/system/ssh.service.d/10-tidepool-hostkeys.conf 0644 "[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t"
# Same for a socket-activated sshd (sshd@.service), should anyone switch to ssh.socket.
write_file /etc/systemd/system/sshd@.service.d/10-tidepool-hostkeys.conf 0644 "[Service]
ExecStartPre=/usr/bin/ssh-keygen -A"
if [ -x /usr/sbin/sshd ] && compgen -G '/etc/ssh/ssh_host_*_key' >/dev/null; then
  mkdir -p /run/sshd   # privilege separation dir; systemd creates it at runtime
  /usr/sbin/sshd -t || die "sshd configuration test failed"
fi

# ---------------------------------------------------------------------------
# 5. Network: systemd-networkd DHCP on eth0 (Incus). Harmless where eth0 does not exist.
# ---------------------------------------------------------------------------
write_file /etc/systemd/network/20-tidepool-eth0.network 0644 "[Match]
Name=eth0

[Network]
DHCP=ipv4
LinkLocalAddressing=no
IPv6AcceptRA=no

[DHCPv4]
UseDomains=yes
# The hostname comes from the runtime (Incus: instance name / templates), not from DHCP.
UseHostname=no"
systemctl enable systemd-networkd.service >/dev/null 2>&1 || die "could not enable systemd-networkd"
if pkg_installed systemd-resolved; then
  # DNS from the DHCP lease via the stub resolver; no LLMNR/mDNS listeners in a workspace.
  write_file /etc/systemd/resolved.conf.d/10-tidepool.conf 0644 "[Resolve]
LLMNR=no
MulticastDNS=no"
  systemctl enable systemd-resolved.service >/dev/null 2>&1 || true
fi

# ---------------------------------------------------------------------------
# 6. code-server
# ---------------------------------------------------------------------------
write_file /etc/systemd/system/code-server.service 0644 "[Unit]
Description=code-server for the Tidepool workspace (127.0.0.1:${CS_PORT}, reached through SSH forwarding)
Documentation=https://coder.com/docs/code-server
After=network.target tidepool-firstboot.service

[Service]
Type=exec
User=${DEV_USER}
Group=${DEV_USER}
WorkingDirectory=${DEV_HOME}
Environment=HOME=${DEV_HOME} SHELL=/bin/bash PATH=/usr/local/bin:/usr/bin:/bin
# --auth none: only 127.0.0.1 is bound and the only way in is the workspace's SSH tunnel.
ExecStart=/usr/local/bin/code-server --bind-addr 127.0.0.1:${CS_PORT} --auth none --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override ${DEV_HOME}
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target"
systemctl enable code-server.service >/dev/null 2>&1 || die "could not enable code-server.service"

# Config file that code-server would otherwise create with a random password.
install -d -m 0755 -o "$DEV_USER" -g "$DEV_USER" "$DEV_HOME/.config" "$DEV_HOME/.config/code-server" \
  "$DEV_HOME/.local" "$DEV_HOME/.local/share" "$DEV_HOME/.local/share/code-server" "$DEV_HOME/.local/share/code-server/User"
write_file "$DEV_HOME/.config/code-server/config.yaml" 0644 "# Managed by Tidepool: the flags in code-server.service take precedence.
bind-addr: 127.0.0.1:${CS_PORT}
auth: none
cert: false"
chown "$DEV_USER:$DEV_USER" "$DEV_HOME/.config/code-server/config.yaml"

# Desktop-editor feel: no welcome page, no trust prompts, no telemetry or update checks; light or dark
# with the system, like Tidepool around it. No chat panel taking a third of the window and the focus:
# no AI extension ships (Open VSX has no Copilot), so it could only ask to sign in. All can be turned back on.
SETTINGS="$DEV_HOME/.local/share/code-server/User/settings.json"
TIDEPOOL_SETTINGS='{
  "workbench.startupEditor": "none",
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.settings.enableNaturalLanguageSearch": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "security.workspace.trust.enabled": false,
  "security.workspace.trust.startupPrompt": "never",
  "security.workspace.trust.banner": "never",
  "security.workspace.trust.emptyWindow": true,
  "telemetry.telemetryLevel": "off",
  "telemetry.feedback.enabled": false,
  "update.mode": "none",
  "update.showReleaseNotes": false,
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "window.menuBarVisibility": "classic",
  "window.autoDetectColorScheme": true,
  "window.confirmBeforeClose": "never",
  "terminal.integrated.defaultProfile.linux": "bash",
  "files.trimTrailingWhitespace": true,
  "git.openRepositoryInParentFolders": "never",
  "redhat.telemetry.enabled": false
}'
if [ ! -s "$SETTINGS" ]; then
  printf '%s\n' "$TIDEPOOL_SETTINGS" > "$SETTINGS"
else
  # Keep the user's own settings; add ours where missing (only if the file is plain JSON).
  SETTINGS_FILE="$SETTINGS" TIDEPOOL_SETTINGS="$TIDEPOOL_SETTINGS" /usr/local/bin/node -e '
    const fs = require("fs"); const f = process.env.SETTINGS_FILE;
    let cur; try { cur = JSON.parse(fs.readFileSync(f, "utf8")); } catch { process.exit(0); }
    const ours = JSON.parse(process.env.TIDEPOOL_SETTINGS);
    let changed = false;
    for (const [k, v] of Object.entries(ours)) if (!(k in cur)) { cur[k] = v; changed = true; }
    if (changed) fs.writeFileSync(f, JSON.stringify(cur, null, 2) + "\n");'
fi
chown -R "$DEV_USER:$DEV_USER" "$DEV_HOME/.config" "$DEV_HOME/.local"
chmod 0644 "$SETTINGS"

# ---------------------------------------------------------------------------
# 7. First-boot unit: apply the per-workspace SSH key and hostname from the runtime.
# ---------------------------------------------------------------------------
# Sources, all optional (the unit does nothing when none is present):
#   /etc/tidepool/runtime/{authorized_keys,hostname}    rendered by Incus image templates at create/copy
#   virtiofs share tagged "tidepool" with the same files  (Tart: tart run --dir tidepool:<dir>:ro,tag=tidepool)
# On Incus the templates also write ~dev/.ssh/authorized_keys and /etc/hostname directly;
# this unit then only re-asserts ownership/permissions and the live hostname.
install -d -m 0755 /usr/lib/tidepool /etc/tidepool /etc/tidepool/runtime
FIRSTBOOT=$(cat <<'EOF_FIRSTBOOT'
#!/bin/sh
# Tidepool: apply per-workspace settings provided by the runtime. Idempotent; runs every boot.
set -eu
DEV_USER=dev
DEV_HOME=/home/dev
RT=/etc/tidepool/runtime
SHARE=/run/tidepool/share
log() { echo "tidepool-firstboot: $*"; }

if grep -qw virtiofs /proc/filesystems 2>/dev/null && ! mountpoint -q "$SHARE" 2>/dev/null; then
  mkdir -p "$SHARE"
  if mount -t virtiofs -o ro tidepool "$SHARE" 2>/dev/null; then log "mounted virtiofs share tidepool"; else rmdir "$SHARE" 2>/dev/null || true; fi
fi

keys=""
for f in "$SHARE/authorized_keys" "$RT/authorized_keys"; do
  if [ -s "$f" ] && grep -q "[^[:space:]]" "$f"; then keys=$f; break; fi
done
install -d -m 0700 -o "$DEV_USER" -g "$DEV_USER" "$DEV_HOME/.ssh"
ak="$DEV_HOME/.ssh/authorized_keys"
if [ -n "$keys" ]; then
  if ! cmp -s "$keys" "$ak"; then
    tmp=$(mktemp "$DEV_HOME/.ssh/.ak.XXXXXX")
    cat "$keys" > "$tmp"
    chown "$DEV_USER:$DEV_USER" "$tmp"; chmod 0600 "$tmp"; mv -f "$tmp" "$ak"
    log "installed authorized_keys from $keys ($(grep -c "^[^#[:space:]]" "$ak" || true) key(s))"
  fi
fi
if [ -e "$ak" ]; then chown "$DEV_USER:$DEV_USER" "$ak"; chmod 0600 "$ak"; fi

name=""
for f in "$SHARE/hostname" "$RT/hostname"; do
  if [ -s "$f" ]; then name=$(tr -cd "a-zA-Z0-9.-" < "$f" | cut -c1-63); [ -n "$name" ] && break; fi
done
if [ -n "$name" ] && [ "$(hostname)" != "$name" ]; then
  echo "$name" > /etc/hostname
  hostname "$name" 2>/dev/null || echo "$name" > /proc/sys/kernel/hostname 2>/dev/null || true
  if ! grep -q "^127\.0\.1\.1[[:space:]]" /etc/hosts; then echo "127.0.1.1	$name" >> /etc/hosts
  else sed -i "s/^127\.0\.1\.1[[:space:]].*/127.0.1.1	$name/" /etc/hosts; fi
  log "hostname set to $name"
fi
mkdir -p /var/lib/tidepool
date -u +%FT%TZ > /var/lib/tidepool/firstboot.last
exit 0
EOF_FIRSTBOOT
)
write_file /usr/lib/tidepool/firstboot 0755 "$FIRSTBOOT"
write_file /etc/systemd/system/tidepool-firstboot.service 0644 "[Unit]
Description=Tidepool: apply the workspace SSH key and hostname from the runtime
DefaultDependencies=no
After=local-fs.target
Before=network-pre.target ssh.service code-server.service systemd-networkd.service
Wants=network-pre.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/lib/tidepool/firstboot

[Install]
WantedBy=multi-user.target"
systemctl enable tidepool-firstboot.service >/dev/null 2>&1 || die "could not enable tidepool-firstboot.service"

# ---------------------------------------------------------------------------
# 8. Misc system settings
# ---------------------------------------------------------------------------
if [ -f /etc/locale.gen ] && ! grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen; then
  sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen
  grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen
  locale-gen >/dev/null
fi
write_file /etc/default/locale 0644 "LANG=C.UTF-8"
write_file /etc/systemd/journald.conf.d/10-tidepool.conf 0644 "[Journal]
SystemMaxUse=64M
RuntimeMaxUse=32M"
# No background apt downloads or fstrim in a workspace (the user runs apt when they want to).
for u in apt-daily.timer apt-daily-upgrade.timer fstrim.timer; do
  systemctl disable "$u" >/dev/null 2>&1 || true
done
# Future package installs stay slim too.
write_file /etc/dpkg/dpkg.cfg.d/01-tidepool-nodoc 0644 "# Tidepool: no docs or man pages (copyright files stay).
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-include=/usr/share/locale/en*"
if [ "$CONTEXT" = chroot ]; then
  write_file /etc/hostname 0644 "tidepool"
  if ! grep -q '^127\.0\.1\.1' /etc/hosts 2>/dev/null; then
    printf '127.0.0.1\tlocalhost\n127.0.1.1\ttidepool\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n' > /etc/hosts
  fi
fi

# ---------------------------------------------------------------------------
# 9. Image metadata
# ---------------------------------------------------------------------------
DEB_RELEASE=$(. /etc/os-release && echo "${VERSION_CODENAME:-$DEBIAN_RELEASE}")
[ "$DEB_RELEASE" = "$DEBIAN_RELEASE" ] || step "note: guest is Debian '$DEB_RELEASE', versions.env says '$DEBIAN_RELEASE'"
write_file /etc/tidepool/image.json 0644 "{
  \"version\": \"${TIDEPOOL_IMAGE_VERSION}\",
  \"codeServerVersion\": \"${CODE_SERVER_VERSION}\",
  \"nodeVersion\": \"${NODE_PACKAGE_VERSION}\",
  \"debianRelease\": \"${DEB_RELEASE}\",
  \"debianVersion\": \"$(cat /etc/debian_version 2>/dev/null || echo unknown)\",
  \"buildDate\": \"${BUILD_DATE}\",
  \"recipeHash\": \"${RECIPE_HASH}\",
  \"stageMode\": \"${STAGE_MODE}\",
  \"codeServerPort\": ${CS_PORT},
  \"user\": \"${DEV_USER}\"
}"

# ---------------------------------------------------------------------------
# 10. Slim + finalize
# ---------------------------------------------------------------------------
apt-get "${APT_OPTS[@]}" clean >/dev/null 2>&1 || true
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/debconf/*-old /var/lib/dpkg/*-old
find /usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find /usr/share/doc -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf /usr/share/man/* /usr/share/info/* /usr/share/lintian/* /usr/share/linda/* /var/cache/man/*
# Message translations (English only; the UI language of the workspace is English).
find /usr/share/locale -mindepth 1 -maxdepth 1 -type d ! -name 'en*' -exec rm -rf {} + 2>/dev/null || true
rm -rf /root/.npm /root/.cache /tmp/* /var/tmp/* 2>/dev/null || true
if [ "$CONTEXT" = chroot ]; then
  find /var/log -type f -exec truncate -s 0 {} + 2>/dev/null || true
fi
if [ "$FINALIZE" = 1 ]; then
  rm -f /etc/ssh/ssh_host_*
  : > /etc/machine-id
  rm -f /var/lib/dbus/machine-id
  [ -d /var/lib/dbus ] && ln -sf /etc/machine-id /var/lib/dbus/machine-id
  rm -f /var/lib/systemd/random-seed /var/lib/systemd/credential.secret
  step "finalized: SSH host keys removed, /etc/machine-id emptied (regenerated at first boot)"
fi
step "done"
