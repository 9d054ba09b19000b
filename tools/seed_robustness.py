"""¿Los resultados del libro se sostienen con otras semillas? (no es parte de la CI: es lento).

Vuelve a ejecutar cada capítulo con ``PIDL_SEED_OFFSET=k`` (``seed_everything(s)``
usa entonces la semilla ``s + k``; ver :func:`pidl.device.seed_everything`) y
anota qué aserciones ocultas (celdas ``remove-cell`` con ``assert``) fallan con
qué desplazamiento. Imprime una tabla capítulo × desplazamiento y, debajo, cada
fallo con la línea que falló.

    python tools/seed_robustness.py                         # todos, desplazamientos 1 2 3 4
    python tools/seed_robustness.py 02-mlp --offsets 1 2 3 4 5 6 --jobs 2

Una aserción que falla con una semilla honesta se arregla en el método o en el
margen (nunca eligiendo la semilla). Sale con código 1 si algo falla.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from time_chapters import chapters, run_all, thread_env  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="capítulos (ruta o nombre, p. ej. 02-mlp); por defecto todos")
    parser.add_argument("--offsets", type=int, nargs="+", default=[1, 2, 3, 4],
                        help="valores de PIDL_SEED_OFFSET (0 es el libro)")
    parser.add_argument("--jobs", type=int, default=2, help="ejecuciones a la vez")
    parser.add_argument("--threads", type=int, default=1, help="hilos de BLAS/OpenMP por núcleo (0: los de la máquina)")
    parser.add_argument("--timeout", type=int, default=1200, help="segundos como máximo por celda")
    args = parser.parse_args(argv)
    if any(k < 0 for k in args.offsets):
        parser.error("los desplazamientos deben ser enteros no negativos")
    paths = chapters(args.chapters)
    base_env = thread_env(args.threads)
    jobs = [(p, {**base_env, "PIDL_SEED_OFFSET": str(k)}, args.timeout)
            for p in paths for k in args.offsets]
    print(f"{len(paths)} capítulos × desplazamientos {args.offsets} · {args.jobs} a la vez · "
          f"{os.cpu_count()} CPU", flush=True)
    results = {}
    for (path, env, _), run in run_all(jobs, args.jobs):
        offset = int(env["PIDL_SEED_OFFSET"])
        results[path.stem, offset] = run
        state = "ok" if not run.errors else "; ".join(e.short() for e in run.errors)
        print(f"  {path.stem} +{offset}: {state} ({run.seconds:.0f} s)", file=sys.stderr, flush=True)

    print()
    print("| capítulo | " + " | ".join(f"+{k}" for k in args.offsets) + " |")
    print("|---|" + "---|" * len(args.offsets))
    details = []
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
        print(f"| {path.stem} | " + " | ".join(row) + " |")
    if details:
        print("\nFallos:")
        print("\n".join(details))
    else:
        print("\nTodas las aserciones ocultas se cumplen con todos los desplazamientos.")
    return 1 if details else 0


if __name__ == "__main__":
    raise SystemExit(main())
