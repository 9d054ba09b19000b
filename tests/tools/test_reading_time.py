"""Pruebas de ``pidl_book.reading_time``: la estimación del tiempo de cada capítulo."""

import re

import pytest

from pidl_book import book_chapters, chapter_number, reading_time
from tests import ROOT

SAMPLE = """---
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# Título

Una frase con cinco palabras y $x^2$ en línea.

$$
a = b
$$ (ec-x)

```{math}
:label: ec-y
c = d + e
```

```{code-cell} ipython3
a = 1

b = 2
```

```{code-cell} ipython3
:tags: [remove-cell]
assert a == 1
```

```{code-cell} ipython3
---
tags: [remove-cell]
---
assert b == 2
glue("valor", 3.0)
```

```{code-cell} ipython3
---
mystnb:
  figure:
    caption: Una figura.
---
plt.plot([a, b])
```

```{code-cell} ipython3
:tags: [hide-input]
plt.plot()
```

Vale {glue:text}`valor:.1f` según la {ref}`primera ecuación <ec-x>`.

```{exercise} Dos palabras
:label: ej-x

Cuente.
```

````{solution} ej-x
:class: dropdown

Estas palabras no cuentan.
````

````{solution-start} ej-x
:class: dropdown
````

Tampoco las de esta solución.

```{code-cell} ipython3
c = 3
```

Ni estas.

````{solution-end}
````

## Referencias

Tampoco estas.
"""


def test_count_prose_equations_visible_code():
    words, equations, code = reading_time.count(SAMPLE)
    # «Título» + «Una frase con cinco palabras y x en línea» + «Vale 3,0 según la primera
    # ecuación» + «Dos palabras» + «Cuente»; ni soluciones ni «Referencias»
    assert words == 1 + 9 + 6 + 2 + 1
    assert equations == 2     # $$ … $$ y {math}
    assert code == 2 + 1      # las dos celdas visibles, sin líneas vacías ni opciones


def cell(options: str, code: str) -> str:
    return f"```{{code-cell}} ipython3\n{options}{code}\n```\n"


@pytest.mark.parametrize("options, lines", [
    ("", 2),
    (":tags: [remove-cell]\n", 0),
    ("---\ntags: [remove-cell]\n---\n", 0),                   # opciones en YAML
    ("---\ntags: [hide-input]\nmystnb:\n  number_source_lines: true\n---\n", 0),
    ("---\nmystnb:\n  figure:\n    caption: Una figura.\n---\n", 2),  # el YAML no es código
    (":tags: [hide-output]\n", 2),                              # se ve el código
])
def test_code_cell_options_are_not_code(options, lines):
    assert reading_time.count(cell(options, "a = 1\n\nb = 2")) == (0, 0, lines)


def test_gated_solution_is_not_counted():
    """Lo que va entre {solution-start} y {solution-end} es la solución, plegada."""
    text = ("Antes.\n\n````{solution-start} ej-x\n:class: dropdown\n````\n\n"
            "Cuatro palabras no cuentan.\n\n" + cell("", "x = 1")
            + "\nTampoco $y$.\n\n````{solution-end}\n````\n\nDespués.\n")
    assert reading_time.count(text) == (2, 0, 0)


def test_roles_and_titles():
    text = ("```{admonition} Un recuadro\nCon {glue:text}`k:.2f` y {eq}`ec-1`; "
            "{doc}`el capítulo 2 <02-mlp>` y `código en línea`.\n```\n")
    # «Un recuadro» + «Con 1,23 y ec-1» + «el capítulo 2 y código en línea»
    assert reading_time.count(text) == (2 + 4 + 7, 0, 0)


def test_a_code_block_in_the_text_is_code():
    assert reading_time.count("Así:\n\n```python\nx = 1\n\ny = 2\n```\n") == (1, 0, 2)


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
