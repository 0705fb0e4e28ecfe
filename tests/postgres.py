"""A real Postgres for the tests: Debian's server binaries, a cluster made by initdb in a temp dir,
listening on 127.0.0.1 on a free port (and a socket in the temp dir), started once per session
and stopped at the end. Each test that asks for ``pg_url`` gets a database of its own.

The binaries come from Debian's ``postgresql`` package (`make system-packages` installs it);
without them the fixture fails, saying so: nothing is skipped. Run as root (as here), the server
runs as the ``postgres`` user."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import free_port

BIN_GLOB = "/usr/lib/postgresql/*/bin"


def server_bin() -> Path:
    found = sorted(glob.glob(f"{BIN_GLOB}/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if not found:
        pytest.fail(
            f"Postgres server binaries not found ({BIN_GLOB}/initdb): install Debian's postgresql "
            "package (`make system-packages` does)", pytrace=False,
        )
    return Path(found[-1]).parent


class Postgres:
    """One running cluster; ``new_database()`` gives the URL of a fresh, empty database."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self._names = itertools.count(1)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "t") -> str:
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        command = ("runuser", "-u", "postgres", "--", *command)
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="session")
def postgres_server():
    """A Postgres cluster for the whole session, stopped (and its files removed) at the end."""
    bin_dir = server_bin()
    root = Path(tempfile.mkdtemp(prefix="prep-bot-pg-"))  # under /tmp: the postgres user can reach it
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, log = root / "data", root / "server.log"
    port = free_port()
    started = False
    try:
        done = _as_postgres(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                            "-E", "UTF8", "--locale=C", "--no-sync", timeout=120)
        assert done.returncode == 0, f"initdb failed: {done.stderr}"
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        done = _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60",
                            "start", timeout=90)
        started = True
        assert done.returncode == 0, f"postgres did not start: {done.stderr}\n{log.read_text(errors='replace') if log.exists() else ''}"
        yield Postgres(root, port)
    finally:
        if started:
            _as_postgres(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop", timeout=60)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server) -> str:
    """The URL of a new, empty database on the session's Postgres."""
    return postgres_server.new_database()
