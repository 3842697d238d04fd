"""`make cluster`: Newsroom scaled out on one machine, all on loopback (README «Scaling out»).

    python -m bench.cluster                 # start, print the addresses, stop cleanly on Ctrl+C

Varnish (deploy/varnish/newsroom.vcl) in front of nginx (deploy/nginx/newsroom-balancer.conf), which balances
two app servers, each a gunicorn (deploy/gunicorn.conf.py) with its own task worker, as on two machines; one
PostgreSQL and one Redis (Debian's packages) for the shared cache and sessions; photos in one shared folder
(object storage in production). The configs are the shipped files with their ports and paths replaced:
each replaced value must be in the file, so what runs here cannot drift from what ships. `make soak` and
tests/cluster/ start the same cluster.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.lines import say
from bench.server import free_port, get

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VCL = ROOT / "deploy" / "varnish" / "newsroom.vcl"
BALANCER = ROOT / "deploy" / "nginx" / "newsroom-balancer.conf"
NGINX = "/usr/sbin/nginx"
START_SECONDS = 90
DATABASE = "newsroom"


def postgres_bin():
    """Debian's newest PostgreSQL server binaries (package postgresql)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if not found:
        sys.exit("PostgreSQL's server is missing: apt-get install postgresql")
    return found[-1].parent


def as_postgres(command):
    """PostgreSQL refuses to run as root: run it as Debian's postgres user then."""
    return ["runuser", "-u", "postgres", "--", *map(str, command)] if os.geteuid() == 0 else list(map(str, command))


def render(path: Path, replacements):
    text = path.read_text(encoding="utf-8")
    for shipped, local in replacements.items():
        if shipped not in text:
            raise RuntimeError(f"{path.name} no longer contains {shipped!r}: update bench/cluster.py")
        text = text.replace(shipped, local)
    return text


def nginx_main_config(directory: Path, site: Path):
    """What /etc/nginx/nginx.conf is in production, with every path in `directory`."""
    # As root, nginx's workers would run as nobody, who cannot enter private temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp_paths = "".join(f"    {kind}_temp_path {directory / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                                     "uwsgi", "scgi"))  # fmt: skip
    return (
        f"{user}worker_processes 1;\npid {directory / 'nginx.pid'};\nerror_log {directory / 'error.log'} warn;\n"
        "daemon off;\nevents {\n    worker_connections 1024;\n}\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log {directory / 'access.log'};\n{temp_paths}    include {site};\n}}\n"
    )


class Process:
    """A server in its own process group, its output appended to a log file."""

    def __init__(self, name, command, log_path: Path, **options):
        self.name, self.command, self.log_path, self.options = name, command, log_path, options
        self.popen = None

    def start(self):
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **self.options
            )
        return self

    def running(self):
        return self.popen is not None and self.popen.poll() is None

    def check_running(self):
        if not self.running():
            state = self.popen.returncode if self.popen else "never started"
            raise RuntimeError(f"{self.name} exited ({state}):\n{self.log_tail()}")

    def log_tail(self):
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self, seconds=30):
        if self.running():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=seconds)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)


class Cluster:
    """The topology under `root` (emptied first), started by start() or `with`, stopped by stop().

    `env` adds to or overrides the app servers' environment (a short page lifetime for a test, say); `seed`
    loads the demo content (users journalist, moderator and admin, a few dozen stories).
    """

    def __init__(self, root: Path, *, app_servers=2, web_concurrency=2, env=None, seed=True):
        self.root, self.seed = root, seed
        self.extra_env = env or {}
        self.app_servers, self.web_concurrency = app_servers, web_concurrency
        self.ports = {name: free_port() for name in ["postgres", "redis", "balancer", "varnish"]}
        self.app_ports = [free_port() for _ in range(app_servers)]
        self.secret_key = secrets.token_urlsafe(50)
        self.pgdata = None  # a folder of its own (start()): PostgreSQL runs as postgres, who may not enter `root`
        self.apps, self.workers, self.others = [], [], {}

    # Addresses
    @property
    def edge_url(self):
        return f"http://127.0.0.1:{self.ports['varnish']}"

    def app_url(self, index):
        return f"http://127.0.0.1:{self.app_ports[index]}"

    @property
    def database_url(self):
        return f"postgres://postgres@127.0.0.1:{self.ports['postgres']}/{DATABASE}"

    def env(self, server="a"):
        """The environment of app server `server` (and of manage.py against the cluster)."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("NEWSROOM_", "DJANGO_"))}
        env.update(
            DJANGO_DEBUG="0", DJANGO_HTTPS="0", DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_LOG_LEVEL="WARNING",
            DATABASE_URL=self.database_url, REDIS_URL=f"redis://127.0.0.1:{self.ports['redis']}/0",
            NEWSROOM_EDGE_PURGE_URLS=f"{self.edge_url}/", NEWSROOM_TRUSTED_PROXIES="127.0.0.1",
            NEWSROOM_SERVE_MEDIA="1", MEDIA_ROOT=str(self.root / "media"), STATIC_ROOT=str(self.root / "static"),
            NEWSROOM_REQUIRE_2FA="0", NEWSROOM_VAR_DIR=str(self.root / f"app-{server}"),
            WEB_CONCURRENCY=str(self.web_concurrency), NEWSROOM_DEMO_PASSWORD="newsroom-demo", PYTHONPATH=str(ROOT),
        )  # fmt: skip
        return {**env, **self.extra_env}

    def manage(self, *args, timeout=600):
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True,
                              timeout=timeout)  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    # Starting and stopping
    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if self.root.exists():
            shutil.rmtree(self.root)
        for folder in ["logs", "media", "static", *(f"app-{chr(97 + i)}" for i in range(self.app_servers))]:
            (self.root / folder).mkdir(parents=True)
        self.init_postgres()
        self.start_postgres()
        self.others["redis"] = self.redis_process().start()
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        if self.seed:
            self.manage("seed_demo", "--force")
        for index in range(self.app_servers):
            self.apps.append(self.app_process(index))
            self.workers.append(self.worker_process(index))
        for process in [*self.apps, *self.workers]:
            process.start()
        self.others["nginx"] = self.nginx_process().start()
        self.others["varnish"] = self.varnish_process().start()
        self.wait_until_serving()

    def stop(self):
        for process in [self.others.get("varnish"), self.others.get("nginx"), *self.workers, *self.apps]:
            if process:
                process.stop()
        if self.others.get("redis"):
            self.others["redis"].stop()
        self.stop_postgres()
        if self.pgdata:
            shutil.rmtree(self.pgdata, ignore_errors=True)

    def wait_until_serving(self):
        """Until each app server, the balancer and the edge answer /healthz."""
        urls = [self.app_ports[i] for i in range(self.app_servers)] + [self.ports["balancer"], self.ports["varnish"]]
        deadline = time.monotonic() + START_SECONDS
        for port in urls:
            while not answers(port, "/healthz"):
                for process in [*self.apps, *self.workers, *self.others.values()]:
                    process.check_running()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nothing answered /healthz on port {port} in {START_SECONDS} s")
                time.sleep(0.3)

    # PostgreSQL (Debian's server, a private cluster)
    def init_postgres(self):
        self.pgdata = Path(tempfile.mkdtemp(prefix="newsroom-cluster-postgres-"))
        if os.geteuid() == 0:
            shutil.chown(self.pgdata, "postgres", "postgres")
        initdb = [postgres_bin() / "initdb", "-D", self.pgdata, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8"]  # fmt: skip
        subprocess.run(as_postgres(initdb), check=True, capture_output=True, timeout=120)

    def start_postgres(self):
        options = f"-p {self.ports['postgres']} -c listen_addresses=127.0.0.1 -k {self.pgdata} -c max_connections=200"
        start = [postgres_bin() / "pg_ctl", "-D", self.pgdata, "-l", self.pgdata / "server.log", "-w", "-t", "60",
                 "-o", options, "start"]  # fmt: skip
        subprocess.run(as_postgres(start), check=True, capture_output=True, timeout=90)
        if not (self.pgdata / "created").exists():
            create = [postgres_bin() / "createdb", "-h", "127.0.0.1", "-p", self.ports["postgres"], "-U", "postgres",
                      DATABASE]  # fmt: skip
            subprocess.run(as_postgres(create), check=True, capture_output=True, timeout=60)
            (self.pgdata / "created").touch()

    def stop_postgres(self):
        if self.pgdata and (self.pgdata / "postmaster.pid").exists():
            subprocess.run(as_postgres([postgres_bin() / "pg_ctl", "-D", self.pgdata, "-m", "fast", "-w", "stop"]),
                           capture_output=True, timeout=90)  # fmt: skip

    # The other servers
    def redis_process(self):
        command = ["redis-server", "--port", str(self.ports["redis"]), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]  # fmt: skip
        return Process("redis", command, self.root / "logs" / "redis.log")

    def app_process(self, index):
        command = [PYTHON, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
                   "--bind", f"127.0.0.1:{self.app_ports[index]}"]  # fmt: skip
        name = f"app-{chr(97 + index)}"
        return Process(name, command, self.root / "logs" / f"{name}.log", cwd=ROOT, env=self.env(chr(97 + index)))

    def worker_process(self, index):
        name = f"worker-{chr(97 + index)}"
        command = [PYTHON, "manage.py", "worker"]
        return Process(name, command, self.root / "logs" / f"{name}.log", cwd=ROOT, env=self.env(chr(97 + index)))

    def nginx_process(self):
        directory = self.root / "nginx"
        directory.mkdir(exist_ok=True)
        site = directory / "newsroom-balancer.conf"
        servers = "\n    ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in self.app_ports)
        shipped_servers = "\n    ".join(f"server {address} max_fails=1 fail_timeout=10s;"
                                        for address in ["10.0.0.11:8000", "10.0.0.12:8000"])  # fmt: skip
        site.write_text(render(BALANCER, {
            shipped_servers: servers,
            "listen 127.0.0.1:8080;": f"listen 127.0.0.1:{self.ports['balancer']};",
            "/var/log/nginx/": f"{self.root / 'logs'}/",
        }))  # fmt: skip
        config = directory / "nginx.conf"
        config.write_text(nginx_main_config(directory, site))
        command = [NGINX, "-p", str(directory), "-c", str(config), "-e", str(directory / "error.log")]
        return Process("nginx", command, self.root / "logs" / "nginx.log")

    def varnish_process(self):
        directory = self.root / "varnish"
        directory.mkdir(exist_ok=True)
        vcl = directory / "newsroom.vcl"
        vcl.write_text(render(VCL, {'.port = "8080";': f'.port = "{self.ports["balancer"]}";'}))
        command = ["varnishd", "-F", "-j", "none", "-n", str(directory / "work"), "-a",
                   f"127.0.0.1:{self.ports['varnish']}", "-f", str(vcl), "-s", "malloc,256m"]  # fmt: skip
        return Process("varnish", command, self.root / "logs" / "varnish.log")

    # Faults, for the soak and the tests
    def restart_postgres(self, down_seconds=3):
        self.stop_postgres()
        time.sleep(down_seconds)
        self.start_postgres()

    def restart_redis(self, down_seconds=3):
        self.others["redis"].stop()
        time.sleep(down_seconds)
        self.others["redis"] = self.redis_process().start()

    def gunicorn_workers(self, index):
        """The pids of app server `index`'s gunicorn workers."""
        if not self.apps[index].running():
            return []
        return [child.pid for child in psutil.Process(self.apps[index].popen.pid).children()]

    def kill_one_worker(self, index=0):
        """SIGKILL one gunicorn worker of app server `index` (its master starts another); return its pid."""
        pid = self.gunicorn_workers(index)[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop_app_server(self, index):
        self.apps[index].stop()

    def start_app_server(self, index):
        self.apps[index] = self.app_process(index).start()
        while not answers(self.app_ports[index], "/healthz"):
            self.apps[index].check_running()
            time.sleep(0.3)

    def worker_memory(self):
        """{(server, pid): resident MB} of every gunicorn worker now."""
        memory = {}
        for index in range(self.app_servers):
            for pid in self.gunicorn_workers(index):
                try:
                    memory[(chr(97 + index), pid)] = psutil.Process(pid).memory_info().rss / 2**20
                except psutil.NoSuchProcess:
                    pass
        return memory


def answers(port, path):
    try:
        return get(port, path, attempts=1)[0] == 200
    except OSError:
        return False


def main():
    cluster = Cluster(ROOT / "var" / "cluster")
    say("Starting PostgreSQL, Redis, two app servers with their task workers, nginx and Varnish …")
    with cluster:
        say(f"Newsroom through Varnish: {cluster.edge_url}/  (admin: {cluster.edge_url}/admin/, journalist, "
              "moderator or admin with the password newsroom-demo)")  # fmt: skip
        for index, port in enumerate(cluster.app_ports):
            say(f"  app server {chr(97 + index)}: http://127.0.0.1:{port}/")
        say(f"  nginx balancing them: http://127.0.0.1:{cluster.ports['balancer']}/")
        say(f"  PostgreSQL: {cluster.database_url}   Redis: redis://127.0.0.1:{cluster.ports['redis']}/0")
        say(f"  logs: {cluster.root / 'logs'}   Ctrl+C stops everything.")
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
        try:
            while not stopping:
                for process in [*cluster.apps, *cluster.workers, *cluster.others.values()]:
                    process.check_running()
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        say("Stopping …")


if __name__ == "__main__":
    main()
