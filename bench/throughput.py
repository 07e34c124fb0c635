"""Pages' throughput under gunicorn, as a ratio to a bare Flask page served the same way.

    python bench/throughput.py --database-url postgresql://postgres@127.0.0.1:5432/opsplatform_bench

The database must have been filled by ``bench/generate.py`` (its defaults: 200
organisations, 5,000 accounts, 300 operations). The script starts two gunicorn
servers on free loopback ports, each with the same number of sync workers: the
bare app (bench/bare_app.py, a 50-row Jinja table) and the platform (wsgi:app on
that database). It signs the scenario accounts in through the real sign-in form,
then, with wrk (same connections, threads and duration for every URL), measures
the bare page, then each platform page followed by the bare page again; a page's
ratio is its requests per second over the mean of the bare runs just before and
after it. Noise on a shared machine moves both alike, which is why the ratio, not
the rate, is the figure to compare. The accounts and operations are those of
bench/run.py's scenarios, plus the platform admin for the admin lists; each
account signs in from a loopback address of its own (127.0.0.10, ...), so that the
sign-in form's per-address limit is not reached.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from common import BENCH_DATA_KEY, BENCH_PASSWORD, OUT, ROOT, database_url, display_url
from sqlalchemy import select

BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
TARGET_RATIO = 0.4
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
# Prints what the table needs, in a form easy to read back.
_WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%f p50=%f p95=%f errors=%d non2xx=%d\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.errors.status))
end
"""


@dataclass
class Measure:
    name: str
    rate: float
    p50: float
    p95: float
    failures: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app: str, workers: int, env: dict, chdir: Path):
    port = free_port()
    log = open(OUT / f"gunicorn-{app.split(':')[0]}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--chdir", str(chdir), "--log-level", "warning", app],
        env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if process.poll() is not None:
                raise SystemExit(f"gunicorn {app} stopped; see {log.name}")
            try:
                urllib.request.urlopen(base + ("/healthz" if app == "wsgi:app" else "/"),
                                       timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit(f"gunicorn {app} did not answer; see {log.name}")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


class _FromAddress(urllib.request.HTTPHandler):
    """Connect from a given loopback address (127.0.0.0/8 is all this machine's)."""

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(lambda host, **kwargs: http.client.HTTPConnection(
            host, source_address=(self.address, 0), **kwargs), req)


def session_cookie(base: str, email: str, address: str) -> str:
    """Sign ``email`` in through the sign-in form from ``address``; return the Cookie header.

    Each account signs in from an address of its own: the sign-in form allows an
    address only two posts in 10 s, and the app's limits are left as deployed.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(_FromAddress(address),
                                         urllib.request.HTTPCookieProcessor(jar))
    token = _CSRF.search(opener.open(base + "/sign-in").read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email,
                                   "password": BENCH_PASSWORD}).encode()
    opener.open(base + "/sign-in", data=body)
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    if "opsplatform_session" not in cookies:
        raise SystemExit(f"could not sign in as {email}")
    return cookies


def wrk(name: str, url: str, args, cookie: str | None = None) -> Measure:
    script = OUT / "throughput.lua"
    script.write_text(_WRK_SCRIPT)
    command = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d",
               f"{args.seconds}s", "-s", str(script), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    values = dict(item.split("=") for item in
                  re.search(r"^RESULT (.*)$", output, re.M).group(1).split())
    return Measure(name, float(values["requests"]) / float(values["seconds"]),
                   float(values["p50"]), float(values["p95"]),
                   int(values["errors"]) + int(values["non2xx"]))


def _platform_admin(session) -> str | None:
    from opsplatform.auth.models import User

    return session.scalar(select(User.email).where(User.is_platform_admin, User.is_active)
                          .order_by(User.id).limit(1))


def scenario_urls(url: str) -> list[tuple[str, str, str]]:
    """(name, path, account) of each page measured, by bench/run.py's rules.

    Every list page of the platform is here: the operations list (twice), home, the
    admin lists of organisations and accounts (the platform admin), and the large
    operation's dashboard, participants, reporting table, contacts, documents and
    messages (its coordinator); the profile page and the busy contact point's inbox.
    """
    sys.path.insert(0, str(BENCH_DIR))
    import run

    app = run.make_app(url)
    with app.app_context():
        from opsplatform.core.db import db

        busy = run._busy_contact_point(db.session)
        secretariat = run._secretariat(db.session)
        dashboards = run._dashboard_operations(db.session)
        admin = _platform_admin(db.session)
    if busy is None or secretariat is None or admin is None or "large" not in dashboards:
        raise SystemExit("the database lacks the generated operations: run bench/generate.py")
    large = dashboards["large"]
    operation = f"/operations/{large['id']}"
    size = f"{large['taking_part']} administrations, coordinator"
    return [
        ("operations list (secretariat, 50 rows)", "/operations/", secretariat),
        ("operations list (busy contact point)", "/operations/", busy["email"]),
        ("home (busy contact point)", "/", busy["email"]),
        ("organisations list (platform admin)", "/admin/organisations/", admin),
        ("accounts list (platform admin)", "/admin/accounts/", admin),
        (f"dashboard ({size})", operation, large["email"]),
        (f"participants ({size})", f"{operation}/participants", large["email"]),
        (f"reporting ({size})", f"{operation}/reporting", large["email"]),
        (f"contacts ({size})", f"{operation}/contacts", large["email"]),
        (f"documents ({size})", f"{operation}/documents", large["email"]),
        ("profile", "/profile", busy["email"]),
        ("inbox (busy contact point)", "/messages/", busy["email"]),
        (f"messages ({size})", f"{operation}/messages", large["email"]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--only", action="append", help="measure only pages whose name "
                        "contains this (repeatable)")
    parser.add_argument("--no-check", action="store_true",
                        help=f"exit 0 even when a ratio is below {TARGET_RATIO}")
    args = parser.parse_args()
    url = database_url(args.database_url)
    OUT.mkdir(parents=True, exist_ok=True)
    pages = [page for page in scenario_urls(url)
             if not args.only or any(part in page[0] for part in args.only)]
    env = {"OPSPLATFORM_ENV": "development", "DATABASE_URL": url,
           "SECRET_KEY": "bench-secret-key-bench-secret-key-bench",
           "OPSPLATFORM_DATA_KEY": BENCH_DATA_KEY,
           "OPSPLATFORM_BLIND_INDEX_KEY": BENCH_DATA_KEY, "REDIS_URL": ""}
    with ExitStack() as stack:
        bare = stack.enter_context(gunicorn("bare_app:app", args.workers, {}, BENCH_DIR))
        platform = stack.enter_context(gunicorn("wsgi:app", args.workers, env, ROOT))
        cookies = {email: session_cookie(platform, email, f"127.0.0.{10 + number}")
                   for number, email in enumerate(dict.fromkeys(e for _, _, e in pages))}
        for name, path, email in pages:  # warm each page (and each worker's caches)
            wrk(name, platform + path, argparse.Namespace(**{**vars(args), "seconds": 2}),
                cookies[email])
        # The bare page between every two pages: each page's ratio is to the mean of the
        # bare runs just before and just after it, so that a machine whose load changes
        # during the run (other work on it) moves both sides of each ratio alike.
        bares = [wrk("bare Flask page, 50-row table", bare + "/", args)]
        measured = []
        for name, path, email in pages:
            measured.append(wrk(name, platform + path, args, cookies[email]))
            bares.append(wrk("bare Flask page, 50-row table", bare + "/", args))
    ratios = [m.rate / ((before.rate + after.rate) / 2)
              for m, before, after in zip(measured, bares, bares[1:], strict=False)]
    print(f"\nDatabase: {display_url(url)}; gunicorn {args.workers} sync workers each; "
          f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s\n")
    rates = sorted(b.rate for b in bares)
    print(f"Bare page (bench/bare_app.py), {len(bares)} runs: {rates[0]:.0f}-{rates[-1]:.0f} "
          f"requests/s (median {rates[len(rates) // 2]:.0f}); p50 "
          f"{min(b.p50 for b in bares):.1f}-{max(b.p50 for b in bares):.1f} ms, p95 "
          f"{min(b.p95 for b in bares):.1f}-{max(b.p95 for b in bares):.1f} ms\n")
    print("| page | requests/s | bare requests/s (before, after) | ratio to bare | p50 ms | "
          "p95 ms | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for measure, ratio, before, after in zip(measured, ratios, bares, bares[1:], strict=False):
        print(f"| {measure.name} | {measure.rate:.0f} | {before.rate:.0f}, {after.rate:.0f} | "
              f"{ratio:.2f} | {measure.p50:.1f} | {measure.p95:.1f} | {measure.failures} |")
    short = [m for m, ratio in zip(measured, ratios, strict=False)
             if ratio < TARGET_RATIO or m.failures]
    if short and not args.no_check:
        print(f"\nBelow {TARGET_RATIO}x the bare page, or failing: "
              + ", ".join(m.name for m in short))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
