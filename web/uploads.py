"""Uploads kept aside while a form is refused, so that nothing uploaded is lost on a validation error.

A form with ``KeepsUploads`` names its file fields in ``keep_uploads``. When the form is refused for another reason
than the file itself (a missing choice, an inconsistent count), the view calls ``keep_refused_uploads``: each file
is stored under ``staged/`` with a random name, and the page carries a signed reference to it bound to the user and
the page (``upload_owner``), so a reference cannot be replayed by someone else or on another dossier or step. The
next attempt uses the kept file unless another is chosen; ``discard_kept_uploads`` removes it once the form went
through. A reference expires after ``MAX_AGE``; a kept file never used stays under ``staged/`` (see
docs/deployment.md for its clean-up).
"""

import secrets
from pathlib import PurePosixPath

import filetype
from django.core import signing
from django.core.files.storage import default_storage

SALT = "meritflow.uploads"
# A kept upload is offered again for a working day at most.
MAX_AGE = 24 * 3600
# The form data's name of the reference to a field's kept upload.
KEPT_PREFIX = "kept_"
# How much of a file its type is read from.
SNIFF_BYTES = 8192


def sniffed_type(file, *, allowed) -> filetype.Type | None:
    """Return what a file's first bytes say it is, if that is one of the ``allowed`` MIME types (None otherwise).

    The name and the browser's content type are not trusted: every upload is told by its content.
    """
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    kind = filetype.guess(head)
    return kind if kind is not None and kind.mime in allowed else None


def stage(upload, *, owner_key: str) -> dict:
    """Store ``upload`` aside and return what the form shows of it: its name and the signed reference."""
    suffix = PurePosixPath(upload.name or "").suffix.lower()[:10]
    upload.seek(0)
    path = default_storage.save(f"staged/{secrets.token_hex(16)}{suffix}", upload)
    token = signing.dumps({"path": path, "name": upload.name, "owner": owner_key}, salt=SALT)
    return {"name": upload.name, "token": token, "path": path}


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


class KeepsUploads:
    """A form whose files in ``keep_uploads`` survive a refused attempt; ``upload_owner`` scopes the references.

    A field with a kept file is no longer required: the form's ``clean`` takes the kept file when no other is
    chosen. The field carries the kept file (``field.field.kept``) so the page can name it and carry its reference.
    """

    keep_uploads: tuple[str, ...] = ()

    def __init__(self, *args, upload_owner: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_owner = upload_owner
        self.kept_uploads = {}
        for name in self.keep_uploads:
            found = kept(self.data.get(KEPT_PREFIX + name, ""), owner_key=upload_owner)
            self.fields[name].kept = found
            if found is not None:
                self.kept_uploads[name] = found
                self.fields[name].required = False

    def clean(self):
        data = super().clean()
        for name, found in self.kept_uploads.items():
            if not data.get(name) and name not in self.errors:
                data[name] = open_kept(found)
        return data

    def keep_refused_uploads(self) -> None:
        """Keep each file chosen in this refused attempt whose own field has no error; it replaces a kept one."""
        for name in self.keep_uploads:
            upload = self.files.get(name)
            if upload and name not in self.errors:
                discard(self.kept_uploads.get(name))
                self.kept_uploads[name] = self.fields[name].kept = stage(upload, owner_key=self.upload_owner)

    def discard_kept_uploads(self) -> None:
        for found in self.kept_uploads.values():
            discard(found)
