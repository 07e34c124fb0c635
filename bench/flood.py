"""Time an API client while wrong passwords flood the sign-in form, under gunicorn (issue 6).

    python bench/flood.py                          # throw-away SQLite file bench/out/flood.sqlite
    python bench/flood.py --database-url postgresql://postgres@127.0.0.1:5432/opsplatform_flood
    python bench/flood.py --no-redis --seconds 15 --connections 50

The target (issue 6, point 4): under gunicorn, while 50 connections flood
``POST /sign-in`` from one address for 15 s, ``GET /api/v1/me`` with a token from
another address keeps p95 <= 100 ms. The run:

1. prepares a database: migrates it and loads the demo data (what ``flask --app
   wsgi db upgrade`` and ``flask --app wsgi demo`` do), and creates an API token for
   the measured account (``cp.kr@demo.example.org``);
2. starts gunicorn from this venv on a free 127.0.0.1 port (``--workers`` x
   ``--threads``), with ``REDIS_URL`` pointing at a Redis database of its own, emptied
   first (``--redis-url``; ``--no-redis``: no ``REDIS_URL``, the app's in-memory
   storage);
3. measures ``GET /api/v1/me`` alone (the baseline), from 127.0.0.2: one request due
   every ``--interval-ms``, each on a new connection, started when due whatever the
   earlier ones are doing (open loop, at most ``--clients`` at once) and timed from
   when it was due, so that a stall counts for every request it holds up;
4. floods: ``wrk`` (a separate process, so the measuring client is not starved)
   keeps ``--connections`` connections posting the sign-in form from 127.0.0.1, each
   request a real form post (a CSRF token and its session cookie, fetched by GET
   /sign-in beforehand) with a wrong password. Every other request names a demo
   account, the others an address no account has (which costs the app the same
   argon2 hash, so that nobody learns which accounts exist), so that no per-account
   limit ends the hashing in a long or repeated run;
5. measures ``GET /api/v1/me`` again during the flood (from 1 s after it starts to
   its end), and prints one markdown row: p50/p95/max alone and during the flood,
   their p95 ratio, the flood's rate and the statuses it got (a Lua ``response``
   hook counts them); then the flood's p95 per 5 s (a burst at its start, or slow
   all along?). Figures that requests given up unanswered hold down read "≥".

It exits 1 when the target is missed (unless ``--no-check``), 2 when the run could
not be made. Whatever it started (gunicorn, wrk) is stopped on the way out, also
on an error or Ctrl-C. Traffic goes to loopback addresses only; every loop is
bounded in count and in time.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import math
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from common import BENCH_DATA_KEY, OUT, ROOT, display_url

TARGET_P95_MS = 100.0
FLOOD_ADDRESS = "127.0.0.1"  # gunicorn listens here; the flood comes from here
CLIENT_ADDRESS = "127.0.0.2"  # the measured API client's source address
MEASURED_EMAIL = "cp.kr@demo.example.org"
DEMO_DOMAIN = "demo.example.org"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
DEFAULT_SQLITE = OUT / "flood.sqlite"
SERVER_LOG = OUT / "flood-gunicorn.log"
GUNICORN_CONFIG = OUT / "flood-gunicorn.conf.py"
WORKER_READY = "flood.py: worker ready"
LUA_SCRIPT = OUT / "flood.lua"
WRK_OUTPUT = OUT / "flood-wrk.txt"
# The flood's first second is left out of the measurement (wrk opening its connections).
RAMP_SECONDS = 1.0
# The flood's p95 is also shown per slice of this many seconds (a burst at the start?).
TIMELINE_SECONDS = 5.0
# The untimed GET /api/v1/me requests before the baseline (each worker's first request
# opens its database connection and compiles what it caches).
WARMUP_REQUESTS = 20
REQUEST_TIMEOUT_SECONDS = 60.0
# A GET /api/v1/me still waiting this long after its phase ended is abandoned (counted as
# a timeout, with the time it waited): the run stays bounded whatever the server does.
OVERRUN_SECONDS = 5.0
NO_ANSWER = "no answer"
SERVER_START_SECONDS = 60.0
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class BenchError(Exception):
    """The run could not be made (not: the target was missed)."""


# -- the database ---------------------------------------------------------------------------


def server_environment(url: str, redis_url: str | None) -> dict[str, str]:
    """The app's environment: development (plain HTTP), secrets given, no proxy trusted."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("OPSPLATFORM_") and key not in
           {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FLASK_APP", "FLASK_DEBUG"}}
    env.update({
        "OPSPLATFORM_ENV": "development",
        "DATABASE_URL": url,
        # Given, so that nothing is generated into instance/.
        "SECRET_KEY": secrets.token_urlsafe(48),
        "OPSPLATFORM_DATA_KEY": BENCH_DATA_KEY,
        "OPSPLATFORM_BLIND_INDEX_KEY": BENCH_DATA_KEY,
        # No proxy in front: request.remote_addr is the socket's peer address.
        "OPSPLATFORM_PROXY_COUNT": "0",
        "PYTHONUNBUFFERED": "1",
    })
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@dataclass
class Prepared:
    token: str
    accounts: list[str]  # the demo accounts' e-mail addresses
    seconds: float


def prepare_database(env: dict[str, str]) -> Prepared:
    """Migrate, load the demo data (idempotent), make a token: what the CLI commands do.

    The demo accounts all get one argon2 hash of the demo password, computed once
    (as bench/generate.py does): the same parameters, so checking a password against
    any of them costs what it costs in production, without 26 hashes at start.
    """
    from unittest import mock

    from flask_babel import force_locale
    from sqlalchemy import select

    from opsplatform import create_app
    from opsplatform.auth import passwords
    from opsplatform.auth.models import User
    from opsplatform.auth.operations import create_token, find_user_by_email
    from opsplatform.core.db import Database, db
    from opsplatform.core.migrate import upgrade
    from opsplatform.demo import load_demo

    started = time.perf_counter()
    app = create_app(environ=env, instance_path=OUT / "flood-instance")
    try:
        with app.app_context(), force_locale(app.config["BABEL_DEFAULT_LOCALE"]), \
                mock.patch.object(passwords, "hash_password",
                                  functools.cache(passwords.hash_password)):
            with db.engine.begin() as connection:
                upgrade(connection)
            load_demo(password=app.config["DEMO_PASSWORD"])
            db.session.commit()
            user = find_user_by_email(MEASURED_EMAIL)
            if user is None:
                raise BenchError(f"the demo data has no {MEASURED_EMAIL}")
            _token, secret = create_token(user, "bench/flood.py", 1, actor=None)
            db.session.commit()
            accounts = list(db.session.scalars(
                select(User.email).where(User.email.like(f"%@{DEMO_DOMAIN}"))
                .order_by(User.email)))
    finally:
        Database.state(app).engine.dispose()
    return Prepared(secret, accounts, time.perf_counter() - started)


def empty_sqlite(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def flush_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=5).flushdb()
    except redis.RedisError as error:
        raise BenchError(f"cannot empty Redis at {url}: {error} (start Redis, or use "
                         "--no-redis)") from error


# -- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((FLOOD_ADDRESS, 0))
        return probe.getsockname()[1]


def start(stack: ExitStack, command: list[str], output: Path, env=None) -> subprocess.Popen:
    """Start ``command`` in a process group of its own, stopped when ``stack`` closes."""
    with output.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    stack.callback(stop, process)
    return process


def stop(process: subprocess.Popen) -> None:
    """SIGINT (gunicorn: quick shutdown), then SIGKILL to the group if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def gunicorn_command(port: int, workers: int, threads: int) -> list[str]:
    """gunicorn from this venv; a hook in its config file logs each worker ready."""
    GUNICORN_CONFIG.write_text(
        "# Written by bench/flood.py: it waits for every worker to log this line.\n"
        "def post_worker_init(worker):\n"
        f"    worker.log.info({WORKER_READY!r})\n")
    command = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG),
               "--bind", f"{FLOOD_ADDRESS}:{port}", "--workers", str(workers)]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    return command + ["--graceful-timeout", "2", "--no-control-socket", "wsgi:app"]


def wait_until_serving(server: subprocess.Popen, port: int, workers: int) -> None:
    """Until every worker has loaded the app and /healthz answers."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited ({server.returncode}): see {SERVER_LOG}\n"
                             + tail(SERVER_LOG))
        if SERVER_LOG.read_text(errors="replace").count(WORKER_READY) >= workers:
            try:
                if fetch(port, "GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn's {workers} workers did not all start in "
                     f"{SERVER_START_SECONDS:.0f} s: see {SERVER_LOG}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# -- HTTP -----------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def fetch(port: int, method: str, path: str, headers: dict[str, str] | None = None,
          body: str | None = None, source: str = FLOOD_ADDRESS,
          timeout: float = REQUEST_TIMEOUT_SECONDS) -> Answer:
    """One request on a new connection from ``source`` (closed afterwards)."""
    connection = http.client.HTTPConnection(FLOOD_ADDRESS, port, timeout=timeout,
                                            source_address=(source, 0))
    try:
        connection.request(method, path, body=body,
                           headers={"Connection": "close", **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


@dataclass
class FormSession:
    cookie: str  # "name=value" of the session cookie
    csrf_token: str


def sign_in_form(port: int) -> FormSession:
    """What a browser gets from GET /sign-in: the session cookie and the form's CSRF token."""
    answer = fetch(port, "GET", "/sign-in")
    found = _CSRF_META.search(answer.body.decode(errors="replace"))
    cookies = [header.split(";", 1)[0] for header in answer.headers.get_all("Set-Cookie") or ()]
    if answer.status != 200 or not found or not cookies:
        raise BenchError(f"GET /sign-in: {answer.status}, no CSRF token or no session cookie")
    return FormSession("; ".join(cookies), found.group(1))


def check_sign_in_post(port: int, form: FormSession, email: str) -> int:
    """Post one wrong password the way the flood will; it must reach the password check."""
    answer = fetch(port, "POST", "/sign-in", body=urlencode(
        {"csrf_token": form.csrf_token, "email": email, "password": "not-the-password-0"}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": form.cookie})
    if answer.status not in (401, 429):
        raise BenchError(f"a wrong password posted to /sign-in got {answer.status}, not 401 "
                         "(or 429): the flood would not be what it claims to be")
    return answer.status


# -- the measured client --------------------------------------------------------------------


@dataclass
class Sample:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    # The waits of requests given up unanswered: each took at least that long.
    given_up_ms: list[float] = field(default_factory=list)
    # (seconds from ``measure``'s origin to when the request was due, its time in ms,
    # whether it was given up)
    timeline: list[tuple[float, float, bool]] = field(default_factory=list)

    def quantiles(self) -> tuple[float, float, float]:
        """p50, p95, max (the same percentile method as bench/run.py)."""
        timings = self.latencies_ms
        if not timings:
            return math.nan, math.nan, math.nan
        if len(timings) == 1:
            return timings[0], timings[0], timings[0]
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        return cuts[49], cuts[94], max(timings)

    def by_slice(self, seconds: float) -> list[tuple[float, Sample]]:
        """(slice start s, its requests) per ``seconds`` of due time: when was it slow?"""
        slices: dict[int, Sample] = {}
        for due, waited, given_up in self.timeline:
            part = slices.setdefault(int(due // seconds), Sample())
            part.latencies_ms.append(waited)
            if given_up:
                part.given_up_ms.append(waited)
        return [(number * seconds, part) for number, part in sorted(slices.items())]

    def at_least(self, value: float) -> bool:
        """Whether a figure is only a lower bound: a given-up wait at or below it."""
        return any(wait <= value for wait in self.given_up_ms)

    def not_ok(self) -> Counter:
        return Counter({status: n for status, n in self.statuses.items() if status != 200})


def get_me(port: int, token: str, timeout: float = REQUEST_TIMEOUT_SECONDS) -> int | str:
    try:
        answer = fetch(port, "GET", "/api/v1/me", source=CLIENT_ADDRESS, timeout=timeout,
                       headers={"Authorization": f"Bearer {token}",
                                "Accept": "application/json"})
    except TimeoutError:
        return NO_ANSWER
    except OSError as error:  # refused, reset
        return type(error).__name__
    if answer.status == 200 and json.loads(answer.body).get("email") != MEASURED_EMAIL:
        return "another account"
    return answer.status


def measure(port: int, token: str, until: float, interval: float, clients: int,
            origin: float | None = None) -> Sample:
    """GET /api/v1/me from 127.0.0.2, one due every ``interval`` until ``until`` (perf_counter).

    Open loop: a request is started when it is due whatever the earlier ones are doing
    (up to ``clients`` at once; beyond that it waits its turn), and its time counts from
    when it was due. So a stall counts for every request that would have waited through
    it, not once, and a server answering in seconds still yields a sample per interval.
    One unanswered ``OVERRUN_SECONDS`` after ``until`` is given up ("no answer"), with
    the time it had waited.
    """
    sample = Sample()
    lock = threading.Lock()
    deadline = until + OVERRUN_SECONDS
    first = time.perf_counter()
    origin = first if origin is None else origin  # the timeline's zero

    def one(due: float) -> None:
        left = deadline - time.perf_counter()
        status = get_me(port, token, timeout=left) if left > 0 else NO_ANSWER
        waited_ms = (time.perf_counter() - due) * 1000
        with lock:
            sample.latencies_ms.append(waited_ms)
            sample.timeline.append((due - origin, waited_ms, status == NO_ANSWER))
            sample.statuses[status] += 1
            if status == NO_ANSWER:
                sample.given_up_ms.append(waited_ms)

    pool = ThreadPoolExecutor(max_workers=clients, thread_name_prefix="api-client")
    try:
        for number in range(max(1, math.ceil((until - first) / interval))):
            due = first + number * interval
            time.sleep(max(0.0, due - time.perf_counter()))
            pool.submit(one, due)
    except BaseException:  # Ctrl-C: send nothing more; stopping gunicorn ends the rest
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return sample


# -- the flood ------------------------------------------------------------------------------


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII is a valid Lua string literal


def write_lua_script(forms: list[FormSession], accounts: list[str]) -> Path:
    """The wrk script: wrong-password form posts, and a count of the statuses answered."""
    sessions = ",\n".join(f"  {{cookie = {lua_string(form.cookie)}, "
                          f"token = {lua_string(form.csrf_token)}}}" for form in forms)
    emails = ",\n".join(f"  {lua_string(email)}" for email in accounts)
    LUA_SCRIPT.write_text(f"""-- Written by bench/flood.py: POST /sign-in with wrong passwords.
local sessions = {{
{sessions}
}}
local accounts = {{
{emails}
}}
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local function escape(text)
  return (string.gsub(text, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function init(args)
  sent = 0
  statuses = {{}}
end

function request()
  sent = sent + 1
  local form = sessions[(sent * 7 + id) % #sessions + 1]
  local email
  if sent % 2 == 0 then
    email = accounts[(math.floor(sent / 2) + id) % #accounts + 1]
  else
    -- no account has this address: the app spends the same hash to hide that
    email = string.format("flood-%d-%d@{DEMO_DOMAIN}", id, sent)
  end
  local body = "csrf_token=" .. escape(form.token) .. "&email=" .. escape(email)
    .. "&password=" .. escape("wrong-password-" .. id .. "-" .. sent)
  return wrk.format("POST", "/sign-in", {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = form.cookie,
  }}, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {{}}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  io.write("FLOOD requests ", summary.requests, "\\n")
  io.write("FLOOD duration_us ", summary.duration, "\\n")
  for _, kind in ipairs({{"connect", "read", "write", "status", "timeout"}}) do
    io.write("FLOOD error_", kind, " ", summary.errors[kind], "\\n")
  end
  io.write("FLOOD latency_p50_us ", latency:percentile(50), "\\n")
  io.write("FLOOD latency_p95_us ", latency:percentile(95), "\\n")
  for status, count in pairs(totals) do
    io.write("FLOOD status_", status, " ", count, "\\n")
  end
end
""")
    return LUA_SCRIPT


def wrk_command(wrk: str, port: int, connections: int, seconds: int) -> list[str]:
    return [wrk, "--threads", str(min(2, connections)), "--connections", str(connections),
            "--duration", f"{seconds}s", "--timeout", f"{REQUEST_TIMEOUT_SECONDS:.0f}s",
            "--script", str(LUA_SCRIPT), f"http://{FLOOD_ADDRESS}:{port}/sign-in"]


@dataclass
class Flood:
    requests: int
    seconds: float
    statuses: Counter
    errors: dict[str, int]
    latency_p50_ms: float
    latency_p95_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else math.nan


def read_wrk_output(path: Path) -> Flood:
    values: dict[str, int] = {}
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("FLOOD "):
            _, key, value = line.split()
            values[key] = int(float(value))
    if "requests" not in values:
        raise BenchError(f"wrk printed no summary: {path}\n" + tail(path))
    return Flood(
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        statuses=Counter({int(key.removeprefix("status_")): value
                          for key, value in values.items() if key.startswith("status_")}),
        errors={key.removeprefix("error_"): value for key, value in values.items()
                if key.startswith("error_") and value},
        latency_p50_ms=values.get("latency_p50_us", 0) / 1000,
        latency_p95_ms=values.get("latency_p95_us", 0) / 1000,
    )


# -- the run --------------------------------------------------------------------------------


_STARTED = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:5.1f} s] {message}", file=sys.stderr, flush=True)


def describe(counter: Counter) -> str:
    return ", ".join(f"{status}: {count}" for status, count in sorted(
        counter.items(), key=lambda item: str(item[0]))) or "none"


HEADER = ("| database | REDIS_URL | gunicorn workers x threads | /me alone p50 / p95 / max ms "
          "| /me in the flood p50 / p95 / max ms | p95 ratio | /me n (not 200) alone; flood "
          "| flood requests/s | flood answers |\n"
          "|---|---|---|---:|---:|---:|---|---:|---|")


def _figures(sample: Sample) -> str:
    """p50 / p95 / max; "≥" marks a figure that requests given up unanswered hold down."""
    return " / ".join(f"{'≥ ' if sample.at_least(value) else ''}{value:,.1f}"
                      for value in sample.quantiles())


def _count(sample: Sample) -> str:
    not_ok = sample.not_ok()
    return f"{len(sample.latencies_ms)} ({describe(not_ok) if not_ok else 0})"


def row(backend: str, redis_url: str | None, options, alone: Sample, during: Sample,
        flood: Flood) -> str:
    p95 = during.quantiles()[1]
    ratio = f"{'≥ ' if during.at_least(p95) else ''}{p95 / alone.quantiles()[1]:,.1f}"
    answers = describe(flood.statuses)
    # wrk's "status" errors are the answers >= 400, already counted by status.
    errors = Counter({kind: n for kind, n in flood.errors.items() if kind != "status"})
    if errors:
        answers += "; wrk errors " + describe(errors)
    redis_cell = f"db {redis_url.rsplit('/', 1)[-1]}" if redis_url else "unset"
    return (f"| {backend} | {redis_cell} | {options.workers} x {options.threads} | "
            f"{_figures(alone)} | {_figures(during)} | {ratio} | "
            f"{_count(alone)}; {_count(during)} | {flood.rate:.1f} | {answers} |")


def setup_note(url: str, prepared: Prepared, server_command: list[str],
               redis_url: str | None, wrk_command_line: list[str], options,
               load: tuple[float, float]) -> str:
    return (f"<!-- {display_url(url)}, {len(prepared.accounts)} demo accounts (prepared in "
            f"{prepared.seconds:.1f} s); gunicorn {shlex.join(server_command[5:])}; "
            f"REDIS_URL={redis_url or '(unset)'}; flood from {FLOOD_ADDRESS}: "
            f"{shlex.join(['wrk', *wrk_command_line[1:]])}, wrong passwords, half of them "
            f"for demo accounts; measured: GET /api/v1/me as {MEASURED_EMAIL} from "
            f"{CLIENT_ADDRESS}, one due every {options.interval_ms:g} ms (open loop, at most "
            f"{options.clients} at once, each on a new connection), "
            f"{options.baseline_seconds:g} s alone, then from {RAMP_SECONDS:g} s into the "
            f"flood to its end; load average {load[0]:.1f} before, {load[1]:.1f} at the "
            "flood's end -->")


def run(options, stack: ExitStack) -> bool:
    """Make the run, print the results; True when the target is met."""
    OUT.mkdir(parents=True, exist_ok=True)
    if options.database_url:
        url = options.database_url
    else:
        empty_sqlite(DEFAULT_SQLITE)
        url = f"sqlite:///{DEFAULT_SQLITE}"
    redis_url = None if options.no_redis else options.redis_url
    if redis_url:
        flush_redis(redis_url)
    env = server_environment(url, redis_url)
    progress(f"preparing {display_url(url)}")
    prepared = prepare_database(env)
    backend = url.split(":", 1)[0].split("+", 1)[0]

    port = free_port()
    command = gunicorn_command(port, options.workers, options.threads)
    progress(f"starting gunicorn on {FLOOD_ADDRESS}:{port} (log: {SERVER_LOG})")
    server = start(stack, command, SERVER_LOG, env=env)
    wait_until_serving(server, port, options.workers)

    for _ in range(WARMUP_REQUESTS):
        status = get_me(port, prepared.token)
        if status != 200:
            raise BenchError(f"GET /api/v1/me from {CLIENT_ADDRESS} answered {status}")
    forms = [sign_in_form(port) for _ in range(options.connections)]
    check_sign_in_post(port, forms[0], f"flood-check@{DEMO_DOMAIN}")

    interval = options.interval_ms / 1000
    load_before = os.getloadavg()
    progress(f"GET /api/v1/me alone for {options.baseline_seconds:g} s")
    alone = measure(port, prepared.token, time.perf_counter() + options.baseline_seconds,
                    interval, options.clients)

    write_lua_script(forms, prepared.accounts)
    command_wrk = wrk_command(options.wrk, port, options.connections, options.seconds)
    progress(f"flooding POST /sign-in for {options.seconds:g} s ({shlex.join(command_wrk)})")
    flood_started = time.perf_counter()
    wrk = start(stack, command_wrk, WRK_OUTPUT)
    time.sleep(RAMP_SECONDS)
    during = measure(port, prepared.token, flood_started + options.seconds, interval,
                     options.clients, origin=flood_started)
    load_after = os.getloadavg()
    try:
        wrk.wait(timeout=options.seconds + 30)
    except subprocess.TimeoutExpired as error:
        raise BenchError("wrk did not finish") from error
    if wrk.returncode != 0:
        raise BenchError(f"wrk exited {wrk.returncode}: {WRK_OUTPUT}\n" + tail(WRK_OUTPUT))
    flood = read_wrk_output(WRK_OUTPUT)
    progress("stopping gunicorn")
    stop(server)
    progress("done")

    f95 = during.quantiles()[1]
    problems = []
    if not during.latencies_ms:
        problems.append("no GET /api/v1/me completed during the flood")
    elif f95 > options.target_ms:
        at_least = "at least " if during.at_least(f95) else ""
        problems.append(f"p95 {at_least}{f95:.1f} ms > {options.target_ms:g} ms")
    if during.not_ok() or alone.not_ok():
        problems.append("GET /api/v1/me not answered 200: alone "
                        f"{describe(alone.not_ok())}, during the flood "
                        f"{describe(during.not_ok())}")

    print(setup_note(url, prepared, command, redis_url, command_wrk, options,
                     (load_before[0], load_after[0])))
    print(HEADER)
    print(row(backend, redis_url, options, alone, during, flood))
    slices = "; ".join(
        f"{start:g}-{start + TIMELINE_SECONDS:g} s: {'≥ ' if part.at_least(p95) else ''}"
        f"{p95:,.0f} ms ({len(part.latencies_ms)})"
        for start, part in during.by_slice(TIMELINE_SECONDS)
        for p95 in [part.quantiles()[1]])
    print(f"<!-- GET /api/v1/me in the flood, p95 by when it was due (requests): {slices} -->")
    print(f"<!-- the flood's own latency (wrk): p50 {flood.latency_p50_ms:,.0f} ms, "
          f"p95 {flood.latency_p95_ms:,.0f} ms -->")
    verdict = "MET" if not problems else "MISSED: " + "; ".join(problems)
    print(f"\nTarget (GET /api/v1/me p95 <= {options.target_ms:g} ms during the flood): "
          f"{verdict}")
    if any(isinstance(status, int) and status >= 500 for status in flood.statuses):
        print(f"(the flood got server errors: see {SERVER_LOG})")
    return not problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a throw-away database to migrate and load "
                        "the demo data into (default: a new SQLite file bench/out/flood.sqlite)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="REDIS_URL for the "
                        "server; this Redis database is EMPTIED first (default %(default)s)")
    parser.add_argument("--no-redis", action="store_true", help="no REDIS_URL (the app's "
                        "in-memory storage)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (default "
                        "1: sync workers, as the README's deployment; more: gthread)")
    parser.add_argument("--connections", type=int, default=50, help="flood connections "
                        "(default 50)")
    parser.add_argument("--seconds", type=int, default=15, help="the flood's length "
                        "(default 15)")
    parser.add_argument("--baseline-seconds", type=float, default=5, help="GET /api/v1/me "
                        "alone first, for this long (default 5)")
    parser.add_argument("--interval-ms", type=float, default=50, help="one GET /api/v1/me "
                        "started every this many ms (default 50)")
    parser.add_argument("--clients", type=int, default=40, help="GET /api/v1/me requests "
                        "in flight at most (default 40: with 50 ms, binding only past 2 s)")
    parser.add_argument("--target-ms", type=float, default=TARGET_P95_MS,
                        help="p95 target during the flood (default %(default)g)")
    parser.add_argument("--no-check", action="store_true", help="exit 0 even if the target "
                        "is missed")
    parser.add_argument("--wrk", default="wrk", help="the wrk program (default: wrk on PATH)")
    options = parser.parse_args(argv)
    if min(options.workers, options.threads, options.connections, options.clients) < 1:
        parser.error("--workers, --threads, --connections and --clients must be at least 1")
    if not 2 <= options.seconds <= 600 or not 1 <= options.baseline_seconds <= 600:
        parser.error("--seconds must be 2-600 and --baseline-seconds 1-600")
    if options.interval_ms < 1:
        parser.error("--interval-ms must be at least 1")
    options.wrk = shutil.which(options.wrk)
    if options.wrk is None:
        parser.error("wrk not found (Debian: apt-get install wrk; it is in .ci/debian-packages)")

    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so the processes get stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        with ExitStack() as stack:
            met = run(options, stack)
    except BenchError as error:
        print(f"flood.py: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("flood.py: interrupted; gunicorn and wrk stopped", file=sys.stderr)
        return 130
    return 0 if met or options.no_check else 1


if __name__ == "__main__":
    sys.exit(main())
