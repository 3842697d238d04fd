"""The W3C Nu HTML Checker (vnu.jar, pinned in tests/html/package-lock.json), run once on many pages at a time.

One Java process checks every page given in one call (a JVM start and the schemas' load cost seconds, a page
milliseconds), from files in a temporary folder, with a time limit; nothing listens on a port.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

VNU_JAR = Path(__file__).parent / "html" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
TIMEOUT_SECONDS = 180

if JAVA is None:
    MISSING = "no java (apt-get install default-jre-headless); .ci/run installs it"
elif not VNU_JAR.is_file():
    MISSING = "no tests/html/node_modules/vnu-jar (make install runs npm ci there)"
else:
    MISSING = ""


def errors(pages):
    """Return the checker's errors for each of `pages` (name → HTML), as readable lines; [] for a valid page."""
    with tempfile.TemporaryDirectory(prefix="nu-checker-") as folder:
        files = {}
        for number, (name, html) in enumerate(pages.items()):
            path = Path(folder) / f"page-{number}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        result = subprocess.run(
            [JAVA, "-Xss16m", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--errors-only",
             "--exit-zero-always", *sorted(str(Path(folder) / file) for file in files)],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
        )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"vnu.jar exited with {result.returncode}: {result.stderr[-2000:]}")
    found = {name: [] for name in pages}
    for message in json.loads(result.stdout)["messages"]:
        file = Path(unquote(urlsplit(message.get("url", "")).path)).name
        name = files.get(file)
        if name is None:
            raise RuntimeError(f"vnu.jar: {message}")
        line = f"line {message.get('lastLine', '?')}: {message['message']}"
        if extract := message.get("extract"):
            line += f" — …{extract.strip()}…"
        found[name].append(line)
    return found
