"""A local stand-in for Open-Meteo (the weather service) on a loopback port, for the weather's tests."""

import json
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeOpenMeteo:
    """What the local stand-in for Open-Meteo answers, and every request it was asked."""

    def __init__(self):
        self.requests = []
        self.readings = {}  # (latitude, longitude) as sent -> (temperature, weather code)
        self.default_reading = (-12.3, 71)  # of every other place
        self.misbehaviours = {}  # (latitude, longitude) as sent -> "error" | "malformed" | "slow" | "null"
        self.fails_everything = False
        self.hangs_everything = False
        self.slow_seconds = 1.0
        now = datetime.now(UTC)
        self.observed_at = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)

    def answer_for(self, latitude, longitude):
        temperature, code = self.readings.get((latitude, longitude), self.default_reading)
        if self.misbehaviours.get((latitude, longitude)) == "null":
            temperature = None
        return {
            "latitude": float(latitude),
            "longitude": float(longitude),
            "utc_offset_seconds": 0,
            "timezone": "GMT",
            "current": {
                "time": self.observed_at.strftime("%Y-%m-%dT%H:%M"),
                "interval": 900,
                "temperature_2m": temperature,
                "weather_code": code,
            },
        }


class FakeOpenMeteoHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        fake = self.server.fake
        fake.requests.append(self.path)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if (
            url.path != "/v1/forecast"
            or query.get("current") != ["temperature_2m,weather_code"]
            or query.get("timezone") != ["UTC"]
        ):
            return self.reply(400, b'{"error": true, "reason": "bad request"}')
        places = list(zip(query["latitude"][0].split(","), query["longitude"][0].split(","), strict=True))
        misbehaviours = {fake.misbehaviours.get(place) for place in places}
        if fake.fails_everything or "error" in misbehaviours:
            return self.reply(500, b'{"error": true, "reason": "internal"}')
        if "malformed" in misbehaviours:
            return self.reply(200, b'{"latitude": 54.87, "current": {"time": ')
        if fake.hangs_everything or "slow" in misbehaviours:
            time.sleep(fake.slow_seconds)
        answers = [fake.answer_for(*place) for place in places]
        self.reply(200, json.dumps(answers[0] if len(answers) == 1 else answers).encode())

    def reply(self, status, body):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, which is what the timeout test wants

    def log_message(self, format, *args):
        pass


@contextmanager
def running(fake):
    """Serve `fake` on a loopback port for the time of the block; the URL to set as NEWSROOM_WEATHER_URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenMeteoHandler)
    server.fake = fake
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1/forecast"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
