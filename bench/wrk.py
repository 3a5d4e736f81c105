"""Finding (or installing) wrk, running it, and reading its results."""

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MARKER = "BYLINE_BENCH_RESULT "

# wrk calls done() once after the run; latencies are in microseconds.
LUA_SCRIPT = """\
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"duration_us":%d,"requests":%d,"bytes":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n',
    "%MARKER%", summary.duration, summary.requests, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
""".replace("%MARKER%", MARKER)


class WrkError(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0


def ensure_wrk() -> str:
    """The path of wrk; installs Debian's package when absent and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    can_install = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")
    if not can_install:
        raise WrkError(
            "wrk is not installed. Install it, e.g. `sudo apt-get install -y wrk` on Debian "
            "or Ubuntu, `brew install wrk` on macOS, then run `make bench` again."
        )
    print("wrk is missing; installing Debian's package (running as root)...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
        subprocess.run(install, env=env, check=False)
    found = shutil.which("wrk")
    if not found:
        raise WrkError("installing wrk with apt-get failed; install it by hand and retry")
    return found


def write_script(directory: Path) -> Path:
    path = directory / "report.lua"
    path.write_text(LUA_SCRIPT, encoding="utf-8")
    return path


def run(
    wrk: str, url: str, *, script: Path, connections: int, duration_s: int, threads: int = 1
) -> WrkResult:
    command = [
        wrk,
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={duration_s}s",
        "--timeout=10s",
        "--latency",
        f"--script={script}",
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration_s + 60, check=False
    )
    if done.returncode != 0:
        raise WrkError(f"wrk exited with {done.returncode}: {done.stderr.strip() or done.stdout}")
    try:
        return parse(done.stdout)
    except WrkError:
        print(done.stdout, file=sys.stderr)
        raise


def parse(output: str) -> WrkResult:
    """Read the Lua report line; fall back to wrk's own text when it is absent."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line.removeprefix(MARKER))
            errors = data["errors"]
            return WrkResult(
                requests=int(data["requests"]),
                duration_s=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                errors=sum(int(v) for v in errors.values()),
            )
    return _parse_text(output)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"([0-9.]+)\s*(us|ms|s|m|h)\b"


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def _parse_text(output: str) -> WrkResult:
    summary = re.search(r"(\d+) requests in " + _DURATION, output)
    p50 = re.search(r"^\s*50%\s+" + _DURATION, output, re.MULTILINE)
    p99 = re.search(r"^\s*99%\s+" + _DURATION, output, re.MULTILINE)
    if not (summary and p50 and p99):
        raise WrkError("could not read wrk's output (no request count or latency percentiles)")
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return WrkResult(
        requests=int(summary.group(1)),
        duration_s=_ms(summary.group(2), summary.group(3)) / 1000,
        p50_ms=_ms(*p50.groups()),
        p99_ms=_ms(*p99.groups()),
        errors=errors,
    )
