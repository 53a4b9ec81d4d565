"""A TCP forwarder for tests: the store connects through it, and closing it cuts every
connection and refuses new ones, as a database server that went away would."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress


class Proxy:
    """Forward ``127.0.0.1:<port>`` to *host*:*upstream* until `close`."""

    def __init__(self, host: str, upstream: int) -> None:
        self._upstream = (host, upstream)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self._upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._closed:
                    client.close()
                    server.close()
                    return
                self._sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        """Cut every connection and stop listening: a new one is refused."""
        with self._lock:
            self._closed = True
            sockets, self._sockets = self._sockets, []
        for sock in [self._server, *sockets]:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes accept() and recv() at once
            sock.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    with suppress(OSError):
        sink.shutdown(socket.SHUT_RDWR)
