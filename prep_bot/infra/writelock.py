"""The one-writer-at-a-time lock across processes: an flock on the data dir's write.lock for a
local store, a session-level advisory lock for a store in a shared Postgres database (every
machine writing to it takes the same lock). Either is released when its holder dies: the kernel
closes the file, Postgres ends the session."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

try:
    import fcntl
except ImportError:  # not POSIX: writers in one process are still serialised
    fcntl = None

WRITER_KEY = 0x70726570_77726974  # the advisory lock's key ("prepwrit")


class FileLock:
    def __init__(self, path) -> None:
        self.path = path
        self._handle = None

    def acquire(self, wait: bool) -> bool:
        handle = open(self.path, "a+b")
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                handle.close()
                return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # releases the lock
            self._handle = None


class AdvisoryLock:
    """``pg_advisory_lock`` held on a connection of its own for as long as the lock is held."""

    def __init__(self, engine: Engine, key: int = WRITER_KEY) -> None:
        self.engine = engine
        self.key = key
        self._connection = None

    def acquire(self, wait: bool) -> bool:
        connection = self.engine.connect()
        try:
            if wait:
                connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": self.key})
                got = True
            else:
                got = bool(connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar())
            connection.commit()  # a session lock outlives the transaction; the session stays idle
        except BaseException:
            connection.invalidate()  # never return a connection that may hold the lock to the pool
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            connection.commit()
        except Exception:  # noqa: BLE001 - a lost connection has released the lock with its session
            connection.invalidate()
        finally:
            connection.close()


def writer_lock(catalog, data_dir):
    """The lock writers of this catalog share: advisory on Postgres, else a file in ``data_dir``."""
    if not catalog.sqlite and catalog.engine.dialect.name == "postgresql":
        return AdvisoryLock(catalog.engine)
    return FileLock(data_dir / "write.lock")
