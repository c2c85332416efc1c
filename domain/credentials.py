"""Station passwords (OCPP security profile 1): stored only as salted scrypt hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

MAX_PASSWORD_LENGTH = 40  # J §6.2.2 / security whitepaper: up to 40 (hex) characters
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    if not 0 < len(password) <= MAX_PASSWORD_LENGTH:
        raise ValueError(f"password must be 1 to {MAX_PASSWORD_LENGTH} characters")
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return "scrypt$" + base64.b64encode(salt + digest).decode()


def verify_password(password: str, stored: str) -> bool:
    scheme, _, blob = stored.partition("$")
    if scheme != "scrypt":
        return False
    raw = base64.b64decode(blob)
    salt, expected = raw[:16], raw[16:]
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return hmac.compare_digest(digest, expected)
