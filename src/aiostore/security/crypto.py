"""Encryption at rest for platform tokens and stored responses: Fernet with key rotation (MultiFernet).

The first key in AIOSTORE_ENCRYPTION_KEYS encrypts; every key decrypts. To rotate, put a new key
first, keep the old ones after it, and run `rotate` over stored values (or let reads re-encrypt).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr


class DecryptionError(RuntimeError):
    """A stored secret could not be decrypted with any configured key."""


class TokenCipher:
    def __init__(self, keys: list[SecretStr]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._fernet = MultiFernet([Fernet(k.get_secret_value().encode()) for k in keys])

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        try:
            return self._fernet.decrypt(ciphertext).decode()
        except InvalidToken as exc:
            raise DecryptionError("stored secret cannot be decrypted with the configured keys") from exc

    def encrypt_bytes(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def decrypt_bytes(self, ciphertext: bytes) -> bytes:
        try:
            return self._fernet.decrypt(ciphertext)
        except InvalidToken as exc:
            raise DecryptionError("stored value cannot be decrypted with the configured keys") from exc

    def rotate(self, ciphertext: bytes) -> bytes:
        """Re-encrypt under the first (newest) key."""
        try:
            return self._fernet.rotate(ciphertext)
        except InvalidToken as exc:
            raise DecryptionError("stored secret cannot be decrypted with the configured keys") from exc
