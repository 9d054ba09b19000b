"""Exporta los capítulos MyST (``chapters/*.md``) a notebooks ``.ipynb`` listos para Colab.

La conversión (MyST → Markdown común, celda de instalación, comprobaciones marcadas) está
en :mod:`pidl_book.colab`; esta orden elige los capítulos, toma los valores de ``glue``
de la última construcción (o ejecuta el capítulo, ``--execute``) y escribe los notebooks.
Un capítulo que no se puede exportar no impide exportar los demás; la orden termina con
código 1 y dice cuál falló.

    python tools/export_colab.py --out colab/
    python tools/export_colab.py chapters/02-mlp.md --out colab/ --build-dir _build
    python tools/export_colab.py chapters/02-mlp.md --out colab/ --execute
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext

import pidl_book
from pidl_book import is_chapter, toc_chapters
from pidl_book.book import ExportError, load_book
from pidl_book.colab import export
from pidl_book.glue import GlueError, glue_from_build, glue_from_outputs

ROOT = Path(__file__).resolve().parents[1]


def glue_by_executing(chapter: Path, timeout: int = 900) -> dict[str, dict]:
    """Ejecuta el capítulo (en su carpeta, como el libro); devuelve sus valores de ``glue``."""
    from nbclient import NotebookClient

    notebook = jupytext.read(chapter)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(chapter.parent)}}).execute()
    return glue_from_outputs(notebook)


def chapter_glue(chapter: Path, build_dir: Path, execute: bool) -> dict:
    if execute:
        return glue_by_executing(chapter)
    glue = glue_from_build(chapter.stem, build_dir)
    if glue is None:
        raise ExportError(
            f"{chapter.stem}: no hay notebook ejecutado en {pidl_book.executed_dir(build_dir)}"
            "; construya el libro (jupyter-book build .) o use --execute para ejecutar el capítulo.")
    return glue


def run(argv, description: str, solutions: bool, transform=None) -> int:
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=Path,
                        help="capítulos a exportar (por defecto, todos los de _toc.yml)")
    parser.add_argument("--out", type=Path, required=True, help="carpeta de salida")
    parser.add_argument("--build-dir", type=Path, default=pidl_book.build_dir(),
                        help="construcción del libro de la que tomar los valores de glue")
    parser.add_argument("--execute", action="store_true",
                        help="ejecutar cada capítulo en lugar de leer la construcción")
    args = parser.parse_args(argv)
    chapters = [c.resolve() for c in args.chapters] or toc_chapters(ROOT)
    for chapter in chapters:
        if not is_chapter(chapter):
            print(f"{chapter}: no es un capítulo ejecutable (falta la cabecera jupytext)",
                  file=sys.stderr)
            return 1
    book, failed = load_book(ROOT), 0
    for chapter in chapters:  # un capítulo que falla no impide exportar los demás
        try:
            glue = chapter_glue(chapter, args.build_dir, args.execute)
            print(export(chapter, args.out, book, glue, solutions, transform))
        except GlueError as error:  # ExportError es un GlueError
            print(f"error: {error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    return run(argv, __doc__, solutions=True)


if __name__ == "__main__":
    raise SystemExit(main())
