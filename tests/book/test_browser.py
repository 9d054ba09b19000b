"""El libro construido, visto en un Chromium real sin red.

Necesita ``_build/html`` (``jupyter-book build .``), el Chromium del sistema
(``/usr/bin/chromium`` en Debian) y la copia local de MathJax
(``npm ci --prefix .ci``). Si falta algo, los tests se saltan con un mensaje que
dice qué falta; con ``PIDL_REQUIRE_BUILD=1`` (así los corre ``.ci/run``) fallan.

Cada página se abre en su propio test: sin errores de JavaScript, con cada
fórmula tipografiada por MathJax, cada imagen cargada y con texto
alternativo (ni vacío ni una ruta de archivo), sin sintaxis MyST ni
claves de glue o de cita a la vista y con cada solución desplegable que se abre.
Cada página pasa además axe-core (WCAG 2.1 A/AA, sin violaciones críticas ni
graves) a 1440 px y a 390 px, y a 390 px ningún elemento del texto se sale de la
pantalla de costado (tablas y fórmulas anchas se desplazan dentro de su caja).
Los menús se prueban a 390 px (el ☰ abre los capítulos, «Contenido» las
secciones) y a 1440 px (el ☰ pliega y despliega la barra lateral); la interfaz
está en español, la búsqueda no distingue tildes y sus resúmenes muestran el texto
del capítulo (no los botones de la página), el enlace a Colab se llama «Colab» (sin
repetir el nombre en el ``alt`` del logotipo) y una figura se abre a tamaño completo
con un toque.
Se guardan capturas de algunas páginas en ``_build/screenshots/`` para mirarlas.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

import pidl_book
from tests import ROOT, browser, require_or_skip
from tests.browser import SCREENSHOTS

pytestmark = pytest.mark.book  # todo se mira en el libro construido
HTML = pidl_book.build_dir() / pidl_book.HTML_DIR
# Páginas de las que se guarda una captura (si existen en el libro construido).
SCREENSHOT_PAGES = {
    "intro.html": "portada.png",
    "chapters/02-mlp.html": "cap02-mlp.png",
    "chapters/11-pinns-edp.html": "cap11-pinns-edp.png",
    "chapters/12-pinns-burgers.html": "cap12-pinns-burgers.png",
}
# Búsqueda: una palabra española con tilde y el capítulo que debe aparecer.
SEARCH_WORD, SEARCH_EXPECTED = "retropropagación", "chapters/03-retropropagacion.html"
# Capturas a 390 px (test_page_on_a_phone).
PHONE_SCREENSHOT_PAGES = {
    "chapters/06-cnn.html": "movil-cap06-cnn.png",
    "chapters/A2-guia-docente.html": "movil-guia-docente.png",
}


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
def site(chromium, mathjax):
    """URL base del libro servido por HTTP local, y un navegador sin red."""
    blocked: list[str] = []
    with browser.serve(HTML) as base, browser.launch(chromium) as chrome:
        context = browser.offline_context(chrome, mathjax, blocked)
        yield base, context
        context.close()
    if browser.known_upstream:  # visibles en el resumen de pytest, sin hacer fallar
        warnings.warn("errores conocidos de dependencias (ver browser.KNOWN_UPSTREAM): "
                      + " | ".join(sorted(browser.known_upstream)), stacklevel=1)


@pytest.fixture(scope="module")
def phone(site, mathjax):
    """Un contexto de teléfono (390×844, táctil) del mismo navegador sin red."""
    _, desktop = site
    context = browser.offline_context(desktop.browser, mathjax, [], **PHONE)
    yield context
    context.close()


@pytest.fixture
def page(site):
    _, context = site
    tab = context.new_page()
    yield tab
    tab.close()


@pytest.mark.parametrize("name", PAGES, ids=[p or "sin-libro" for p in PAGES])
def test_page_renders(site, page, axe_js, name):
    base, _ = site
    assert name is not None  # sin libro, la marca book ya saltó o falló (conftest.py)
    problems = browser.check_book_page(page, base + name)
    problems.extend(browser.check_axe(page, axe_js))
    if name in SCREENSHOT_PAGES:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / SCREENSHOT_PAGES[name]))
    # Cada solución del capítulo fuente es un desplegable en la página (y se revisó arriba).
    source = ROOT / Path(name).with_suffix(".md")
    if source.is_file():
        expected = len(re.findall(r"^(?:```+|:::+)\{solution(?:-start)?\}", source.read_text(encoding="utf-8"),
                                  flags=re.MULTILINE))
        found = page.locator(".solution.admonition.dropdown").count()
        if found != expected:
            problems.append(f"{expected} soluciones en {source.name} pero {found} desplegables en la página")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def test_alt_text_check_rejects_paths_and_empty_alts(page):
    """La revisión del texto alternativo acepta una descripción y rechaza lo que no lo es.

    Usa el navegador del módulo (una segunda instancia de Playwright en el mismo proceso
    falla) y una página escrita en el momento: la revisión solo lee el DOM.
    """
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42"
             "mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    page.set_content(
        f'<html lang="es"><body><img src="{pixel}"><article>'
        f'<img src="{pixel}" alt="La pérdida de validación baja y luego sube: sobreajuste.">'
        f'<img src="{pixel}"><img src="{pixel}" alt=" ">'
        f'<img src="{pixel}" alt="../_images/03ffa1.png"><img src="{pixel}" alt="f.png">'
        "</article></body></html>")
    problems = browser.check_alt_text(page)
    assert len(problems) == 4, problems  # la imagen fuera de ``article`` no cuenta
    assert sum("ruta de archivo" in p for p in problems) == 2, problems


def test_button_name_check_rejects_a_repeated_logo_alt(page):
    """La revisión de nombres de botones detecta «Colab (logotipo) Colab» y acepta el arreglo."""
    pixel = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42"
             "mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    page.set_content(
        f'<html lang="es"><body><a href="#"><img alt="Colab (logotipo)" src="{pixel}"> '
        '<span>Colab</span></a><a href="#"><i class="pidl-logo-colab"></i><span>Colab</span></a>'
        f'<a href="#"><img alt="Logotipo del curso" src="{pixel}"></a></body></html>')
    problems = browser.check_button_names(page)
    assert len(problems) == 1 and "Colab (logotipo) Colab" in problems[0], problems


def test_colab_button_is_named_colab(site, page):
    """El enlace a Colab de un capítulo se llama «Colab» para un lector de pantalla."""
    base, _ = site
    name = "chapters/06-cnn.html"
    require_or_skip((HTML / name).is_file(), f"el libro construido no tiene {name}")
    page.goto(base + name, wait_until="load")
    link = page.locator(".dropdown-launch-buttons a.dropdown-item").first
    assert "colab.research.google.com" in (link.get_attribute("href") or "")
    # El menú está cerrado: include_hidden para calcular el nombre igual.
    named = page.get_by_role("link", name="Colab", exact=True, include_hidden=True)
    assert named.count() == 1, (
        "el enlace a Colab no se llama exactamente «Colab»: "
        + link.evaluate("a => a.innerHTML"))
    assert link.locator("img").count() == 0 and link.locator(".pidl-logo-colab").count() == 1
    assert link.locator(".pidl-logo-colab").evaluate(
        "i => getComputedStyle(i).backgroundImage").find("logo_colab.png") > 0, "sin logotipo"


def test_every_toc_entry_was_built():
    """Cada archivo de ``_toc.yml`` tiene su página (un capítulo perdido no pasaría en silencio)."""
    files = [p.relative_to(ROOT).with_suffix("") for p in pidl_book.toc_files(ROOT)]
    assert files, "_toc.yml sin entradas"
    missing = [f.as_posix() for f in files if not (HTML / f"{f}.html").is_file()]
    assert not missing, f"capítulos sin página en {HTML}: {missing}"


def test_search_finds_a_chapter_by_a_spanish_word(site, page):
    base, _ = site
    require_or_skip((HTML / SEARCH_EXPECTED).is_file(),
                    f"el libro construido no tiene {SEARCH_EXPECTED}")
    page.goto(f"{base}search.html?q={SEARCH_WORD}", wait_until="load")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=30_000)
    links = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any(SEARCH_EXPECTED in link for link in links), (
        f"buscar «{SEARCH_WORD}» no encontró {SEARCH_EXPECTED}; resultados: {links}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "busqueda.png"))


# Menús (issue #24): en un teléfono el ☰ abre el panel de capítulos y el botón
# «contenido de la página» el de secciones; en una pantalla ancha el ☰ pliega y
# despliega la barra lateral. Los arregla _static/menus.js (el tema ata la acción
# a un botón oculto); este test avisa si una actualización del tema los rompe.
MENU_PAGE, MENU_TARGET = "chapters/02-mlp.html", "chapters/03-retropropagacion.html"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PRIMARY_DIALOG, SECONDARY_DIALOG = "#pst-primary-sidebar-modal", "#pst-secondary-sidebar-modal"


def _menu_button(page, kind: str):
    """El único botón de menú visible de la clase ``kind`` (``primary`` o ``secondary``)."""
    buttons = page.locator(f".{kind}-toggle:visible")
    assert buttons.count() == 1, f"{buttons.count()} botones .{kind}-toggle visibles en {page.url}"
    return buttons.first


def _wait_for(locator, state: str, message: str) -> None:
    """Espera (5 s) a que ``locator`` quede en ``state``; si no, falla con ``message``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        locator.wait_for(state=state, timeout=5_000)
    except PlaywrightTimeout:
        pytest.fail(message, pytrace=False)


def _dialog_open(page, selector: str) -> bool:
    return page.evaluate("s => !!(document.querySelector(s) || {}).open", selector)


def test_menus_on_a_phone(site, mathjax):
    """A 390×844: el ☰ abre los capítulos, un enlace lleva a otro capítulo y el
    botón del contenido abre sus secciones; un enlace a una sección cierra el panel."""
    base, desktop = site
    for name in (MENU_PAGE, MENU_TARGET):
        require_or_skip((HTML / name).is_file(), f"el libro construido no tiene {name}")
    context = browser.offline_context(desktop.browser, mathjax, [], **PHONE)
    page = context.new_page()
    errors: list[str] = []
    try:
        page.goto(base + MENU_PAGE, wait_until="load")
        # Solo los errores de los menús (y de la página a la que se llega), sin los
        # conocidos de las dependencias (browser.KNOWN_UPSTREAM).
        page.on("pageerror", lambda exc: errors.append(f"error de JavaScript: {exc}"))

        # ☰: el panel de capítulos se abre, se ve entero y tiene los capítulos.
        _menu_button(page, "primary").tap()
        _wait_for(page.locator(PRIMARY_DIALOG), "visible", "a 390 px, el ☰ no abre el panel de capítulos")
        assert _dialog_open(page, PRIMARY_DIALOG), "el panel de capítulos se ve pero no es un diálogo abierto"
        box = page.locator(PRIMARY_DIALOG).bounding_box()
        assert box and box["x"] >= 0 and box["width"] >= 200 and box["x"] + box["width"] <= 390, (
            f"el panel de capítulos no entra en la pantalla: {box}")
        chapters = page.locator(f"{PRIMARY_DIALOG} nav a:visible")
        assert chapters.count() >= 10, f"el panel muestra {chapters.count()} enlaces a capítulos"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "movil-menu-capitulos.png"))

        # Un capítulo del panel: se llega a su página.
        page.locator(f"{PRIMARY_DIALOG} a[href$='{Path(MENU_TARGET).name}']:visible").first.tap()
        page.wait_for_url(f"**/{MENU_TARGET}*", timeout=10_000)
        page.wait_for_load_state("load")

        # Contenido de la página: el panel de secciones se abre.
        _menu_button(page, "secondary").tap()
        _wait_for(page.locator(SECONDARY_DIALOG), "visible",
                  "a 390 px, el botón «Contenido» no abre el panel de secciones")
        assert _dialog_open(page, SECONDARY_DIALOG), "el panel de secciones se ve pero no es un diálogo abierto"
        sections = page.locator(f"{SECONDARY_DIALOG} a[href^='#']:visible")
        assert sections.count() >= 3, f"el panel del contenido muestra {sections.count()} secciones"
        page.screenshot(path=str(SCREENSHOTS / "movil-contenido-pagina.png"))

        # Una sección del panel: el panel se cierra y la sección queda arriba, a la vista.
        section = sections.nth(min(3, sections.count() - 1))
        target = (section.get_attribute("href") or "#")[1:]
        section.tap()
        _wait_for(page.locator(SECONDARY_DIALOG), "hidden",
                  f"el panel de secciones sigue abierto tras elegir #{target}, tapando el texto")
        page.wait_for_timeout(200)  # el tema devuelve el foco al botón al cerrar
        top = page.evaluate("id => document.getElementById(decodeURIComponent(id))"
                            ".getBoundingClientRect().top", target)
        assert 0 <= top < 844 / 3, f"la sección #{target} quedó a {top:.0f} px del borde superior"
        errors = [e for e in errors if e not in browser.KNOWN_UPSTREAM]
        assert not errors, f"errores al usar los menús: {errors}"
    finally:
        context.close()


def test_menus_on_a_wide_screen(site, page):
    """A 1440×900: el ☰ pliega la barra lateral (el texto se ensancha) y la vuelve a mostrar."""
    base, _ = site
    require_or_skip((HTML / MENU_PAGE).is_file(), f"el libro construido no tiene {MENU_PAGE}")
    page.goto(base + MENU_PAGE, wait_until="load")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"error de JavaScript: {exc}"))
    sidebar = page.locator("#pst-primary-sidebar")
    article = page.locator(".bd-article-container")
    assert sidebar.is_visible(), "la barra lateral no se ve al cargar la página"
    width = article.bounding_box()["width"]

    _menu_button(page, "primary").click()
    _wait_for(sidebar, "hidden", "a 1440 px, el ☰ no pliega la barra lateral")
    page.wait_for_timeout(500)  # la animación del tema
    wider = article.bounding_box()["width"]
    assert wider > width + 100, f"el texto no se ensanchó al plegar la barra ({width:.0f} → {wider:.0f} px)"
    assert not _dialog_open(page, PRIMARY_DIALOG), "el ☰ abrió el panel en lugar de plegar la barra"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "escritorio-menu-plegado.png"))

    _menu_button(page, "primary").click()
    _wait_for(sidebar, "visible", "a 1440 px, un segundo clic en el ☰ no vuelve a mostrar la barra lateral")
    errors = [e for e in errors if e not in browser.KNOWN_UPSTREAM]
    assert not errors, f"errores al usar el menú: {errors}"


# --- A 390 px: nada se sale de la pantalla, axe-core sin violaciones graves ---------------

@pytest.mark.parametrize("name", PAGES, ids=[p or "sin-libro" for p in PAGES])
def test_page_on_a_phone(site, phone, axe_js, name):
    """A 390×844 ningún elemento del texto obliga a desplazar la página de costado
    (una tabla o una fórmula ancha se desplaza dentro de su caja) y axe-core no
    encuentra violaciones críticas ni graves."""
    base, _ = site
    assert name is not None
    page = phone.new_page()
    try:
        page.goto(base + name, wait_until="load")
        math = page.evaluate(browser._MATHJAX_JS)
        assert math["ready"], f"{name}: MathJax no cargó"
        page.evaluate(browser._IMAGES_JS)
        page.wait_for_timeout(200)  # el tema termina de acomodar la cabecera
        problems = browser.check_phone_overflow(page) + browser.check_axe(page, axe_js)
        if name in PHONE_SCREENSHOT_PAGES:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / PHONE_SCREENSHOT_PAGES[name]))
        assert not problems, f"{name} a 390 px:\n  " + "\n  ".join(problems)
    finally:
        page.close()


def test_overflow_check_finds_what_sticks_out(phone):
    """La revisión de desbordes marca lo que pasa el borde y acepta lo que se desplaza en su caja."""
    page = phone.new_page()
    try:
        page.set_content(
            '<html lang="es"><head><meta name="viewport" content="width=device-width"></head>'
            '<body style="margin:0"><article>'
            '<div id="ancho" style="width:600px">ancho</div>'
            '<div id="caja" style="overflow-x:auto"><div style="width:900px">dentro</div></div>'
            '<p>cabe</p></article></body></html>')
        problems = browser.check_phone_overflow(page)
    finally:
        page.close()
    assert any("div#ancho" in p for p in problems), problems
    assert not any("dentro" in p for p in problems), problems


# --- Interfaz en español ----------------------------------------------------------------
# Textos de la interfaz que llegan en inglés desde el tema, MyST-NB o Sphinx. Se buscan
# en el texto visible fuera del artículo y en los atributos que lee un lector de pantalla
# o que aparecen al pasar el puntero (title, aria-label, placeholder, alt).
ENGLISH_UI = re.compile(
    r"\b(Toggle|Search|Launch|Repository|Suggest|Open issue|Open an issue|Download|Show code|"
    r"Hide code|Link to this|Source|Print to|Fullscreen|previous|next page|Main|Page|Color mode|"
    r"Light|Dark|System|Skip to|Back to top|Contents|Live Code|logo)\b")
_UI_TEXTS_JS = """
() => {
  const out = [];
  document.querySelectorAll('[title], [aria-label], [placeholder], img[alt], [data-bs-title]').forEach(el => {
    if (el.closest('.onlyprint')) return;  // solo al imprimir (display: none en pantalla)
    if (el.closest('article') && !el.closest('.cell_input, details')) return;  // el texto del libro
    for (const a of ['title', 'aria-label', 'placeholder', 'alt', 'data-bs-title'])
      if (el.hasAttribute(a)) out.push(`${a}=«${el.getAttribute(a)}»`);
  });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest('script, style, pre, code, .onlyprint, .bibliography')) continue;
    if (el.closest('article') && !el.closest('summary, .cell_input, details')) continue;
    const t = node.textContent.trim();
    if (t) out.push(`texto «${t.slice(0, 80)}»`);
  }
  return out;
}
"""
INTERFACE_PAGES = ("chapters/06-cnn.html", "search.html", "chapters/A4-referencia-pidl.html")


@pytest.mark.parametrize("name", INTERFACE_PAGES)
def test_interface_is_in_spanish(site, page, name):
    """Botones, menús, búsqueda y desplegables de código del tema y de MyST-NB, en español."""
    base, _ = site
    require_or_skip((HTML / name).is_file(), f"el libro construido no tiene {name}")
    page.goto(base + name, wait_until="load")
    texts = page.evaluate(_UI_TEXTS_JS)
    english = sorted({t for t in texts if ENGLISH_UI.search(t)})
    assert not english, f"{name}: textos de la interfaz en inglés:\n  " + "\n  ".join(english)
    assert "Descarga esta pagina" not in " ".join(texts), "«Descarga esta pagina» sin tilde"


def test_sidebar_numbers_chapters_like_the_text(site, page):
    """La barra lateral numera cada capítulo con el número de su archivo (06-cnn → «6.»),
    el mismo de «Ejercicio 6.1» y de la ecuación (6.2)."""
    base, _ = site
    name = "chapters/06-cnn.html"
    require_or_skip((HTML / name).is_file(), f"el libro construido no tiene {name}")
    page.goto(base + "intro.html", wait_until="load")  # en la portada, todos son enlaces
    entries = page.evaluate(
        "() => Array.from(document.querySelectorAll('#pst-primary-sidebar nav.bd-docs-nav li.toctree-l1 > a'))"
        ".map(a => [a.getAttribute('href'), a.innerText.trim()])")
    numbered = {href.split("/")[-1]: text for href, text in entries}
    for stem, number in (("01-perceptron", "1."), ("06-cnn", "6."), ("12-pinns-burgers", "12."),
                         ("A2-guia-docente", "A2.")):
        text = next((t for h, t in numbered.items() if h.startswith(stem)), None)
        assert text is not None and text.startswith(number + " "), (
            f"{stem} en la barra lateral: {text!r} (se esperaba «{number} …»)")
    page.goto(base + name, wait_until="load")
    title = page.locator("article h1").first.inner_text()
    assert title.startswith("6. "), f"el título del capítulo 06 es {title!r}"
    exercises = page.locator("article .exercise .admonition-title").all_inner_texts()
    assert exercises and all(re.search(r"\b6\.\d+\b", t) for t in exercises), exercises


def test_teaching_guide_lists_chapter_titles(site, page):
    """La Guía docente nombra cada capítulo por su título, no por su archivo («00-introduccion»)."""
    base, _ = site
    name = "chapters/A2-guia-docente.html"
    require_or_skip((HTML / name).is_file(), f"el libro construido no tiene {name}")
    page.goto(base + name, wait_until="load")
    headings = page.locator("article h3").all_inner_texts()
    contents = page.locator("#pst-page-toc-nav a").all_inner_texts()
    file_names = [t for t in headings + contents if re.search(r"\b\d\d-[a-z]", t)]
    assert not file_names, f"títulos con nombres de archivo: {file_names}"
    assert any("Redes convolucionales" in t for t in contents), contents


# --- Búsqueda -----------------------------------------------------------------------------

def _search(page, base: str, query: str) -> list[str]:
    page.goto(f"{base}search.html?q={query}", wait_until="load")
    page.wait_for_function(
        "() => { const s = document.querySelector('#search-results .search-summary, #search-results p');"
        " return s && s.innerText.trim().length > 0; }", timeout=30_000)
    results = page.locator("#search-results ul.search li a")
    return [results.nth(i).get_attribute("href") or "" for i in range(results.count())]


def test_search_ignores_accents(site, phone):
    """«retropropagacion» (sin tilde, como se escribe en un teléfono) encuentra el capítulo 03."""
    base, _ = site
    require_or_skip((HTML / SEARCH_EXPECTED).is_file(), f"el libro construido no tiene {SEARCH_EXPECTED}")
    page = phone.new_page()
    try:
        links = _search(page, base, "retropropagacion")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "movil-busqueda-sin-tilde.png"))
    finally:
        page.close()
    assert any(SEARCH_EXPECTED in link for link in links), (
        f"buscar «retropropagacion» no encontró {SEARCH_EXPECTED}; resultados: {links}")


# Restos de la barra de botones del artículo («… Libro completo (PDF)») y del índice que
# solo se imprime («Contenido»): un resumen de la búsqueda no debe contenerlos.
HEADER_BUTTON_TEXT = re.compile(r"Sugerir un cambio|Abrir una incidencia|sin salidas\)|PDF\)|"
                                r"\bContenido\b|Repositorio\b")


def test_search_snippets_show_the_chapter_text(site, page):
    """Cada resumen de la búsqueda muestra texto del capítulo alrededor de la palabra
    buscada, no los nombres de los botones de la página (ejecutar, descargar...)."""
    base, _ = site
    require_or_skip((HTML / SEARCH_EXPECTED).is_file(), f"el libro construido no tiene {SEARCH_EXPECTED}")
    _search(page, base, "retropropagacion")
    page.wait_for_function(
        "() => document.querySelectorAll('#search-results ul.search li p.context').length >= 3",
        timeout=30_000)
    items = page.locator("#search-results ul.search li")
    snippets = {items.nth(i).locator("a").first.get_attribute("href") or "":
                (items.nth(i).locator("p.context").all_inner_texts() or [""])[0]
                for i in range(items.count())}
    with_buttons = {h: s[:160] for h, s in snippets.items() if HEADER_BUTTON_TEXT.search(s)}
    assert not with_buttons, f"resúmenes con texto de los botones: {with_buttons}"
    chapter = next(s for h, s in snippets.items() if SEARCH_EXPECTED in h)
    assert "Entrenar una red" in chapter, f"resumen del capítulo 03: «{chapter[:200]}»"


def test_search_ranks_the_chapter_before_the_api(site, page):
    """Al buscar «Burgers», el capítulo 12 va antes que la referencia de la API de pidl."""
    base, _ = site
    expected = "chapters/12-pinns-burgers.html"
    require_or_skip((HTML / expected).is_file(), f"el libro construido no tiene {expected}")
    links = _search(page, base, "Burgers")
    assert links and expected in links[0], f"primer resultado de «Burgers»: {links[:3]}"


def test_search_without_results_says_so_in_spanish(site, page):
    base, _ = site
    links = _search(page, base, "zqxjkw")
    status = page.locator("#search-results p.search-summary, #search-results p").first.inner_text()
    assert not links
    assert status.startswith("Ninguna página contiene"), f"mensaje sin resultados: «{status}»"


# --- Figuras a tamaño completo en un teléfono ------------------------------------------------

def test_a_figure_opens_full_size_on_a_phone(site, phone):
    """A 390 px, tocar una figura de un capítulo abre la imagen sola, a tamaño natural."""
    base, _ = site
    name = "chapters/06-cnn.html"
    require_or_skip((HTML / name).is_file(), f"el libro construido no tiene {name}")
    page = phone.new_page()
    try:
        page.goto(base + name, wait_until="load")
        figure = page.locator("article .cell_output a.pidl-figura-completa img").first
        figure.scroll_into_view_if_needed()
        shown = figure.bounding_box()["width"]
        natural = figure.evaluate("img => img.naturalWidth")
        figure.tap()
        page.wait_for_url("**/_images/*", timeout=10_000)
        page.wait_for_load_state("load")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "movil-figura-completa.png"))
        opened = page.evaluate("() => (document.images[0] || {}).naturalWidth || 0")
    finally:
        page.close()
    assert opened == natural and natural > shown, (
        f"la figura abierta mide {opened} px (natural {natural}, en la página {shown:.0f})")


def test_search_stems_like_the_index(site, page):
    """La raíz que calcula el navegador para una consulta es la misma que el índice guardó
    para esa palabra (Python), con y sin tildes, para todo el vocabulario de los capítulos:
    si no, una palabra escrita igual que en el texto no se encontraría."""
    import interfaz_es

    base, _ = site

    words = set()
    for source in (ROOT / "chapters").glob("*.md"):
        words |= {w.lower() for w in re.findall(r"[^\W\d_]{3,}", source.read_text(encoding="utf-8"))}
    words = sorted(words | {interfaz_es.strip_accents(w) for w in words})
    language = interfaz_es.SpanishWithoutAccents({})
    page.goto(base + "search.html", wait_until="load")
    stems = page.evaluate("ws => { const s = new Stemmer(); return ws.map(w => s.stemWord(w)); }", words)
    differ = [(w, language.stem(w), js) for w, js in zip(words, stems) if language.stem(w) != js]
    assert not differ, f"{len(differ)} de {len(words)} palabras con otra raíz en el navegador: {differ[:10]}"
