"""Lo que comparten los tests: el plugin de los capítulos, la marca ``book`` y los fixtures.

Capas (``pytest`` corre todas; ``-m book`` o ``-m "not book"`` eligen):

- ``tests/unit``: el paquete ``pidl``;
- ``tests/tools``: las herramientas (``tools/``), las extensiones (``_ext/``), las reglas
  del libro (``pidl_book``) y el flujo de publicación, con libros y capítulos diminutos
  (también en un navegador: la tarea calificada en JupyterLab);
- ``tests/book``: el libro construido (navegador, JupyterLab, PDF, HTML, los notebooks de
  Colab que exportó la construcción); todo lleva la marca ``book``, y solo esos tests;
- ``tests/browser.py``, ``tests/lab.py``, ``tests/tiny.py``, ``tests/exported.py``:
  ayudantes de las dos capas (Chromium sin red, JupyterLab aislado, capítulos mínimos,
  el Markdown de un cuaderno exportado);
- ``chapters/``: cada capítulo ejecutado con nbval (``tests/nbval_md.py``).

Un test marcado ``book`` necesita el libro construido (``pidl_book.build_dir()``:
``_build``, o ``PIDL_BUILD_DIR``): sin él se salta, salvo con ``PIDL_REQUIRE_BUILD=1``
(``.ci/run``, después de construir), que lo hace fallar. Lo que además necesite lo pide
con un fixture de aquí (``chromium``, ``mathjax``, ``axe_js``) o con :func:`tests.require_or_skip`,
con la misma regla.

Fixtures: ``book`` (el libro leído por ``pidl_book.book.load_book``, uno por sesión),
``chromium``, ``mathjax`` y ``axe_js`` (el navegador del sistema y las copias locales de
MathJax y axe-core),
``tiny_chapter`` (capítulos mínimos) y ``colab_markdown`` (el Markdown del cuaderno de
Colab de un capítulo mínimo).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import pidl_book
from tests import ROOT, require_or_skip
from tests.tiny import write_chapter

# El plugin que ejecuta los capítulos MyST con nbval, y pytester (tests/tools/test_harness.py).
pytest_plugins = ["tests.nbval_md", "pytester"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("book") is not None:
        build = pidl_book.build_dir()
        index = build / pidl_book.HTML_DIR / "index.html"
        require_or_skip(index.is_file(),
                        f"no hay libro construido en {build} (ejecute `jupyter-book build .`)")


@pytest.fixture(scope="session")
def book():
    """El libro (repositorio, bibliografía, títulos y etiquetas de los capítulos), leído una vez."""
    from pidl_book.book import load_book

    return load_book(ROOT)


def _local(finder: str, missing: str):
    """Lo que encuentra ``tests.browser.<finder>()``; si no está, el test se salta (o
    falla) diciendo cómo conseguirlo."""
    from tests import browser

    found = getattr(browser, finder)()
    require_or_skip(found is not None, missing)
    return found


@pytest.fixture(scope="session")
def chromium() -> str:
    """La ruta del Chromium del sistema."""
    return _local("find_chromium", "no se encontró Chromium (instale el paquete `chromium` "
                  "de Debian o indique su ruta en PIDL_CHROMIUM)")


@pytest.fixture(scope="session")
def mathjax() -> Path:
    """La carpeta ``es5`` de la copia local de MathJax 3."""
    return _local("find_mathjax", "no hay copia local de MathJax (ejecute `npm ci --prefix "
                  ".ci` o indique la carpeta es5 en PIDL_MATHJAX_DIR)")


@pytest.fixture(scope="session")
def axe_js() -> Path:
    """``axe.min.js`` de la copia local de axe-core."""
    return _local("find_axe", "no hay copia local de axe-core (ejecute `npm ci --prefix "
                  ".ci` o indique el archivo axe.min.js en PIDL_AXE_JS)")


@pytest.fixture
def colab_markdown(book, tmp_path):
    """``colab_markdown(md, glue, **kw)``: el Markdown del cuaderno de Colab de un capítulo
    mínimo con el texto ``md`` (``glue``: los valores de glue que usa)."""
    from pidl_book import colab
    from tests.exported import markdown_of

    def convert(md: str, glue: dict | None = None, **kw) -> str:
        path = write_chapter(tmp_path / "99-prueba.md", md)
        return markdown_of(colab.convert_notebook(path, book, glue or {}, **kw))

    return convert


@pytest.fixture
def tiny_chapter(tmp_path):
    """Fábrica de capítulos mínimos: ``tiny_chapter(body, "chapters/99-prueba.md")``.

    Una ruta relativa se toma dentro de ``tmp_path``; devuelve la ruta escrita.
    """

    def make(body: str, path: str | Path = "chapters/99-prueba.md") -> Path:
        return write_chapter(tmp_path / path, body)

    return make
