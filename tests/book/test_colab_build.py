"""La exportación a Colab con la construcción del libro (marca ``book``).

Los notebooks que exporta la construcción (``_ext/colab_links.py``) están en el sitio y
los botones de cada página los ofrecen; exportar con los valores de ``glue`` de la
construcción no deja MyST crudo; la numeración de los notebooks es la de Sphinx. Sin
construcción se saltan, salvo con ``PIDL_REQUIRE_BUILD=1``. La conversión en sí se
prueba sin construcción en ``tests/tools/test_export_colab.py``.
"""

from __future__ import annotations

import re

import nbformat
import pytest

import colab_links
import export_colab
import pidl_book
from pidl_book import book_chapters, executed_notebook, myst
from pidl_book import glue as glue_mod
from tests import ROOT, require_or_skip
from tests.exported import markdown_of

CHAPTERS = book_chapters(ROOT)
BUILD = pidl_book.build_dir()


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_export_with_the_values_of_the_book_build(chapter, tmp_path, book):
    executed = executed_notebook(BUILD, chapter.stem)
    require_or_skip(executed.exists(), f"la construcción no ejecutó el capítulo ({executed})")
    glue = glue_mod.glue_from_build(chapter.stem, BUILD)
    notebook = nbformat.read(export_colab.export(chapter, tmp_path, book, glue), 4)
    assert myst.raw_myst(markdown_of(notebook)) is None


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_html_launch_and_download_buttons_open_the_colab_notebook(chapter, book):
    page = pidl_book.html_page(BUILD, chapter.stem)
    require_or_skip(page.exists(), f"el libro construido no tiene {page}")
    html = page.read_text(encoding="utf-8")
    org_repo = book.repo_url.removeprefix("https://github.com/")
    colab = (f'href="https://colab.research.google.com/github/{org_repo}'
             f'/blob/colab/{chapter.stem}.ipynb"')
    assert colab in html, "el botón de Colab no apunta al notebook de la rama colab"
    assert ".md" not in re.search(r'href="https://colab[^"]*"', html)[0]
    assert f'href="../_colab/{chapter.stem}.ipynb"' in html, "el botón de descarga"
    served = BUILD / pidl_book.HTML_DIR / colab_links.COLAB_DIR / f"{chapter.stem}.ipynb"
    assert served.exists(), "la construcción no exportó el notebook que ofrece"
    assert myst.raw_myst(markdown_of(nbformat.read(served, 4))) is None


@pytest.mark.book
def test_built_book_numbers_equations_and_exercises_per_chapter():
    """_ext/chapter_numbers.py: en la página del capítulo 12 que ve el lector, las ecuaciones
    son (12.1), (12.2)… y los ejercicios 12.N (el test siguiente compara cada número con
    el entorno de Sphinx; este mira el HTML)."""
    page = pidl_book.html_page(BUILD, "12-pinns-burgers")
    require_or_skip(page.exists(), f"el libro construido no tiene {page}")
    html = page.read_text(encoding="utf-8")
    numbers = re.findall(r'class="eqno">\(([^)<]*)\)', html)
    assert numbers and numbers == [f"12.{i}" for i in range(1, len(numbers) + 1)], numbers
    exercises = re.findall(r"Ejercicio (\d+(?:\.\d+)?)", html)
    assert exercises and all(e.startswith("12.") for e in exercises), set(exercises)


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_the_notebook_cites_the_numbers_of_the_sphinx_build(chapter):
    """Una sola numeración: cada ecuación, ejercicio, figura y tabla que numera Sphinx (con
    _ext/chapter_numbers.py) lleva en el notebook el mismo número (pidl_book.myst.numbers)."""
    import pickle

    from pidl_book.myst import NAMES, numbers

    environment = BUILD / ".doctrees" / "environment.pickle"
    require_or_skip(environment.exists(), f"la construcción no dejó {environment}")
    env = pickle.loads(environment.read_bytes())
    doc, std = f"chapters/{chapter.stem}", env.domaindata["std"]["labels"]
    ours = list(numbers(chapter.read_text(encoding="utf-8"),
                        pidl_book.chapter_prefix(chapter.stem)))
    for figtype, kind in [("displaymath", "math"), ("exercise", "exercise"),
                          ("figure", "figure"), ("table", "table")]:
        book = {ident: NAMES[kind].format(".".join(map(str, n)))
                for ident, n in env.toc_fignumbers.get(doc, {}).get(figtype, {}).items()}
        assert sorted(n for k, _, n in ours if k == kind) == sorted(book.values()), kind
        for _, label, number in (o for o in ours if o[0] == kind and o[1]):
            ident = {"math": f"equation-{label}", "exercise": label}.get(kind) or std[label][1]
            assert book[ident] == number, label
