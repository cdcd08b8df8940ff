#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the store tests (scripts/test.sh starts and stops it).
#   start DIR  makes a fresh cluster in DIR, starts it on a free port on 127.0.0.1 (its unix
#              socket also lives in DIR, so nothing touches /var/run), creates the database
#              serviceplatform_test and prints its URL (also written to DIR/url).
#   stop DIR   stops that server (if it runs) and removes DIR.
# Debian's binaries are called by their full path: /usr/local/bin may hold wrappers of the same
# names. initdb refuses to run as root, so as root everything runs as the `postgres` user.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
db=serviceplatform_test

usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
}

# Runs a server command as the user that owns the cluster.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# A port nobody listens on right now (the kernel picks it; a small race with other programs remains,
# which is why `start` tries a few times).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # A second start into the same DIR must not touch the cluster already there.
    if [ -e "$dir/data" ]; then
        echo "postgres-test-server: $dir/data already exists" >&2
        exit 1
    fi
    # The postgres user has to reach the socket directory and the log, so it owns DIR.
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    chmod 755 "$dir"
    # The server's user may not be able to read the caller's current directory.
    cd /

    fail() {
        echo "postgres-test-server: $1" >&2
        for f in "$dir/initdb.log" "$dir/log"; do
            [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }
        done
        # Leave no server behind: the caller may not call stop after a failed start.
        [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
        exit 1
    }

    if ! as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 \
        > "$dir/initdb.log" 2>&1; then
        # Without the C.UTF-8 locale, the locale-less C collation with UTF8 encoding does as well.
        rm -rf "$dir/data"
        as_owner "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 --no-locale \
            >> "$dir/initdb.log" 2>&1 || fail "initdb failed"
    fi

    local port="" started=""
    for _ in 1 2 3; do
        port=$(free_port) || fail "no free port"
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
            -o "-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c fsync=on -c max_connections=100" \
            start >&2; then
            started=1
            break
        fi
    done
    [ -n "$started" ] || fail "the server did not start"

    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db" >&2 || fail "createdb $db failed"

    local url="postgres://postgres@127.0.0.1:$port/$db"
    echo "$url" > "$dir/url"
    echo "$url"
}

stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd)
    cd /
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$dir"
}

[ $# -eq 2 ] || usage
case "$1" in
    start) start "$2" ;;
    stop) stop "$2" ;;
    *) usage ;;
esac
