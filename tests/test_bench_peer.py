"""bench.peer (make bench-peer): the peer's gunicorn is started and stopped as its scripts say, and the table's
ratios, shares of the floor and targets come from the measured figures."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import peer_report
from bench.peer import Peer, PeerServer, alive
from bench.server import get

# A stand-in for the peer's site: a WSGI app answering its trivial view, served the way its serve.sh serves it.
APP = """
def application(environ, start_response):
    status = "200 OK" if environ["PATH_INFO"] == "/bench/const/" else "404 Not Found"
    start_response(status, [("Content-Type", "text/plain")])
    return [b"const"]
"""
SERVE = """#!/bin/sh
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE" && exec {python} -m gunicorn app:application \\
  --workers "${{WORKERS:-2}}" --bind "${{BIND:-127.0.0.1:8101}}" --pid "$HERE/run/gunicorn.pid" \\
  --daemon --error-logfile "$HERE/run/gunicorn.log" --log-level warning
"""


@pytest.fixture
def peer_dir(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    serve = tmp_path / "serve.sh"
    serve.write_text(SERVE.format(python=sys.executable))
    serve.chmod(0o755)
    inputs = tmp_path / "run" / "n2000"
    inputs.mkdir(parents=True)
    (inputs / "paths.env").write_text("CONST_PATH=/bench/const/\nARTICLE_PATH=/news/one/\nN_ARTICLES=2000\n")
    (inputs / "article_paths.txt").write_text("/news/one/\n/news/two/\n")
    return tmp_path


def refuses(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_the_peer_server_answers_inside_the_block_and_is_gone_after_it(peer_dir):
    peer = Peer(peer_dir, 2000, 55432)
    assert peer.article_paths == ["/news/one/", "/news/two/"]
    server = PeerServer(peer, workers=1)
    with server:
        assert get(server.port, "/bench/const/")[0] == 200
        assert alive(server.pid)
        # A second start while this one runs would share its pid file: it is refused.
        with pytest.raises(SystemExit, match="already runs"), PeerServer(peer, workers=1):
            pass
        assert alive(server.pid)
    assert not alive(server.pid)
    assert refuses(server.port)


def test_a_peer_that_is_not_set_up_is_refused(tmp_path):
    with pytest.raises(SystemExit, match="setup.sh"):
        Peer(tmp_path, 2000, 55432)


def test_an_exited_child_not_yet_reaped_is_not_alive():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    assert alive(child.pid)
    time.sleep(2)  # it has exited; nobody has reaped it yet
    assert Path(f"/proc/{child.pid}").exists()
    assert not alive(child.pid)
    child.wait()


def result(rps, **extra):
    return {"rps": rps, "p99_ms": 10.0, "errors": 0, "non_2xx_3xx": 0, "requests": 10, "bytes": 90_000, **extra}


def results(floor_ours=1000.0, floor_theirs=1000.0, cold_wrapped=False):
    cold = {"sent": 1500 if cold_wrapped else 900, "paths": 1000, "distinct_paths": 1000 if cold_wrapped else 900}
    cold["first_requests"] = not cold_wrapped
    return {
        "command": "python -m bench.peer --peer /tmp/wagtail-peer",
        "date": "2026-12-04T18:00:00+00:00",
        "settings": {"articles": 2000, "duration": 15, "warmup": 3, "threads": 2, "connections": 16, "workers": 2},
        "machine": {
            "nproc": 2,
            "cpu": "cpu",
            "ram_gib": 8,
            "os": "Linux",
            "python": "3.11",
            "postgres": "16",
            "gunicorn": "gunicorn",
            "loadgen": "wrk",
        },  # fmt: skip
        "peer": {
            "dir": "/tmp/wagtail-peer",
            "db_port": 55432,
            "versions": ["wagtail==8.0.1"],
            "cold paths": 1000,
            "paths": {"ARTICLE_PATH": "/news/a-1/", "LISTING_PATH": "/news/", "REGION_PATH": "/news/region/r/"},
        },  # fmt: skip
        "newsroom_paths": {
            "floor": "/bench-floor/",
            "article": "/news/b/",
            "news": "/news/",
            "region": "/r/",
            "cold paths": 1419,
        },  # fmt: skip
        "load_average_before": [1.0, 1.0, 1.0],
        "load_average_after": [2.0, 1.5, 1.0],
        "lines": {
            "floor": {"newsroom": result(floor_ours), "wagtail": result(floor_theirs)},
            "article": {"newsroom": result(200.0), "wagtail": result(40.0)},
            "cold_off": {"newsroom": result(130.0, **cold), "wagtail": result(40.0, **cold)},
            "cold_on": {"newsroom": result(100.0, **cold)},
            "news": {"newsroom": result(100.0), "wagtail": result(40.0, errors=3, non_2xx_3xx=3)},
            "region": {"newsroom": result(50.0), "wagtail": result(20.0)},
        },
    }


def row(text, label):
    return next(line for line in text.splitlines() if line.startswith(f"| {label}"))


def test_the_table_gives_ratios_shares_of_each_floor_and_the_targets():
    text = peer_report.render(results(floor_ours=1000.0, floor_theirs=800.0))

    assert row(text, "trivial view") == (
        "| trivial view through the whole middleware (floor) | 1,000 | 800 | 1.25× | 100.0 % | 100.0 % "
        "| ≥ 0.9×: met | 9.0 / 9.0 |"
    )
    assert row(text, "one article") == (
        "| one article, again and again (page cache off) | 200 | 40 | 5.00× | 20.0 % | 5.0 % "
        "| ≥ 4×, ≥ 16 %: met | 9.0 / 9.0 |"
    )
    # The page-cache-on cold line is compared with the peer's one cold line.
    assert "| 100 | 40 (same line) | 2.50× | 10.0 % | 5.0 % | ≥ 3×, ≥ 12 %: **missed** |" in row(
        text, "1,000+ different articles in turn, fresh workers (page cache on)"
    )
    assert "2.50× | 5.0 % | 2.5 % | ≥ 3×, ≥ 6 %: **missed** |" in row(text, "region page")
    assert "Newsroom / Wagtail = 1.25×." in text
    assert (
        "- Paths: Newsroom /news/b/, /news/, /r/ and 1,419 cold stories; "
        "Wagtail /news/a-1/, /news/, /news/region/r/ and 1,000 cold stories"
    ) in text
    assert "- Wagtail, `/news/` (page cache off): 3 errors (3 non-2xx/3xx answers)" in text
    assert "wrapped" not in text


def test_a_slow_floor_misses_its_target_and_a_wrapped_cold_line_is_named():
    text = peer_report.render(results(floor_ours=850.0, floor_theirs=1000.0, cold_wrapped=True))

    assert row(text, "trivial view").endswith("| 0.85× | 100.0 % | 100.0 % | ≥ 0.9×: **missed** | 9.0 / 9.0 |")
    wrapped = [line for line in text.splitlines() if "the list wrapped" in line]
    assert [line.split(",")[0] for line in wrapped] == ["- Newsroom", "- Newsroom", "- Wagtail"]
    assert "1,500 requests over 1,000 paths (1,000 distinct)" in wrapped[0]
