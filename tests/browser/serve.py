"""The platform as the browser tests see it: its own database, migrated, with the demo data.

    python tests/browser/serve.py PORT INSTANCE_FOLDER     (DATABASE_URL names the database)

Run in a process of its own so that the browser's requests commit for real, as they
do in production, without touching the database the rest of the suite rolls back.
Prints READY once it listens on 127.0.0.1:PORT.
"""

from __future__ import annotations

import os
import sys

from werkzeug.serving import make_server

from opsplatform import create_app
from opsplatform.core.db import Database, db
from opsplatform.core.migrate import upgrade
from opsplatform.demo import load_demo

DEMO_PASSWORD = "demo-password"


def main(port: int, instance_path: str) -> None:
    app = create_app({"DATABASE_URL": os.environ["DATABASE_URL"]}, instance_path=instance_path,
                     environ={"OPSPLATFORM_ENV": "testing"})
    with Database.state(app).engine.begin() as connection:
        upgrade(connection)
    with app.app_context():
        load_demo(password=DEMO_PASSWORD)
        db.session.commit()
    server = make_server("127.0.0.1", port, app, threaded=True)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
