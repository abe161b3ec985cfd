"""A minimal SMTP server on loopback for the tests: it keeps the messages it accepted (a 250 after DATA).

``hold_message`` makes it stop before accepting the n-th message, as a slow mail server would, until the test
releases it or the client goes away; a message whose DATA was never answered with 250 is not delivered, as SMTP
defines it.
"""

import asyncio
import email
import email.policy
import threading
from email.message import Message


class SmtpSink:
    def __init__(self):
        self.messages: list[Message] = []
        self.hold_message: int | None = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self._data_ends = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _run(self):
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        async def reply(line: str):
            writer.write(f"{line}\r\n".encode())
            await writer.drain()

        try:
            await reply("220 sink ESMTP")
            while line := await reader.readline():
                command = line.decode(errors="replace").strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    await reply("250 sink")
                elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                    await reply("250 OK")
                elif command == "DATA":
                    await reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while (data := await reader.readline()) not in (b".\r\n", b""):
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    self._data_ends += 1
                    if self._data_ends == self.hold_message:
                        self.holding.set()
                        while not self.release.is_set():
                            if reader.at_eof() or await _closed(reader):
                                return
                    self.messages.append(email.message_from_bytes(b"".join(lines), policy=email.policy.default))
                    await reply("250 Accepted")
                elif command == "QUIT":
                    await reply("221 Bye")
                    break
                else:
                    await reply("502 Not implemented")
        except ConnectionError:
            return
        finally:
            writer.close()


async def _closed(reader: asyncio.StreamReader) -> bool:
    """Wait a moment for the client; True when it closed the connection."""
    try:
        data = await asyncio.wait_for(reader.read(1), timeout=0.1)
    except TimeoutError:
        return False
    return data == b""
