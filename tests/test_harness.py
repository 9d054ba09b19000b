"""El arnés que ejecuta los capítulos debe detectar regresiones.

Se arma un libro mínimo en un directorio temporal con dos capítulos MyST: uno
sano y otro cuya aserción oculta falla. pytest (con el plugin del libro) debe
ejecutar ambos con nbval y fallar exactamente en la celda de la aserción.
"""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]

FRONT_MATTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---
"""

GOOD = FRONT_MATTER + """
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

BAD = FRONT_MATTER + """
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
def book(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    (pytester.path / "chapters").mkdir()
    (pytester.path / "chapters" / "01-sano.md").write_text(GOOD, encoding="utf-8")
    (pytester.path / "README.md").write_text("# no es un capítulo\n", encoding="utf-8")
    return pytester


ARGS = ("-p", "tests.nbval_md", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider", "chapters")


def test_healthy_chapter_runs_every_cell(book):
    result = book.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=2)


def test_failing_hidden_assertion_fails_the_run(book):
    (book.path / "chapters" / "02-roto.md").write_text(BAD, encoding="utf-8")
    result = book.runpytest_subprocess(*ARGS)
    assert result.ret != 0
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*02-roto.md::Cell 1*"])
    assert "AssertionError" in result.stdout.str()


def test_markdown_without_kernelspec_is_not_collected(book):
    (book.path / "chapters" / "notas.md").write_text("# Notas\n\nSolo texto.\n", encoding="utf-8")
    result = book.runpytest_subprocess(*ARGS, "--collect-only", "-q")
    assert "notas.md" not in result.stdout.str()
    assert "01-sano.md::Cell 0" in result.stdout.str()


def _mini_book(tmp_path: Path, chapter: str) -> Path:
    """Un libro con la configuración real del repositorio y un único capítulo."""
    import shutil

    book_dir = tmp_path / "libro"
    (book_dir / "chapters").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", book_dir / "_config.yml")
    shutil.copy(ROOT / "references.bib", book_dir / "references.bib")
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
