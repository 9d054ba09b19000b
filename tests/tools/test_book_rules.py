"""Las reglas del libro (``pidl_book``) y que todos las lean del mismo lugar."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import pidl_book
from pidl_book import (
    book_chapters,
    chapter_number,
    chapter_prefix,
    executed_glue,
    executed_notebook,
    is_chapter,
    is_chapter_doc,
    is_check_cell,
    toc_chapters,
)
from tests import ROOT

# ------------------------------------------------------------------ capítulos


def test_a_chapter_is_a_myst_notebook_with_kernelspec_in_its_header(tiny_chapter, tmp_path):
    assert is_chapter(tiny_chapter("# Capítulo\n"))
    # La cabecera larga: kernelspec después de los primeros 600 u 800 caracteres (las
    # reglas que había contaban caracteres y no estaban de acuerdo).
    long = tmp_path / "chapters" / "98-largo.md"
    long.write_text("---\n" + "".join(f"clave{i}: {'x' * 60}\n" for i in range(15))
                    + "kernelspec:\n  name: python3\n---\n# Largo\n", encoding="utf-8")
    assert is_chapter(long)
    # «kernelspec:» en el texto, fuera de la cabecera, no hace un capítulo.
    text = tmp_path / "chapters" / "97-texto.md"
    text.write_text("---\ntitle: x\n---\n\nkernelspec: en el texto\n", encoding="utf-8")
    assert not is_chapter(text)
    notes = tmp_path / "notas.md"
    notes.write_text("# Notas\n\nkernelspec:\n", encoding="utf-8")
    assert not is_chapter(notes)
    assert not is_chapter(tmp_path / "no-existe.md")
    assert not is_chapter(ROOT / "intro.md") and not is_chapter(ROOT / "README.md")


def test_a_chapter_page_is_in_chapters(tiny_chapter, tmp_path):
    tiny_chapter("# Capítulo\n", "chapters/02-algo.md")
    tiny_chapter("# Fuera\n", "otra/02-algo.md")
    assert is_chapter_doc(tmp_path, "chapters/02-algo")
    assert not is_chapter_doc(tmp_path, "otra/02-algo")
    assert not is_chapter_doc(ROOT, "intro")


def test_every_chapter_is_in_the_table_of_contents():
    chapters = book_chapters(ROOT)
    assert len(chapters) >= 13
    assert sorted(toc_chapters(ROOT)) == chapters


def test_the_tools_and_the_plugin_find_the_same_chapters():
    import time_chapters
    from tests import nbval_md

    assert time_chapters.chapters() == book_chapters(ROOT)
    # El plugin de nbval no define una regla propia: usa la de pidl_book.
    assert nbval_md.is_chapter is pidl_book.is_chapter


# ----------------------------------------------------------- comprobaciones


@pytest.mark.parametrize("tag", sorted(pidl_book.HIDDEN_TAGS))
def test_a_hidden_assert_is_a_check_cell(tag):
    cell = nbformat.v4.new_code_cell("x = 1\nassert x == 1", metadata={"tags": [tag]})
    assert is_check_cell(cell)


def test_visible_asserts_and_hidden_code_without_assert_are_not_checks():
    visible = nbformat.v4.new_code_cell("assert True")
    hidden_code = nbformat.v4.new_code_cell("glue('x', 1.0)", metadata={"tags": ["remove-cell"]})
    word = nbformat.v4.new_code_cell("asserted = 1", metadata={"tags": ["remove-cell"]})
    text = nbformat.v4.new_markdown_cell("assert x", metadata={"tags": ["remove-cell"]})
    assert not any(map(is_check_cell, (visible, hidden_code, word, text)))


def test_export_and_timing_use_the_same_check_rule():
    import time_chapters
    from pidl_book import colab

    assert colab.is_check_cell is is_check_cell
    assert time_chapters.is_check_cell is is_check_cell


# ------------------------------------------------------------------ numeración


@pytest.mark.parametrize("stem, number", [
    ("12-pinns-burgers", "12"), ("00-introduccion", "0"), ("A1-notacion", "A1"),
    ("intro", ""), ("prueba-12", ""),
])
def test_chapter_number_and_prefix(stem, number):
    assert chapter_number(stem) == number
    assert chapter_prefix(stem) == (f"{number}." if number else "")


@pytest.mark.parametrize("docname, number", [
    ("chapters/12-pinns-burgers", "12"), ("chapters/A1-notacion", "A1"), ("intro", ""),
    ("12-pinns-burgers", ""), ("otros/12-x", ""),
])
def test_only_pages_in_chapters_take_a_number(docname, number):
    assert pidl_book.doc_number(docname) == number


def test_the_build_numbers_with_the_book_rule():
    """_ext/chapter_numbers.py y _ext/latex_edition.py no importan herramientas."""
    import chapter_numbers
    import latex_edition

    assert chapter_numbers.doc_number is pidl_book.doc_number
    assert latex_edition.doc_number is pidl_book.doc_number


# ------------------------------------------------------- construcción ejecutada


def test_executed_notebooks_live_in_jupyter_execute(tmp_path):
    assert executed_notebook(tmp_path, "02-mlp") == (
        tmp_path / "jupyter_execute" / "chapters" / "02-mlp.ipynb")
    assert executed_glue(tmp_path, "02-mlp").name == "02-mlp.glue.json"


# ------------------------------------------------------------ orden de importación


def imported_modules(folder: Path) -> set[str]:
    """Los módulos de primer nivel que importan los ``.py`` de ``folder`` (cualquier nivel)."""
    import ast

    found = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.partition(".")[0])
    return found


def test_the_code_reads_top_down():
    """herramientas y construcción → reglas del libro (pidl_book) → pidl: nada importa hacia arriba."""
    tools = {p.stem for p in (ROOT / "tools").glob("*.py")}
    extensions = {p.stem for p in (ROOT / "_ext").glob("*.py")}
    rules = imported_modules(ROOT / "src" / "pidl_book")
    assert not rules & (tools | extensions), rules & (tools | extensions)
    assert not imported_modules(ROOT / "_ext") & tools
    pidl = imported_modules(ROOT / "src" / "pidl")
    assert not pidl & (tools | extensions | {"pidl_book"}), pidl & (tools | extensions)
