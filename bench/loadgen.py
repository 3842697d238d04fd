"""A small HTTP load generator for machines without wrk: threads, keep-alive connections, rotating paths.

    python -m bench.loadgen --host 127.0.0.1 --port 8000 --connections 4 --duration 10 --paths paths.txt

Prints the same JSON line as bench/rotate.lua does under wrk; each connection starts at its own evenly spaced
point of the list. Being Python, it saturates sooner than wrk:
its numbers are a lower bound of what the server can do.
"""

import argparse
import http.client
import json
import statistics
import sys
import threading
import time


def percentile(sorted_values, fraction):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


class Worker(threading.Thread):
    """Request paths in turn over one connection (reopened when the server closes it) until the deadline."""

    def __init__(self, host, port, paths, start_index, deadline, timeout):
        super().__init__(daemon=True)
        self.host, self.port, self.paths, self.index = host, port, paths, start_index
        self.sent_indexes = []
        self.deadline, self.timeout = deadline, timeout
        self.latencies, self.errors, self.non_2xx_3xx, self.bytes = [], 0, 0, 0

    def run(self):
        connection = None
        while time.monotonic() < self.deadline:
            path = self.paths[self.index % len(self.paths)]
            self.sent_indexes.append(self.index % len(self.paths))
            self.index += 1
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                self.errors += 1
                if connection is not None:
                    connection.close()
                connection = None
                continue
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.bytes += len(body)
            if not 200 <= response.status < 400:
                self.non_2xx_3xx += 1
        if connection is not None:
            connection.close()


def run(host, port, paths, connections, duration, timeout=10):
    """Load the server and return requests, duration, errors and latencies (ms) as a dict."""
    started = time.monotonic()
    deadline = started + duration
    step = max(1, len(paths) // connections)
    workers = [Worker(host, port, paths, number * step, deadline, timeout) for number in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    latencies = sorted(value for worker in workers for value in worker.latencies)
    non_2xx_3xx = sum(worker.non_2xx_3xx for worker in workers)
    return {
        "requests": len(latencies),
        "duration_s": elapsed,
        "bytes": sum(worker.bytes for worker in workers),
        "errors": sum(worker.errors for worker in workers) + non_2xx_3xx,
        "non_2xx_3xx": non_2xx_3xx,
        "mean_ms": statistics.mean(latencies) if latencies else 0.0,
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": latencies[-1] if latencies else 0.0,
        # Requests sent (completed or not) and the distinct paths they went to: equal unless the list wrapped.
        "sent": sum(len(worker.sent_indexes) for worker in workers),
        "distinct_paths": len({index for worker in workers for index in worker.sent_indexes}),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--paths", required=True, help="A file with one path per line.")
    args = parser.parse_args()
    with open(args.paths, encoding="utf-8") as lines:
        paths = [line.strip() for line in lines if line.strip()]
    result = run(args.host, args.port, paths, args.connections, args.duration)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
