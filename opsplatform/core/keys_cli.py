"""``flask --app wsgi keys rotate``: re-encrypt data at rest with the current data key.

Rotation: put a new key in front of OPSPLATFORM_DATA_KEY ("new,old"), restart, run
``keys rotate``, then drop the old key once it reports nothing failed. The command walks
the registry of encrypted data (rotation.py: stored files and every table with encrypted
fields), in batches each committed on its own, so it can be stopped and run again; a
value that cannot be decrypted is reported and left as it is.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .crypto import keyring
from .rotation import RotationCounts, registered_rotations, rotate_all

keys_cli = AppGroup("keys", help="Encryption keys of the data at rest.")


class _EchoLog:
    def batch(self, item: str, counts: RotationCounts) -> None:
        click.echo(f"{item}, batch {counts.batches}: {counts.reencrypted} re-encrypted so far.")

    def failure(self, message: str) -> None:
        click.echo(message, err=True)


@keys_cli.command("rotate")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=None,
              help="Rows re-encrypted and committed together "
                   "(default: 50 files, 500 rows of encrypted fields).")
def keys_rotate(batch_size: int | None) -> None:
    """Re-encrypt all data at rest not made with the current (first) data key."""
    ring = keyring()
    items = registered_rotations()
    click.echo(f"Current key: {ring.current_key_id} ({len(ring.keys)} configured). "
               f"Encrypted data: {', '.join(item.name for item in items)}.")
    results = rotate_all(_EchoLog(), batch_size)
    for name, counts in results:
        click.echo(f"{name}: {counts.summary()}")
    failed = sum(counts.failed for _name, counts in results)
    if failed:
        raise click.ClickException(
            f"{failed} value(s) could not be decrypted with the configured keys; "
            "keep the old keys until they are dealt with.")
