"""Endpoints that fail the way networks do: a port that refuses, a server that never answers.

    with BlackHole() as hole:          # accepts connections, reads, never answers
        run_gate(..., "--aws-endpoint-url", hole.url)
    url = closed_port_url()            # nothing listens there: connection refused
"""

from __future__ import annotations

import selectors
import socket
import threading
from typing import Optional


def closed_port_url(host: str = "127.0.0.1") -> str:
    """``http://HOST:PORT`` of a port with nothing listening (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    return f"http://{host}:{port}"


class BlackHole:
    """A TCP server on 127.0.0.1 that accepts every connection, reads what is sent and
    never answers, until :meth:`stop` closes the connections."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.accepted = 0
        self._listener: Optional[socket.socket] = None
        self._thread: Optional[threading.Thread] = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if self._listener is None:
            raise RuntimeError("BlackHole is not started")
        return f"http://{self.host}:{self.port}"

    def start(self) -> BlackHole:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        listener.listen(128)
        listener.setblocking(False)
        self._listener, self.port = listener, listener.getsockname()[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name="awshealth-blackhole",
                                        daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._listener is not None
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ)
        held: list[socket.socket] = []
        try:
            while not self._stopping.is_set():
                for key, _ in selector.select(timeout=0.05):
                    if key.fileobj is self._listener:
                        conn, _ = self._listener.accept()
                        conn.setblocking(False)
                        held.append(conn)
                        self.accepted += 1
                        selector.register(conn, selectors.EVENT_READ)
                    else:
                        self._drain(selector, key.fileobj, held)  # type: ignore[arg-type]
        finally:
            for conn in held:
                conn.close()
            selector.close()

    @staticmethod
    def _drain(selector: selectors.BaseSelector, conn: socket.socket,
               held: list[socket.socket]) -> None:
        try:
            data = conn.recv(65536)
        except OSError:
            data = b""
        if not data:  # the client gave up
            selector.unregister(conn)
            held.remove(conn)
            conn.close()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
        self._listener, self._thread = None, None

    def __enter__(self) -> BlackHole:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
