"""JupyterLab and the Voilà app as servers a browser test can open, started and stopped.

Each server is a child process on 127.0.0.1 and a free port, with its own Jupyter config,
data and runtime folders (nothing of the user's JupyterLab settings, nothing written
beside the repository's notebooks). Starting waits for the server to answer, within a
bound; a server that exits or never answers fails with the end of its log.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    log: Path


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR"):
        env[name] = str(home / name.lower())
    return env


@contextmanager
def serving(command: list[str], url: str, home: Path, probe: str) -> Iterator[Server]:
    """Run ``command`` until the block ends; ``probe`` (a URL) must answer first."""
    home.mkdir(parents=True, exist_ok=True)
    log = home / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=_environment(home),
                                start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{command[:4]} exited with {proc.returncode}:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(probe, timeout=5):
                    break
            except urllib.error.HTTPError:  # an answer, if not a page: the server is up
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command[:4]} did not answer {probe} in {START_TIMEOUT_S:.0f} s:\n"
                                       f"{_tail(log)}") from None
                time.sleep(0.5)
        yield Server(url, log)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def jupyter_lab(root: Path, home: Path) -> Iterator[Server]:
    """JupyterLab serving ``root``, with the application object exposed to the page
    (``window.jupyterapp``) so a test can run its commands as the menus do."""
    port, token = free_port(), "workbench-test"
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0",
               "--LabApp.expose_app_in_browser=True", "--allow-root"]
    base = f"http://127.0.0.1:{port}"
    return serving(command, f"{base}/lab/tree/explore.ipynb?token={token}", home, f"{base}/api/status?token={token}")


def workbench_app(home: Path, *args: str) -> Iterator[Server]:
    """``workbench app`` as the README documents it, on a free port, with no browser."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("workbench")), "app", "--no-browser", f"--port={port}", *args]
    url = f"http://127.0.0.1:{port}/"
    return serving(command, url, home, f"{url}api/kernelspecs")
