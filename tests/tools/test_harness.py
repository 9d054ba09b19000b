"""El arnés que ejecuta los capítulos debe detectar regresiones.

Se arma un libro mínimo en un directorio temporal con dos capítulos MyST: uno
sano y otro cuya aserción oculta falla. pytest (con el plugin del libro) debe
ejecutar ambos con nbval y fallar exactamente en la celda de la aserción.
"""

import os
from pathlib import Path

import pytest

from tests import ROOT
from tests.tiny import CHAPTER_HEADER

GOOD = CHAPTER_HEADER + """
# Capítulo sano

```{code-cell} ipython3
x = sum(range(10))
x
```

```{code-cell} ipython3
:tags: [remove-cell]
assert x == 45
```
"""

BAD = CHAPTER_HEADER + """
# Capítulo con una regresión

```{code-cell} ipython3
val_acc = 0.70  # un cambio rompió el entrenamiento
```

```{code-cell} ipython3
:tags: [remove-cell]
assert val_acc >= 0.95, val_acc
```

```{code-cell} ipython3
print("después")
```
"""


@pytest.fixture
def nbval_book(pytester, monkeypatch):
    # tests.nbval_md se importa desde la raíz del repositorio (sin quitar lo que ya había).
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    (pytester.path / "chapters").mkdir()
    (pytester.path / "chapters" / "01-sano.md").write_text(GOOD, encoding="utf-8")
    (pytester.path / "README.md").write_text("# no es un capítulo\n", encoding="utf-8")
    return pytester


ARGS = ("-p", "tests.nbval_md", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider", "chapters")


def test_healthy_chapter_runs_every_cell(nbval_book):
    result = nbval_book.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=2)


def test_failing_hidden_assertion_fails_the_run(nbval_book):
    (nbval_book.path / "chapters" / "02-roto.md").write_text(BAD, encoding="utf-8")
    result = nbval_book.runpytest_subprocess(*ARGS)
    assert result.ret != 0
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*02-roto.md::Cell 1*"])
    assert "AssertionError" in result.stdout.str()


def test_markdown_without_kernelspec_is_not_collected(nbval_book):
    (nbval_book.path / "chapters" / "notas.md").write_text("# Notas\n\nSolo texto.\n", encoding="utf-8")
    result = nbval_book.runpytest_subprocess(*ARGS, "--collect-only", "-q")
    assert "notas.md" not in result.stdout.str()
    assert "01-sano.md::Cell 0" in result.stdout.str()


def _mini_book(tmp_path: Path, chapter: str) -> Path:
    """Un libro con la configuración real del repositorio y un único capítulo."""
    import shutil

    book_dir = tmp_path / "libro"
    (book_dir / "chapters").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", book_dir / "_config.yml")
    shutil.copy(ROOT / "references.bib", book_dir / "references.bib")
    # Las extensiones locales (Colab, numeración), la exportación que usan y locale/.
    for folder in ("_ext", "tools", "locale"):
        shutil.copytree(ROOT / folder, book_dir / folder, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    (book_dir / "intro.md").write_text("# Inicio\n", encoding="utf-8")
    (book_dir / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n  - file: chapters/cap\n", encoding="utf-8"
    )
    (book_dir / "chapters" / "cap.md").write_text(chapter, encoding="utf-8")
    return book_dir


@pytest.mark.parametrize("chapter, ok", [(GOOD, True), (BAD, False)], ids=["sano", "roto"])
def test_book_build_fails_on_a_failing_hidden_assertion(tmp_path, chapter, ok):
    import subprocess
    import sys

    book_dir = _mini_book(tmp_path, chapter)
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run(
        [str(jb), "build", "-W", "-n", "--keep-going", str(book_dir)],
        capture_output=True, text=True, timeout=300,
    )
    output = proc.stdout + proc.stderr
    if ok:
        assert proc.returncode == 0, output[-3000:]
    else:
        assert proc.returncode != 0
        assert "AssertionError" in output and "val_acc" in output


# La prueba del libro en el navegador (tests/browser.py) debe detectar lo que se rompe
# en una página: una fórmula mal escrita, una macro desconocida, una imagen que falta,
# un rol MyST o una clave de glue sin resolver y un desplegable que no se abre. Se arma
# una página con la misma configuración de MathJax que escribe Sphinx, sana o rota.

PAGE = """<!DOCTYPE html>
<html lang="es"><head><meta charset="utf-8"><title>prueba</title>
<script>window.MathJax = {{"options": {{"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"}}}}</script>
<script defer="defer" src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>
</head><body>
<p>Una fórmula: <span class="math notranslate nohighlight">{formula}</span>.</p>
<div class="math notranslate nohighlight">\\[\\int_0^1 x\\,dx = \\tfrac12\\]</div>
<article><p>{prose}</p></article>
<img src="{image}" alt="figura">
</body></html>
"""
# Un PNG de 1x1 píxel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201e5270ddf0000000049454e44ae426082"
)
HEALTHY = {"formula": r"\(\frac{1}{2}\)", "prose": "El error es 3.2e-03.", "image": "ok.png"}
BROKEN = {
    "formula": [r"\(\frac{1}{2\)", "fórmula sin tipografiar"],
    "exponent": [r"\(x^2^3\)", "error de MathJax"],
    "macro": [r"\(\noexiste{x}\)", "macro desconocida"],
    "image": ["falta.png", "imagen que no carga"],
    "glue": ["El error es {glue:text}`ch07_err:.1e`.", "sintaxis MyST"],
    "key": ["El error es ch07_err.", "clave de glue"],
    "repeated": ['Vea el ejercicio <a href="#e"><span>Ejercicio 4</span></a>.', "palabra repetida"],
}


@pytest.fixture(scope="module")
def chrome(chromium, mathjax):
    from tests import browser

    with browser.launch(chromium) as launched:
        yield browser, launched, mathjax


def _check(chrome, tmp_path, **fields):
    browser, launched, mathjax = chrome
    (tmp_path / "ok.png").write_bytes(PNG)
    (tmp_path / "p.html").write_text(PAGE.format(**{**HEALTHY, **fields}), encoding="utf-8")
    context = browser.offline_context(launched, mathjax, [])
    try:
        with browser.serve(tmp_path) as base:
            return browser.check_book_page(context.new_page(), base + "p.html")
    finally:
        context.close()


def test_page_check_passes_a_healthy_page(chrome, tmp_path):
    assert _check(chrome, tmp_path) == []


@pytest.mark.parametrize("what", BROKEN, ids=list(BROKEN))
def test_page_check_catches_a_planted_defect(chrome, tmp_path, what):
    value, expected = BROKEN[what]
    field = {"macro": "formula", "exponent": "formula", "glue": "prose", "key": "prose", "repeated": "prose"}.get(what, what)
    problems = _check(chrome, tmp_path, **{field: value})
    assert any(expected in p for p in problems), problems


def test_page_check_catches_a_dropdown_that_starts_open(chrome, tmp_path):
    box = ('<div class="admonition dropdown" id="sol"><p class="admonition-title">Solución'
           '<button class="toggle-button">+</button></p><p>texto</p></div>')
    problems = _check(chrome, tmp_path, prose=box)
    assert any("no empieza cerrado" in p for p in problems), problems


def test_missing_browser_or_build_skips_but_fails_when_required(monkeypatch):
    """Sin Chromium o sin libro el test se salta; con PIDL_REQUIRE_BUILD=1 (CI) falla."""
    from tests import require_or_skip

    monkeypatch.delenv("PIDL_REQUIRE_BUILD", raising=False)
    with pytest.raises(pytest.skip.Exception, match="falta algo"):
        require_or_skip(False, "falta algo")
    monkeypatch.setenv("PIDL_REQUIRE_BUILD", "1")
    with pytest.raises(pytest.fail.Exception, match="PIDL_REQUIRE_BUILD=1"):
        require_or_skip(False, "falta algo")
    require_or_skip(True, "no se usa")  # presente: no hace nada
