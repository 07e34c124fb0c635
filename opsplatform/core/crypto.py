"""Encryption at rest: AES-256-GCM with keys from OPSPLATFORM_DATA_KEY, rotatable.

OPSPLATFORM_DATA_KEY holds one or more url-safe base64 32-byte keys separated
by commas. The first encrypts; all decrypt, so a new key can be put in front
and the old ones kept until everything is re-encrypted. Each ciphertext names
the key that made it by a short fingerprint, and is bound to its owner by
associated data, so a blob copied to another row does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

_FORMAT_VERSION = b"\x01"
_KEY_ID_BYTES = 4
_NONCE_BYTES = 12
_EXTENSION_KEY = "opsplatform.keyring"


class DataKeyError(ValueError):
    """OPSPLATFORM_DATA_KEY is malformed."""


class DecryptionError(Exception):
    """A blob could not be decrypted: unknown key, wrong owner, or tampering."""


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"opsplatform-key-id" + key).digest()[:_KEY_ID_BYTES]


@dataclass(frozen=True)
class Keyring:
    keys: tuple[bytes, ...]

    @classmethod
    def parse(cls, value: str) -> Keyring:
        keys = []
        for number, text in enumerate(part.strip() for part in value.split(",")):
            if not text:
                continue
            try:
                key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            except (binascii.Error, ValueError) as exc:
                raise DataKeyError(f"OPSPLATFORM_DATA_KEY entry {number + 1} is not base64.") from exc
            if len(key) != 32:
                raise DataKeyError(f"OPSPLATFORM_DATA_KEY entry {number + 1} is not 32 bytes.")
            keys.append(key)
        if not keys:
            raise DataKeyError("OPSPLATFORM_DATA_KEY holds no key.")
        return cls(tuple(keys))

    @property
    def current_key_id(self) -> str:
        return key_id(self.keys[0]).hex()

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        key = self.keys[0]
        sealed = AESGCM(key).encrypt(nonce, plaintext, associated_data)
        return _FORMAT_VERSION + key_id(key) + nonce + sealed

    def decrypt(self, blob: bytes, associated_data: bytes) -> bytes:
        if blob[:1] != _FORMAT_VERSION:
            raise DecryptionError("unknown ciphertext format")
        wanted = blob[1:1 + _KEY_ID_BYTES]
        nonce_start = 1 + _KEY_ID_BYTES
        nonce = blob[nonce_start:nonce_start + _NONCE_BYTES]
        sealed = blob[nonce_start + _NONCE_BYTES:]
        for key in self.keys:
            if key_id(key) == wanted:
                try:
                    return AESGCM(key).decrypt(nonce, sealed, associated_data)
                except InvalidTag as exc:
                    raise DecryptionError("ciphertext does not authenticate") from exc
        raise DecryptionError("encrypted with a key that is not configured")

    def is_current(self, blob: bytes) -> bool:
        """Was ``blob`` made with the current key (no rotation needed)?"""
        return blob[1:1 + _KEY_ID_BYTES] == key_id(self.keys[0])


def keyring() -> Keyring:
    """The current app's keyring, parsed once from its configuration."""
    ring = current_app.extensions.get(_EXTENSION_KEY)
    if ring is None:
        ring = current_app.extensions[_EXTENSION_KEY] = Keyring.parse(
            current_app.config["DATA_KEYS"]
        )
    return ring
