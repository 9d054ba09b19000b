"""Las reglas del libro, escritas una sola vez.

Las leen la construcción (``_ext/``), las herramientas (``tools/``) y los tests:

- qué archivo es un capítulo (:func:`is_chapter`, :func:`is_chapter_doc`,
  :func:`book_chapters`, :func:`toc_chapters`);
- qué celda es una comprobación oculta (:func:`is_check_cell`);
- el prefijo de la numeración de un capítulo (:func:`chapter_prefix`: 12., A1.);
- dónde deja la construcción los capítulos ejecutados (:func:`executed_notebook`,
  :func:`executed_glue`) y sus páginas (:func:`html_page`).

No importa nada de ``tools/`` ni de ``_ext/``: el orden es herramientas →
reglas del libro → ``pidl``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "BOOK_ROOT", "BUILD_DIR", "CHAPTERS_DIR", "HIDDEN_TAGS", "is_chapter", "is_chapter_doc", "book_chapters",
    "toc_files", "toc_chapters", "find_chapters", "is_hidden", "is_check_cell",
    "chapter_number", "doc_number", "chapter_prefix", "EXECUTED_DIR", "executed_dir",
    "executed_notebook", "executed_glue", "HTML_DIR", "html_page", "build_dir",
]

# --------------------------------------------------------------------- capítulos

BOOK_ROOT = Path(__file__).resolve().parents[2]  # src/pidl_book/ → la raíz del repositorio
BUILD_DIR = BOOK_ROOT / "_build"  # donde escribe ``jupyter-book build .``
CHAPTERS_DIR = "chapters"
_FRONT_MATTER_LINES = 60  # una cabecera jupytext tiene ~10 líneas


def _front_matter(path: Path) -> list[str] | None:
    """Las líneas de la cabecera YAML (entre los dos ``---``), o ``None`` si no hay."""
    with open(path, encoding="utf-8") as fh:
        if fh.readline().rstrip() != "---":
            return None
        lines = []
        for _ in range(_FRONT_MATTER_LINES):
            line = fh.readline()
            if not line:
                return None
            if line.rstrip() == "---":
                return lines
            lines.append(line)
    return None


def is_chapter(path: str | Path) -> bool:
    """¿Es ``path`` un capítulo ejecutable: un ``.md`` MyST con cabecera jupytext y ``kernelspec``?

    La cabecera es la que abre el archivo entre dos líneas ``---``; ``kernelspec`` tiene
    que ser una clave de primer nivel de esa cabecera (no basta con que la palabra
    aparezca en los primeros caracteres del texto).
    """
    path = Path(path)
    if path.suffix != ".md" or not path.is_file():
        return False
    header = _front_matter(path)
    return header is not None and any(line.startswith("kernelspec:") for line in header)


def is_chapter_doc(srcdir: str | Path, docname: str) -> bool:
    """¿Es la página ``docname`` de Sphinx (``chapters/02-mlp``) un capítulo del libro?"""
    folder, _, _ = docname.rpartition("/")
    return folder == CHAPTERS_DIR and is_chapter(Path(srcdir) / f"{docname}.md")


def book_chapters(root: str | Path) -> list[Path]:
    """Todos los capítulos de ``root/chapters``, en orden de nombre (estén o no en el índice)."""
    return sorted(p for p in (Path(root) / CHAPTERS_DIR).glob("*.md") if is_chapter(p))


def toc_files(root: str | Path) -> list[Path]:
    """Los archivos de ``_toc.yml`` (``root``, ``file``), en el orden del índice."""
    import yaml

    root = Path(root)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node):
        if isinstance(node, Mapping):
            for key in ("root", "file"):
                if key in node:
                    files.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [root / (f if f.endswith(".md") else f + ".md") for f in files]


def toc_chapters(root: str | Path) -> list[Path]:
    """Los capítulos ejecutables en el orden de ``_toc.yml``."""
    return [p for p in toc_files(root) if is_chapter(p)]


def find_chapters(selection: Iterable[str], root: str | Path) -> list[Path]:
    """Capítulos elegidos por ruta o por nombre (``02-mlp``); ``FileNotFoundError`` si falta uno."""
    found = []
    for item in selection:
        path = Path(item)
        if not path.suffix:
            path = Path(root) / CHAPTERS_DIR / f"{item}.md"
        if not path.is_file():
            raise FileNotFoundError(f"no existe el capítulo {item}")
        found.append(path.resolve())
    return found


# --------------------------------------------------------------- comprobaciones

# Celdas cuyo código el lector no lee en el libro: quitadas (remove-cell, remove-input)
# o plegadas (hide-cell, hide-input). Un ``assert`` en cualquiera de ellas es una
# comprobación del capítulo, no código de la lección.
HIDDEN_TAGS = frozenset({"remove-cell", "remove-input", "hide-cell", "hide-input"})
_ASSERT = re.compile(r"^\s*assert\b", re.M)


def _tags(cell) -> list[str]:
    return (cell.get("metadata") or {}).get("tags") or []


def is_hidden(cell) -> bool:
    """¿Oculta el libro el código de esta celda (:data:`HIDDEN_TAGS`)?"""
    return bool(HIDDEN_TAGS.intersection(_tags(cell)))


def is_check_cell(cell) -> bool:
    """¿Es una comprobación oculta: una celda de código oculta con un ``assert``?"""
    source = cell.get("source", "")
    if not isinstance(source, str):
        source = "".join(source)
    return (cell.get("cell_type", "code") == "code" and is_hidden(cell)
            and _ASSERT.search(source) is not None)


# ------------------------------------------------------------------- numeración

_CHAPTER_STEM = re.compile(r"^(?:(?P<num>\d+)|(?P<app>[A-Z]\d*))-")  # 12-…, A1-…


def chapter_number(stem: str) -> str:
    """El número de un capítulo según su nombre: ``12-pinns`` → «12», ``00-x`` → «0», ``A1-x`` → «A1».

    Un nombre sin número de capítulo → «» (la página se numera de corrido).
    """
    m = _CHAPTER_STEM.match(stem)
    if not m:
        return ""
    return str(int(m["num"])) if m["num"] is not None else m["app"]


def doc_number(docname: str) -> str:
    """El número de la página ``docname`` de Sphinx: «12» para ``chapters/12-pinns-burgers``;
    «» para una página fuera de ``chapters/`` (``intro``) o sin número en el nombre."""
    folder, _, stem = docname.rpartition("/")
    return chapter_number(stem) if folder == CHAPTERS_DIR else ""


def chapter_prefix(stem: str) -> str:
    """Prefijo de la numeración dentro de un capítulo: «12.» (ecuación 12.1), «A1.», o «».

    >>> chapter_prefix("12-pinns-burgers"), chapter_prefix("A1-notacion"), chapter_prefix("intro")
    ('12.', 'A1.', '')
    """
    number = chapter_number(stem)
    return f"{number}." if number else ""


# ------------------------------------------------------- construcción ejecutada

# MyST-NB escribe cada capítulo ejecutado en <build>/jupyter_execute/<docname>.ipynb y los
# valores de ``glue`` en <docname>.glue.json.
EXECUTED_DIR = "jupyter_execute"


def executed_dir(build_dir: str | Path) -> Path:
    """La carpeta de los capítulos ejecutados por la construcción en ``build_dir`` (``_build``)."""
    return Path(build_dir) / EXECUTED_DIR / CHAPTERS_DIR


def executed_notebook(build_dir: str | Path, stem: str) -> Path:
    """El notebook ejecutado del capítulo ``stem`` (existe o no)."""
    return executed_dir(build_dir) / f"{stem}.ipynb"


def executed_glue(build_dir: str | Path, stem: str) -> Path:
    """Los valores de ``glue`` del capítulo ``stem`` que guardó MyST-NB (existe o no)."""
    return executed_dir(build_dir) / f"{stem}.glue.json"


HTML_DIR = "html"  # el sitio: <build>/html


def html_page(build_dir: str | Path, stem: str) -> Path:
    """La página HTML del capítulo ``stem`` en la construcción ``build_dir`` (existe o no)."""
    return Path(build_dir) / HTML_DIR / CHAPTERS_DIR / f"{stem}.html"


def build_dir() -> Path:
    """La carpeta de la construcción del libro: ``PIDL_BUILD_DIR`` o :data:`BUILD_DIR`.

    Es la que miran los tests del libro construido (``tests/book``) y la exportación a
    Colab, y la que les pasan :func:`executed_dir` y :func:`html_page`; se lee en cada
    llamada.
    """
    import os

    return Path(os.environ.get("PIDL_BUILD_DIR") or BUILD_DIR)
