"""El camino del estudiante: un capítulo exportado, abierto en JupyterLab y visto en Chromium.

Sigue el README: ``python tools/export_colab.py --out DIR`` escribe los cuadernos
(con los números de la última construcción del libro, ``_build/jupyter_execute``)
y el estudiante los abre con ``jupyter lab``. El test exporta un capítulo a una
carpeta temporal, arranca JupyterLab en un puerto libre de ``127.0.0.1`` con un
token y comprueba en Chromium, sin red, que:

- ninguna celda de texto muestra sintaxis MyST (roles, directivas), claves de
  glue ni claves de cita, y MathJax no deja errores;
- las soluciones de los ejercicios empiezan plegadas (``<details>`` cerrado) y
  se abren con un clic;
- abrir el cuaderno no lo marca como modificado;
- las primeras celdas de código se ejecutan en el núcleo sin error.

Guarda capturas en ``_build/screenshots/`` y detiene el servidor al terminar.
Se salta (o falla con ``PIDL_REQUIRE_BUILD=1``) si falta el libro construido,
Chromium o JupyterLab.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest

import pidl_book
from tests import ROOT, browser, require_or_skip
from tests import lab as lab_server
from tests.browser import SCREENSHOTS

pytestmark = pytest.mark.book  # exporta con los valores de la construcción

CHAPTER = "12-pinns-burgers"
N_CODE_CELLS = 3  # instalación, preparación (dispositivo) y su comprobación
BUILD = pidl_book.build_dir()
# Un número escrito en el texto: 3.2e-03, 0.26 %, 31 s...
NUMBER = re.compile(r"\d\.\d+e[-+]\d+|\d+(?:\.\d+)? ?%|\d+(?:\.\d+)? s\b")


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    """Exporta el capítulo como lo haría el estudiante; devuelve la carpeta y el nombre."""
    execute = pidl_book.executed_dir(BUILD)
    require_or_skip(execute.is_dir(),
                    f"no hay ejecución del libro en {execute} (ejecute `jupyter-book build .`)")
    require_or_skip(importlib.util.find_spec("jupyterlab") is not None,
                    "JupyterLab no está instalado (pip install -r requirements.txt)")
    folder = tmp_path_factory.mktemp("cuadernos")
    source = ROOT / "chapters" / f"{CHAPTER}.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "export_colab.py"),
         "--out", str(folder), "--build-dir", str(BUILD), str(source)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    name = f"{CHAPTER}.ipynb"
    assert (folder / name).is_file(), sorted(p.name for p in folder.iterdir())
    return folder, name


@pytest.fixture(scope="module")
def lab(notebook, tmp_path_factory):
    """JupyterLab en un puerto libre con un token; se detiene al terminar el módulo."""
    folder, _ = notebook
    with lab_server.running(folder, tmp_path_factory.mktemp("jupyter")) as (base, token):
        yield base, token


@pytest.fixture(scope="module")
def page(notebook, lab, chromium):
    """El cuaderno abierto en JupyterLab (Chromium sin red) con el núcleo listo."""
    _, name = notebook
    base, token = lab
    blocked: list[str] = []
    with browser.launch(chromium) as chrome:
        context = browser.offline_context(chrome, None, blocked)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        lab_server.open_notebook(tab, base, token, name,
                                 ready=".jp-NotebookPanel .jp-MarkdownCell .jp-RenderedMarkdown")
        tab.wait_for_timeout(1500)  # MathJax de JupyterLab termina de tipografiar
        tab.pidl_errors = errors
        yield tab
        context.close()


_MARKDOWN_TEXT_JS = """
() => Array.from(document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')).map(cell => {
  const skip = 'pre, code, script, style, mjx-container, svg';
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const out = [];
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest(skip)) continue;
    out.push(node.textContent);
  }
  return out.join('');
})
"""


def _shot(target, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SCREENSHOTS / name))


def test_opening_does_not_modify_the_notebook(notebook, page):
    import nbformat

    folder, name = notebook
    metadata = nbformat.read(folder / name, as_version=4).metadata
    tab = page.locator(".lm-TabBar-tab.jp-mod-current").first
    # Visto con JupyterLab 4.6: sin ``metadata.language_info``, el núcleo la escribe
    # al conectarse y el cuaderno queda marcado como modificado sin que nadie lo toque.
    hint = "" if "language_info" in metadata else " (al cuaderno exportado le falta metadata.language_info)"
    assert "jp-mod-dirty" not in (tab.get_attribute("class") or ""), (
        "JupyterLab marca el cuaderno como modificado apenas se abre" + hint)


def test_prose_reads_like_the_book(page):
    texts = page.evaluate(_MARKDOWN_TEXT_JS)
    assert len(texts) >= 10, f"solo {len(texts)} celdas de texto renderizadas"
    problems = []
    for i, text in enumerate(texts):
        for pattern, what in ((browser.RAW_MYST, "sintaxis MyST"),
                              (browser.RAW_KEYS, "clave de glue o de cita"),
                              (re.compile(r"\{(?:cite|glue|eq|numref|ref)[:}]|`ch\d\d_|`c\d\d-"),
                               "rol sin resolver")):
            for match in pattern.finditer(text):
                context = text[max(match.start() - 40, 0):match.end() + 40].replace("\n", " ")
                problems.append(f"celda de texto {i}: {what}: «{context}»")
    errors = page.locator(".jp-RenderedMarkdown mjx-merror")
    problems += [f"error de MathJax: {errors.nth(i).text_content()}" for i in range(errors.count())]
    if page.locator(".jp-RenderedMarkdown .math, .jp-RenderedMarkdown mjx-container").count() == 0:
        problems.append("ninguna fórmula tipografiada en el cuaderno")
    problems += [f"error de JavaScript: {e}" for e in page.pidl_errors]
    # Captura: la primera celda de texto con un número escrito (valor de glue resuelto).
    cells = page.locator(".jp-MarkdownCell")
    for i, text in enumerate(texts):
        if NUMBER.search(text):
            cells.nth(i).scroll_into_view_if_needed()
            _shot(cells.nth(i), "jupyterlab-prosa-con-numeros.png")
            break
    else:
        problems.append("ninguna celda de texto tiene un número escrito")
    assert not problems, "\n".join(problems)


def test_solutions_start_folded_and_open(page):
    details = page.locator(".jp-RenderedMarkdown details")
    count = details.count()
    assert count >= 1, "el cuaderno no tiene soluciones plegables (<details>)"
    opened = [i for i in range(count) if details.nth(i).evaluate("d => d.open")]
    assert not opened, f"soluciones que empiezan abiertas: {opened}"
    summaries = [details.nth(i).locator("summary").inner_text().strip() for i in range(count)]
    assert all(summaries), "una solución sin título visible"
    english = [s for s in summaries if re.search(r"\b(Solution|Exercise)\b", s)]
    assert not english, f"títulos en inglés: {english}"
    first = details.first
    first.scroll_into_view_if_needed()
    body = first.locator(":scope > :not(summary)").first
    assert not body.is_visible(), "el cuerpo de la solución se ve antes de abrirla"
    first.evaluate("d => d.scrollIntoView({block: 'center'})")
    _shot(page, "jupyterlab-ejercicio-solucion-plegada.png")  # la ventana: la celda es larga
    first.locator("summary").click()
    page.wait_for_timeout(200)
    assert first.evaluate("d => d.open") and body.is_visible(), "la solución no se abre con un clic"
    first.locator("summary").click()  # la deja como estaba


def test_first_code_cells_run_in_the_kernel(page):
    code = page.locator(".jp-Notebook .jp-CodeCell")
    assert code.count() >= N_CODE_CELLS
    for i in range(N_CODE_CELLS):
        cell = code.nth(i)
        error = lab_server.run_cell(page, cell, i)
        assert not error, f"celda de código {i}: {error}"
    outputs = " ".join(code.nth(i).locator(".jp-OutputArea").inner_text()
                       for i in range(N_CODE_CELLS))
    assert "Dispositivo:" in outputs, f"la celda de preparación no informó el dispositivo: {outputs!r}"
    _shot(page, "jupyterlab-celdas-ejecutadas.png")
