"""Reading a file in a separate process, with a time and a memory limit.

Counting (prep_bot/evidence/limits.py) refuses what a file's own figures give away. What they
cannot (a parser that loops, a small part that grows huge in memory) is bounded here: every
format whose loader is ``isolated`` is read in a child Python process whose address space is
capped (``RLIMIT_AS``) and which is killed when it takes longer than the time limit. Either way
the file is refused with a one-line reason, and the server, its memory and its other work are
untouched.

Children are reused (a few idle ones are kept), so a batch pays the start-up once; each read
gets a child of its own, so a slow file never holds up another person's upload. The child is
sent the file's bytes and sends back plain JSON (never a pickle: the child reads untrusted
files, so what it says is data, not code). A child whose parent dies sees its input close and
exits.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from prep_bot.errors import EvidenceFileError
from prep_bot.evidence.limits import ReadLimits
from prep_bot.evidence.loaders import load_file, loader_for, unsupported
from prep_bot.evidence.passage import Block, LoadedFile

log = logging.getLogger(__name__)
IDLE = 2  # children kept waiting for the next file
REUSE_BELOW_MB = 200  # a child that grew past this while reading is ended, not kept idle
OUT_OF_MEMORY = 3  # a child's exit code when reading ran out of its address space
HEADER = struct.Struct(">Q")  # every message: its length, then JSON (and, to the child, the bytes)


_last = threading.local()


def last_peak_mb() -> float | None:
    """The peak memory (MB resident) of the child that last read a file in this thread, None
    when that file was read in this process or the child was stopped (for measurements)."""
    return getattr(_last, "peak_mb", None)


def read_evidence(path: Path, data: bytes, limits: ReadLimits) -> LoadedFile:
    """Read one file's bytes within ``limits``: in a child process for isolated formats, in
    this one for plain text. Raises EvidenceFileError with a one-line reason."""
    loader = loader_for(path)
    if loader is None:
        raise unsupported(path.name)
    _last.peak_mb = None
    if not loader.isolated:
        return load_file(path, data, limits)
    return _POOL.read(path.name, data, limits)


class _Child:
    """One reading process."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        env = dict(os.environ, PYTHONUNBUFFERED="1", PREP_BOT_READER_MEMORY_MB=str(memory_mb))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prep_bot.evidence.isolation"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
            close_fds=True,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a killed process always ends
            pass

    def _exit_code(self) -> int | None:
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def ask(self, name: str, data: bytes, limits: ReadLimits) -> dict:
        """Send one file; the reply, or EvidenceFileError once the time is up or the child died."""
        header = json.dumps({"name": name, "limits": limits.to_dict(), "size": len(data)}).encode()
        deadline = time.monotonic() + limits.seconds
        try:
            self.process.stdin.write(HEADER.pack(len(header)) + header)
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise _died(name, limits, self.process.poll()) from e
        raw = self._receive(name, limits, deadline)
        try:
            return json.loads(raw)
        except ValueError as e:
            raise _died(name, limits) from e

    def _receive(self, name: str, limits: ReadLimits, deadline: float) -> bytes:
        out = self.process.stdout
        fd = out.fileno()
        buffer = b""
        need = HEADER.size
        length = None
        while True:
            while len(buffer) < need:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise EvidenceFileError(
                        f"{name}: took longer than {limits.seconds:g} s to read, so it was stopped (split it, "
                        "or raise PREP_BOT_READ_SECONDS)"
                    )
                ready, _, _ = select.select([fd], [], [], left)
                if not ready:
                    continue
                chunk = os.read(fd, max(need - len(buffer), 65536))
                if not chunk:
                    raise _died(name, limits, self._exit_code())
                buffer += chunk
            if length is None:
                (length,) = HEADER.unpack(buffer[:HEADER.size])
                buffer = buffer[HEADER.size:]
                need = length
                continue
            return buffer[:length]


def _died(name: str, limits: ReadLimits, code: int | None = None) -> EvidenceFileError:
    """The reason for a reading process that ended without answering: out of memory (it says
    so by exiting with OUT_OF_MEMORY, or the system killed it), or out of processor time."""
    if code == -signal.SIGXCPU:
        return EvidenceFileError(
            f"{name}: took longer than {limits.seconds:g} s to read, so it was stopped (split it, "
            "or raise PREP_BOT_READ_SECONDS)"
        )
    if code in (OUT_OF_MEMORY, -signal.SIGKILL, None):
        return EvidenceFileError(
            f"{name}: needs more than the {limits.memory_mb:,} MB of memory a file may take to read, so it was "
            "stopped (split it, or raise PREP_BOT_READ_MEMORY_MB)"
        )
    return EvidenceFileError(f"{name}: cannot be read (the process reading it stopped with code {code})")


class _Pool:
    """Idle children, taken one per read and given back when the read went well."""

    def __init__(self) -> None:
        self._idle: list[_Child] = []
        self._lock = threading.Lock()

    def _take(self, memory_mb: int) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.alive() and child.memory_mb == memory_mb:
                    return child
                child.kill()
        return _Child(memory_mb)

    def _give_back(self, child: _Child) -> None:
        with self._lock:
            if len(self._idle) < IDLE and child.alive():
                self._idle.append(child)
                return
        child.kill()

    def read(self, name: str, data: bytes, limits: ReadLimits) -> LoadedFile:
        child = self._take(limits.memory_mb)
        try:
            reply = child.ask(name, data, limits)
        except BaseException:
            child.kill()  # stopped mid-read (time up, died, interrupted): never reused
            raise
        _last.peak_mb = peak = reply.get("peak_mb")
        if isinstance(peak, (int, float)) and peak < REUSE_BELOW_MB:
            self._give_back(child)
        else:
            child.kill()  # its memory is not given back to the system while it lives
        if "error" in reply:
            raise EvidenceFileError(str(reply["error"]))
        return LoadedFile(
            [Block(**b) for b in reply["blocks"]], title=reply.get("title"), pages=reply.get("pages"),
        )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.kill()


_POOL = _Pool()
atexit.register(_POOL.close)


# -- the child ------------------------------------------------------------------------------------
def _read_exactly(stream, n: int) -> bytes | None:
    parts, got = [], 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _serve() -> None:
    """Read files sent on stdin until it closes; answer each on stdout."""
    try:
        import resource

        limit = int(os.environ.get("PREP_BOT_READER_MEMORY_MB", "1024")) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not POSIX: time limit only
        pass
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        size = _read_exactly(stdin, HEADER.size)
        if size is None:
            return
        header = json.loads(_read_exactly(stdin, HEADER.unpack(size)[0]) or b"{}")
        data = _read_exactly(stdin, int(header["size"])) if header.get("size") else b""
        if data is None:
            return
        name = str(header["name"])
        limits = ReadLimits.from_dict(header.get("limits") or {})
        _cpu_budget(limits.seconds)
        try:
            loaded = load_file(Path(name), data, limits)
            reply = {"blocks": [vars(b) for b in loaded.blocks], "title": loaded.title, "pages": loaded.pages}
        except EvidenceFileError as e:
            reply = {"error": str(e)}
        except MemoryError:
            reply = None
        except RecursionError:
            reply = {"error": f"{name}: nested too deeply to read"}
        except Exception as e:  # noqa: BLE001 - a parser's bug on one file is that file's reason
            reply = {"error": f"{name}: cannot be read ({type(e).__name__})"}
        del data
        if reply is None:  # out of memory: say so by exiting
            os._exit(OUT_OF_MEMORY)
        reply["peak_mb"] = _peak_mb()
        body = json.dumps(reply).encode()
        stdout.write(HEADER.pack(len(body)) + body)
        stdout.flush()


def _cpu_budget(seconds: float) -> None:
    """Processor time for this file, on top of what the process has used: should the parent
    die and never stop it, the system ends a read that loops (SIGXCPU)."""
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime + seconds) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not POSIX
        pass


def _peak_mb() -> float | None:
    """This process's peak resident memory since it started its own program (VmHWM: unlike
    ru_maxrss it does not count the parent's memory shared before exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


if __name__ == "__main__":
    _serve()
