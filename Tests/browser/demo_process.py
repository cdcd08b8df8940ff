"""Starts `serviceplatform demo` on free ports in a data folder and reads what it prints."""
import os
import re
import signal
import subprocess
import time


class Demo:
    def __init__(self, binary, data_dir, log_dir, extra=()):
        self.binary, self.data_dir = binary, data_dir
        os.makedirs(log_dir, exist_ok=True)
        self.out_path = os.path.join(log_dir, "demo.out")
        self.err_path = os.path.join(log_dir, "demo.err")
        self.args = [binary, "demo", "--service-port", "0", "--admin-port", "0", "--jobcenter-port", "0",
                     "--data-dir", data_dir, *extra]
        self.process = None
        self.lines = []

    def start(self, timeout=60):
        self.out = open(self.out_path, "w")
        self.err = open(self.err_path, "w")
        self.process = subprocess.Popen(self.args, stdout=self.out, stderr=self.err, stdin=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"demo exited with {self.process.returncode}: {self.tail()}")
            self.lines = open(self.out_path).read().splitlines()
            # The commands follow the ready line; wait for the last of them.
            if any(l.startswith("ready ") for l in self.lines) and any(l.startswith("Admin pages:") for l in self.lines):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"demo printed no ready line within {timeout} s: {self.tail()}")

    def tail(self):
        return open(self.err_path).read()[-2000:] if os.path.exists(self.err_path) else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for f in (getattr(self, "out", None), getattr(self, "err", None)):
            if f:
                f.close()

    # What it printed

    def value(self, pattern):
        for line in self.lines:
            m = re.search(pattern, line)
            if m:
                return m.group(1)
        raise AssertionError(f"no line matches {pattern!r} in:\n" + "\n".join(self.lines))

    @property
    def admin_token(self):
        return self.value(r"^admin-token=(\S+)$")

    @property
    def service_url(self):
        return self.value(r"^ready service=(\S+) ")

    @property
    def admin_url(self):
        return self.value(r"^ready .* admin=(\S+)$")

    def command(self, starts):
        """The indented, ready-to-paste command line that (after stripping) begins with `starts`."""
        for line in self.lines:
            if line.startswith("  ") and line.strip().split(" ")[0].endswith(starts) and "--pkcs12" not in line:
                return line.strip()
        raise AssertionError(f"no printed command starting with {starts!r}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
