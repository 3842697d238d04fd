"""Publication-to-edge latency: after the admin acknowledges a publication or a correction, how long until readers
going through the edge see it (polled every 50 ms for up to 10 s)."""

import http.client
import threading
import time
from urllib.parse import urlsplit

POLL_SECONDS = 0.05
GIVE_UP_SECONDS = 10
LIST = "/news/"


class Probes:
    def __init__(self, edge_url, clock):
        parts = urlsplit(edge_url)
        self.host, self.port, self.clock = parts.hostname, parts.port, clock
        self.events, self.threads, self.lock = [], [], threading.Lock()

    def watch(self, kind, editor, pk, t_acknowledged, targets):
        """Poll `targets` ({label: (path, text that shows the change)}) until each shows it; record the event."""
        thread = threading.Thread(
            target=self.poll, args=(kind, editor, pk, t_acknowledged, targets), daemon=True, name=f"probe-{pk}"
        )
        thread.start()
        with self.lock:
            self.threads = [*[t for t in self.threads if t.is_alive()], thread]

    def poll(self, kind, editor, pk, t_acknowledged, targets):
        seen, polls, statuses = {}, 0, {}
        connection = None
        while len(seen) < len(targets) and self.clock() - t_acknowledged < GIVE_UP_SECONDS:
            for label, (path, needle) in targets.items():
                if label in seen:
                    continue
                polls += 1
                try:
                    if connection is None:
                        connection = http.client.HTTPConnection(self.host, self.port, timeout=GIVE_UP_SECONDS)
                    connection.request("GET", path, headers={"User-Agent": "newsroom-soak probe"})
                    response = connection.getresponse()
                    text = response.read().decode("utf-8", errors="replace")
                except (OSError, http.client.HTTPException):
                    statuses["connection error"] = statuses.get("connection error", 0) + 1
                    if connection is not None:
                        connection.close()
                    connection = None
                    continue
                statuses[str(response.status)] = statuses.get(str(response.status), 0) + 1
                if response.status == 200 and needle in text:
                    seen[label] = round(self.clock() - t_acknowledged, 3)
            if len(seen) < len(targets):
                time.sleep(POLL_SECONDS)
        if connection is not None:
            connection.close()
        event = {
            "kind": kind,
            "editor": editor,
            "pk": pk,
            "t": round(t_acknowledged, 3),
            # Until every target showed the change; None: not within GIVE_UP_SECONDS.
            "seconds": max(seen.values()) if len(seen) == len(targets) else None,
            "targets": {label: seen.get(label) for label in targets},
            "polls": polls,
            "statuses": statuses,
        }
        with self.lock:
            self.events.append(event)

    def join(self):
        with self.lock:
            threads = list(self.threads)
        for thread in threads:
            thread.join(GIVE_UP_SECONDS + 15)
        return sorted(self.events, key=lambda event: event["t"])
