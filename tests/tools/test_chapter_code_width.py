"""Ninguna línea de código de un capítulo pasa de 88 caracteres.

El lector ve todas las celdas de código en los cuadernos de Colab que escribe
``tools/export_colab.py``, también las comprobaciones ocultas (``remove-cell``), y
STYLE.md pide líneas cortas para que nada se desplace de costado. Se cuentan
caracteres de Python (``len`` de la línea): una letra con tilde cuenta como una.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from pidl_book import book_chapters
from tests import ROOT

MAX_WIDTH = 88

CHAPTERS = book_chapters(ROOT)


def long_lines(path: Path) -> list[str]:
    """«celda N, línea M (K caracteres): …» por cada línea de código demasiado larga."""
    found = []
    notebook = jupytext.read(path)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if len(line) > MAX_WIDTH:
                found.append(f"celda {index}, línea {number} ({len(line)} caracteres): "
                             f"{line.strip()}")
    return found


def test_there_are_chapters():
    assert len(CHAPTERS) >= 13


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_code_lines_fit_in_88_characters(chapter):
    found = long_lines(chapter)
    assert not found, (f"{chapter.name}: líneas de código de más de {MAX_WIDTH} "
                       f"caracteres ({len(found)}):\n" + "\n".join(found))


def test_the_check_sees_a_long_line_in_a_hidden_cell(tiny_chapter):
    # Una celda oculta con una línea de 88 caracteres que pasa y otra de 89 que no (con
    # tildes: se cuentan caracteres, no bytes).
    fits = "x = 1  # " + "é" * (MAX_WIDTH - 9)
    long = "# " + "á" * (MAX_WIDTH - 1)
    chapter = tiny_chapter("# Prueba\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n"
                           + fits + "\n" + long + "\n```\n")
    found = long_lines(chapter)
    assert len(found) == 1 and "celda 1, línea 2 (89 caracteres)" in found[0], found
