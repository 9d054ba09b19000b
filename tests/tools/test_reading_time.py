"""Pruebas de ``pidl_book.reading_time``: la estimación del tiempo de cada capítulo."""

import re

import pytest

from pidl_book import book_chapters, chapter_number, reading_time
from tests import ROOT

SAMPLE = """---
kernelspec:
  name: python3
---

# Título

Una frase con cinco palabras y $x^2$ en línea.

$$
a = b
$$ (ec-x)

```{code-cell} ipython3
a = 1

b = 2
```

```{code-cell} ipython3
:tags: [remove-cell]
assert a == 1
```

```{code-cell} ipython3
:tags: [hide-input]
plt.plot()
```

````{solution} ej-x
:class: dropdown

Estas palabras no cuentan.
````

## Referencias

Tampoco estas.
"""


def test_count_prose_equations_visible_code():
    words, equations, code = reading_time.count(SAMPLE)
    # «Título» + «Una frase con cinco palabras y x en línea» + «Referencias» no
    assert words == 10
    assert equations == 1
    assert code == 2          # la celda visible, sin líneas vacías


def test_formula_and_rounding():
    e = reading_time.Estimate(prose_words=1000, equations=4, code_lines=50, run_seconds=22.8)
    assert e.reading_minutes == pytest.approx(1000 / 100 + 4 * 0.5 + 50 / 5)
    assert e.text() == "lectura ≈ 20 min · ejecución ≈ 25 s"
    long = reading_time.Estimate(9500, 0, 0, 150.0)
    assert long.text() == "lectura ≈ 1 h 35 min · ejecución ≈ 2,5 min"
    assert reading_time.Estimate(0, 0, 0, None).text() == "lectura ≈ 5 min"


def test_unknown_chapter_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="02-mlp"):
        reading_time.estimate("chapters/02-mlp.md", ROOT)


def test_every_chapter_uses_the_computed_time():
    """Ningún recuadro de objetivos lleva un tiempo escrito a mano."""
    for path in (p for p in book_chapters(ROOT) if chapter_number(p.stem).isdigit()):
        text = path.read_text(encoding="utf-8")
        assert f"{{tiempo-estimado}}`{path.stem}`" in text, path.name
        assert not re.search(r"lectura \d+ min", text), path.name
        assert path.stem in reading_time.load_times(reading_time.times_file(ROOT)), f"sin tiempo medido: {path.stem}"


def test_colab_export_writes_the_estimate(colab_markdown):
    """El notebook de Colab lleva el mismo texto que el libro, no el rol crudo."""
    md = colab_markdown("**Tiempo estimado:** {tiempo-estimado}`02-mlp`.\n", {})
    assert reading_time.estimate("02-mlp", ROOT).text() in md
    assert "{tiempo-estimado}" not in md
