#!/usr/bin/env bash
# Builds PostgreSQL 15 from Debian's source package with assertions (--enable-cassert), builds
# cohort against it, and runs every pg_regress and isolation test on a throwaway cluster of it:
# the server's own Assert()s then check our buffer pins and locks, memory contexts and catalog use.
#   scripts/cassert-server.sh          (about 15 minutes on 2 cores; the build is cached in $work)
# Debian's source archive keeps only some versions; the newest one offered is used, which may be
# older than the installed server (expected output can then differ where PostgreSQL itself changed).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work="${COHORT_CASSERT_DIR:-/tmp/cohort-cassert}"
prefix="$work/pg"
mkdir -p "$work"

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
scripts/install-deps.sh
$SUDO apt-get install -y --no-install-recommends dpkg-dev bzip2 libicu-dev pkg-config bison flex > /dev/null

if [ ! -x "$prefix/bin/postgres" ]; then
  # Debian's deb-src index for the suites this machine uses, in a private apt state (the system's
  # sources are left alone).
  apt_dir="$work/apt"
  mkdir -p "$apt_dir/lists/partial"
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^Suites: *//p; s/^deb \S* \(\S*\) .*/\1/p' |
    tr ' ' '\n' | grep -E '^bookworm' | sort -u > "$apt_dir/suites" || true
  [ -s "$apt_dir/suites" ] || echo bookworm > "$apt_dir/suites"
  : > "$apt_dir/sources.list"
  while read -r suite; do
    case "$suite" in
      *-security) echo "deb-src http://deb.debian.org/debian-security $suite main" >> "$apt_dir/sources.list" ;;
      *) echo "deb-src http://deb.debian.org/debian $suite main" >> "$apt_dir/sources.list" ;;
    esac
  done < "$apt_dir/suites"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$apt_dir/lists" -o APT::Sandbox::User=root)
  apt-get "${apt_opts[@]}" update > /dev/null
  cd "$work"
  fetched=""
  for version in $(apt-cache "${apt_opts[@]}" showsrc postgresql-15 | sed -n 's/^Version: //p' | sort -rV); do
    if apt-get "${apt_opts[@]}" source --download-only "postgresql-15=$version" > "$work/fetch.log" 2>&1; then
      fetched="$version"
      break
    fi
    echo "== the source of postgresql-15 $version could not be fetched:" >&2
    grep -E "^(E|W):" "$work/fetch.log" >&2 || true
  done
  [ -n "$fetched" ] || { echo "no postgresql-15 source package could be fetched" >&2; exit 1; }
  installed=$(dpkg-query -W -f '${Version}' postgresql-15 2>/dev/null || true)
  [ "$fetched" = "$installed" ] || echo "== note: building $fetched, the installed server is ${installed:-not installed}" \
    "(expected output may differ where PostgreSQL itself changed)" >&2
  upstream="${fetched%%-*}"
  echo "== building PostgreSQL $upstream (Debian source $fetched) with assertions"
  rm -rf "postgresql-$upstream"
  tar xjf "postgresql-15_$upstream.orig.tar.bz2"
  cd "postgresql-$upstream"
  ./configure --prefix="$prefix" --enable-cassert --enable-debug --with-icu --without-readline \
    --without-zlib CFLAGS="-O1 -g" > "$work/configure.log"
  make -j"$(nproc)" -s > "$work/make.log" 2>&1
  make -s install > "$work/install.log" 2>&1
  make -s -C src/test/isolation install >> "$work/install.log" 2>&1
  cd "$root"
fi
# The contrib modules tests use (scan_paths reads buffers' usage counts with pg_buffercache,
# rls_constants tuple headers with pageinspect), also into a server built before they were needed.
for module in pg_buffercache pageinspect; do
  if [ ! -f "$prefix/share/extension/$module.control" ]; then
    for tree in "$work"/postgresql-15.*/; do
      make -s -C "$tree/contrib/$module" install >> "$work/install.log" 2>&1
    done
  fi
done

# The extension from a clean copy of this checkout, built and installed into that server.
src="$work/cohort"
rm -rf "$src"
git clone -q "$root" "$src"
(cd "$src" && git checkout -q "$(git -C "$root" rev-parse HEAD)")
make -C "$src" -j"$(nproc)" PG_CONFIG="$prefix/bin/pg_config" > "$work/cohort-build.log" 2>&1
make -C "$src" install PG_CONFIG="$prefix/bin/pg_config" >> "$work/cohort-build.log" 2>&1
"$src/scripts/install-test-module.sh" "$prefix/bin/pg_config" >> "$work/cohort-build.log" 2>&1

data="$work/data"
port=5496
rm -rf "$data"
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres "$work"
  as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$prefix/bin/initdb" -D "$data" -A trust -U postgres > "$work/initdb.log"
"${as_owner[@]}" "$prefix/bin/pg_ctl" -D "$data" -l "$work/server.log" -w \
  -o "-p $port -k $work -c listen_addresses='' -c max_prepared_transactions=10" start > /dev/null
stop_server() { "${as_owner[@]}" "$prefix/bin/pg_ctl" -D "$data" stop -m fast > /dev/null 2>&1 || true; }
trap stop_server EXIT

echo "== pg_regress and isolation tests on the assertion-enabled server"
status=0
"${as_owner[@]}" make -C "$src" installcheck PG_CONFIG="$prefix/bin/pg_config" PGHOST="$work" PGPORT=$port \
  PGUSER=postgres ISOLATION= || status=$?
"${as_owner[@]}" make -C "$src" installcheck PG_CONFIG="$prefix/bin/pg_config" PGHOST="$work" PGPORT=$port \
  PGUSER=postgres REGRESS= || status=$?
stop_server
trap - EXIT
[ -f "$src/regression.diffs" ] && cat "$src/regression.diffs"
[ -f "$src/output_iso/regression.diffs" ] && cat "$src/output_iso/regression.diffs"
if grep -E "TRAP:|terminated by signal" "$work/server.log"; then
  echo "== the server failed an assertion or a backend crashed (see $work/server.log)"
  exit 1
fi
echo "== no failed assertion and no crash in the server log"
exit "$status"
