"""El cuaderno de una tarea calificada, abierto en JupyterLab y visto en Chromium.

Construye la tarea del capítulo 04 (``tools/assignments.py build``), copia el cuaderno del
estudiante con *otro nombre* a una carpeta sin ``tests/`` (como un archivo descargado del
aula virtual), le escribe la respuesta de referencia en q1 y deja q2 en blanco, lo abre en
JupyterLab y ejecuta sus celdas de código en orden, como un estudiante: la preparación
escribe las pruebas públicas, ``grader.check("q1")`` muestra que pasan y
``grader.check("q2")`` que fallan. Se salta (o falla con ``PIDL_REQUIRE_BUILD=1``) si faltan
Chromium, JupyterLab u otter-grader. No necesita el libro construido (sin marca ``book``):
la tarea sale del capítulo fuente.
"""

from __future__ import annotations

import importlib.util
import re

import nbformat
import pytest

from tests import ROOT, browser, lab, require_or_skip
from tests.browser import SCREENSHOTS

CHAPTER = "04-regularizacion"
NAME = "mi-tarea-04 (1).ipynb"  # renombrado al descargarlo: otter no puede buscarse a sí mismo


@pytest.fixture(scope="module")
def folder(tmp_path_factory, book):
    for module, what in (("jupyterlab", "JupyterLab"), ("otter", "otter-grader")):
        require_or_skip(importlib.util.find_spec(module) is not None,
                        f"{what} no está instalado (pip install -r requirements.txt)")
    import assignments

    built = assignments.build(ROOT / "chapters" / f"{CHAPTER}.md",
                              tmp_path_factory.mktemp("tareas"), book)
    notebook = nbformat.read(next((built / "dist" / "student").glob("*.ipynb")), as_version=4)
    reference = nbformat.read(next((built / "dist" / "autograder").glob("*.ipynb")),
                              as_version=4)
    answer = next(c.source for c in reference.cells
                  if c.cell_type == "code" and c.source.startswith("def sgd_step_l2("))
    blank = [c for c in notebook.cells
             if c.cell_type == "code" and c.source.startswith("def sgd_step_l2(")]
    assert len(blank) == 1
    blank[0].source = answer
    target = tmp_path_factory.mktemp("descargas")
    nbformat.write(notebook, target / NAME)
    return target


@pytest.fixture(scope="module")
def page(folder, tmp_path_factory, chromium):
    with lab.running(folder, tmp_path_factory.mktemp("jupyter")) as (base, token):
        with browser.launch(chromium) as chrome:
            context = browser.offline_context(chrome, None, [])
            tab = context.new_page()
            lab.open_notebook(tab, base, token, NAME, ready=".jp-NotebookPanel .jp-CodeCell")
            yield tab
            context.close()


def test_grader_check_runs_in_jupyterlab(folder, page):
    assert not (folder / "tests").exists()  # nada más que el cuaderno, como en Colab
    code = page.locator(".jp-Notebook .jp-CodeCell")
    outputs = []
    for i in range(code.count()):
        cell = code.nth(i)
        error = lab.run_cell(page, cell, i)
        assert not error, f"celda de código {i}: {error}"
        outputs.append(cell.locator(".jp-OutputArea").inner_text())
    checks = {m[1]: text for text in outputs
              for m in [re.search(r"\b(q\d) (?:results|passed)", text)] if m}
    assert set(checks) == {"q1", "q2"}, outputs
    assert "passed" in checks["q1"] and "failed" not in checks["q1"], checks["q1"]
    assert "failed" in checks["q2"], checks["q2"]
    # La preparación escribió solo las pruebas públicas junto al cuaderno.
    written = sorted(p.name for p in (folder / "tests").rglob("*.py"))
    assert written == ["q1.py", "q2.py"], written
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    check = code.nth(next(i for i, text in enumerate(outputs) if "q1 passed" in text))
    check.scroll_into_view_if_needed()
    check.screenshot(path=str(SCREENSHOTS / "jupyterlab-tarea-grader-check.png"))
