"""Pruebas de _ext/parallel_execution.py y de ``tools/time_chapters.py --build`` en un libro mínimo.

Un libro de tres cuadernos diminutos (unos segundos cada construcción): los que
faltan en la caché se ejecutan de a dos antes de la lectura, con un hilo de BLAS,
y MyST-NB los toma de la caché sin volver a ejecutarlos; una celda que falla
detiene la construcción diciendo qué capítulo y qué celda; ``PIDL_BUILD_JOBS=1``
deja la ejecución a MyST-NB.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import ROOT
from tests.tiny import write_chapter

CHAPTER = """\
# Capítulo {name}

```{{code-cell}} ipython3
import os
print("{name}", os.environ.get("OMP_NUM_THREADS"))
```
"""
CONFIG = """title: prueba
execute:
  execute_notebooks: cache
  timeout: 60
  allow_errors: false
sphinx:
  local_extensions:
    parallel_execution: _ext
  config:
    nb_execution_raise_on_error: true
"""


def make_book(root: Path, names=("a", "b", "c")) -> Path:
    (root / "_ext").mkdir(parents=True)
    shutil.copy(ROOT / "_ext" / "parallel_execution.py", root / "_ext")
    (root / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n" + "".join(f"- file: {n}\n" for n in names),
        encoding="utf-8")
    (root / "index.md").write_text("# Inicio\n", encoding="utf-8")
    for name in names:
        write_chapter(root / f"{name}.md", CHAPTER.format(name=name))
    return root


def build(root: Path, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "PIDL_BUILD_JOBS"}
    environ.update(env)
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run([str(jupyter_book), "build", "-W", "-n", str(root)], env=environ,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_book(tmp_path_factory.mktemp("libro"))
    return root, build(root)


def test_missing_chapters_run_in_parallel_and_myst_nb_reads_the_cache(built):
    root, result = built
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "ejecutando 3 capítulos, 2 a la vez" in log
    for name in "abc":
        assert f"parallel_execution: {name} en" in log
        assert f"{name}.md: Using cached notebook" in log  # MyST-NB no ejecutó nada
    assert "Executing notebook" not in log
    # El núcleo tuvo un hilo de BLAS, y la página muestra la salida de esa ejecución.
    assert "a 1" in (root / "_build" / "html" / "a.html").read_text(encoding="utf-8")


def test_cache_records_wall_cpu_and_cells(built):
    root, result = built
    from jupyter_cache import get_cache

    records = get_cache(str(root / "_build" / ".jupyter_cache")).list_cache_records()
    assert len(records) == 3
    for record in records:
        assert record.data["execution_seconds"] > 0
        assert 0 < record.data["cpu_seconds"] < 60
        [[index, seconds, line]] = record.data["cell_seconds"]
        assert index == 1 and seconds >= 0 and line == "import os"


def test_second_build_executes_nothing(built):
    root, _ = built
    result = build(root)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "parallel_execution: ejecutando" not in log and "Executing notebook" not in log


def test_a_failing_cell_stops_the_build_with_its_chapter(tmp_path):
    root = make_book(tmp_path / "libro")
    source = root / "b.md"
    source.write_text(source.read_text(encoding="utf-8").replace("import os", "1 / 0"),
                      encoding="utf-8")
    result = build(root)
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "falló la ejecución de b (b.md)" in log, log[-3000:]
    assert "ZeroDivisionError" in log and "1 / 0" in log


def test_one_job_leaves_execution_to_myst_nb(tmp_path):
    root = make_book(tmp_path / "libro", names=("a", "b"))
    result = build(root, PIDL_BUILD_JOBS="1")
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "parallel_execution" not in log
    assert log.count("Executed notebook") == 2  # MyST-NB, de a uno


def test_build_times_table_in_a5(tmp_path):
    """La directiva de A5 muestra la medición guardada: por capítulo y la construcción."""
    root = tmp_path / "libro"
    make_book(root, names=())
    (root / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    (root / "tools").mkdir()
    (root / "tools" / "build_times.json").write_text(
        '{"measured": "2026-12-05 16:00 UTC", "command": "jupyter-book build .", "clean": true,'
        ' "cpus": 2, "load_average_before": [0.5, 0.4, 0.3],'
        ' "build": {"wall": 400.0, "cpu": 700.0, "exit_code": 0},'
        ' "chapters": {"06-cnn": {"wall": 41.0, "cpu": 39.5, "top_cells": [[3, 12.5, "fit("]]}}}',
        encoding="utf-8")
    (root / "index.md").write_text("# Inicio\n\n```{tiempos-construccion}\n```\n", encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    html = (root / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    for text in ("06-cnn", "41.0", "39.5", "12.5", "400.0", "700.0", "2026-12-05 16:00 UTC",
                 "desde cero"):
        assert text in html, text
