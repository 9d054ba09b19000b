"""El libro construido, visto en un Chromium real sin red.

Necesita ``_build/html`` (``jupyter-book build .``), el Chromium del sistema
(``/usr/bin/chromium`` en Debian) y la copia local de MathJax
(``npm ci --prefix .ci``). Si falta algo, los tests se saltan con un mensaje que
dice qué falta; con ``PIDL_REQUIRE_BUILD=1`` (así los corre ``.ci/run``) fallan.

Cada página se abre en su propio test: sin errores de JavaScript, con cada
fórmula tipografiada por MathJax, cada imagen cargada, sin sintaxis MyST ni
claves de glue o de cita a la vista y con cada solución desplegable que se abre.
Se guardan capturas de algunas páginas en ``_build/screenshots/`` para mirarlas.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

from tests import browser

BUILD = browser.find_build()
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"
# Páginas de las que se guarda una captura (si existen en el libro construido).
SCREENSHOT_PAGES = {
    "intro.html": "portada.png",
    "chapters/02-mlp.html": "cap02-mlp.png",
    "chapters/11-pinns-edp.html": "cap11-pinns-edp.png",
    "chapters/12-pinns-burgers.html": "cap12-pinns-burgers.png",
}
# Búsqueda: una palabra española con tilde y el capítulo que debe aparecer.
SEARCH_WORD, SEARCH_EXPECTED = "retropropagación", "chapters/03-retropropagacion.html"


def book_pages(html: Path = HTML) -> list[str]:
    """Páginas HTML del libro (sin ``_static``, el índice general, la búsqueda ni redirecciones)."""
    if not html.is_dir():
        return []
    skip = {"genindex.html", "search.html", "py-modindex.html"}
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if not p.relative_to(html).parts[0].startswith("_") and p.name not in skip
        and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8", errors="replace")[:500]
    )


# Sin libro construido queda un único caso que se salta (o falla) con un mensaje claro.
PAGES = book_pages() or [None]


@pytest.fixture(scope="module")
def site():
    """URL base del libro servido por HTTP local, y un navegador sin red."""
    browser.require_or_skip((HTML / "index.html").is_file(),
                            f"no hay libro construido en {HTML} (ejecute `jupyter-book build .`)")
    chromium = browser.find_chromium()
    browser.require_or_skip(chromium is not None,
                            "no se encontró Chromium (instale el paquete `chromium` de Debian "
                            "o indique su ruta en PIDL_CHROMIUM)")
    mathjax = browser.find_mathjax()
    browser.require_or_skip(mathjax is not None,
                            "no hay copia local de MathJax (ejecute `npm ci --prefix .ci` "
                            "o indique la carpeta es5 en PIDL_MATHJAX_DIR)")
    blocked: list[str] = []
    with browser.serve(HTML) as base, browser.launch(chromium) as chrome:
        context = browser.offline_context(chrome, mathjax, blocked)
        yield base, context
        context.close()
    if browser.known_upstream:  # visibles en el resumen de pytest, sin hacer fallar
        warnings.warn("errores conocidos de dependencias (ver browser.KNOWN_UPSTREAM): "
                      + " | ".join(sorted(browser.known_upstream)), stacklevel=1)


@pytest.fixture
def page(site):
    _, context = site
    tab = context.new_page()
    yield tab
    tab.close()


@pytest.mark.parametrize("name", PAGES, ids=[p or "sin-libro" for p in PAGES])
def test_page_renders(site, page, name):
    base, _ = site
    assert name is not None  # sin libro, el fixture ya saltó o falló
    problems = browser.check_book_page(page, base + name)
    if name in SCREENSHOT_PAGES:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / SCREENSHOT_PAGES[name]))
    # Cada solución del capítulo fuente es un desplegable en la página (y se revisó arriba).
    source = browser.ROOT / Path(name).with_suffix(".md")
    if source.is_file():
        expected = len(re.findall(r"^(?:```+|:::+)\{solution(?:-start)?\}", source.read_text(encoding="utf-8"),
                                  flags=re.MULTILINE))
        found = page.locator(".solution.admonition.dropdown").count()
        if found != expected:
            problems.append(f"{expected} soluciones en {source.name} pero {found} desplegables en la página")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def test_every_toc_entry_was_built():
    """Cada archivo de ``_toc.yml`` tiene su página (un capítulo perdido no pasaría en silencio)."""
    browser.require_or_skip(HTML.is_dir(), f"no hay libro construido en {HTML}")
    toc = (browser.ROOT / "_toc.yml").read_text(encoding="utf-8")
    files = re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", toc, flags=re.MULTILINE)
    assert files, "_toc.yml sin entradas"
    missing = [f for f in files if not (HTML / f"{Path(f).with_suffix('')}.html").is_file()]
    assert not missing, f"capítulos sin página en {HTML}: {missing}"


def test_search_finds_a_chapter_by_a_spanish_word(site, page):
    base, _ = site
    browser.require_or_skip((HTML / SEARCH_EXPECTED).is_file(),
                            f"el libro construido no tiene {SEARCH_EXPECTED}")
    page.goto(f"{base}search.html?q={SEARCH_WORD}", wait_until="load")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=30_000)
    links = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any(SEARCH_EXPECTED in link for link in links), (
        f"buscar «{SEARCH_WORD}» no encontró {SEARCH_EXPECTED}; resultados: {links}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "busqueda.png"))
