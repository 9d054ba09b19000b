"""La edición en PDF del libro (``jupyter-book build --builder pdflatex .``).

Los tests que miran el PDF construido (``_build/latex/libro.pdf``, o
``PIDL_BUILD_DIR``) se saltan si no está, salvo con ``PIDL_REQUIRE_BUILD=1`` (así
los corre ``.ci/run``). Comprueban que el PDF tenga lo que tiene el libro: todos
los títulos con el número de capítulo del libro, los valores de ``glue`` de la
ejecución (leídos de ``_build/jupyter_execute``, no escritos aquí), los números de
ecuación, las figuras, y ningún carácter que la fuente no tenga. Las piezas de
``_ext/latex_edition.py`` que no necesitan un PDF se prueban en
``tests/tools/test_latex_edition.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

import latex_edition
from pidl_book import (
    CHAPTERS_DIR,
    HTML_DIR,
    build_dir,
    chapter_number,
    chapter_prefix,
    executed_dir,
    html_page,
    myst,
    toc_chapters,
    toc_files,
)
from pidl_book import glue as glue_mod
from tests import ROOT, require_or_skip

BUILD = build_dir()
LATEX = BUILD / "latex"
PDF = LATEX / "libro.pdf"
EXECUTED = executed_dir(BUILD)
CHAPTERS = toc_chapters(ROOT)


def require_pdf() -> None:
    require_or_skip(PDF.is_file(), f"no hay PDF construido en {PDF} "
                    "(jupyter-book build --builder pdflatex .)")
    require_or_skip(shutil.which("pdftotext") is not None,
                    "falta pdftotext (paquete poppler-utils)")


@cache
def pdf_text() -> str:
    """El texto del PDF con los espacios normalizados (sin cortes de línea)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True,
                         text=True, check=True).stdout
    return re.sub(r"\s+", " ", out)


# --------------------------------------------------------------- el PDF construido


@pytest.mark.book
def test_latex_log_has_no_missing_character():
    """XeLaTeX solo avisa en el registro cuando un glifo falta (el PDF sale sin él)."""
    require_pdf()
    log = (LATEX / "libro.log").read_text(encoding="utf-8", errors="replace")
    missing = sorted({line.strip() for line in log.splitlines() if "Missing character" in line})
    assert not missing, "caracteres sin glifo en el PDF:\n" + "\n".join(missing)


@pytest.mark.book
def test_the_pdf_has_the_title_page_contents_and_every_chapter_with_its_number(book):
    require_pdf()
    text = pdf_text()
    assert "Índice general" in text
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    landing_title = re.search(r"^# (.+)$", intro, re.M)[1].strip()
    # Una vez en la portada y otra como título de la página de inicio.
    assert text.count(landing_title) >= 2
    for chapter in CHAPTERS:
        title, number = book.titles[chapter.stem], chapter_number(chapter.stem)
        assert title in text, f"{chapter.name}: falta el título «{title}»"
        # El encabezado del capítulo lleva el número del libro (0, 6, A1), no el de LaTeX.
        # pdftotext escribe «CAPÍTULO» y el número grande justo antes del título, en
        # un orden u otro según la página.
        headings = [text[max(0, m.start() - 40):m.start()]
                    for m in re.finditer(re.escape(title), text)]
        assert any(re.search(r"CAPÍTULO|APÉNDICE", h) and re.search(rf"(^|\s){re.escape(number)}\s", h)
                   for h in headings), f"{chapter.name}: falta «CAPÍTULO {number} {title}»"


def glued_numbers(chapter: Path, limit: int = 3) -> list[tuple[str, str]]:
    """Hasta ``limit`` valores de ``{glue:text}`` del texto del capítulo, con el formato
    con que el libro los escribe, tomados de la ejecución de esta construcción."""
    glue = glue_mod.glue_from_build(chapter.stem, BUILD) or {}
    found: dict[str, str] = {}
    for role, content in myst.roles(chapter.read_text(encoding="utf-8")):
        key, _, fmt = content.partition(":")
        data = glue.get(key) if role == "glue:text" else None
        if data is None or "text/plain" not in data:
            continue
        value = glue_mod.format_glue(data, fmt, key)
        # Valores que identifican: con cifras y al menos 4 caracteres («0.93», «1234»).
        if len(value) >= 4 and re.search(r"\d", value) and " " not in value:
            found.setdefault(key, value)
        if len(found) == limit:
            break
    return list(found.items())


@pytest.mark.book
def test_glued_numbers_of_the_execution_are_in_the_pdf():
    require_pdf()
    require_or_skip(EXECUTED.is_dir(), f"no hay capítulos ejecutados en {EXECUTED}")
    text = pdf_text().replace("−", "-")
    checked = 0
    for chapter in CHAPTERS:
        for key, value in glued_numbers(chapter):
            assert value.replace("−", "-") in text, f"{chapter.name}: {key} = {value} no está en el PDF"
            checked += 1
    assert checked >= 10, f"solo {checked} valores de glue para comprobar"


@pytest.mark.book
def test_equation_numbers_match_the_book():
    """Cada ecuación con etiqueta lleva en el PDF el número que tiene en el libro: (6.2)."""
    require_pdf()
    text = pdf_text()
    numbers = []
    for chapter in CHAPTERS:
        labels = myst.collect_labels(chapter.read_text(encoding="utf-8").splitlines(),
                                     chapter_prefix(chapter.stem))
        numbers += [n for n in labels.values() if re.fullmatch(r"\([0-9A-Z]+\.\d+\)", n)]
    assert len(numbers) >= 20, numbers
    missing = [n for n in numbers if n not in text]
    assert not missing, f"números de ecuación que no están en el PDF: {missing}"


def figure_count() -> int:
    """Figuras de los capítulos (las páginas de ``chapters/`` en ``_toc.yml``) en el libro
    HTML de la misma construcción: las imágenes de las salidas (MyST-NB las escribe en ``_images/``), las pegadas con glue incluidas.

    Se cuentan en el HTML y no en ``_build/jupyter_execute``: myst-nb 1.4 escribe ahí sin
    salidas el notebook de un capítulo que toma de la caché."""
    pages = [html_page(BUILD, p.stem) for p in toc_files(ROOT) if p.parent == ROOT / CHAPTERS_DIR]
    return sum(len(re.findall(r'<img[^>]+src="\.\./_images/', p.read_text(encoding="utf-8")))
               for p in pages)


@pytest.mark.book
def test_figures_are_embedded():
    require_pdf()
    require_or_skip(shutil.which("pdfimages") is not None,
                    "falta pdfimages (paquete poppler-utils)")
    listing = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    images = [row for row in listing if row.split()[2] == "image"]
    figures = figure_count()
    assert figures >= 50, f"solo {figures} figuras en los capítulos"
    assert len(images) >= figures, f"{len(images)} imágenes en el PDF, {figures} figuras en los capítulos"


@pytest.mark.book
def test_the_pdf_build_reused_the_executed_chapters():
    """``.ci/run`` guarda la salida de la construcción del PDF: ningún capítulo se ejecutó."""
    log = BUILD / "pdf-build.log"
    require_or_skip(log.is_file(), f"no está la salida de la construcción del PDF ({log})")
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Executing notebook" not in text, "la construcción del PDF volvió a ejecutar capítulos"


@pytest.mark.book
def test_the_download_menu_links_the_pdf():
    page = html_page(BUILD, CHAPTERS[1].stem)
    require_or_skip(page.is_file(), f"no hay libro construido ({page})")
    html = page.read_text(encoding="utf-8")
    # Sin PIDL_PDF_LINK=1 (lo pone .ci/run) ni PDF construido, el HTML no lo enlaza.
    require_or_skip(f'href="../{latex_edition.PDF_NAME}"' in html,
                    "libro construido sin PIDL_PDF_LINK=1: sin enlace al PDF")
    require_or_skip((BUILD / HTML_DIR / latex_edition.PDF_NAME).is_file(),
                    f"el sitio no tiene {latex_edition.PDF_NAME} (lo copia .ci/run)")
