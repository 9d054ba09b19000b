"""Lo que comparten los tests de los cuadernos exportados (``tests/tools/test_export_colab.py``,
``test_student_version.py``, ``tests/book/test_colab_build.py`` y el fixture
``colab_markdown``): valores de glue de relleno y el Markdown de un cuaderno."""

from __future__ import annotations

from pathlib import Path

from pidl_book import myst


def stub_glue(chapter: Path) -> dict:
    """Un valor de relleno para cada clave de glue que usa el texto del capítulo."""
    text = chapter.read_text(encoding="utf-8")
    keys = [body.partition(":")[0] for name, body in myst.roles(text) if name.startswith("glue")]
    keys += [d.arg for d in map(myst.directive, myst.tokens(text))
             if d and d.name.startswith("glue")]
    return {key: {"text/plain": "1"} for key in keys}


def markdown_of(notebook) -> str:
    """Las celdas de texto del cuaderno, unidas por una línea en blanco."""
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
