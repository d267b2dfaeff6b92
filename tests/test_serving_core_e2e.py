"""The serving core on real processes: runaways retire their process, overload is queued.

Every wait here has a deadline (a loaded 2-core CI machine runs these), and every server is
the real ``benelux-kg serve`` with its supervisor.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import Server, start_server, stop_server
from test_faults_e2e import descendants, http_processes
from test_serving_e2e import listening_sockets, wait_for

pytestmark = pytest.mark.e2e

#: Four-way cartesian product over ~2,900 triples, counted: no result until it is done.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: Three-way product sorted: evaluation must hold every row in memory.
HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"


def _light(
    url: str,
    n: int,
    results: list[int],
    stop: threading.Event | None = None,
    times: list[float] | None = None,
) -> None:
    """``n`` distinct cheap queries, each on a new connection (spread across processes);
    ``times``: when each answer came (``time.monotonic()``)."""
    for i in range(n):
        if stop is not None and stop.is_set():
            return
        with httpx.Client(base_url=url, timeout=30) as http:
            query = f"ASK {{ ?s ?p {i} }}"
            try:
                results.append(http.get("/sparql", params={"query": query}).status_code)
            except httpx.TransportError:
                results.append(-1)
            if times is not None:
                times.append(time.monotonic())


@pytest.fixture
def short(settings, built, tmp_path):
    srv = start_server(settings.build_path, tmp_path / "serve.log", "--query-timeout", "3")
    yield srv
    stop_server(srv)


def test_a_runaway_gets_its_503_and_nobody_else_notices(short: Server):
    port = int(short.url.rsplit(":", 1)[1])
    before = http_processes(short)
    assert len(before) == 2  # max(2, CPUs) on this machine's 2 cores
    light: list[int] = []
    thread = threading.Thread(target=_light, args=(short.url, 200, light))
    started = time.monotonic()
    with httpx.Client(base_url=short.url, timeout=60) as http:
        thread.start()
        slow = http.get("/sparql", params={"query": ENDLESS})
    waited = time.monotonic() - started
    assert slow.status_code == 503 and "time limit" in slow.text
    assert waited < 3 + 10, f"the runaway's answer took {waited:.1f} s"
    thread.join(120)
    assert light and set(light) == {200}, sorted(set(light))
    assert len(light) == 200
    # its process retired: replaced at once, gone once done; the port always answered
    assert wait_for(lambda: len(http_processes(short)) == 2 and http_processes(short) != before)
    assert wait_for(lambda: listening_sockets(port) == 2)
    assert "retires" in short.log.read_text()


def _keep_alive(url: str, results: list[int | str], stop: threading.Event) -> None:
    """Cheap queries one after another over one client's keep-alive connections."""
    with httpx.Client(base_url=url, timeout=30) as http:
        i = 0
        while not stop.is_set():
            i += 1
            try:
                answer = http.get("/sparql", params={"query": f"ASK {{ ?s ?p {i} }}"})
                results.append(answer.status_code)
            except httpx.TransportError as exc:
                results.append(f"{type(exc).__name__}: {exc}")


def _replaced(now: set[int], before: set[int]) -> bool:
    """As many processes as before, and one of them new: the retired one is gone."""
    return len(now) == len(before) and now != before


def test_keep_alive_clients_move_to_a_sibling_when_a_process_retires(short: Server):
    """A retiring process closes each keep-alive connection after its next answer, then the
    idle ones: a client that keeps asking never meets a connection closed under it."""
    before = http_processes(short)
    results: list[int | str] = []
    stop = threading.Event()
    clients = [
        threading.Thread(target=_keep_alive, args=(short.url, results, stop)) for _ in range(4)
    ]
    for thread in clients:
        thread.start()
    try:
        with httpx.Client(base_url=short.url, timeout=60) as http:
            slow = http.get("/sparql", params={"query": ENDLESS})
        assert slow.status_code == 503
        # until the retired process is gone, and a few answers more (deadlines: CI is loaded)
        assert wait_for(lambda: _replaced(http_processes(short), before), 60)
        settled = len(results)
        assert wait_for(lambda: len(results) >= settled + 20, 60)
    finally:
        stop.set()
        for thread in clients:
            thread.join(30)
    failed = [r for r in results if r != 200]
    assert results and failed == [], failed[:5]


def test_a_memory_hog_is_stopped_and_its_siblings_serve_on(settings, built, tmp_path):
    env = {"BENELUX_KG_PROCESS_MEMORY_MB": "400"}
    srv = start_server(
        settings.build_path, tmp_path / "serve.log", "--query-timeout", "60", env=env
    )
    try:
        before = http_processes(srv)
        light: list[int] = []
        stop = threading.Event()
        thread = threading.Thread(target=_light, args=(srv.url, 10_000, light, stop))
        with httpx.Client(base_url=srv.url, timeout=90) as http:
            thread.start()
            hog = http.get("/sparql", params={"query": HOG})
        stop.set()
        thread.join(60)
        assert hog.status_code == 503 and "memory" in hog.text, hog.text
        assert light and set(light) <= {200, -1}
        assert light.count(200) >= len(light) - 2  # at most the hog's neighbours in flight
        assert wait_for(lambda: len(http_processes(srv)) == 2 and http_processes(srv) != before)
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    finally:
        stop_server(srv)


def test_sigkill_of_the_supervisor_leaves_no_process_and_the_next_start_cleans_up(
    settings, built, tmp_path
):
    store = tmp_path / "store"
    args = ("--update-token", "t", "--store", str(store))
    srv = start_server(settings.build_path, tmp_path / "first.log", *args)
    children = descendants(srv.process.pid)
    run_dirs = set(store.parent.glob("benelux-kg-run-*"))
    assert len(children) >= 4 and run_dirs  # writer, 2 HTTP processes, their helpers
    srv.process.send_signal(signal.SIGKILL)
    srv.process.wait(10)

    def gone() -> bool:
        return not [p for p in children if Path(f"/proc/{p}").exists() and not _zombie(p)]

    assert wait_for(gone, 20), "a child of the killed supervisor still runs"
    again = start_server(settings.build_path, tmp_path / "second.log", *args)
    try:
        assert not run_dirs & set(store.parent.glob("benelux-kg-run-*"))
    finally:
        stop_server(again)
    assert not list(store.parent.glob("benelux-kg-run-*")), "a clean stop leaves its run folder"


def _zombie(pid: int) -> bool:
    try:
        return "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return True


def test_a_memory_store_leaves_nothing_in_dev_shm(settings, built, tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir():
        pytest.skip("no /dev/shm on this machine")
    srv = start_server(settings.build_path, tmp_path / "serve.log")
    mine = shm / f"benelux-kg-run-{srv.process.pid}"
    assert mine.is_dir()
    stop_server(srv)
    assert not mine.exists()


def test_64_clients_get_no_503(settings, built, tmp_path):
    srv = start_server(settings.build_path, tmp_path / "serve.log")
    try:
        queries = [
            f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {i % 50 + 1} OFFSET {i}" for i in range(640)
        ]

        def client(batch: list[str]) -> list[int]:
            with httpx.Client(base_url=srv.url, timeout=60) as http:
                return [http.post("/sparql", data={"query": q}).status_code for q in batch]

        batches = [queries[i::64] for i in range(64)]
        with concurrent.futures.ThreadPoolExecutor(64) as pool:
            codes = [c for batch in pool.map(client, batches) for c in batch]
    finally:
        stop_server(srv)
    assert len(codes) == 640 and set(codes) == {200}, sorted(set(codes))


def test_a_flood_past_the_queue_bound_gets_503_with_retry_after(settings, built, tmp_path):
    env = {"BENELUX_KG_MAX_CONCURRENT": "1", "BENELUX_KG_MAX_QUEUE": "2"}
    args = ("--workers", "1", "--query-timeout", "20")
    srv = start_server(settings.build_path, tmp_path / "serve.log", *args, env=env)
    slowish = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?e } # {}"
    try:

        def one(i: int) -> httpx.Response:
            with httpx.Client(base_url=srv.url, timeout=60) as http:
                return http.get("/sparql", params={"query": slowish.replace("{}", str(i))})

        with concurrent.futures.ThreadPoolExecutor(24) as pool:
            answers = list(pool.map(one, range(24)))
        refused = [r for r in answers if r.status_code == 503]
        assert refused and all(r.headers.get("retry-after") for r in refused)
        assert any(r.status_code == 200 for r in answers)
        assert all("waiting" in r.text or "turn" in r.text for r in refused)
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    finally:
        stop_server(srv)
    assert os.path.exists(srv.log)


def test_with_one_process_the_port_keeps_answering_while_it_is_replaced(settings, built, tmp_path):
    args = ("--workers", "1", "--query-timeout", "2")
    srv = start_server(settings.build_path, tmp_path / "serve.log", *args)
    try:
        before = http_processes(srv)
        light: list[int] = []
        times: list[float] = []
        stop = threading.Event()
        thread = threading.Thread(target=_light, args=(srv.url, 100_000, light, stop, times))
        thread.start()
        with httpx.Client(base_url=srv.url, timeout=60) as http:
            slow = http.get("/sparql", params={"query": ENDLESS})
        assert slow.status_code == 503
        retiring_from = time.monotonic()
        # light queries go on until the replacement serves and the old process is gone
        replaced = wait_for(lambda: http_processes(srv) and not http_processes(srv) & before, 60)
        replaced_at = time.monotonic()
        # and a few more after it (a deadline, not a count of seconds: CI is a loaded machine)
        wait_for(lambda: sum(t > replaced_at for t in times) >= 3, 60)
        stop.set()
        thread.join(30)
        assert replaced, "the retiring process was not replaced"
        # every answer is a 200; at most one connection may meet the instant the old socket
        # closes (Linux resets what is queued on a closing SO_REUSEPORT socket, README)
        assert light and set(light) <= {200, -1}
        assert light.count(-1) <= 1, f"{light.count(-1)} connections failed"
        # answered throughout: while the runaway ran, while its process retired, and after
        assert any(t < retiring_from for t in times), "no answer while the runaway ran"
        assert any(retiring_from <= t <= replaced_at for t in times) or (
            replaced_at - retiring_from < 0.5
        ), "no answer while the process was being replaced"
        assert sum(t > replaced_at for t in times) >= 3, "no answers after the replacement"
    finally:
        stop_server(srv)
