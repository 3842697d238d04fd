"""The soak's readers: keep-alive connections through the edge, each reading a page, thinking, reading another.

Every request is recorded as (seconds since the soak started, what came back, milliseconds, kind of page, path):
what came back is the HTTP status, or "timeout" / "connection error" when none did. The phases are cut later.
"""

import http.client
import random
import threading
from urllib.parse import urlsplit

from bench.soak_http import ThreadGroup

# The share of each kind of page in what readers ask for.
MIX = {"story": 0.5, "list": 0.3, "search": 0.1, "feed": 0.1}
TIMEOUT_SECONDS = 10


class Reader(threading.Thread):
    def __init__(self, number, edge_url, paths, clock, stop, think_seconds):
        super().__init__(daemon=True, name=f"reader-{number}")
        parts = urlsplit(edge_url)
        self.host, self.port = parts.hostname, parts.port
        self.paths, self.clock, self.stop, self.think = paths, clock, stop, think_seconds
        self.random = random.Random(number)
        self.records = []
        self.kinds = list(MIX)
        self.weights = [MIX[kind] for kind in self.kinds]

    def run(self):
        connection = None
        # Readers do not all start at once.
        self.stop.wait(self.random.uniform(0, self.think))
        while not self.stop.is_set():
            kind = self.random.choices(self.kinds, self.weights)[0]
            path = self.random.choice(self.paths[kind])
            started = self.clock()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_SECONDS)
                connection.request("GET", path, headers={"User-Agent": "newsroom-soak reader"})
                response = connection.getresponse()
                response.read()
                outcome = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except TimeoutError:
                outcome = "timeout"
            except (OSError, http.client.HTTPException):
                outcome = "connection error"
            if not isinstance(outcome, int) and connection is not None:
                connection.close()
                connection = None
            self.records.append((round(started, 3), outcome, round((self.clock() - started) * 1000, 1), kind, path))
            self.stop.wait(self.random.uniform(0.5, 1.5) * self.think)
        if connection is not None:
            connection.close()


class Readers(ThreadGroup):
    """`connections` readers over `paths` ({kind: [path]}) until stop(); records() merges what they saw."""

    join_seconds = TIMEOUT_SECONDS + 5

    def __init__(self, edge_url, paths, clock, connections, think_seconds):
        self.stop_event = threading.Event()
        self.threads = [
            Reader(number, edge_url, paths, clock, self.stop_event, think_seconds) for number in range(connections)
        ]

    def records(self):
        return sorted((record for thread in self.threads for record in thread.records), key=lambda record: record[0])
