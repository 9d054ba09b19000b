"""El HTML del libro construido, leído como texto (sin navegador).

Lo que se ve en el código de las páginas: las traducciones de ``locale/``. Se salta sin
libro construido (marca ``book``), salvo con ``PIDL_REQUIRE_BUILD=1``.
"""

from __future__ import annotations

import re

import pytest

import pidl_book
from tests import require_or_skip

pytestmark = pytest.mark.book


def test_reference_appendix_names_numpy_sections_in_spanish():
    """locale/: Sphinx traduce «Raises» como «Muestra»; el apéndice A4 dice «Excepciones»."""
    page = pidl_book.html_page(pidl_book.build_dir(), "A4-referencia-pidl")
    require_or_skip(page.exists(), f"el libro construido no tiene {page}")
    labels = set(re.findall(r'<dt class="field-(?:odd|even)">([^<]+)', page.read_text("utf-8")))
    assert "Excepciones" in labels and "Parámetros" in labels, labels
    assert not labels & {"Muestra", "Campos", "Raises"}, labels
