"""The embedded Neo4j's launcher: a small Java program of ours (this folder's pom.xml and src/), built
with Maven on first use into a per-user cache, `~/.cache/safetynet/neo4j-launcher/VERSION/`
(`classes/` + `lib/*.jar`: Neo4j 5.26 Community from Maven Central). VERSION is a hash of the sources,
so a changed launcher is built afresh beside the old one. Running it needs Java 17 or later; building
it, a JDK and Maven as well.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from graph import local_server

SOURCES = Path(__file__).parent
MAIN_CLASS = "safetynet.launcher.Launcher"
JAVA_RELEASE = 17
INSTALL = f"apt-get install openjdk-{JAVA_RELEASE}-jdk-headless maven"
BUILD_TIMEOUT_S = 900.0
# As Neo4j's own start script runs it: its native file access and Netty need these JDK internals open.
JVM_OPTIONS = (
    "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError", "-XX:-OmitStackTraceInFastThrow",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.nio.maxCachedBufferSize=1024", "-Dlog4j2.disable.jmx=true",
)
log = logging.getLogger(__name__)


class LauncherUnavailable(RuntimeError):
    """Java or Maven is missing (the message says what to install), or the build failed."""


def _source_files() -> list[Path]:
    return [SOURCES / "pom.xml", *sorted((SOURCES / "src").rglob("*.java"))]


@lru_cache
def version() -> str:
    """A hash of the launcher's sources (pom and Java): the name of its build in the cache."""
    digest = hashlib.sha256()
    for path in _source_files():
        digest.update(path.relative_to(SOURCES).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def neo4j_version() -> str:
    found = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", (SOURCES / "pom.xml").read_text())
    return found.group(1) if found else "unknown"


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "safetynet", "neo4j-launcher")


def build_dir() -> Path:
    return cache_dir() / version()


def is_built() -> bool:
    return (build_dir() / "classes").is_dir() and (build_dir() / "lib").is_dir()


def _tool(name: str) -> str:
    home = os.environ.get("JAVA_HOME") if name == "java" else None
    found = str(Path(home, "bin", name)) if home and Path(home, "bin", name).is_file() else shutil.which(name)
    if not found:
        raise LauncherUnavailable(f"`{name}` was not found: the embedded Neo4j needs Java {JAVA_RELEASE}+ and Maven "
                                  f"({INSTALL}, or set JAVA_HOME)")
    return found


@lru_cache
def java() -> str:
    """The `java` to run (JAVA_HOME's, else the PATH's), checked to be release 17 or later."""
    path = _tool("java")
    try:
        reply = subprocess.run([path, "-version"], capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LauncherUnavailable(f"cannot run {path} -version: {exc}") from exc
    found = re.search(r'version "(?:1\.)?(\d+)', reply)  # "17.0.15", or "1.8.0_412" for Java 8
    release = int(found.group(1)) if found else 0
    if release < JAVA_RELEASE:
        raise LauncherUnavailable(f"{path} is Java {release or '(unknown)'}; the embedded Neo4j needs Java "
                                  f"{JAVA_RELEASE} or later ({INSTALL}, or set JAVA_HOME)")
    return path


def ensure_built() -> Path:
    """The launcher's build folder, built now with Maven if it is missing (about a minute the first time,
    most of it downloading Neo4j's jars into ~/.m2). Two processes never build at once. Raises
    LauncherUnavailable, saying what to install, if Java 17+ (or, to build, Maven or a JDK) is missing."""
    java()
    if is_built():
        return build_dir()
    cache_dir().mkdir(mode=0o700, parents=True, exist_ok=True)
    with local_server.locked(cache_dir(), "build.lock"):
        if not is_built():
            _build(build_dir())
    return build_dir()


def _build(target: Path) -> None:
    jdk = Path(java()).resolve().parents[1]  # Maven's own errors on an old Java or a JRE say less
    if not (jdk / "bin" / "javac").is_file():
        raise LauncherUnavailable(f"{jdk} is a Java runtime without a compiler (javac): building the Neo4j launcher "
                                  f"needs a JDK ({INSTALL}, or set JAVA_HOME to a JDK)")
    mvn = _tool("mvn")
    log.warning("building the Neo4j launcher with Maven (first use, ~1 min)…")
    work = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=target.parent))
    try:
        shutil.copy2(SOURCES / "pom.xml", work / "pom.xml")
        shutil.copytree(SOURCES / "src", work / "src")
        env = {**os.environ, "JAVA_HOME": str(jdk)}
        try:
            done = subprocess.run([mvn, "-q", "-B", "package"], cwd=work, env=env, capture_output=True, text=True,
                                  timeout=BUILD_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise LauncherUnavailable(f"`mvn package` of the Neo4j launcher failed: {exc}") from exc
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
            raise LauncherUnavailable(f"`mvn package` of the Neo4j launcher failed (exit {done.returncode}; is Maven "
                                      f"Central reachable?):\n{tail}")
        staged = work / "built"
        staged.mkdir()
        (work / "target" / "classes").rename(staged / "classes")
        (work / "target" / "lib").rename(staged / "lib")
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(target)  # a build cut short (folder there, classes or lib missing)
        staged.rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# The heap starts small and grows to `heap` only as a load's transaction needs it: a server that serves a small
# graph (a test's, the demo's) stays small however large the largest load it may take.
INITIAL_HEAP = "512m"
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def _bytes(size: str) -> int:
    """A JVM memory size (`512m`, `16g`, `1k`) in bytes."""
    return int(size[:-1]) * _UNITS[size[-1].lower()] if size[-1].isalpha() else int(size)


def command(*, heap: str, home: Path, port: int, pagecache: str, transaction_total: str,
            transaction_max: str) -> list[str]:
    """The command line that runs Neo4j with its home in `home` (build the launcher first)."""
    folder = build_dir()
    return [
        java(), f"-Xms{min(INITIAL_HEAP, heap, key=_bytes)}", f"-Xmx{heap}", *JVM_OPTIONS,
        "-cp", f"{folder / 'classes'}{os.pathsep}{folder / 'lib' / '*'}", MAIN_CLASS,
        "--home", str(home), "--port", str(port), "--pagecache", pagecache,
        "--transaction-total", transaction_total, "--transaction-max", transaction_max,
    ]
