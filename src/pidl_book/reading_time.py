"""Tiempo estimado de cada capítulo, calculado de la misma manera para todos.

El recuadro de objetivos de cada capítulo dice cuánto lleva leerlo y ejecutarlo. En
lugar de escribirlo a mano, se calcula a partir del texto fuente:

    lectura = palabras de prosa / PROSE_WPM
            + ecuaciones en bloque × EQUATION_MIN
            + líneas de código visibles / CODE_LPM
    ejecución = segundos medidos (``tools/execution_seconds.json``)

- *Prosa*: el texto de las celdas Markdown, sin las soluciones de los ejercicios
  (plegadas), sin las referencias ni las opciones de las directivas; una fórmula en
  línea (``$...$``) cuenta como una palabra.
- *Ecuaciones en bloque* (``$$ ... $$``): cada una cuenta un tiempo fijo, porque
  leer una ecuación lleva más que leer sus caracteres como palabras.
- *Código visible*: las líneas no vacías de las celdas de código que el lector ve
  desplegadas: no las ocultas ni las plegadas (``pidl_book.HIDDEN_TAGS``).

Los ritmos son los de un estudiante que estudia, no los de quien hojea: unas 100
palabras de texto técnico por minuto y unas 5 líneas de código por minuto (leerlas y
entender qué hacen). La ejecución se mide con ``tools/time_chapters.py`` o se toma
de la caché de ejecución del libro (``python tools/reading_time.py --from-cache DIR``).

En el libro, ``{tiempo-estimado}`02-mlp``` escribe la estimación del capítulo
(extensión ``_ext/reading_times.py``); ``tools/export_colab.py`` hace lo mismo en
los notebooks de Colab; ``python tools/reading_time.py`` imprime la tabla.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from pidl_book import CHAPTERS_DIR, HIDDEN_TAGS

# Los segundos de ejecución medidos, relativos a la raíz del libro (``times_file``).
TIMES_FILE = Path("tools") / "execution_seconds.json"

PROSE_WPM = 100        # palabras de prosa técnica por minuto
CODE_LPM = 5           # líneas de código visibles por minuto
EQUATION_MIN = 0.5     # minutos por ecuación en bloque

_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
_SOLUTION = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}.*?^(?P=fence)[ \t]*$",
                       re.M | re.S)
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$(?:[ \t]*\([\w:-]+\))?", re.S)
_INLINE_MATH = re.compile(r"\$[^$\n]+\$")
_ROLE = re.compile(r"\{[a-z][\w:-]*\}`([^`]*)`")
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*", re.U)


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


def _options_and_body(cell: str) -> tuple[list[str], list[str]]:
    lines = cell.split("\n")
    i = 0
    while i < len(lines) and lines[i].startswith(":"):
        i += 1
    return lines[:i], lines[i:]


def count(source: str) -> tuple[int, int, int]:
    """(palabras de prosa, ecuaciones en bloque, líneas de código visibles) de un capítulo MyST."""
    if source.startswith("---"):
        source = source[source.index("\n---", 3) + 4:]
    code_lines = 0
    for m in _CELL.finditer(source):
        options, body = _options_and_body(m["body"])
        tags = {t for o in options if o.startswith(":tags:") for t in re.findall(r"[\w-]+", o[6:])}
        if not tags & HIDDEN_TAGS:
            code_lines += sum(1 for line in body if line.strip())
    prose = _CELL.sub("", source)
    prose = _SOLUTION.sub("", prose)
    prose = re.split(r"^## Referencias", prose, flags=re.M)[0]
    equations = len(_DISPLAY_MATH.findall(prose))
    prose = _DISPLAY_MATH.sub(" ", prose)
    prose = _INLINE_MATH.sub(" x ", prose)
    prose = _ROLE.sub(r" \1 ", prose)
    prose = "\n".join(line for line in prose.split("\n")
                      if not re.match(r"\s*(:[\w-]+:|`{3,}|:{3,}|\(.*\)=$)", line))
    return len(_WORD.findall(prose)), equations, code_lines


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
