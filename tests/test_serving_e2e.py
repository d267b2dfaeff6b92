"""``serve --workers N``: N HTTP processes, each listening on its own SO_REUSEPORT socket."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import start_server, stop_server
from test_faults_e2e import descendants

pytestmark = pytest.mark.e2e


def listening_sockets(port: int) -> int:
    """How many TCP sockets listen on ``port`` (IPv4, from /proc/net/tcp: state 0A)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if int(local.split(":")[1], 16) == port and state == "0A":
            count += 1
    return count


def wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def two(settings, built, tmp_path):
    srv = start_server(settings.build_path, tmp_path / "serve.log", "--workers", "2")
    port = int(srv.url.rsplit(":", 1)[1])
    assert wait_for(lambda: listening_sockets(port) == 2), "two listening sockets expected"
    yield srv, port
    stop_server(srv)


def _answers(url: str, n: int) -> list[int]:
    codes = []
    for _ in range(n):  # a new connection each time: the kernel picks a socket per connection
        with httpx.Client(base_url=url, timeout=30) as http:
            codes.append(http.get("/sparql", params={"query": "ASK {}"}).status_code)
    return codes


def test_each_http_process_listens_on_its_own_socket(two):
    srv, port = two
    assert listening_sockets(port) == 2
    assert _answers(srv.url, 20) == [200] * 20


def test_a_killed_http_process_is_replaced(two):
    srv, port = two
    children = [
        pid for pid in descendants(srv.process.pid) if "spawn" in _cmdline(pid) and _listens(pid)
    ]
    assert len(children) == 2
    os.kill(children[0], signal.SIGKILL)
    assert wait_for(lambda: listening_sockets(port) == 2 and not _alive(children[0]))
    assert _answers(srv.url, 10) == [200] * 10


def test_sigterm_stops_every_process_and_frees_the_port(settings, built, tmp_path):
    srv = start_server(settings.build_path, tmp_path / "serve.log", "--workers", "2")
    port = int(srv.url.rsplit(":", 1)[1])
    below = descendants(srv.process.pid)
    srv.process.send_signal(signal.SIGTERM)
    srv.process.wait(30)
    assert wait_for(lambda: not any(_alive(pid) for pid in below), timeout=15)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # free again


def test_a_port_in_use_fails_with_a_clear_message(settings, built, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "kg_service.cli", "serve", "--port", str(port)]
            + ["--workers", "2"],
            env={"BENELUX_KG_BUILD_DIR": str(settings.build_path), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _listens(pid: int) -> bool:
    """Whether process ``pid`` holds a listening TCP socket (it is an HTTP process)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A":
            inodes.add(fields[9])
    try:
        links = [str(p.readlink()) for p in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False
    return any(link.startswith("socket:[") and link[8:-1] in inodes for link in links)


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text().lower()
    except OSError:
        return False
