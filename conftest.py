"""Lo que comparten los tests: el plugin de los capítulos, la marca ``book`` y los fixtures.

Capas (``pytest`` corre todas; ``-m book`` o ``-m "not book"`` eligen):

- ``tests/unit``: el paquete ``pidl``;
- ``tests/tools``: las herramientas (``tools/``), las extensiones (``_ext/``) y las reglas
  del libro (``pidl_book``), con libros y capítulos diminutos;
- ``tests/book``: el libro construido (navegador, JupyterLab, PDF) y el flujo de
  publicación;
- ``chapters/``: cada capítulo ejecutado con nbval (``tests/nbval_md.py``).

Un test marcado ``book`` necesita el libro construido (``_build``, o ``PIDL_BUILD_DIR``):
sin él se salta, salvo con ``PIDL_REQUIRE_BUILD=1`` (``.ci/run``, después de construir),
que lo hace fallar. Lo que además necesite (Chromium, MathJax, pdftotext) lo pide con
``tests.book.browser.require_or_skip``, con la misma regla.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.tiny import write_chapter

# El plugin que ejecuta los capítulos MyST con nbval, y pytester (tests/tools/test_harness.py).
pytest_plugins = ["tests.nbval_md", "pytester"]

ROOT = Path(__file__).resolve().parent
BUILD = Path(os.environ.get("PIDL_BUILD_DIR", ROOT / "_build"))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("book") is not None:
        from tests.book.browser import require_or_skip

        index = BUILD / "html" / "index.html"
        require_or_skip(index.is_file(),
                        f"no hay libro construido en {BUILD} (ejecute `jupyter-book build .`)")


@pytest.fixture
def tiny_chapter(tmp_path):
    """Fábrica de capítulos mínimos: ``tiny_chapter(body, "chapters/99-prueba.md")``.

    Una ruta relativa se toma dentro de ``tmp_path``; devuelve la ruta escrita.
    """

    def make(body: str, path: str | Path = "chapters/99-prueba.md") -> Path:
        return write_chapter(tmp_path / path, body)

    return make
