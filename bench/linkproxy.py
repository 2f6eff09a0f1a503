"""A TCP proxy on 127.0.0.1 that behaves like a slow, distant link: for benches and tests.

    with LinkProxy("127.0.0.1", pg_port, rate_bps=256_000, latency_s=0.3) as link:
        url = f"postgresql://user:pw@127.0.0.1:{link.port}/db"
        ...                       # link.bytes_up / link.bytes_down: what crossed the wire
        link.cut()                # drop every connection now (as a dead link would)

Each direction of each connection is shaped on its own, like a full-duplex line:

- bandwidth: a token bucket of `rate_bps` bits per second holding at most `burst_bytes`
  (default one 1,500-byte packet), so a long transfer runs at the rate and never faster;
- latency: every piece is delivered `latency_s` seconds after it was serialised onto the
  "line", in order (one-way delay; a round trip costs twice that);
- buffering: at most `buffer_bytes` wait inside the proxy per direction (default: two
  bandwidth-delay products, at least 64 KB); beyond that the proxy stops reading, so the
  sender feels TCP back-pressure instead of dumping everything into the proxy's memory.

Pieces are at most `piece_bytes` (default 1,448, a TCP segment on Ethernet), so the far
side sees a steady trickle rather than bursts. `rate_bps=None` and `latency_s=0` forward
at full speed (still counting bytes). The proxy listens on 127.0.0.1 only, on a free port
unless one is given; `cut()` closes every open connection, `refuse(True)` also resets new
ones until `refuse(False)`. Threads: one acceptor, and per connection two per direction.
"""

from __future__ import annotations

import collections
import contextlib
import socket
import threading
import time
from types import TracebackType

__all__ = ["LinkProxy", "TokenBucket"]


class TokenBucket:
    """Bits/s with a burst allowance: `reserve(n)` answers when n bytes may go on the line."""

    def __init__(self, rate_bps: float | None, burst_bytes: int = 1500) -> None:
        self.rate_bps = rate_bps
        self.burst_bits = max(1, burst_bytes) * 8
        self._tokens = float(self.burst_bits)
        self._stamp = time.monotonic()

    def reserve(self, nbytes: int, now: float | None = None) -> float:
        """Take n bytes' worth of tokens (going into debt if needed); the time they are paid."""
        now = time.monotonic() if now is None else now
        if not self.rate_bps:
            return now
        self._tokens = min(
            float(self.burst_bits), self._tokens + (now - self._stamp) * self.rate_bps
        )
        self._stamp = now
        self._tokens -= nbytes * 8
        if self._tokens >= 0:
            return now
        return now + (-self._tokens) / self.rate_bps


class _Direction:
    """src -> dst through the bucket and the delay line; `reader` and `writer` threads."""

    def __init__(
        self, proxy: LinkProxy, conn: _Conn, src: socket.socket, dst: socket.socket, up: bool
    ):
        self.proxy, self.conn, self.src, self.dst, self.up = proxy, conn, src, dst, up
        self.bucket = TokenBucket(proxy.rate_bps, proxy.burst_bytes)
        self.line: collections.deque[tuple[float, bytes | None]] = collections.deque()
        self.buffered = 0
        self.cv = threading.Condition()
        self.threads = [
            threading.Thread(target=self._read, daemon=True, name="linkproxy-read"),
            threading.Thread(target=self._write, daemon=True, name="linkproxy-write"),
        ]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def _put(self, due: float, piece: bytes | None) -> None:
        with self.cv:
            while piece and self.buffered >= self.proxy.buffer_bytes and not self.conn.closed:
                self.cv.wait(0.1)
            self.line.append((due, piece))
            self.buffered += len(piece or b"")
            self.cv.notify_all()

    def _read(self) -> None:
        shaped = bool(self.proxy.rate_bps) or self.proxy.latency_s > 0
        try:
            while not self.conn.closed:
                data = self.src.recv(65536)
                if not data:
                    break
                step = self.proxy.piece_bytes if shaped else len(data)
                for i in range(0, len(data), step):
                    piece = data[i : i + step]
                    # Serialised onto the line when the bucket allows, delivered a latency later.
                    sent = self.bucket.reserve(len(piece))
                    self._put(sent + self.proxy.latency_s, piece)
        except OSError:
            pass
        self._put(time.monotonic() + self.proxy.latency_s, None)  # end of stream, in order

    def _write(self) -> None:
        try:
            while True:
                with self.cv:
                    if self.conn.closed:
                        return
                    if not self.line:
                        self.cv.wait(0.1)
                        continue
                    due, piece = self.line[0]
                    wait = due - time.monotonic()
                    if wait > 0:
                        self.cv.wait(wait)  # woken early by a cut (or a new piece): look again
                        continue
                    self.line.popleft()
                    self.buffered -= len(piece or b"")
                    self.cv.notify_all()
                if piece is None:
                    with contextlib.suppress(OSError):
                        self.dst.shutdown(socket.SHUT_WR)
                    return
                self.dst.sendall(piece)
                self.proxy._count(self.up, len(piece))
        except OSError:
            self.conn.close()
        finally:
            self.conn.direction_done()


class _Conn:
    def __init__(self, proxy: LinkProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy, self.client, self.server = proxy, client, server
        self.closed = False
        self._done = 0
        self._lock = threading.Lock()
        self.dirs = (
            _Direction(proxy, self, client, server, up=True),
            _Direction(proxy, self, server, client, up=False),
        )

    def start(self) -> None:
        for d in self.dirs:
            d.start()

    def direction_done(self) -> None:
        with self._lock:
            self._done += 1
            both = self._done >= 2
        if both:
            self.close()

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
        for s in (self.client, self.server):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()
        for d in self.dirs:
            with d.cv:
                d.cv.notify_all()
        self.proxy._forget(self)


class LinkProxy:
    """Forward 127.0.0.1:`port` to (target_host, target_port) over a shaped link."""

    def __init__(
        self,
        target_host: str,
        target_port: int,
        *,
        rate_bps: float | None = None,
        latency_s: float = 0.0,
        port: int = 0,
        burst_bytes: int = 1500,
        piece_bytes: int = 1448,
        buffer_bytes: int | None = None,
    ) -> None:
        if rate_bps is not None and rate_bps <= 0:
            raise ValueError("rate_bps must be positive (or None for no cap)")
        if latency_s < 0:
            raise ValueError("latency_s must be >= 0")
        self.target = (target_host, target_port)
        self.rate_bps = rate_bps
        self.latency_s = latency_s
        self.burst_bytes = burst_bytes
        self.piece_bytes = max(1, piece_bytes)
        bdp = (rate_bps or 0) / 8 * latency_s
        self.buffer_bytes = buffer_bytes or max(65536, int(2 * bdp))
        self._want_port = port
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._conns: set[_Conn] = set()
        self._lock = threading.Lock()
        self._refusing = False
        self._stopping = False
        self.bytes_up = 0  # client -> server, delivered
        self.bytes_down = 0  # server -> client, delivered
        self.connections = 0

    # -- life cycle -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("the proxy is not started")
        return int(self._listener.getsockname()[1])

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def start(self) -> LinkProxy:
        if self._listener is not None:
            return self
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self._want_port))
        ls.listen(64)
        ls.settimeout(0.2)
        self._listener, self._stopping = ls, False
        self._acceptor = threading.Thread(target=self._accept, daemon=True, name="linkproxy")
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        if self._acceptor is not None:
            self._acceptor.join(5)
            self._acceptor = None
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.close()
            self._listener = None
        self.cut()

    def __enter__(self) -> LinkProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- faults and counters ----------------------------------------------------------------
    def cut(self) -> int:
        """Drop every open connection now; answers how many were dropped."""
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            c.close()
        return len(conns)

    def refuse(self, on: bool = True) -> None:
        """While on, new connections are accepted and closed at once (the far end is gone)."""
        self._refusing = on

    def reset_counters(self) -> None:
        with self._lock:
            self.bytes_up = self.bytes_down = self.connections = 0

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._conns)

    # -- internals --------------------------------------------------------------------------
    def _count(self, up: bool, n: int) -> None:
        with self._lock:
            if up:
                self.bytes_up += n
            else:
                self.bytes_down += n

    def _forget(self, conn: _Conn) -> None:
        with self._lock:
            self._conns.discard(conn)

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopping:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            if self._refusing:
                with contextlib.suppress(OSError):
                    client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=10)
                server.settimeout(None)
            except OSError:
                with contextlib.suppress(OSError):
                    client.close()
                continue
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Conn(self, client, server)
            with self._lock:
                self._conns.add(conn)
                self.connections += 1
            conn.start()
