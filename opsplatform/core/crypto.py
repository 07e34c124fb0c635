"""Encryption at rest: AES-256-GCM with keys from OPSPLATFORM_DATA_KEY, rotatable.

OPSPLATFORM_DATA_KEY holds one or more url-safe base64 32-byte keys separated
by commas. The first encrypts; all decrypt, so a new key can be put in front
and the old ones kept until everything is re-encrypted. Each ciphertext names
the key that made it by a short fingerprint, and is bound to its owner by
associated data, so a blob copied to another row does not decrypt.

Blind indexes (blind_index.py) use a separate key, derived with HKDF so that it is
never a data key itself. It must not change when the data key rotates, or every
index would stop matching: it comes from BLIND_INDEX_KEY when that setting is
given (OPSPLATFORM_BLIND_INDEX_KEY, same format as one data key), and until then
from the LAST key of OPSPLATFORM_DATA_KEY, the installation's oldest, which a
rotation ("new,old") leaves in place. Each index carries its key's id, so indexes
made under another index key are told apart rather than silently mismatched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

_FORMAT_VERSION = b"\x01"
# A blob is: format version (1 byte), key id, nonce, then the sealed text and its 16-byte tag.
KEY_ID_OFFSET = 1
KEY_ID_BYTES = 4
_NONCE_BYTES = 12
_TAG_BYTES = 16
_EXTENSION_KEY = "opsplatform.keyring"
_INDEX_KEY_INFO = b"opsplatform blind index key v1"


class DataKeyError(ValueError):
    """OPSPLATFORM_DATA_KEY is malformed."""


class DecryptionError(Exception):
    """A blob could not be decrypted: unknown key, wrong owner, or tampering."""


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"opsplatform-key-id" + key).digest()[:KEY_ID_BYTES]


def is_sealed(blob: bytes) -> bool:
    """Does ``blob`` have the shape of a ciphertext of this module (not that it decrypts)?"""
    return (blob[:1] == _FORMAT_VERSION
            and len(blob) >= 1 + KEY_ID_BYTES + _NONCE_BYTES + _TAG_BYTES)


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DataKeyError(f"{name} is not base64.") from exc
    if len(key) != 32:
        raise DataKeyError(f"{name} is not 32 bytes.")
    return key


def _derive_index_key(root: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=_INDEX_KEY_INFO).derive(root)


@dataclass(frozen=True)
class Keyring:
    keys: tuple[bytes, ...]
    # The HMAC key of blind indexes; see the module's docstring for where it comes from.
    index_key: bytes

    @classmethod
    def parse(cls, value: str, index_value: str | None = None) -> Keyring:
        """The keyring of OPSPLATFORM_DATA_KEY ``value`` (and of BLIND_INDEX_KEY, if given)."""
        keys = []
        for number, text in enumerate(part.strip() for part in value.split(",")):
            if not text:
                continue
            keys.append(_decode_key(text, f"OPSPLATFORM_DATA_KEY entry {number + 1}"))
        if not keys:
            raise DataKeyError("OPSPLATFORM_DATA_KEY holds no key.")
        index_root = (_decode_key(index_value.strip(), "OPSPLATFORM_BLIND_INDEX_KEY")
                      if index_value and index_value.strip() else keys[-1])
        return cls(tuple(keys), _derive_index_key(index_root))

    @property
    def current_key_id(self) -> str:
        return key_id(self.keys[0]).hex()

    @property
    def index_key_id(self) -> str:
        return key_id(self.index_key).hex()

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        key = self.keys[0]
        sealed = AESGCM(key).encrypt(nonce, plaintext, associated_data)
        return _FORMAT_VERSION + key_id(key) + nonce + sealed

    def decrypt(self, blob: bytes, associated_data: bytes) -> bytes:
        if blob[:1] != _FORMAT_VERSION:
            raise DecryptionError("unknown ciphertext format")
        wanted = blob[KEY_ID_OFFSET:KEY_ID_OFFSET + KEY_ID_BYTES]
        nonce_start = KEY_ID_OFFSET + KEY_ID_BYTES
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
        return blob[KEY_ID_OFFSET:KEY_ID_OFFSET + KEY_ID_BYTES] == key_id(self.keys[0])


def keyring() -> Keyring:
    """The current app's keyring, parsed once from its configuration."""
    ring = current_app.extensions.get(_EXTENSION_KEY)
    if ring is None:
        ring = current_app.extensions[_EXTENSION_KEY] = Keyring.parse(
            current_app.config["DATA_KEYS"], current_app.config.get("BLIND_INDEX_KEY")
        )
    return ring
