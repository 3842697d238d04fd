"""gunicorn for Newsroom behind nginx (deploy/nginx/newsroom.conf), as deploy/systemd/newsroom.service runs it.

Everything the app itself reads comes from the environment file (/etc/newsroom/newsroom.env); this file holds
only the app server's own choices. `gunicorn --config deploy/gunicorn.conf.py` from the checkout.
"""

import multiprocessing
import os

wsgi_app = "newsroom.wsgi"
# Loopback only: nginx is the one client, and NEWSROOM_TRUSTED_PROXIES=127.0.0.1 names it.
bind = "127.0.0.1:8000"
# Sync workers: nginx buffers slow clients' requests and responses, so a worker only ever waits for the
# database. WEB_CONCURRENCY overrides the count (the usual rule: two per core, plus one).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# A request that takes longer is cut off and its worker replaced (nginx waits 75 s, so gunicorn decides).
timeout = 60
graceful_timeout = 30
# Restart each worker now and then, so that a slow leak in any library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# X-Forwarded-Proto is believed from the same proxies as in the app (newsroom/proxy.py).
forwarded_allow_ips = os.environ.get("NEWSROOM_TRUSTED_PROXIES", "127.0.0.1")
# The app logs one JSON line per request itself, query strings and shared-draft tokens left out (README,
# «Monitoring»); gunicorn's access log would repeat each request with the full URL. Errors go to standard
# error, which systemd hands to the journal.
accesslog = None
errorlog = "-"
# gunicornc's control socket goes into the unit's RuntimeDirectory (/run/newsroom): the default, under the
# home directory, is read-only there. Without systemd (the tests) there is no control socket.
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"].split(":")[0], "gunicorn.ctl")
else:
    control_socket_disable = True


def child_exit(server, worker):
    """Let /metrics forget an exited worker's live gauges (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
