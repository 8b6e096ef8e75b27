"""HTTP load with wrk (the Debian package), so the load generator is not what is measured.

Each load gets a small Lua script, written here at run time: it sends the session cookie, counts
responses that are not what they should be, and prints one JSON line of figures when it is done.
The answer-save load runs one connection per wrk thread, each on an assessment of its own, and
posts the version it last got back, as the page's JavaScript does.
"""

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field

# Shared by every script: per-thread bookkeeping, and the summary as JSON in done().
_COMMON = r"""
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

bad = 0
written = {}

function done(summary, latency, requests)
  local wrong, saved = 0, {}
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("bad")
    local w = thread:get("written")
    for key, value in pairs(w) do saved[#saved + 1] = '"' .. key .. '": "' .. value .. '"' end
  end
  local e = summary.errors
  io.write(string.format(
    '\nWRK-JSON {"requests": %d, "duration_us": %d, "errors": %d, "wrong": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "written": {%s}}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    wrong, latency:percentile(50), latency:percentile(99), table.concat(saved, ", ")))
end
"""

_GET = r"""
wrk.method = "GET"
wrk.headers["Cookie"] = COOKIE
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
"""

# POST one answer at a time: each thread (one connection) cycles through its assessment's
# questions and scores, sends the version the previous response returned, and remembers what
# it saved so the benchmark can compare with the database afterwards.
_SAVE = r"""
local pending, n, me
versions = {}
function init(args)
  me = ASSESSMENTS[(id % #ASSESSMENTS) + 1]
  for q, v in pairs(me.versions) do versions[q] = v end
  n = id  -- threads sharing an assessment start on different questions
end
function request()
  n = n + 1
  local q = me.questions[((n - 1) % #me.questions) + 1]
  local score = n % 5
  pending = {q = q, score = score}
  local body = "q" .. q .. "-answer=" .. score .. "&q" .. q .. "-version=" .. (versions[q] or 0)
  return wrk.format("POST", "/gemeente/beoordelingen/" .. me.pk .. "/antwoord/" .. q .. "/",
                    {["Cookie"] = me.cookie, ["X-CSRFToken"] = me.csrf,
                     ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function response(status, headers, body)
  local state = body:match('"status": *"(%a+)"')
  local version = tonumber(body:match('"version": *(%d+)'))
  if status == 200 and (state == "saved" or state == "unchanged") and version then
    versions[pending.q] = version
    written[me.pk .. ":" .. pending.q] = pending.score .. ":" .. version
  else
    bad = bad + 1
  end
end
"""


@dataclass
class WrkResult:
    name: str
    connections: int
    requests: int
    seconds: float
    errors: int  # socket errors and HTTP status >= 400
    wrong: int  # any other response than the load expects (a redirect to the login, a conflict)
    p50: float
    p99: float
    written: dict[str, str] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failures(self) -> int:
        return self.errors + self.wrong


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string for what we put in


def _lua_table(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{_lua_key(k)}] = {_lua_table(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(_lua_table(v) for v in value) + "}"
    if isinstance(value, str):
        return _lua_string(value)
    return str(value)


def _lua_key(key) -> str:
    return _lua_string(key) if isinstance(key, str) else str(key)


def run(name: str, port: int, *, path: str = "/", connections: int = 1, seconds: float = 5,
        cookie: str = "", saves: list[dict] | None = None) -> WrkResult:
    """wrk against 127.0.0.1:port for `seconds`: GET `path`, or with `saves` (one dict per
    assessment: pk, questions, versions, cookie, csrf) the answer-save POSTs."""
    if saves is None:
        script = f"COOKIE = {_lua_string(cookie)}\n{_COMMON}{_GET}"
        threads = min(connections, 2)
    else:
        script = f"ASSESSMENTS = {_lua_table(saves)}\n{_COMMON}{_SAVE}"
        threads = connections  # one connection per thread: its responses follow its requests
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        completed = subprocess.run(
            ["wrk", "--threads", str(threads), "--connections", str(connections),
             "--duration", f"{seconds:g}s", "--timeout", "30s", "--script", handle.name,
             f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, timeout=seconds + 60, check=True)
    finally:
        os.unlink(handle.name)
    line = next(line for line in completed.stdout.splitlines() if line.startswith("WRK-JSON "))
    data = json.loads(line.removeprefix("WRK-JSON "))
    return WrkResult(name=name, connections=connections, requests=data["requests"],
                     seconds=data["duration_us"] / 1e6, errors=data["errors"],
                     wrong=data["wrong"], p50=data["p50_us"] / 1e6, p99=data["p99_us"] / 1e6,
                     written=data["written"])
