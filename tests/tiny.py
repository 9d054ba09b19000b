"""Capítulos mínimos para los tests: la cabecera jupytext y una función que los escribe.

Los tests piden el fixture ``tiny_chapter`` (``conftest.py``); los ayudantes de módulo
que no reciben fixtures usan :func:`write_chapter`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

# La cabecera jupytext de un capítulo (``pidl_book.is_chapter``).
CHAPTER_HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def write_chapter(path: Path, body: str) -> Path:
    """Escribe en ``path`` un capítulo mínimo: la cabecera jupytext y ``body`` (sin sangría)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CHAPTER_HEADER + "\n" + textwrap.dedent(body), encoding="utf-8")
    return path
