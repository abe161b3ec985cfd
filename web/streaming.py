"""Streaming responses that stay streamed under ASGI (the deployed server, daphne).

Django's ASGI handler reads a streaming response with ``async for``. Given a synchronous iterator (a generator of
CSV lines, a file), it first reads all of it into a list, so a ledger export of a whole province or a large
attachment sat in the worker's memory whole (800 MiB for one year's ledger of the Ministry at national scale).
These responses hand it their pieces one at a time instead: each is produced by ``sync_to_async`` in the thread
that runs the request's database work, so a server-side cursor opened by the view keeps its connection. Under
WSGI they iterate as Django's own do.
"""

from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

_DONE = object()


class _PieceByPiece:
    async def __aiter__(self):
        pieces = iter(self.streaming_content)
        next_piece = sync_to_async(next)
        while (piece := await next_piece(pieces, _DONE)) is not _DONE:
            yield piece


class StreamedResponse(_PieceByPiece, StreamingHttpResponse):
    """A ``StreamingHttpResponse`` that an ASGI server sends piece by piece: yield pieces of some kilobytes."""


class StreamedFileResponse(_PieceByPiece, FileResponse):
    """A ``FileResponse`` that an ASGI server sends block by block."""

    block_size = 64 * 1024


def stored_file_response(field_file, *, filename: str, content_type: str, as_attachment: bool) -> HttpResponse:
    """Send a stored file the caller has already checked the reader may see.

    Behind the nginx site of ``deploy/`` (``MEDIA_ACCEL_REDIRECT`` set) a file on the local disk is handed to
    nginx with ``X-Accel-Redirect`` and the worker sends no byte of it; otherwise, and for an object store, the
    worker streams it. Raises ``FileNotFoundError`` when the file is gone.
    """
    if settings.MEDIA_ACCEL_REDIRECT and isinstance(field_file.storage, FileSystemStorage):
        if not field_file.storage.exists(field_file.name):
            raise FileNotFoundError(field_file.name)
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT.rstrip("/") + "/" + quote(field_file.name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
        return response
    return StreamedFileResponse(
        field_file.open("rb"), as_attachment=as_attachment, filename=filename, content_type=content_type
    )
