"""JupyterLab en un puerto libre de ``127.0.0.1``, aislado, para los tests del cuaderno.

Lo usan ``tests/book/test_jupyterlab.py`` (un capítulo exportado) y
``tests/tools/test_jupyterlab_grader.py`` (una tarea calificada): :func:`running` arranca
el servidor, :func:`open_notebook` abre un cuaderno en Chromium y espera al núcleo y
:func:`run_cell` ejecuta una celda.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_settings(settings: Path) -> None:
    """Ajustes de usuario aislados: todas las celdas en el DOM y sin avisos de red."""
    files = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"checkForUpdates": False, "fetchNews": "false"},
    }
    for name, content in files.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content), encoding="utf-8")


@contextmanager
def running(folder: Path, home: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab sirviendo ``folder`` (configuración en ``home``); da ``(url base, token)``.

    Al salir lo apaga en orden (cierra también los núcleos) o, si no responde, lo termina.
    """
    write_settings(home / "settings")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    log_path = home / "jupyterlab.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
         f"--LabApp.user_settings_dir={home / 'settings'}",
         f"--LabApp.workspaces_dir={home / 'workspaces'}"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # CI corre como root
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail("JupyterLab terminó al arrancar:\n" + log_path.read_text()[-3000:])
            try:
                urllib.request.urlopen(f"{base}api/status?token={token}", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("JupyterLab no respondió en 120 s:\n" + log_path.read_text()[-3000:])
                time.sleep(0.5)
        yield base, token
    finally:
        try:  # apagado ordenado: cierra también los núcleos
            request = urllib.request.Request(f"{base}api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(request, timeout=10)
            server.wait(timeout=30)
        except Exception:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


def open_notebook(page, base: str, token: str, name: str, ready: str) -> None:
    """Abre el cuaderno ``name`` del servidor ``base`` en ``page`` y espera (2 min cada cosa)
    a que se vea el selector ``ready`` y a que el núcleo esté en reposo («Idle» en la barra
    de estado)."""
    page.goto(f"{base}lab/tree/{urllib.parse.quote(name)}?token={token}", wait_until="load")
    page.locator(ready).first.wait_for(timeout=120_000)
    page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=120_000)


def run_cell(page, cell, i: int, timeout_s: float = 180) -> str:
    """Ejecuta la celda ``i`` de JupyterLab con Shift+Enter, espera su número de ejecución
    y devuelve el texto del primer error que mostró ("" si no hubo ninguno)."""
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").first.click()  # selecciona la celda (modo comando)
    page.keyboard.press("Shift+Enter")
    prompt = cell.locator(".jp-InputPrompt").first
    deadline = time.monotonic() + timeout_s
    while not re.search(r"\[\d+\]", prompt.inner_text()):
        assert time.monotonic() < deadline, f"la celda de código {i} no terminó en {timeout_s:.0f} s"
        page.wait_for_timeout(250)
    errors = cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
    return errors.first.inner_text()[:1500] if errors.count() else ""
