"""``flask --app wsgi keys rotate``: re-encrypt data at rest with the current data key.

Rotation: put a new key in front of OPSPLATFORM_DATA_KEY ("new,old"), restart,
run ``keys rotate``, then drop the old key once it reports nothing left. The
command works in batches, each committed on its own, so it can be stopped and
run again; a file that cannot be decrypted is reported and left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import undefer

from .crypto import DecryptionError, keyring
from .db import db
from .files import StoredFile

keys_cli = AppGroup("keys", help="Encryption keys of the data at rest.")

DEFAULT_BATCH_SIZE = 50


@dataclass
class RotationCounts:
    reencrypted: int = 0
    already_current: int = 0
    failed: int = 0
    batches: int = 0


def rotate_stored_files(batch_size: int = DEFAULT_BATCH_SIZE,
                        progress=lambda counts: None) -> RotationCounts:
    """Re-encrypt every stored file whose ciphertext is not under the current key."""
    ring = keyring()
    counts = RotationCounts()
    after = 0
    while True:
        # Keyset over the files the key_id column says are stale; blobs load one batch at a time.
        batch = db.session.scalars(
            select(StoredFile).options(undefer(StoredFile.ciphertext))
            .where(StoredFile.id > after, StoredFile.key_id != ring.current_key_id)
            .order_by(StoredFile.id).limit(batch_size)
        ).all()
        if not batch:
            return counts
        for stored in batch:
            associated_data = stored.uuid.encode()
            if ring.is_current(stored.ciphertext):
                counts.already_current += 1
            else:
                try:
                    plaintext = ring.decrypt(stored.ciphertext, associated_data)
                except DecryptionError as error:
                    counts.failed += 1
                    click.echo(f"File {stored.id} ({stored.uuid}) cannot be decrypted: {error}.",
                               err=True)
                    continue
                stored.ciphertext = ring.encrypt(plaintext, associated_data)
                counts.reencrypted += 1
            stored.key_id = ring.current_key_id
        after = batch[-1].id
        db.session.commit()
        # Forget the batch's blobs before loading the next one.
        db.session.expunge_all()
        counts.batches += 1
        progress(counts)


@keys_cli.command("rotate")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=DEFAULT_BATCH_SIZE,
              show_default=True, help="Files re-encrypted and committed together.")
def keys_rotate(batch_size: int) -> None:
    """Re-encrypt every stored file not made with the current (first) data key."""
    ring = keyring()
    click.echo(f"Current key: {ring.current_key_id} ({len(ring.keys)} configured).")

    def progress(counts: RotationCounts) -> None:
        click.echo(f"Batch {counts.batches}: {counts.reencrypted} re-encrypted so far.")

    counts = rotate_stored_files(batch_size, progress)
    click.echo(f"Stored files: {counts.reencrypted} re-encrypted, "
               f"{counts.already_current} already under the current key, "
               f"{counts.failed} failed.")
    if counts.failed:
        raise click.ClickException(
            f"{counts.failed} file(s) could not be decrypted with the configured keys; "
            "keep the old keys until they are dealt with.")
