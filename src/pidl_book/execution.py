"""Lo que la ejecución de un capítulo deja en su notebook: los segundos de cada celda.

Lo usan ``_ext/parallel_execution.py`` (la caché de la construcción) y
``tools/time_chapters.py`` (la tabla de tiempos).
"""

from __future__ import annotations

from datetime import datetime


def cell_seconds(notebook) -> list[list]:
    """[[índice, segundos, primera línea]] de cada celda de código, y quita las marcas de tiempo.

    nbclient anota en cada celda cuándo empezó y terminó (``record_timing``); se
    quitan para que la celda guardada tenga los mismos metadatos que la fuente
    (el hash de la caché los incluye).
    """
    cells = []
    for index, cell in enumerate(notebook.cells):
        stamps = cell.get("metadata", {}).pop("execution", None)
        if cell.cell_type != "code" or not stamps:
            continue
        try:
            seconds = (datetime.fromisoformat(stamps["shell.execute_reply"].rstrip("Z"))
                       - datetime.fromisoformat(stamps["iopub.execute_input"].rstrip("Z")))
        except (KeyError, ValueError):
            continue
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        cells.append([index, round(seconds.total_seconds(), 2), first[:80]])
    return cells
