"""What the generator and the runner share: paths, the database URL, the known secrets.

Both scripts run as ``python bench/<script>.py`` from anywhere; the repository
root is put on ``sys.path`` here so that ``config`` (a top-level module beside
``wsgi.py``) and ``opsplatform`` import.
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"  # gitignored
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = f"sqlite:///{OUT / 'bench.sqlite'}"

# Every generated account has this password (its hash is computed once per run).
BENCH_PASSWORD = "bench-password"
BENCH_DOMAIN = "bench.example.org"

# A fixed encryption key, so that data a generator encrypts (message bodies,
# seizure parties, ...) can be read by the app the runner builds. Never use it
# for anything real. It serves as the blind-index key too.
BENCH_DATA_KEY = base64.urlsafe_b64encode(b"opsplatform-bench-key-not-secret").decode()


def bench_email(number: int) -> str:
    return f"user{number:05d}@{BENCH_DOMAIN}"


def database_url(option: str | None) -> str:
    """``--database-url``, else ``DATABASE_URL``, else the SQLite file in bench/out/."""
    url = option or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if url == DEFAULT_DATABASE_URL:
        OUT.mkdir(parents=True, exist_ok=True)
    return url


def display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
