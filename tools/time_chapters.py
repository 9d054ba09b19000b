"""Tabla de tiempos de ejecución de los capítulos (un banco de pruebas, no un test).

Ejecuta cada capítulo de arriba abajo en un núcleo nuevo (como ``jupyter-book
build``), las veces que se pida, e imprime por capítulo la mediana de segundos de
reloj, el tiempo de CPU del núcleo y el presupuesto (BOOK_DESIGN.md §7: 120 s por
capítulo, 240 s el de Burgers), marcando los que se pasan; al final, el total.

    python tools/time_chapters.py                      # todos, una vez, 1 hilo
    python tools/time_chapters.py --repeat 3 chapters/02-mlp.md
    python tools/time_chapters.py --threads 0          # los hilos por defecto de la máquina

Con ``--jobs 2`` ejecuta dos capítulos a la vez (más rápido, tiempos menos
limpios); ``--top 5`` agrega las 5 celdas más lentas de cada capítulo. Sale con
código 1 si algún capítulo falla; pasarse del presupuesto se marca pero no es un
error.

Con ``--build`` mide la construcción del libro en lugar de cada capítulo suelto:
corre ``jupyter-book build -W -n --keep-going .`` (desde cero con ``--clean``,
que borra ``_build``) e informa su tiempo de reloj y de CPU (la construcción y
todos sus procesos: núcleos de los capítulos incluidos) y, por capítulo, el reloj,
la CPU y las celdas más lentas de la ejecución que guardó en la caché
(``_ext/parallel_execution.py``). ``--json tools/build_times.json`` lo guarda: es
la tabla de la construcción completa del apéndice A5.

    python tools/time_chapters.py --build --clean --json tools/build_times.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pidl_book import BUILD_DIR, book_chapters, find_chapters, is_check_cell
from pidl_book.execution import cell_seconds
from pidl_book.glue import glue_from_outputs

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUDGET = 120.0
BUDGETS = {"12-pinns-burgers": 240.0}  # segundos en una CPU de 2 núcleos (BOOK_DESIGN.md §7)
_CPU_MARK = "__pidl_cpu_seconds__"
_CPU_CELL = f"""\
try:
    import resource as _r
    _u = _r.getrusage(_r.RUSAGE_SELF)
    print("{_CPU_MARK}", _u.ru_utime + _u.ru_stime)
except ImportError:  # Windows
    pass
"""
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class CellError:
    """Una celda que terminó con una excepción."""

    index: int          # posición de la celda en el cuaderno (desde 0, contando las de texto)
    hidden_assert: bool  # una comprobación oculta (``pidl_book.is_check_cell``): una aserción del capítulo
    ename: str
    evalue: str
    line: str           # la línea donde falló, según el traceback

    def short(self) -> str:
        kind = "aserción" if self.hidden_assert else "celda"
        what = self.line or self.ename
        value = f" → {self.ename}: {self.evalue[:160]}" if self.evalue else ""
        return f"{kind} {self.index}: {what[:110]}{value}"


@dataclass
class Run:
    chapter: str
    seconds: float
    cpu_seconds: float | None
    errors: list[CellError] = field(default_factory=list)
    glued: dict[str, str] = field(default_factory=dict)  # nombre de glue → su texto (text/plain)
    cells: list[list] = field(default_factory=list)  # [[índice, segundos, primera línea]]


def chapters(selection: list[str] | None = None) -> list[Path]:
    """Los capítulos del libro (``pidl_book.is_chapter``), o los elegidos por ruta o nombre."""
    if selection:
        try:
            return find_chapters(selection, ROOT)
        except FileNotFoundError as error:
            raise SystemExit(str(error)) from None
    return book_chapters(ROOT)


def _failing_line(traceback: list[str]) -> str:
    """La última línea marcada con la flecha de IPython (``---->``) en el traceback."""
    line = ""
    for chunk in traceback:
        for text in _ANSI.sub("", chunk).splitlines():
            match = re.match(r"\s*-+>\s*\d+\s+(.*)", text)
            if match:
                line = match.group(1).strip()
    return line


def execute_chapter(path: Path, env: dict[str, str] | None = None,
                    timeout: int = 1200) -> Run:
    """Ejecuta ``path`` en un núcleo nuevo sin detenerse en los errores y devuelve lo ocurrido.

    ``env`` se suma al entorno del núcleo (p. ej. ``{"PIDL_SEED_OFFSET": "1"}``).
    """
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    notebook = jupytext.read(path)
    notebook.cells.append(nbformat.v4.new_code_cell(_CPU_CELL))
    client = NotebookClient(
        notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute(env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    cpu, errors, glued = None, [], {}
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(CellError(index, is_check_cell(cell), output.get("ename", ""),
                                        output.get("evalue", ""),
                                        _failing_line(output.get("traceback", []))))
            elif output.get("output_type") == "stream" and _CPU_MARK in output.get("text", ""):
                cpu = float(output["text"].split(_CPU_MARK)[1].split()[0])
    for name, data in glue_from_outputs(notebook).items():
        if "text/plain" in data:
            text = data["text/plain"]
            glued[name] = text if isinstance(text, str) else "".join(text)
    return Run(path.stem, seconds, cpu, errors, glued, cell_seconds(notebook))


def top_cells(cells: list[list], n: int) -> str:
    """Las ``n`` celdas más lentas: «celda 12 (31.0 s) fit(model, …)»."""
    slowest = sorted(cells, key=lambda c: -c[1])[:n]
    return "; ".join(f"celda {i} ({s:.1f} s) {line[:50]}" for i, s, line in slowest)


def thread_env(threads: int) -> dict[str, str]:
    """Variables de hilos de BLAS/OpenMP para el núcleo (``0``: no tocar las de la máquina)."""
    if threads <= 0:
        return {}
    return {name: str(threads) for name in
            ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}


def _job(args):
    path, env, timeout = args
    return execute_chapter(path, env, timeout)


def run_all(jobs_args: list[tuple], n_jobs: int):
    """Ejecuta ``[(path, env, timeout), ...]`` con ``n_jobs`` procesos, en orden de llegada."""
    if n_jobs <= 1:
        for args in jobs_args:
            yield args, _job(args)
        return
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        futures = [(args, pool.submit(_job, args)) for args in jobs_args]
        for args, future in futures:
            yield args, future.result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="capítulos (ruta o nombre, p. ej. 02-mlp); por defecto todos")
    parser.add_argument("--repeat", type=int, default=1, help="ejecuciones por capítulo (se informa la mediana)")
    parser.add_argument("--threads", type=int, default=1,
                        help="hilos de BLAS/OpenMP del núcleo (1, como el presupuesto y la CI; 0: los de la máquina)")
    parser.add_argument("--jobs", type=int, default=1, help="capítulos a la vez (1 da tiempos más limpios)")
    parser.add_argument("--timeout", type=int, default=1200, help="segundos como máximo por celda")
    parser.add_argument("--top", type=int, default=0, help="mostrar las N celdas más lentas de cada capítulo")
    parser.add_argument("--build", action="store_true",
                        help="medir `jupyter-book build -W -n --keep-going .` (reloj y CPU, total y por capítulo)")
    parser.add_argument("--clean", action="store_true", help="con --build: borrar _build antes (todo se ejecuta)")
    parser.add_argument("--json", type=Path, help="con --build: guardar la medición en este archivo JSON")
    args = parser.parse_args(argv)
    if args.build:
        return measure_build(args.clean, args.json, args.top or 5)
    if args.repeat < 1:
        parser.error("--repeat debe ser al menos 1")
    paths = chapters(args.chapters)
    env = thread_env(args.threads)
    threads = args.threads if args.threads > 0 else "por defecto"
    print(f"{len(paths)} capítulos × {args.repeat} · hilos: {threads} · {args.jobs} a la vez · "
          f"{os.cpu_count()} CPU", flush=True)
    runs: dict[str, list[Run]] = {p.stem: [] for p in paths}
    jobs = [(p, env, args.timeout) for _ in range(args.repeat) for p in paths]
    for (path, _, _), run in run_all(jobs, args.jobs):
        runs[path.stem].append(run)
        state = "ok" if not run.errors else f"{len(run.errors)} celdas con error"
        print(f"  {path.stem}: {run.seconds:.1f} s ({state})", file=sys.stderr, flush=True)

    print()
    print("| capítulo | mediana (s) | mín–máx (s) | CPU (s) | presupuesto (s) | |")
    print("|---|---:|---:|---:|---:|---|")
    total, failed = 0.0, False
    for name, chapter_runs in runs.items():
        times = [r.seconds for r in chapter_runs]
        cpus = [r.cpu_seconds for r in chapter_runs if r.cpu_seconds is not None]
        median = statistics.median(times)
        total += median
        budget = BUDGETS.get(name, DEFAULT_BUDGET)
        marks = []
        if median > budget:
            marks.append("EXCEDE")
        if any(r.errors for r in chapter_runs):
            failed = True
            marks.append("ERROR: " + "; ".join(e.short() for e in chapter_runs[0].errors[:2]))
        cpu = f"{statistics.median(cpus):.1f}" if cpus else "—"
        print(f"| {name} | {median:.1f} | {min(times):.1f}–{max(times):.1f} | {cpu} | "
              f"{budget:.0f} | {' '.join(marks)} |")
    cpu_total = sum(statistics.median([r.cpu_seconds for r in rs if r.cpu_seconds is not None] or [0])
                    for rs in runs.values())
    print(f"| **total** | **{total:.1f}** | | **{cpu_total:.1f}** | | |")
    if args.top:
        print()
        for name, chapter_runs in runs.items():
            print(f"- {name}: {top_cells(chapter_runs[0].cells, args.top)}")
    return 1 if failed else 0


def cached_runs(build_dir: Path) -> dict[str, dict]:
    """Por capítulo, la ejecución que la caché de la construcción tiene para su código actual."""
    import jupytext
    from jupyter_cache import get_cache

    cache = get_cache(str(build_dir / ".jupyter_cache"))
    found = {}
    for path in chapters():
        try:
            record = cache.match_cache_notebook(jupytext.read(path))
        except KeyError:
            continue
        data = record.data or {}
        found[path.stem] = {"wall": round(data.get("execution_seconds") or 0.0, 1),
                            "cpu": (round(data["cpu_seconds"], 1)
                                    if data.get("cpu_seconds") is not None else None),
                            "top_cells": sorted(data.get("cell_seconds", []), key=lambda c: -c[1])[:5],
                            "executed": record.created.strftime("%Y-%m-%d %H:%M UTC")}
    return found


def measure_build(clean: bool, json_path: Path | None, top: int) -> int:
    """Construye el libro midiendo reloj y CPU; imprime (y guarda) la tabla."""
    build_dir = BUILD_DIR  # donde escribe jupyter-book build .
    if clean:
        shutil.rmtree(build_dir, ignore_errors=True)
    load = os.getloadavg()
    command = ["jupyter-book", "build", "-W", "-n", "--keep-going", "."]
    env = {**os.environ, **thread_env(1)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.call(command, cwd=ROOT, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # La construcción espera a sus procesos (los que ejecutan capítulos y sus núcleos):
    # su CPU queda contada aquí.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    runs = cached_runs(build_dir)
    result = {
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(command),
        "clean": clean,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load],
        "jobs": os.environ.get("PIDL_BUILD_JOBS", "config"),
        "build": {"wall": round(wall, 1), "cpu": round(cpu, 1), "exit_code": code},
        "chapters": runs,
    }
    print(f"\nconstrucción: {wall:.1f} s de reloj, {cpu:.1f} s de CPU "
          f"({os.cpu_count()} CPU, carga antes {load[0]:.2f}; código {code})")
    print("| capítulo | reloj (s) | CPU (s) | celdas más lentas |")
    print("|---|---:|---:|---|")
    for name, run in runs.items():
        cpu_text = f"{run['cpu']:.1f}" if run["cpu"] is not None else "—"
        print(f"| {name} | {run['wall']:.1f} | {cpu_text} | {top_cells(run['top_cells'], top)} |")
    print(f"| **suma** | **{sum(r['wall'] for r in runs.values()):.1f}** | "
          f"**{sum(r['cpu'] or 0 for r in runs.values()):.1f}** | |")
    if json_path is not None:
        json_path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
