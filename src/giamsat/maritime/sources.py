"""Where NMEA lines come from: TCP client (AIS servers), TCP server (receivers that push), UDP
listener, file replay. Sources do I/O only: they cut the byte stream into lines and hand
every line, counted, to a sink; decoding happens elsewhere.

* ``TcpClientSource`` reconnects with exponential backoff (plus jitter) whenever the server
  closes, fails or stays silent longer than ``idle_timeout`` (a half-open connection), and
  sets TCP keep-alive so a dead peer is noticed even without traffic.
* ``TcpServerSource`` accepts any number of receivers; each connection is its own source key
  (``id@host:port``) so multipart messages and duplicates are told apart per receiver.
* ``UdpSource``: one datagram may hold several lines.
* ``FileReplaySource`` replays logs as fast as the sink takes them, or paced by the lines'
  tag-block times (``speed`` 1 = real time, 10 = ten times faster).

The sink's ``room()`` is awaited before each read: a busy engine slows TCP senders through
TCP flow control instead of dropping lines (UDP cannot be slowed; the sink counts overflow).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)
CHUNK = 1 << 16
MAX_LINE = 1 << 14  # longer "lines" are not NMEA: counted and cut


class LineSink(Protocol):
    def put(self, lines: list[bytes], source: str, received: float) -> None: ...

    async def room(self) -> None: ...


@dataclass
class SourceStats:
    id: str
    kind: str
    address: str
    status: str = (
        "stopped"  # connecting | connected | waiting | listening | replaying | done | error
    )
    lines: int = 0
    bytes: int = 0
    connects: int = 0
    disconnects: int = 0
    errors: int = 0
    long_lines: int = 0
    peers: int = 0
    last_line_at: float | None = None
    last_error: str | None = None
    since: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class LineSplitter:
    """Bytes in, whole lines out (CR/LF/CRLF); a partial line waits for the next chunk."""

    def __init__(self, stats: SourceStats) -> None:
        self.stats = stats
        self.rest = b""

    def feed(self, data: bytes) -> list[bytes]:
        self.stats.bytes += len(data)
        data = self.rest + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) > MAX_LINE:  # no newline for 16 KiB: not a line feed at all
                self.stats.long_lines += 1
                self.rest = b""
                return [data[:MAX_LINE]]
            self.rest = data
            return []
        self.rest = data[cut:]
        return [line for line in data[:cut].splitlines() if line]

    def tail(self) -> list[bytes]:
        """What is left when the stream ends (a last line without newline is still a line)."""
        rest, self.rest = self.rest.strip(), b""
        return [rest] if rest else []


class Source:
    kind = "source"

    def __init__(self, id: str, address: str) -> None:
        self.id = id
        self.stats = SourceStats(id, self.kind, address)

    def _deliver(self, sink: LineSink, lines: list[bytes], key: str) -> None:
        if lines:
            now = time.time()
            self.stats.lines += len(lines)
            self.stats.last_line_at = now
            sink.put(lines, key, now)

    async def run(self, sink: LineSink) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def _keepalive(sock: socket.socket | None, idle: int = 60) -> None:
    if sock is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)


async def _pump(
    source: Source,
    reader: asyncio.StreamReader,
    sink: LineSink,
    key: str,
    idle_timeout: float | None,
) -> str:
    """Read until EOF (returns why it stopped); raises TimeoutError after ``idle_timeout``."""
    splitter = LineSplitter(source.stats)
    try:
        while True:
            await sink.room()
            if idle_timeout:
                data = await asyncio.wait_for(reader.read(CHUNK), idle_timeout)
            else:
                data = await reader.read(CHUNK)
            if not data:
                return "closed by peer"
            source._deliver(sink, splitter.feed(data), key)
    finally:
        source._deliver(sink, splitter.tail(), key)


class TcpClientSource(Source):
    kind = "tcp"

    def __init__(
        self,
        id: str,
        host: str,
        port: int,
        *,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        idle_timeout: float | None = 120.0,
        connect_timeout: float = 10.0,
    ) -> None:
        super().__init__(id, f"tcp://{host}:{port}")
        self.host, self.port = host, port
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.idle_timeout, self.connect_timeout = idle_timeout, connect_timeout

    async def run(self, sink: LineSink) -> None:
        delay = self.backoff_initial
        while True:
            self.stats.status = "connecting"
            writer = None
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port, limit=CHUNK),
                    self.connect_timeout,
                )
                _keepalive(writer.get_extra_info("socket"))
                self.stats.connects += 1
                self.stats.status = "connected"
                self.stats.since = time.time()
                delay = self.backoff_initial
                reason = await _pump(self, reader, sink, self.id, self.idle_timeout)
            except asyncio.CancelledError:
                raise
            except TimeoutError:
                reason = "timed out" if writer is None else f"silent for {self.idle_timeout} s"
                self.stats.errors += 1
            except OSError as exc:
                reason = exc.strerror or str(exc)
                self.stats.errors += 1
            finally:
                if writer is not None:
                    writer.close()
                    with contextlib.suppress(Exception):
                        await writer.wait_closed()
            if writer is not None:
                self.stats.disconnects += 1
            self.stats.last_error = reason
            self.stats.status = "waiting"
            log.info("AIS source %s (%s): %s; retry in %.1f s", self.id, self.stats.address,
                     reason, delay)  # fmt: skip
            await asyncio.sleep(delay * (0.8 + 0.4 * random.random()))
            delay = min(delay * 2, self.backoff_max)


class TcpServerSource(Source):
    kind = "tcp-listen"

    def __init__(
        self, id: str, host: str, port: int, *, idle_timeout: float | None = None,
        allow: Iterable[str] = (),
    ) -> None:  # fmt: skip
        super().__init__(id, f"tcp-listen://{host}:{port}")
        self.host, self.port = host, port
        self.idle_timeout = idle_timeout
        self.allow = set(allow)
        self.server: asyncio.Server | None = None
        self.bound = asyncio.Event()

    async def _handle(
        self, sink: LineSink, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        peer = writer.get_extra_info("peername") or ("?", 0)
        if self.allow and peer[0] not in self.allow:
            self.stats.errors += 1
            self.stats.last_error = f"refused {peer[0]}"
            writer.close()
            return
        _keepalive(writer.get_extra_info("socket"))
        self.stats.connects += 1
        self.stats.peers += 1
        try:
            await _pump(self, reader, sink, f"{self.id}@{peer[0]}:{peer[1]}", self.idle_timeout)
        except (OSError, TimeoutError) as exc:
            self.stats.errors += 1
            self.stats.last_error = str(exc)
        finally:
            self.stats.peers -= 1
            self.stats.disconnects += 1
            writer.close()

    async def run(self, sink: LineSink) -> None:
        self.server = await asyncio.start_server(
            lambda r, w: self._handle(sink, r, w), self.host, self.port, limit=CHUNK
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.stats.address = f"tcp-listen://{self.host}:{self.port}"
        self.stats.status = "listening"
        self.stats.since = time.time()
        self.bound.set()
        try:
            async with self.server:
                await self.server.serve_forever()
        finally:
            self.stats.status = "stopped"


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, source: UdpSource, sink: LineSink) -> None:
        self.source, self.sink = source, sink

    def datagram_received(self, data: bytes, addr: Any) -> None:
        stats = self.source.stats
        stats.bytes += len(data)
        lines = [line for line in data.splitlines() if line.strip()]
        self.source._deliver(self.sink, lines, f"{self.source.id}@{addr[0]}:{addr[1]}")

    def error_received(self, exc: Exception) -> None:
        self.source.stats.errors += 1
        self.source.stats.last_error = str(exc)


class UdpSource(Source):
    kind = "udp"

    def __init__(self, id: str, host: str, port: int) -> None:
        super().__init__(id, f"udp://{host}:{port}")
        self.host, self.port = host, port
        self.bound = asyncio.Event()

    async def run(self, sink: LineSink) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Datagrams(self, sink), local_addr=(self.host, self.port)
        )
        self.port = transport.get_extra_info("sockname")[1]
        self.stats.address = f"udp://{self.host}:{self.port}"
        self.stats.status = "listening"
        self.stats.since = time.time()
        self.bound.set()
        try:
            await asyncio.Event().wait()
        finally:
            transport.close()
            self.stats.status = "stopped"


class FileReplaySource(Source):
    """Replay logs: ``speed`` None/0 as fast as possible, else paced by line times."""

    kind = "file"

    def __init__(self, id: str, paths: list[str], *, speed: float | None = None,
                 loop: bool = False) -> None:  # fmt: skip
        super().__init__(id, ",".join(f"file://{p}" for p in paths))
        self.paths, self.speed, self.loop = paths, speed, loop
        self.done = asyncio.Event()

    def _read_block(self, stream: Any, n: int = 2000) -> list[bytes]:
        out = []
        for line in stream:
            self.stats.bytes += len(line)
            line = line.strip()
            if line:
                out.append(line)
            if len(out) >= n:
                break
        return out

    async def run(self, sink: LineSink) -> None:
        from contextlib import ExitStack

        from giamsat.maritime.replay import line_time, open_log, source_name

        self.stats.status = "replaying"
        self.stats.since = time.time()
        try:
            while True:
                for path in self.paths:
                    first: float | None = None
                    start = time.monotonic()
                    with ExitStack() as stack:
                        stream = await asyncio.to_thread(open_log, path, stack)
                        key = f"{self.id}:{source_name(path)}"
                        while True:
                            await sink.room()
                            block = await asyncio.to_thread(self._read_block, stream)
                            if not block:
                                break
                            if not self.speed:
                                self._deliver(sink, block, key)
                                await asyncio.sleep(0)
                                continue
                            for line in block:
                                t = line_time(line)
                                if t is not None:
                                    if first is None:
                                        first = t
                                    wait = start + (t - first) / self.speed - time.monotonic()
                                    if wait > 0:
                                        await asyncio.sleep(wait)
                                self._deliver(sink, [line], key)
                if not self.loop:
                    break
            self.stats.status = "done"
        except OSError as exc:
            self.stats.status = "error"
            self.stats.errors += 1
            self.stats.last_error = str(exc)
        finally:
            self.done.set()


@dataclass
class SourceSpec:
    id: str
    url: str
    options: dict[str, str] = field(default_factory=dict)


def parse_sources(text: str | Iterable[str]) -> list[SourceSpec]:
    """``"ais1=tcp://10.0.0.5:4001, rx=tcp-listen://0.0.0.0:5000, log=file:///d/x.nmea?speed=10"``."""
    items = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    out: list[SourceSpec] = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        name, sep, url = item.partition("=")
        if not sep or "://" in name:
            name, url = f"src{n}", item
        if "://" not in url:
            raise ValueError(
                f"AIS source {item!r}: want id=scheme://… (tcp, tcp-listen, udp, file)"
            )
        if name in seen:
            raise ValueError(f"AIS source id {name!r} is used twice")
        seen.add(name)
        query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        out.append(SourceSpec(name, url, query))
    return out


def make_source(spec: SourceSpec, settings: Any = None) -> Source:
    parts = urlsplit(spec.url)
    scheme = parts.scheme.lower()
    opts = spec.options
    if scheme == "file":
        path = unquote(parts.path)
        if not Path(path).exists():
            raise ValueError(f"AIS source {spec.id}: no such file {path}")
        speed = float(opts.get("speed", "0") or 0)
        return FileReplaySource(spec.id, [path], speed=speed or None,
                                loop=opts.get("loop", "") in ("1", "true", "yes"))  # fmt: skip
    host = parts.hostname
    try:
        port = parts.port
    except ValueError:
        port = None
    if not host or port is None:
        raise ValueError(f"AIS source {spec.id}: {spec.url!r} needs host:port")
    if scheme == "tcp":
        backoff_max = float(getattr(settings, "maritime_reconnect_max_seconds", 60.0))
        idle = float(opts.get("idle", getattr(settings, "maritime_idle_seconds", 120.0)))
        return TcpClientSource(spec.id, host, port, backoff_max=backoff_max,
                               idle_timeout=idle or None)  # fmt: skip
    if scheme in ("tcp-listen", "tcpserver", "tcp-server"):
        allow = [a for a in opts.get("allow", "").split(";") if a]
        return TcpServerSource(spec.id, host, port, allow=allow)
    if scheme == "udp":
        return UdpSource(spec.id, host, port)
    raise ValueError(f"AIS source {spec.id}: unknown scheme {scheme!r}")
