"""Uploads kept aside while a step's form is refused, so that nothing uploaded is lost on a validation error.

The file is stored under ``staged/`` with a random name; the form gets back a signed reference bound to the
user and the step (``owner_key``), so a reference cannot be replayed by someone else or on another step. A kept
file that is never used stays under ``staged/`` (see docs/deployment.md for its clean-up).
"""

import secrets
from pathlib import PurePosixPath

from django.core import signing
from django.core.files.storage import default_storage

SALT = "workflows.staging"
# A kept upload is offered again for a working day at most.
MAX_AGE = 24 * 3600


def stage(upload, *, owner_key: str) -> dict:
    """Store ``upload`` aside and return what the form shows of it: its name and the signed reference."""
    suffix = PurePosixPath(upload.name or "").suffix.lower()[:10]
    upload.seek(0)
    path = default_storage.save(f"staged/{secrets.token_hex(16)}{suffix}", upload)
    token = signing.dumps({"path": path, "name": upload.name, "owner": owner_key}, salt=SALT)
    return {"name": upload.name, "token": token}


def kept(token: str, *, owner_key: str) -> dict | None:
    """Return the kept upload a reference names (path, name, token), or None if it is not the owner's or too old."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("owner") != owner_key or not default_storage.exists(data["path"]):
        return None
    return {**data, "token": token}


def open_kept(kept_upload: dict):
    """Open a kept upload for reading, under its original name."""
    handle = default_storage.open(kept_upload["path"], "rb")
    handle.name = kept_upload["name"]
    return handle


def discard(kept_upload: dict | None) -> None:
    if kept_upload is not None:
        default_storage.delete(kept_upload["path"])
