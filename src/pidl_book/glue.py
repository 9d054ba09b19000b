"""Los valores de ``glue`` de un capítulo ejecutado, y cómo los escribe el texto del libro.

MyST-NB guarda lo que un capítulo pega con ``glue`` junto al notebook ejecutado
(:func:`pidl_book.executed_glue`, o en las salidas de :func:`pidl_book.executed_notebook`).
Lo leen la exportación a Colab, el botón de descarga de la construcción
(``_ext/colab_links.py``) y los tests de la edición en PDF.
"""

from __future__ import annotations

import json
from pathlib import Path

from pidl_book import executed_glue, executed_notebook, sci_notation


class GlueError(RuntimeError):
    """Un valor de ``glue`` que no se puede escribir como texto."""


def glue_from_outputs(notebook) -> dict[str, dict]:
    """Valores pegados con ``glue`` en las salidas de un notebook ejecutado."""
    values = {}
    for output in (o for cell in notebook.cells for o in cell.get("outputs", [])):
        if record := output.get("metadata", {}).get("scrapbook"):
            prefix = record.get("mime_prefix", "")
            values[record["name"]] = {k.removeprefix(prefix): v
                                      for k, v in output.get("data", {}).items()}
    return values


def glue_from_build(stem: str, build_dir: str | Path) -> dict[str, dict] | None:
    """Valores de ``glue`` de la última construcción del libro, o ``None`` si no está."""
    import nbformat

    glue, notebook = executed_glue(build_dir, stem), executed_notebook(build_dir, stem)
    if glue.exists():
        data = json.loads(glue.read_text(encoding="utf-8"))
        return {key: output.get("data", {}) for key, output in data.items()}
    return glue_from_outputs(nbformat.read(notebook, as_version=4)) if notebook.exists() else None


def glue_image(data: dict, key: str) -> str:
    """Una figura pegada con ``glue``, incrustada como ``<img>`` (Colab no lee adjuntos)."""
    png = "".join(data["image/png"].split())
    return f'<img src="data:image/png;base64,{png}" alt="{key}">'


def format_glue(data: dict, fmt: str, key: str) -> str:
    """Un valor como lo escribe MyST-NB (``{glue:text}`clave:formato```); ``:.1E`` → 1.0 × 10⁻³."""
    from myst_nb.core.variables import format_plain_text

    if "text/plain" not in data:
        if "image/png" in data:
            return glue_image(data, key)
        raise GlueError(f"glue {key!r}: no tiene representación text/plain")
    text = format_plain_text(data["text/plain"], fmt)
    return sci_notation.typeset(text) if fmt.endswith("E") else text
