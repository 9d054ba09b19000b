"""Lo que comparten todas las capas de tests: la raíz del repositorio y la regla de los requisitos.

- :data:`ROOT`: la raíz del repositorio (los capítulos, ``_toc.yml``, ``tools/``).
- :func:`require_or_skip`: salta un test con un mensaje que dice qué falta (el libro
  construido, Chromium, MathJax, pdftotext...), salvo con ``PIDL_REQUIRE_BUILD=1``
  (``.ci/run``, después de construir), que lo hace fallar.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def required() -> bool:
    """¿Exige ``PIDL_REQUIRE_BUILD=1`` que todo lo que piden los tests esté?"""
    return os.environ.get("PIDL_REQUIRE_BUILD", "") == "1"


def require_or_skip(condition: bool, message: str) -> None:
    """Salta con ``message`` si falta un requisito; con ``PIDL_REQUIRE_BUILD=1`` falla."""
    if condition:
        return
    if required():
        pytest.fail(f"{message} (PIDL_REQUIRE_BUILD=1 exige que esté)", pytrace=False)
    pytest.skip(message)
