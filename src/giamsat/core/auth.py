"""Password hashing (argon2id) and generated secrets. Secrets are never logged."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_ALPHABET = string.ascii_letters + string.digits


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password(length: int = 16) -> str:
    """A random password for accounts and the demo admin (no default passwords anywhere)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
