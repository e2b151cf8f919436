"""Sources against real sockets on loopback: a TCP server that restarts, a silent server, a
server that is not there yet, receivers pushing to our TCP server, UDP datagrams, file replay
as fast as possible and paced by tag-block times."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import time
from pathlib import Path

from giamsat.maritime.sources import (
    FileReplaySource,
    TcpClientSource,
    TcpServerSource,
    UdpSource,
    make_source,
    parse_sources,
)
from tests.service_util import free_port


class Sink:
    def __init__(self) -> None:
        self.lines: list[tuple[bytes, str, float]] = []

    def put(self, lines: list[bytes], source: str, received: float) -> None:
        self.lines.extend((line, source, received) for line in lines)

    async def room(self) -> None:
        return None

    def texts(self) -> list[str]:
        return [line.decode() for line, _, _ in self.lines]


async def _wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


class LineServer:
    """A real TCP server that sends ``lines`` to each client, then keeps it open (or closes)."""

    def __init__(self, port: int, lines: list[bytes], close_after: bool = False) -> None:
        self.port, self.lines, self.close_after = port, lines, close_after
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        self.served = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port,
                                                 reuse_address=True)  # fmt: skip

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        self.served += 1
        for line in self.lines:
            writer.write(line)
            await writer.drain()
        if self.close_after:
            writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), 2)


def test_tcp_client_reconnects_after_server_restart_and_loses_nothing() -> None:
    async def scenario() -> tuple[Sink, TcpClientSource]:
        port = free_port()
        first = [f"!AIVDM,A{i}\r\n".encode() for i in range(200)]
        first.append(b"!AIVDM,split-")  # a line in two writes ...
        first.append(b"across-writes\r\n")
        first.append(b"!AIVDM,last-line-without-newline")
        server = LineServer(port, first)
        await server.start()
        sink = Sink()
        client = TcpClientSource("ais", "127.0.0.1", port, backoff_initial=0.05, idle_timeout=None)
        task = asyncio.create_task(client.run(sink))
        await _wait_for(lambda: len(sink.lines) >= 201)
        await server.stop()  # the AIS server restarts
        await asyncio.sleep(0.3)
        second = [f"!AIVDM,B{i}\n".encode() for i in range(500)]
        server2 = LineServer(port, second)
        await server2.start()
        await _wait_for(lambda: len(sink.lines) >= 202 + 500)
        await asyncio.sleep(0.1)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await server2.stop()
        return sink, client

    sink, client = asyncio.run(scenario())
    texts = sink.texts()
    a = [t for t in texts if t.startswith("!AIVDM,A")]
    b = [t for t in texts if t.startswith("!AIVDM,B")]
    assert a == [f"!AIVDM,A{i}" for i in range(200)]
    assert b == [f"!AIVDM,B{i}" for i in range(500)]  # every line after the reconnection
    assert "!AIVDM,split-across-writes" in texts
    assert "!AIVDM,last-line-without-newline" in texts  # delivered when the server closed
    assert client.stats.connects == 2 and client.stats.disconnects >= 1
    assert client.stats.lines == len(texts) == 702
    assert {source for _, source, _ in sink.lines} == {"ais"}


def test_tcp_client_waits_for_a_server_that_is_not_there_and_drops_a_silent_one() -> None:
    async def scenario() -> tuple[Sink, TcpClientSource, int]:
        port = free_port()
        sink = Sink()
        client = TcpClientSource("ais", "127.0.0.1", port, backoff_initial=0.05,
                                 backoff_max=0.2, idle_timeout=0.3)  # fmt: skip
        task = asyncio.create_task(client.run(sink))
        await asyncio.sleep(0.5)  # refused a few times, with backoff
        refused = client.stats.errors
        silent = LineServer(port, [b"!AIVDM,hello\n"])  # then says nothing
        await silent.start()
        await _wait_for(lambda: client.stats.connects >= 2, 10)  # silent > 0.3 s: reconnected
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await silent.stop()
        return sink, client, refused

    sink, client, refused = asyncio.run(scenario())
    assert refused >= 2
    assert "silent for" in (client.stats.last_error or "")
    assert sink.texts().count("!AIVDM,hello") >= 2  # each connection's line arrived


def test_tcp_server_source_takes_several_receivers() -> None:
    async def scenario() -> tuple[Sink, TcpServerSource]:
        source = TcpServerSource("rx", "127.0.0.1", 0)
        sink = Sink()
        task = asyncio.create_task(source.run(sink))
        await source.bound.wait()

        async def push(tag: str, n: int) -> None:
            _, writer = await asyncio.open_connection("127.0.0.1", source.port)
            for i in range(n):
                writer.write(f"!AIVDM,{tag}{i}\r\n".encode())
            await writer.drain()
            writer.close()
            await writer.wait_closed()

        await asyncio.gather(push("x", 300), push("y", 300))
        await _wait_for(lambda: len(sink.lines) >= 600)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return sink, source

    sink, source = asyncio.run(scenario())
    by_source: dict[str, list[str]] = {}
    for line, key, _ in sink.lines:
        by_source.setdefault(key, []).append(line.decode())
    assert len(by_source) == 2  # one source key per receiver connection
    assert sorted(len(v) for v in by_source.values()) == [300, 300]
    for lines in by_source.values():
        tag = lines[0][7]
        assert lines == [f"!AIVDM,{tag}{i}" for i in range(300)]
    assert source.stats.connects == 2 and source.stats.lines == 600


def test_tcp_server_source_refuses_peers_not_allowed() -> None:
    async def scenario() -> TcpServerSource:
        source = TcpServerSource("rx", "127.0.0.1", 0, allow=["10.9.9.9"])
        sink = Sink()
        task = asyncio.create_task(source.run(sink))
        await source.bound.wait()
        reader, writer = await asyncio.open_connection("127.0.0.1", source.port)
        try:
            data = await reader.read()
        except ConnectionResetError:
            data = b""
        assert data == b""  # closed on us
        writer.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert sink.lines == []
        return source

    source = asyncio.run(scenario())
    assert source.stats.last_error == "refused 127.0.0.1"


def test_udp_listener() -> None:
    async def scenario() -> Sink:
        source = UdpSource("udp", "127.0.0.1", 0)
        sink = Sink()
        task = asyncio.create_task(source.run(sink))
        await source.bound.wait()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i in range(100):
                s.sendto(f"!AIVDM,u{i}a\r\n!AIVDM,u{i}b\r\n".encode(), ("127.0.0.1", source.port))
                if i % 20 == 0:
                    await asyncio.sleep(0.01)
        await _wait_for(lambda: len(sink.lines) >= 200)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return sink

    sink = asyncio.run(scenario())
    assert sorted(sink.texts()) == sorted(f"!AIVDM,u{i}{p}" for i in range(100) for p in "ab")
    assert all(key.startswith("udp@127.0.0.1:") for _, key, _ in sink.lines)


def _timed_log(path: Path, seconds: int, gz: bool = False) -> list[str]:
    lines = [f"\\c:{1_763_700_000 + t}*00\\!AIVDM,t{t}" for t in range(seconds + 1)]
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return lines


def test_file_replay_as_fast_as_possible_and_gzip(tmp_path: Path) -> None:
    lines = _timed_log(tmp_path / "log.nmea.gz", 5000, gz=True)

    async def scenario() -> Sink:
        sink = Sink()
        source = FileReplaySource("f", [str(tmp_path / "log.nmea.gz")])
        await source.run(sink)
        assert source.stats.status == "done"
        return sink

    sink = asyncio.run(scenario())
    assert sink.texts() == lines


def test_file_replay_paced_by_tag_times(tmp_path: Path) -> None:
    lines = _timed_log(tmp_path / "log.nmea", 4)  # 4 s of traffic, replayed 8x faster

    async def scenario() -> Sink:
        sink = Sink()
        await FileReplaySource("f", [str(tmp_path / "log.nmea")], speed=8.0).run(sink)
        return sink

    sink = asyncio.run(scenario())
    assert sink.texts() == lines
    arrival = [received for _, _, received in sink.lines]
    assert arrival[-1] - arrival[0] >= 0.45  # 4 s / 8 = 0.5 s
    assert arrival[2] - arrival[0] >= 0.2  # 2 s / 8 = 0.25 s


def test_source_specs_from_settings(tmp_path: Path) -> None:
    log = tmp_path / "x.nmea"
    log.write_text("")
    specs = parse_sources(f"ais1=tcp://10.0.0.5:4001, rx=tcp-listen://0.0.0.0:5000 "
                          f"u=udp://0.0.0.0:10110 replay=file://{log}?speed=10")  # fmt: skip
    kinds = [type(make_source(s)).__name__ for s in specs]
    assert kinds == ["TcpClientSource", "TcpServerSource", "UdpSource", "FileReplaySource"]
    assert make_source(specs[3]).speed == 10.0
    for bad in ("ais1=tcp://nohost", "x=ftp://a:1", "a=tcp://h:1 a=tcp://h:2", "nourl"):
        try:
            [make_source(s) for s in parse_sources(bad)]
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")
