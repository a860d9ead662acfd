#!/usr/bin/env bash
# Fetches Debian 12's own cpp-httplib source package (the version of the installed
# libcpp-httplib-dev), applies Debian's patch series and leaves the full header-only
# httplib.h and its LICENSE in a cache directory, where cmake/httplib.cmake finds them.
#
# Why: Debian's libcpp-httplib.so is built with OpenSSL and initialises it at load
# (~4.6 MiB PSS per process); the agent's local API is plain HTTP on loopback or a
# unix socket, so daemonlet compiles the same source itself without TLS.
#
# Directory: ${DAEMONLET_SOURCE_CACHE:-/var/cache/daemonlet-build}/cpp-httplib-<version>/
# (non-root users without write access there fall back to ~/.cache/daemonlet-build).
# Idempotent: a complete directory (stamp file present) is left alone. Prints the
# directory on stdout as its last line. apt only reads a private Sources list under
# the cache; the system's apt configuration is not changed.
set -euo pipefail

log() { echo "fetch-httplib-source: $*" >&2; }
die() { log "error: $*"; exit 1; }

version="${DAEMONLET_HTTPLIB_VERSION:-$(dpkg-query -W -f='${Version}' libcpp-httplib-dev 2>/dev/null || true)}"
[ -n "$version" ] || die "libcpp-httplib-dev is not installed (run packaging/install-deps.sh), or set DAEMONLET_HTTPLIB_VERSION"

cacheRoot="${DAEMONLET_SOURCE_CACHE:-/var/cache/daemonlet-build}"
if [ -z "${DAEMONLET_SOURCE_CACHE:-}" ] && ! { mkdir -p "$cacheRoot" 2>/dev/null && [ -w "$cacheRoot" ]; }; then
  cacheRoot="${XDG_CACHE_HOME:-$HOME/.cache}/daemonlet-build"
fi
dest="$cacheRoot/cpp-httplib-$version"
stamp="$dest/.daemonlet-fetched"

if [ -f "$stamp" ] && [ -f "$dest/httplib.h" ] && [ -f "$dest/LICENSE" ]; then
  log "cpp-httplib $version already in $dest"
  echo "$dest"
  exit 0
fi

for tool in apt-get tar xz patch sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing (run packaging/install-deps.sh)"
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring is missing (apt-get install debian-archive-keyring)"

mkdir -p "$cacheRoot"
work="$(mktemp -d "$cacheRoot/.fetch-httplib.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# A private Sources list: apt verifies the signed Release/Sources index against the
# Debian archive key, and the .dsc's checksums are checked below.
mkdir -p "$work/lists/partial" "$work/download"
printf 'deb-src [signed-by=%s] http://deb.debian.org/debian bookworm main\n' "$keyring" >"$work/src.list"
printf 'deb-src [signed-by=%s] http://deb.debian.org/debian-security bookworm-security main\n' "$keyring" \
  >>"$work/src.list"
aptOpts=(-o "Dir::Etc::SourceList=$work/src.list" -o Dir::Etc::SourceParts=/dev/null
         -o "Dir::State::Lists=$work/lists" -o Debug::NoLocking=1)
# Root: download as root into this private directory (the _apt user cannot enter it).
[ "$(id -u)" -ne 0 ] || aptOpts+=(-o APT::Sandbox::User=root)
log "updating a private Sources index (bookworm)"
apt-get "${aptOpts[@]}" -qq update >&2 || die "apt-get update of the private Sources list failed"
log "downloading cpp-httplib=$version"
(cd "$work/download" && apt-get "${aptOpts[@]}" -qq source --download-only "cpp-httplib=$version" >&2) ||
  die "Debian's source package cpp-httplib=$version (the installed libcpp-httplib-dev's version) is not available from bookworm"

dsc="$(find "$work/download" -maxdepth 1 -name 'cpp-httplib_*.dsc' | head -n1)"
[ -n "$dsc" ] || die "no .dsc downloaded"
dscVersion="$(sed -n 's/^Version: //p' "$dsc" | head -n1)"
[ "$dscVersion" = "$version" ] || die "downloaded $dscVersion, wanted $version"

# Every file the .dsc lists (Checksums-Sha256) must be present and match.
checked=0
while read -r sum size name; do
  [ -n "$name" ] || continue
  file="$work/download/$name"
  [ -f "$file" ] || die "$name listed in the .dsc was not downloaded"
  [ "$(stat -c %s "$file")" = "$size" ] || die "$name: size differs from the .dsc"
  echo "$sum  $file" | sha256sum --quiet -c - >&2 || die "$name: sha256 differs from the .dsc"
  checked=$((checked + 1))
done < <(sed -n '/^Checksums-Sha256:/,/^[^ ]/{/^ /p}' "$dsc")
[ "$checked" -ge 2 ] || die "the .dsc lists no usable Checksums-Sha256"

src="$work/src"
mkdir -p "$src"
tar -xJf "$work/download"/cpp-httplib_*.orig.tar.xz -C "$src" --strip-components=1
tar -xJf "$work/download"/cpp-httplib_*.debian.tar.xz -C "$src"
if [ -f "$src/debian/patches/series" ]; then
  while read -r p _; do
    case "$p" in ''|'#'*) continue ;; esac
    log "applying debian/patches/$p"
    patch -d "$src" -p1 --quiet --forward <"$src/debian/patches/$p" >&2 || die "patch $p failed"
  done <"$src/debian/patches/series"
fi
if [ ! -f "$src/httplib.h" ] || [ ! -f "$src/LICENSE" ]; then
  die "httplib.h or LICENSE missing from the source package"
fi

# Replace the directory as a whole, so a half-fetched one is never taken as done.
rm -rf "$dest.new"
mkdir -p "$dest.new"
cp "$src/httplib.h" "$src/LICENSE" "$dest.new/"
cp "$dsc" "$dest.new/"
echo "$version" >"$dest.new/.daemonlet-fetched"
rm -rf "$dest"
mv "$dest.new" "$dest"
log "cpp-httplib $version ready in $dest"
echo "$dest"
