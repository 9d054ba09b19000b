"""Ejecuta los capítulos que faltan en la caché varios a la vez, antes de que MyST-NB los lea.

Con ``execute_notebooks: cache``, MyST-NB ejecuta cada capítulo que no está en
``_build/.jupyter_cache`` mientras lo lee, de uno en uno. Esta extensión se engancha
justo antes de la lectura (``env-before-read-docs``): lee cada capítulo que
Sphinx va a leer con el mismo lector que MyST-NB, busca su entrada en la caché
(el mismo hash: código y metadatos de las celdas) y ejecuta los que faltan en
``jobs`` procesos, un hilo de BLAS cada uno, con el mismo ejecutor que MyST-NB
(``single_nb_execution`` de jupyter-cache: mismo núcleo, mismo ``timeout``,
mismo ``allow_errors``, el directorio del capítulo como directorio de trabajo).
Guarda cada resultado en la caché como lo haría MyST-NB (con sus segundos de
ejecución, que muestra ``{nb-exec-table}``, y además los segundos de CPU del
núcleo y los de cada celda, que lee ``tools/time_chapters.py --build``), así
que después MyST-NB encuentra cada capítulo en la caché y no ejecuta nada.

Una celda que falla detiene la construcción con el capítulo, la celda y el
traceback, como lo haría MyST-NB con ``nb_execution_raise_on_error``.

Cuántos a la vez: ``pidl_execution_jobs`` en ``_config.yml`` (``sphinx.config``) o
la variable de entorno ``PIDL_BUILD_JOBS``; ``1`` la apaga (MyST-NB ejecuta
entonces cada capítulo como siempre).
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from pidl_book import is_chapter
from pidl_book.execution import cell_seconds

logger = logging.getLogger(__name__)
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
# Duración aproximada de cada capítulo (la última medición guardada): los más
# largos empiezan primero, para que los dos procesos terminen a la par.
HINTS = Path(__file__).resolve().parents[1] / "tools" / "execution_seconds.json"
# La medición de una construcción completa (``tools/time_chapters.py --build --json``).
BUILD_TIMES = HINTS.with_name("build_times.json")


def _execute(source: str, notebook, timeout, allow_errors):
    """En un proceso aparte: ejecuta ``notebook``; devuelve (notebook, reloj, CPU, celdas, error)."""
    from jupyter_cache.executors.utils import single_nb_execution

    try:
        import resource  # solo Unix; en Windows el CPU queda sin medir («—»)
    except ImportError:
        resource = None
    for name in THREAD_VARS:
        os.environ[name] = "1"
    before = resource.getrusage(resource.RUSAGE_CHILDREN) if resource else None
    result = single_nb_execution(notebook, cwd=str(Path(source).parent), timeout=timeout,
                                 allow_errors=allow_errors, meta_override=True,
                                 record_timing=True)
    # El núcleo es un proceso hijo que termina al final de la ejecución: su CPU
    # (usuario + sistema) queda en RUSAGE_CHILDREN de este proceso.
    cpu = None
    if resource:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cells = cell_seconds(result.nb)
    # Solo el error de la celda (su código y el traceback de IPython), sin el de nbclient.
    return result.nb, result.time, cpu, cells, str(result.err) if result.err else None


def stop(pool) -> None:
    """Cancela lo pendiente y termina los procesos en curso: el error se informa ya."""
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list((pool._processes or {}).values()):  # sin API pública para esto
        process.terminate()


def jobs(app) -> int:
    value = os.environ.get("PIDL_BUILD_JOBS") or app.config.pidl_execution_jobs
    try:
        wanted = max(1, int(value))
    except ValueError:
        raise ExtensionError(f"PIDL_BUILD_JOBS debe ser un entero, no {value!r}") from None
    if sys.platform == "win32":
        # Sin probar en Windows (otro modo de crear procesos): de uno en uno, con MyST-NB.
        return 1
    return min(wanted, os.cpu_count() or 1)  # nunca más procesos que núcleos


def missing_notebooks(app, env, docnames):
    """[(docname, ruta, notebook, read_fmt)] de los capítulos a leer que no están en la caché."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    cache = get_cache(env.mystnb_config.execution_cache_path)
    found = []
    for docname in sorted(docnames):
        path = env.doc2path(docname)
        if not is_chapter(path):  # una página de texto, no un cuaderno
            continue
        text = Path(path).read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, env.mystnb_config, text)
        if reader is None:
            continue
        notebook = reader.read(text)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            found.append((docname, str(path), notebook, reader.read_fmt))
    return cache, found


def execute_missing(app, env, docnames) -> None:
    config = env.mystnb_config
    n_jobs = jobs(app)
    if config.execution_mode != "cache" or n_jobs < 2 or not docnames:
        return
    cache, pending = missing_notebooks(app, env, docnames)
    if len(pending) < 2:
        return  # uno solo: que lo ejecute MyST-NB, como siempre
    from jupyter_cache.base import CacheBundleIn

    hints = json.loads(HINTS.read_text(encoding="utf-8")) if HINTS.is_file() else {}
    pending.sort(key=lambda item: -hints.get(Path(item[1]).stem, 60.0))
    n_jobs = min(n_jobs, len(pending))
    logger.info(f"parallel_execution: ejecutando {len(pending)} capítulos, {n_jobs} a la vez "
                f"(un hilo de BLAS cada uno)", color="darkgreen")
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_execute, path, notebook, config.execution_timeout,
                               config.execution_allow_errors): (docname, path, read_fmt)
                   for docname, path, notebook, read_fmt in pending}
        remaining = set(futures)
        while remaining:
            done, remaining = wait(remaining, return_when=FIRST_EXCEPTION, timeout=5)
            for future in done:
                docname, path, read_fmt = futures[future]
                try:
                    notebook, seconds, cpu, cells, error = future.result()
                except Exception as exc:  # el núcleo murió, sin memoria, ...
                    notebook, seconds, cpu, cells, error = None, 0.0, 0.0, [], repr(exc)
                if error is not None:
                    stop(pool)
                    raise ExtensionError(
                        f"parallel_execution: falló la ejecución de {docname} "
                        f"({Path(path).name}); la celda y el error:\n{error}")
                record = cache.add_nb_to_project(path, read_data=read_fmt)
                cache.cache_notebook_bundle(
                    CacheBundleIn(notebook, record.uri,
                                  data={"execution_seconds": seconds, "cpu_seconds": cpu,
                                        "cell_seconds": cells}),
                    check_validity=False, overwrite=True)
                logger.info(f"parallel_execution: {docname} en {seconds:.1f} s "
                            f"(CPU {'—' if cpu is None else f'{cpu:.1f}'} s), guardado en la caché")
    logger.info(f"parallel_execution: {len(pending)} capítulos en "
                f"{time.perf_counter() - start:.1f} s de reloj", color="darkgreen")


class BuildTimes(SphinxDirective):
    """``{tiempos-construccion}``: la tabla de ``tools/build_times.json`` (apéndice A5)."""

    def run(self):
        self.env.note_dependency(str(BUILD_TIMES))
        data = json.loads(BUILD_TIMES.read_text(encoding="utf-8"))
        build, chapters = data["build"], data["chapters"]
        rows = ["| Capítulo | Reloj (s) | CPU (s) | Celda más lenta (s) |", "|---|---:|---:|---:|"]
        for name, run in chapters.items():
            cpu = f"{run['cpu']:.1f}" if run.get("cpu") is not None else "—"
            slowest = f"{run['top_cells'][0][1]:.1f}" if run.get("top_cells") else "—"
            rows.append(f"| `{name}` | {run['wall']:.1f} | {cpu} | {slowest} |")
        wall = sum(r["wall"] for r in chapters.values())
        cpu = sum(r.get("cpu") or 0.0 for r in chapters.values())
        rows.append(f"| suma de los capítulos | {wall:.1f} | {cpu:.1f} | |")
        rows.append(f"| **construcción completa** | **{build['wall']:.1f}** | "
                    f"**{build['cpu']:.1f}** | |")
        load = data.get("load_average_before", [None])[0]
        clean = (", desde cero (sin `_build`: se ejecutaron todos los capítulos)"
                 if data.get("clean") else "")
        rows += ["", f"Medido el {data['measured']} con `{data['command']}`{clean}, en una "
                 f"máquina de {data['cpus']} CPU (carga media antes de empezar: {load})."]
        return self.parse_text_to_nodes("\n".join(rows))  # Markdown en una página MyST


def setup(app):
    app.add_directive("tiempos-construccion", BuildTimes)
    app.add_config_value("pidl_execution_jobs", 2, "env")
    app.connect("env-before-read-docs", execute_missing)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
