"""Running the `safetynet` CLI in a subprocess, for end-to-end tests."""

from __future__ import annotations

import socket
import subprocess
import sys

SAFETYNET = [sys.executable, "-m", "cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*SAFETYNET, *args], env=env, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        command = " ".join(args)
        raise AssertionError(f"safetynet {command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result
