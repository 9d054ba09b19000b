"""¿Los resultados del libro se sostienen con otras semillas? (no es parte de la CI: es lento).

Vuelve a ejecutar cada capítulo con ``PIDL_SEED_OFFSET=k`` (todo el azar de
``pidl`` usa entonces la semilla ``s + k``: ver :func:`pidl.device.offset_seed`)
y anota:

- qué aserciones ocultas (celdas ``remove-cell`` con ``assert``) fallan con qué
  desplazamiento;
- si el desplazamiento llegó a los resultados: se guarda cada valor pegado con
  ``glue`` y un capítulo **falla** si ninguno de ellos cambia entre
  desplazamientos (entonces las «otras semillas» fueron las mismas). No cuentan
  como prueba los tiempos (nombres con las palabras ``seconds``, ``time``,
  ``cpu``, ``ms``, ``speedup``...: cambian aunque la semilla no llegue), ni los
  nombres que faltan en alguna corrida; tampoco los enteros que no se mueven
  (valores de configuración). La columna «la semilla llega a» dice cuántos
  valores cambiaron: un valor calculado a partir de un tiempo (por ejemplo,
  pasos que caben en tantos segundos) también cambia, así que conviene mirar
  que sean varios.
- la lista de los valores reales pegados que no se movieron con ningún
  desplazamiento, para ver qué sigue fijo (puede ser legítimo: una solución
  exacta, un conteo de parámetros).

Imprime una tabla capítulo × desplazamiento y debajo los fallos y los valores
fijos.

    python tools/seed_robustness.py                         # todos, desplazamientos 1 2 3 4
    python tools/seed_robustness.py 02-mlp --offsets 1 2 3 4 5 6 --jobs 2
    python tools/seed_robustness.py --offsets 1 2 3 4 5 6 7 8 --json semillas.json

Una aserción que falla con una semilla honesta se arregla en el método o en el
enunciado (nunca eligiendo la semilla ni aflojando el umbral hasta que pase).
Sale con código 1 si algo falla.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from time_chapters import Run, chapters, run_all, thread_env

# Valores pegados que dependen del reloj, no de la semilla.
TIMING = re.compile(
    r"(^|_)(seconds?|time|tiempo|cpu|ms|speedup)(_|$)|cost_ratio|cost_growth|same_time", re.I
)


def _number(text: str) -> float | None:
    try:
        return float(text.strip().strip("'\""))
    except ValueError:
        return None


def seed_reach(runs: dict[int, Run]) -> tuple[list[str], list[str]]:
    """(valores que cambian entre desplazamientos, valores reales que nunca cambian).

    Se excluyen los tiempos (:data:`TIMING`); de los que nunca cambian se
    listan solo los no enteros.
    """
    # Solo los nombres presentes en todas las corridas: si una se cortó antes, lo que no
    # llegó a pegar no cuenta como «cambió».
    names = sorted(set.intersection(*(set(run.glued) for run in runs.values())))
    moved, pinned = [], []
    for name in names:
        if TIMING.search(name):
            continue
        values = {run.glued.get(name) for run in runs.values()}
        if len(values) > 1:
            moved.append(name)
            continue
        number = _number(next(iter(values)) or "")
        if number is not None and not float(number).is_integer():
            pinned.append(name)
    return moved, pinned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="capítulos (ruta o nombre, p. ej. 02-mlp); por defecto todos")
    parser.add_argument("--offsets", type=int, nargs="+", default=[1, 2, 3, 4],
                        help="valores de PIDL_SEED_OFFSET (0 es el libro)")
    parser.add_argument("--jobs", type=int, default=2, help="ejecuciones a la vez")
    parser.add_argument("--threads", type=int, default=1, help="hilos de BLAS/OpenMP por núcleo (0: los de la máquina)")
    parser.add_argument("--timeout", type=int, default=1200, help="segundos como máximo por celda")
    parser.add_argument("--json", type=Path, help="guarda aquí los valores pegados y los fallos de cada ejecución")
    args = parser.parse_args(argv)
    if any(k < 0 for k in args.offsets):
        parser.error("los desplazamientos deben ser enteros no negativos")
    if len(set(args.offsets)) < 2:
        parser.error("hacen falta al menos dos desplazamientos distintos para ver si la semilla se mueve")
    paths = chapters(args.chapters)
    base_env = thread_env(args.threads)
    jobs = [(p, {**base_env, "PIDL_SEED_OFFSET": str(k)}, args.timeout)
            for p in paths for k in args.offsets]
    print(f"{len(paths)} capítulos × desplazamientos {args.offsets} · {args.jobs} a la vez · "
          f"{os.cpu_count()} CPU", flush=True)
    results: dict[tuple[str, int], Run] = {}
    for (path, env, _), run in run_all(jobs, args.jobs):
        offset = int(env["PIDL_SEED_OFFSET"])
        results[path.stem, offset] = run
        state = "ok" if not run.errors else "; ".join(e.short() for e in run.errors)
        print(f"  {path.stem} +{offset}: {state} ({run.seconds:.0f} s)", file=sys.stderr, flush=True)

    print()
    print("| capítulo | " + " | ".join(f"+{k}" for k in args.offsets) + " | la semilla llega a |")
    print("|---|" + "---|" * len(args.offsets) + "---|")
    details, pinned_report = [], []
    for path in paths:
        row = []
        for k in args.offsets:
            run = results[path.stem, k]
            asserts = [e for e in run.errors if e.hidden_assert]
            others = [e for e in run.errors if not e.hidden_assert]
            if not run.errors:
                row.append("ok")
            else:
                parts = []
                if asserts:
                    parts.append(f"✗ {len(asserts)} aserción" + ("es" if len(asserts) > 1 else ""))
                if others:
                    parts.append(f"✗ {len(others)} celda" + ("s" if len(others) > 1 else "")
                                 + " con error")
                row.append(", ".join(parts))
                details += [f"- {path.stem} +{k}: {e.short()}" for e in run.errors]
        moved, pinned = seed_reach({k: results[path.stem, k] for k in args.offsets})
        total = len(set().union(*(results[path.stem, k].glued for k in args.offsets)))
        if moved:
            reach = f"{len(moved)} de {total} valores"
        else:
            reach = f"✗ ninguno de {total} valores"
            details.append(f"- {path.stem}: ningún valor pegado cambia entre desplazamientos "
                           "(la semilla no llega a los resultados)")
        if pinned:
            pinned_report.append(f"- {path.stem}: " + ", ".join(pinned))
        print(f"| {path.stem} | " + " | ".join(row) + f" | {reach} |")
    if details:
        print("\nFallos:")
        print("\n".join(details))
    else:
        print("\nTodas las aserciones ocultas se cumplen con todos los desplazamientos "
              "y la semilla llega a cada capítulo.")
    if pinned_report:
        print("\nValores reales pegados que no cambian con ningún desplazamiento:")
        print("\n".join(pinned_report))
    if args.json:
        args.json.write_text(json.dumps(
            {f"{stem} +{k}": {"seconds": run.seconds, "glued": run.glued,
                              "errors": [e.short() for e in run.errors]}
             for (stem, k), run in results.items()}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if details else 0


if __name__ == "__main__":
    raise SystemExit(main())
