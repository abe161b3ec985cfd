"""Anchoring: signed checkpoints of the ledger's chain head, kept outside the database.

The chain is an unkeyed SHA-256 that anyone can recompute, so someone who can write to the database could delete
the newest entries and move the head back, or rewrite an entry and every hash after it, and the chain alone
would still verify. A checkpoint closes that door for everything it covers: ``audit_checkpoint`` signs the head's
sequence and hash with an Ed25519 key that lives in a file outside the database (only the checkpoint job reads
it), names the previous checkpoint by the SHA-256 of its file, and writes it to a storage outside the database
(a directory by default, or any Django storage), optionally e-mailing a copy to the auditors. Verification then
requires each signed entry to still have the signed hash, the ledger to reach the newest checkpoint, the
checkpoints to follow one another, and no entry older than ``AUDIT_CHECKPOINT_MAX_AGE`` to be left uncovered.

What a checkpoint cannot prove: entries written after the newest checkpoint (the window until the next one) can
still be removed or forged unnoticed by it, and whoever can write to the checkpoint storage can delete the newest
checkpoints (the e-mailed copies and the maximum age are there for that).
"""

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.mail import EmailMessage
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .chain import timestamp
from .models import ChainHead, LedgerEntry

FORMAT = "meritflow-ledger-checkpoint/1"
PREFIX = "ledger-checkpoint-"


class CheckpointError(Exception):
    """The checkpoints cannot be read or taken; the message (translated) says why."""

    def __init__(self, message: str, sequence: int | None = None):
        super().__init__(message)
        self.sequence = sequence


@dataclass(frozen=True)
class Checkpoint:
    name: str
    sequence: int
    hash: str
    taken_at: datetime.datetime
    previous: str
    digest: str

    @property
    def when(self) -> str:
        return formats.date_format(timezone.localtime(self.taken_at), "SHORT_DATETIME_FORMAT")


def enabled() -> bool:
    """Whether verification checks the chain against checkpoints (a public key is configured)."""
    return bool(settings.AUDIT_CHECKPOINT_PUBLIC_KEYS)


def storage() -> Storage:
    """The ``STORAGES`` alias named by ``AUDIT_CHECKPOINT_STORAGE``, else the directory ``AUDIT_CHECKPOINT_DIR``."""
    if settings.AUDIT_CHECKPOINT_STORAGE:
        return storages[settings.AUDIT_CHECKPOINT_STORAGE]
    return FileSystemStorage(location=settings.AUDIT_CHECKPOINT_DIR)


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_keys() -> dict[str, Ed25519PublicKey]:
    """The configured public keys (PEM files) by key id; an old key stays listed to verify its checkpoints."""
    keys = {}
    for path in settings.AUDIT_CHECKPOINT_PUBLIC_KEYS:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise CheckpointError(_("The checkpoint public key %(path)s is not an Ed25519 key.") % {"path": path})
        keys[key_id(key)] = key
    return keys


def private_key() -> Ed25519PrivateKey:
    path = settings.AUDIT_CHECKPOINT_KEY
    if not path:
        raise CheckpointError(_("AUDIT_CHECKPOINT_KEY names no private key file."))
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(_("The checkpoint private key %(path)s is not an Ed25519 key.") % {"path": path})
    return key


def _signed_bytes(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load(keys: dict[str, Ed25519PublicKey]) -> list[Checkpoint]:
    """Read, check and return every checkpoint in order; raise ``CheckpointError`` at the first bad one.

    Each must be signed by one of ``keys``, and each must name the one before it, so a checkpoint removed from
    the storage (other than the newest) is noticed.
    """
    store = storage()
    try:
        names = [name for name in store.listdir("")[1] if name.startswith(PREFIX) and name.endswith(".json")]
    except FileNotFoundError:
        names = []
    checkpoints = []
    for name in names:
        with store.open(name, "rb") as file:
            content = file.read()
        checkpoints.append(_parse(name, content, keys))
    checkpoints.sort(key=lambda checkpoint: (checkpoint.sequence, checkpoint.taken_at))
    previous = ""
    for checkpoint in checkpoints:
        if checkpoint.previous != previous:
            raise CheckpointError(
                _("The checkpoint before %(name)s is missing from the checkpoint storage.") % {"name": checkpoint.name},
                checkpoint.sequence,
            )
        previous = checkpoint.digest
    return checkpoints


def _parse(name: str, content: bytes, keys: dict[str, Ed25519PublicKey]) -> Checkpoint:
    unreadable = CheckpointError(_("The checkpoint %(name)s cannot be read.") % {"name": name})
    try:
        payload = json.loads(content)
        signature = base64.b64decode(payload.pop("signature"), validate=True)
        sequence, hash_, previous = int(payload["sequence"]), str(payload["hash"]), str(payload["previous"])
        taken_at = datetime.datetime.fromisoformat(payload["taken_at"])
        if payload["format"] != FORMAT:
            raise unreadable
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise unreadable from error
    key = keys.get(str(payload.get("key")))
    try:
        if key is None:
            raise InvalidSignature
        key.verify(signature, _signed_bytes(payload))
    except InvalidSignature as error:
        raise CheckpointError(
            _("The checkpoint %(name)s is not signed by a checkpoint key.") % {"name": name}, sequence
        ) from error
    return Checkpoint(name, sequence, hash_, taken_at, previous, hashlib.sha256(content).hexdigest())


@dataclass(frozen=True)
class Taken:
    checkpoint: Checkpoint | None
    newest: Checkpoint | None


def take() -> Taken:
    """Sign the chain head and write the checkpoint; nothing is written when the head has not moved.

    Refuses (``CheckpointError``) when the ledger no longer extends the newest checkpoint or the head is not the
    last entry: signing such a head would certify a rewritten ledger.
    """
    key = private_key()
    existing = load(public_keys() | {key_id(key.public_key()): key.public_key()})
    newest = existing[-1] if existing else None
    head = ChainHead.objects.filter(pk=1).values_list("sequence", "hash").first()
    if head is None or head[0] == 0 or (newest and (newest.sequence, newest.hash) == head):
        return Taken(None, newest)
    hashes = dict(
        LedgerEntry.objects.filter(sequence__in=[head[0], *([newest.sequence] if newest else [])]).values_list(
            "sequence", "hash"
        )
    )
    if newest and (head[0] < newest.sequence or hashes.get(newest.sequence) != newest.hash):
        raise CheckpointError(
            _("The ledger no longer extends the checkpoint %(name)s: run verify_audit.") % {"name": newest.name},
            newest.sequence,
        )
    if hashes.get(head[0]) != head[1]:
        raise CheckpointError(_("The chain head is not the last entry of the ledger: run verify_audit."), head[0])
    moment = timezone.now()
    payload = {
        "format": FORMAT,
        "sequence": head[0],
        "hash": head[1],
        "taken_at": timestamp(moment),
        "previous": newest.digest if newest else "",
        "key": key_id(key.public_key()),
    }
    payload["signature"] = base64.b64encode(key.sign(_signed_bytes(payload))).decode("ascii")
    content = (json.dumps(payload, sort_keys=True, indent=1) + "\n").encode("utf-8")
    name = storage().save(f"{PREFIX}{head[0]:012d}-{moment:%Y%m%dT%H%M%S}Z.json", ContentFile(content))
    checkpoint = Checkpoint(name, head[0], head[1], moment, payload["previous"], hashlib.sha256(content).hexdigest())
    _mail(
        _("Ledger checkpoint: entries 1 to %(sequence)d") % {"sequence": checkpoint.sequence},
        _(
            "The attached file is the signed checkpoint of the audit ledger up to entry %(sequence)d, taken on "
            "%(when)s. Keep it: verification compares the ledger with the checkpoints."
        )
        % {"sequence": checkpoint.sequence, "when": checkpoint.when},
        attachment=(name, content),
    )
    return Taken(checkpoint, newest)


def alert(message: str) -> None:
    """Tell the auditors that a checkpoint was refused."""
    _mail(_("Ledger checkpoint refused"), message)


def _mail(subject: str, body: str, attachment: tuple[str, bytes] | None = None) -> None:
    """Hand one e-mail per auditor to the mailer the settings name (the outbox: delivered, retried, kept)."""
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in settings.AUDIT_CHECKPOINT_EMAIL]
    if not messages:
        return
    for message in messages:
        if attachment:
            message.attach(attachment[0].rsplit("/", 1)[-1], attachment[1], "application/json")
    import_string(settings.AUDIT_CHECKPOINT_MAILER)(messages=messages)
