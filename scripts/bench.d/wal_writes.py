#!/usr/bin/env python3
"""What writing a commit's WAL frames costs the kernel, SQLite's way against gathered.

SQLite writes each WAL frame as two pwrites (a 24-byte header, then the page) before the commit's
fdatasync; the router's audit writer hands the same bytes over in one write
(Sources/CStorageShims/wal_gathering.c). This loop does both on a file on the disk under test and
prints the process's user and system CPU per commit, which is what the gathering saves.

    python3 scripts/bench.d/wal_writes.py [--dir DIR] [--commits N] [--frames F ...]
"""
import argparse
import os
import resource
import tempfile

PAGE, HEADER = 4096, 24
FILE_BYTES = 64 << 20


def run(path, commits, frames, gathered):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        # Allocated and on disk first, as a WAL that has wrapped once is: no block allocation below.
        for offset in range(0, FILE_BYTES, 1 << 20):
            os.pwrite(fd, b"\0" * (1 << 20), offset)
        os.fsync(fd)
        page, header = os.urandom(PAGE), os.urandom(HEADER)
        frame = HEADER + PAGE
        limit = FILE_BYTES - frames * frame
        offset = 0
        before = resource.getrusage(resource.RUSAGE_SELF)
        for _ in range(commits):
            if gathered:
                os.pwrite(fd, (header + page) * frames, offset)
            else:
                for k in range(frames):
                    os.pwrite(fd, header, offset + k * frame)
                    os.pwrite(fd, page, offset + k * frame + HEADER)
            os.fdatasync(fd)
            offset = (offset + frames * frame) % limit
        after = resource.getrusage(resource.RUSAGE_SELF)
        return ((after.ru_utime - before.ru_utime) * 1e6 / commits, (after.ru_stime - before.ru_stime) * 1e6 / commits)
    finally:
        os.close(fd)
        os.unlink(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=None, help="a folder on the disk under test (default: the system's temporary folder)")
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--frames", type=int, nargs="+", default=[1, 8, 19], help="frames per commit (19: a commit of ~5 calls)")
    args = parser.parse_args()
    for frames in args.frames:
        for gathered in (False, True):
            path = os.path.join(tempfile.mkdtemp(dir=args.dir), "wal")
            user, system = run(path, args.commits, frames, gathered)
            way = "one write      " if gathered else "2 per frame    "
            print(f"{frames:3d} frames, {way} + fdatasync: user {user:6.0f} us  system {system:6.0f} us per commit")
            os.rmdir(os.path.dirname(path))


if __name__ == "__main__":
    main()
