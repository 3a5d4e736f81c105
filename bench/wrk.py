"""Finding (or installing) wrk, running it, and reading its results."""

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
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

# POSTs a bodiless beacon, as `navigator.sendBeacon(url)` does from a page, and counts
# the 202s. After the measured time (the script's first argument, in ms) every connection
# waits for its last answer and then sends nothing more, so when wrk stops no request is
# in flight: the 202s it reports are all the requests the server answered. The rate is
# taken over the active time only, from the thread's start to its last answer.
POST_SCRIPT = """local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

wrk.method = "POST"
wrk.body = ""
wrk.headers["User-Agent"] = "%USER_AGENT%"
wrk.headers["Origin"] = "https://www.example.com"
wrk.headers["Accept"] = "*/*"

accepted, other, started_us, last_us, deadline_us = 0, 0, 0, 0, 0

function init(args)
  started_us = now_us()
  last_us = started_us
  deadline_us = started_us + tonumber(args[1]) * 1000
end

function delay()
  if now_us() >= deadline_us then return 3600000 end
  return 0
end

function response(status, headers, body)
  if status == 202 then accepted = accepted + 1 else other = other + 1 end
  last_us = now_us()
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

done = function(summary, latency, requests)
  local ok, bad, first, last = 0, 0, nil, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("accepted")
    bad = bad + t:get("other")
    local s, l = t:get("started_us"), t:get("last_us")
    if first == nil or s < first then first = s end
    if l > last then last = l end
  end
  local e = summary.errors
  io.write(string.format(
    '%s{"duration_us":%d,"requests":%d,"bytes":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,'
      .. '"accepted":%d,"other_status":%d,"active_us":%d,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n',
    "%MARKER%", summary.duration, summary.requests, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, ok, bad, last - first,
    e.connect, e.read, e.write, e.status, e.timeout))
end
""".replace("%MARKER%", MARKER)

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


# After its measured time the POST script waits this long for the last answers.
POST_GRACE_S = 3


class WrkError(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    # From POST_SCRIPT only: 202s counted, and the time the load was on.
    accepted: int | None = None
    active_s: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def accepted_per_s(self) -> float:
        if self.accepted is None or not self.active_s:
            return 0.0
        return self.accepted / self.active_s


@functools.cache
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


def _lua_string(value: str) -> str:
    # A JSON string of printable ASCII is a valid Lua string literal.
    if not value.isascii() or not value.isprintable():
        raise ValueError(f"not a plain ASCII value: {value!r}")
    return json.dumps(value)


def write_script(path: Path, *, headers: Mapping[str, str] | None = None) -> Path:
    """The report script, sending `headers` on every GET."""
    lines = [
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in (headers or {}).items()
    ]
    path.write_text("\n".join([*lines, LUA_SCRIPT]), encoding="utf-8")
    return path


def write_post_script(directory: Path, user_agent: str = BROWSER_USER_AGENT) -> Path:
    if '"' in user_agent or "\\" in user_agent:
        raise ValueError("the User-Agent must not need escaping in Lua")
    path = directory / "post.lua"
    path.write_text(POST_SCRIPT.replace("%USER_AGENT%", user_agent), encoding="utf-8")
    return path


def run(
    wrk: str,
    url: str,
    *,
    script: Path,
    connections: int,
    duration_s: int,
    threads: int = 1,
    script_args: Sequence[str] = (),
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
        *(["--", *script_args] if script_args else []),
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
                accepted=int(data["accepted"]) if "accepted" in data else None,
                active_s=data["active_us"] / 1e6 if "active_us" in data else None,
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
