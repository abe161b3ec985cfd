"""Token texts: ``mf_<prefix>_<secret>``; the prefix finds the row, the SHA-256 of the whole text is compared.

The secret is 32 random bytes, so a plain SHA-256 is enough (no password stretching is needed for a key that
cannot be guessed), and the lookup costs one indexed read.
"""

import hashlib
import hmac
import secrets

PREFIX_BYTES = 6
SECRET_BYTES = 32
TOKEN_START = "mf_"


def token_new() -> tuple[str, str]:
    """Return a new token's prefix and its whole text."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    return prefix, f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def token_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def token_prefix(text: str) -> str | None:
    """Return the prefix of a well-formed token text, else None."""
    if not text.startswith(TOKEN_START):
        return None
    prefix, _, secret = text[len(TOKEN_START) :].partition("_")
    if len(prefix) != 2 * PREFIX_BYTES or not secret:
        return None
    return prefix


def digests_match(text: str, digest: str) -> bool:
    return hmac.compare_digest(token_digest(text), digest)
