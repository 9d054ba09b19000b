"""Tiempo estimado de cada capítulo, calculado de la misma manera para todos.

El recuadro de objetivos de cada capítulo dice cuánto lleva leerlo y ejecutarlo. En
lugar de escribirlo a mano, se calcula a partir del texto fuente:

    lectura = palabras de prosa / PROSE_WPM
            + ecuaciones en bloque × EQUATION_MIN
            + líneas de código visibles / CODE_LPM
    ejecución = segundos medidos (``tools/execution_seconds.json``)

El capítulo se lee como lo lee la construcción: las celdas con ``jupytext`` y el
Markdown con el parser de MyST del libro (``pidl_book.myst``), nunca con expresiones
regulares sobre el texto fuente.

- *Prosa*: las palabras de las celdas Markdown (títulos, párrafos, listas, tablas,
  cuerpo y título de ejercicios y recuadros), sin las soluciones de los ejercicios
  (plegadas: las directivas ``{solution}`` y lo que va entre ``{solution-start}`` y
  ``{solution-end}``), sin la sección «Referencias» ni las opciones de las
  directivas. Una fórmula en línea (``$...$``) y un valor pegado con ``{glue:...}``
  cuentan como una palabra; de otro rol cuenta su texto (``{ref}`texto <destino>```
  → «texto»). Es una aproximación: una cita se cuenta por sus claves (una palabra
  cada una, aunque se lea «Sutskever et al. (2013)») y el texto alternativo de las
  imágenes no cuenta; las citas dejan fuera hasta ~1,5 % de las palabras de un capítulo.
- *Ecuaciones en bloque* (``$$ ... $$`` o la directiva ``{math}``): cada una cuenta
  un tiempo fijo, porque leer una ecuación lleva más que leer sus caracteres como
  palabras.
- *Código visible*: las líneas no vacías del código que el lector ve desplegado: las
  celdas de código que no están ocultas ni plegadas (:func:`pidl_book.is_hidden`)
  ni dentro de una solución, y los bloques de código del texto. Las opciones de una
  celda (``:tags:`` o el bloque YAML entre ``---``) no son código.

Los ritmos son los de un estudiante que estudia, no los de quien hojea: unas 100
palabras de texto técnico por minuto y unas 5 líneas de código por minuto (leerlas y
entender qué hacen). La ejecución se mide con ``tools/time_chapters.py`` o se toma
de la caché de ejecución del libro (``python tools/reading_time.py --from-cache DIR``).

En el libro, ``{tiempo-estimado}`02-mlp``` escribe la estimación del capítulo
(extensión ``_ext/reading_times.py``); la exportación (:mod:`pidl_book.colab`) hace
lo mismo en los notebooks de Colab; ``python tools/reading_time.py`` imprime la tabla.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import jupytext
from sphinx.util.nodes import split_explicit_title

from pidl_book import CHAPTERS_DIR, is_hidden
from pidl_book.myst import directive, parser, solution_markers, tokens

# Los segundos de ejecución medidos, relativos a la raíz del libro (``times_file``).
TIMES_FILE = Path("tools") / "execution_seconds.json"

PROSE_WPM = 100        # palabras de prosa técnica por minuto
CODE_LPM = 5           # líneas de código visibles por minuto
EQUATION_MIN = 0.5     # minutos por ecuación en bloque

REFERENCES = "Referencias"  # el título de la sección de referencias, que no se cuenta
# Directivas cuyo cuerpo no es prosa: la solución plegada, una ecuación, la bibliografía.
_NOT_PROSE = frozenset({"solution", "math", "bibliography"})
_TITLED = frozenset({"exercise", "admonition", "table", "list-table"})  # argumento = título
_CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode"})
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*", re.U)  # sobre texto ya sin MyST


@dataclass(frozen=True)
class Estimate:
    """Lo que cuenta la estimación de un capítulo y el resultado, en minutos y segundos."""

    prose_words: int
    equations: int
    code_lines: int
    run_seconds: float | None

    @property
    def reading_minutes(self) -> float:
        return (self.prose_words / PROSE_WPM + self.equations * EQUATION_MIN
                + self.code_lines / CODE_LPM)

    def text(self) -> str:
        """«lectura ≈ 1 h 35 min · ejecución ≈ 20 s», redondeado a 5 min y a 5 s."""
        minutes = max(5, 5 * round(self.reading_minutes / 5))
        hours, rest = divmod(minutes, 60)
        reading = (f"{hours} h {rest} min" if hours and rest
                   else f"{hours} h" if hours else f"{rest} min")
        out = f"lectura ≈ {reading}"
        if self.run_seconds is not None:
            secs = self.run_seconds
            run = (f"{max(5, 5 * round(secs / 5)):.0f} s" if secs < 90
                   else f"{secs / 60:.1f} min".replace(".", ","))
            out += f" · ejecución ≈ {run}"
        return out


def _lines(code: str) -> int:
    return sum(1 for line in code.splitlines() if line.strip())


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _inline_words(token) -> int:
    """Las palabras que el lector ve en un token ``inline`` de markdown-it."""
    words = 0
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            words += _words(child.content)
        elif child.type.startswith("math_inline"):
            words += 1
        elif child.type == "myst_role":
            if child.meta["name"].startswith("glue"):
                words += 1
            else:
                _, title, _ = split_explicit_title(child.content)
                words += _words(title)
    return words


@dataclass
class _Count:
    words: int = 0
    equations: int = 0
    code: int = 0
    references: int | None = None  # nivel del título «Referencias» mientras dura la sección

    def markdown(self, text: str) -> None:
        heading = None
        for token in tokens(text, skip=_NOT_PROSE | _CODE_DIRECTIVES):
            if token.type == "heading_open":
                heading = int(token.tag[1:])
                if self.references is not None and heading <= self.references:
                    self.references = None
                continue
            if heading is not None and token.type == "inline" \
                    and token.content.strip() == REFERENCES:
                self.references = heading
            heading = None
            if self.references is not None:
                continue
            d = directive(token)
            if d is not None:
                if d.name == "math":
                    self.equations += 1
                elif d.name in _CODE_DIRECTIVES:
                    self.code += _lines(d.body)
                elif d.name in _TITLED and d.arg:
                    self.words += sum(map(_inline_words, parser().parseInline(d.arg)))
            elif token.type in ("math_block", "math_block_label"):
                self.equations += 1
            elif token.type in ("fence", "code_block"):
                self.code += _lines(token.content)
            elif token.type == "inline":
                self.words += _inline_words(token)


def count(source: str) -> tuple[int, int, int]:
    """(palabras de prosa, ecuaciones en bloque, líneas de código visibles) de un capítulo MyST."""
    counted, in_solution = _Count(), False
    for cell in jupytext.reads(source, fmt="md:myst").cells:
        if cell.cell_type == "code":
            if not (in_solution or is_hidden(cell)):
                counted.code += _lines(cell.source)
        elif cell.cell_type == "markdown":
            for kind, value in solution_markers(cell.source):
                if kind != "text":
                    in_solution = kind == "start"
                elif not in_solution:
                    counted.markdown(value)
    return counted.words, counted.equations, counted.code


def times_file(root: str | Path) -> Path:
    """El archivo de segundos medidos del libro en ``root``."""
    return Path(root) / TIMES_FILE


def load_times(path: str | Path) -> dict[str, float]:
    """Segundos de ejecución medidos, por capítulo (``{"02-mlp": 17.2, ...}``)."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def estimate(stem: str, root: str | Path, times: dict | None = None) -> Estimate:
    """La estimación del capítulo ``root/chapters/<stem>.md``.

    ``times``: segundos medidos por capítulo; por defecto, los de :func:`times_file`.
    """
    path = Path(root) / CHAPTERS_DIR / f"{stem}.md"
    if not path.is_file():
        raise FileNotFoundError(f"no existe el capítulo {path} (¿el nombre es como "
                                "«02-mlp», sin carpeta ni extensión?)")
    words, equations, code = count(path.read_text(encoding="utf-8"))
    times = load_times(times_file(root)) if times is None else times
    return Estimate(words, equations, code, times.get(stem))


def times_from_cache(cache_dir: Path) -> dict[str, float]:
    """Segundos de ejecución guardados por jupyter-cache (``execute_notebooks: cache``)."""
    db = sqlite3.connect(Path(cache_dir) / "global.db")
    out = {}
    for uri, data in db.execute("select uri, data from nbcache"):
        seconds = json.loads(data or "{}").get("execution_seconds")
        if seconds is not None:
            out[Path(uri).stem] = round(float(seconds), 1)
    return out
