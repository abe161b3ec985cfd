"""Streaming responses that stay streamed under ASGI (the deployed server, daphne).

Django's ASGI handler reads a streaming response with ``async for``. Given a synchronous iterator (a generator of
CSV lines, a file), it first reads all of it into a list, so a ledger export of a whole province or a large
attachment sat in the worker's memory whole (800 MiB for one year's ledger of the Ministry at national scale).
These responses hand it their pieces one at a time instead: each is produced by ``sync_to_async`` in the thread
that runs the request's database work, so a server-side cursor opened by the view keeps its connection. Under
WSGI they iterate as Django's own do.
"""

from asgiref.sync import sync_to_async
from django.http import FileResponse, StreamingHttpResponse

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
