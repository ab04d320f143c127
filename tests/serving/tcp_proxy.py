"""A small TCP proxy on 127.0.0.1 (free port) that a test can cut and restore, to play a database outage."""

from __future__ import annotations

import socket
import threading


class TcpProxy:
    """Relays 127.0.0.1:<port> to (host, port); `cut()` drops every connection and refuses new ones."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.accepted = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                if not self.up:  # a database that is down: the connection ends at once
                    client.close()
                    continue
                self.accepted += 1
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, server}
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # the other direction or cut() closed the pair
        finally:
            self._close_pair(source, sink)

    def _close_pair(self, *socks: socket.socket) -> None:
        with self._lock:
            for s in socks:
                self._open.discard(s)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed
            s.close()

    def cut(self) -> None:
        """Like PostgreSQL going down: every relayed connection is closed, new ones are closed at once."""
        with self._lock:
            self.up = False
            victims = list(self._open)
        self._close_pair(*victims)

    def restore(self) -> None:
        """Accept and relay connections again."""
        with self._lock:
            self.up = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass  # not connected: nothing to wake on some platforms
        self.listener.close()
