"""Plugin de pytest: ejecuta con nbval los capítulos MyST (``chapters/*.md``).

nbval solo recolecta ``.ipynb``. Este plugin lee cada capítulo con jupytext y
le entrega a nbval el notebook en memoria, así que no se genera ni se
versiona ningún ``.ipynb``. Cada celda de código es un test; una aserción
oculta que falla hace fallar su celda.

Bajo pytest-xdist (``-n 2 --dist loadfile``) cada proceso ejecuta capítulos
enteros con un solo hilo de PyTorch, para que dos núcleos no se peleen.
"""

from __future__ import annotations

import os
import types
from pathlib import Path

import jupytext
import nbval.plugin as nbval_plugin
import pytest

from pidl_book import CHAPTERS_DIR, is_chapter


class MystNotebookFile(nbval_plugin.IPyNbFile):
    """Un capítulo ``.md`` leído con jupytext y ejecutado celda a celda por nbval."""

    def collect(self):
        notebook = jupytext.read(self.path)
        # nbval llama nbformat.read(ruta); le damos el notebook ya convertido.
        original = nbval_plugin.nbformat
        nbval_plugin.nbformat = types.SimpleNamespace(read=lambda *a, **k: notebook)
        try:
            items = list(super().collect())
        finally:
            nbval_plugin.nbformat = original
        return items


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # proceso de pytest-xdist
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("MKL_NUM_THREADS", "1")


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    opt = parent.config.option
    if (opt.nbval or opt.nbval_lax) and file_path.parent.name == CHAPTERS_DIR \
            and is_chapter(file_path):
        return MystNotebookFile.from_parent(parent, path=file_path)
    return None
