"""Utilidades para probar páginas en Chromium sin red (las usan los tests del libro
construido y los de las herramientas que abren un navegador).

- :func:`find_chromium`, :func:`find_mathjax`, :func:`find_axe`: localizan el navegador
  de Debian y las copias locales de MathJax 3 y axe-core (``npm ci --prefix .ci``); los
  tests los piden con los fixtures ``chromium``, ``mathjax`` y ``axe_js`` de ``conftest.py``, que saltan (o fallan, con
  ``PIDL_REQUIRE_BUILD=1``) diciendo qué falta. El libro construido está en
  ``pidl_book.build_dir()``.
- :data:`SCREENSHOTS`: la carpeta de las capturas, ``<build>/screenshots``.
- :func:`launch`: abre Chromium con Playwright, sin descargar navegador alguno.
- :func:`offline_context`: un contexto del navegador que solo habla con
  ``127.0.0.1``; la petición de MathJax a la CDN se sirve desde la copia local y
  todo lo demás externo se aborta (y se anota).
- :func:`check_book_page`: visita una página y devuelve la lista de problemas.
- :func:`check_alt_text`: los ``<img>`` del texto sin texto alternativo útil.
- :func:`find_axe`, :func:`check_axe`: axe-core (copia local fijada en
  ``.ci/package-lock.json``) sobre la página abierta: violaciones críticas o graves
  de WCAG 2.1 A/AA, salvo las de :data:`AXE_UPSTREAM`.
- :func:`check_phone_overflow`: elementos del texto que se salen de la pantalla de
  costado (sin una caja propia que se desplace).
"""

from __future__ import annotations

import functools
import http.server
import mimetypes
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pidl_book
from tests import ROOT

# Las capturas de las páginas, para mirarlas (test_browser.py, test_jupyterlab.py...).
SCREENSHOTS = pidl_book.build_dir() / "screenshots"
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Sintaxis MyST que nunca debe verse en el texto renderizado.
RAW_MYST = re.compile(
    r"\{(?:glue(?::\w+)?|cite(?::\w+)?|eq|doc|ref|numref|math|term|download|prf:\w+)\}`"
    r"|\{glue|\{cite|\{eq\}|\{doc\}"
    r"|```\{|:::\{"
    r"|^\s*:(?:label|class|tags|name|filter|keyprefix|labelprefix):\s",
    re.MULTILINE,
)
# Claves sin resolver: glue (``ch07_acc``) y citas (``c07-hochreiter1997long``).
RAW_KEYS = re.compile(r"\bch\d{2}_[a-z0-9_]+|\bc\d{2}-[a-z]+\d{4}[a-z]*")
# Una palabra repetida dentro de un mismo párrafo: «el ejercicio Ejercicio 46» cuando
# una referencia {ref} ya escribe «Ejercicio N».
REPEATED_WORD = re.compile(r"\b([^\W\d_]{3,})\s+\1\b", re.IGNORECASE)
# Matemática que MathJax no procesó.
RAW_MATH = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\\frac|\\mathbf|\\mathcal")


def find_chromium() -> str | None:
    """Ruta del Chromium del sistema: ``PIDL_CHROMIUM``, ``/usr/bin/chromium`` o el ``PATH``."""
    for candidate in (os.environ.get("PIDL_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def find_mathjax() -> Path | None:
    """Carpeta ``es5`` de MathJax 3: ``PIDL_MATHJAX_DIR`` o ``.ci/node_modules/mathjax/es5``."""
    candidate = Path(os.environ.get("PIDL_MATHJAX_DIR", ROOT / ".ci" / "node_modules" / "mathjax" / "es5"))
    return candidate if (candidate / "tex-mml-chtml.js").is_file() else None


def find_axe() -> Path | None:
    """``axe.min.js`` de axe-core: ``PIDL_AXE_JS`` o ``.ci/node_modules/axe-core/axe.min.js``."""
    candidate = Path(os.environ.get("PIDL_AXE_JS", ROOT / ".ci" / "node_modules" / "axe-core" / "axe.min.js"))
    return candidate if candidate.is_file() else None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # sin una línea por petición en la salida de pytest
        pass


@contextmanager
def serve(directory: Path):
    """Sirve ``directory`` por HTTP en un puerto libre de 127.0.0.1; devuelve la URL base."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def launch(chromium: str):
    """Chromium de Debian controlado por Playwright (nunca ``playwright install``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_context(browser, mathjax: Path | None, blocked: list[str], **options):
    """Contexto que sirve MathJax desde ``mathjax`` y aborta toda otra petición externa."""
    # 1440 px: desde ese ancho la columna del texto del tema llega a su máximo
    # (786 px, 89 caracteres de código); las líneas de código del libro tienen ≤ 88.
    options.setdefault("viewport", {"width": 1440, "height": 900})
    context = browser.new_context(**options)

    def route(route):
        url = route.request.url
        host = urlparse(url).hostname or ""
        if host in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:")):
            return route.continue_()
        if mathjax is not None and url.startswith(MATHJAX_CDN):
            rel = urlparse(url).path.split("/mathjax@3/", 1)[1]
            rel = rel[len("es5/"):] if rel.startswith("es5/") else rel
            local = (mathjax / rel).resolve()
            if local.is_file() and mathjax.resolve() in local.parents:
                ctype = mimetypes.guess_type(local.name)[0] or "application/octet-stream"
                return route.fulfill(path=str(local), content_type=ctype)
        blocked.append(url)
        return route.abort()

    context.route("**/*", route)
    return context


# Texto visible fuera del código: los nodos de texto que no están dentro de código,
# scripts, fórmulas ya tipografiadas ni elementos ocultos por CSS.
_VISIBLE_TEXT_JS = """
() => {
  const skip = 'pre, code, script, style, textarea, mjx-container, .highlight, .MathJax, svg';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest(skip)) continue;
    if (!node.textContent.trim()) continue;
    out.push(node.textContent);
  }
  return out.join('\\n');
}
"""

_MATHJAX_JS = """
async () => {
  const math = document.querySelectorAll('.math, span.math, div.math');
  if (!math.length) return {formulas: 0, ready: true, errors: []};
  for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise))
    return {formulas: math.length, ready: false, errors: []};
  await MathJax.startup.promise;
  if (MathJax.typesetPromise) await MathJax.typesetPromise();
  const errors = [];
  document.querySelectorAll('mjx-merror').forEach(e =>
    errors.push('error de MathJax: ' + (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120)));
  // \\noundefined escribe en rojo la macro desconocida en lugar de un mjx-merror.
  document.querySelectorAll('mjx-container [style*="color: red"], mjx-container [style*="color:red"]').forEach(e =>
    errors.push('macro desconocida en una fórmula: ' + e.textContent.slice(0, 80)));
  const typeset = document.querySelectorAll('mjx-container').length;
  return {formulas: math.length, ready: true, typeset, errors};
}
"""

# Lo que obliga a desplazarse de costado en la columna del texto: fórmulas en
# bloque más anchas que su caja y celdas de código con líneas que no entran.
_OVERFLOW_JS = """
() => {
  const out = [];
  const article = document.querySelector('article');
  if (!article) return out;
  article.querySelectorAll('mjx-container[display="true"]').forEach(el => {
    const math = el.querySelector('mjx-math');
    const box = el.parentElement.getBoundingClientRect().width;
    const wide = math ? math.getBoundingClientRect().width : 0;
    if (wide > box + 1)
      out.push(`fórmula más ancha que la columna (${Math.round(wide)} > ${Math.round(box)} px): `
               + (el.closest('.math') || el).textContent.slice(0, 60));
  });
  article.querySelectorAll('.cell_input pre').forEach(pre => {
    if (pre.scrollWidth > pre.clientWidth + 1) {
      const long = pre.innerText.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '');
      out.push(`celda de código que se desplaza de costado (${pre.scrollWidth} > `
               + `${pre.clientWidth} px): «${long.slice(0, 60)}»`);
    }
  });
  return out;
}
"""

_IMAGES_JS = """
async () => {
  const imgs = Array.from(document.images);
  for (const img of imgs) { img.loading = 'eager'; }
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(r => {
    img.addEventListener('load', r); img.addEventListener('error', r); setTimeout(r, 10000);
  })));
  return imgs.filter(img => !(img.complete && img.naturalWidth > 0))
             .map(img => img.getAttribute('src'));
}
"""


# Texto alternativo de las imágenes del texto (``article``): sin ``alt``, con ``alt``
# vacío o con una ruta de archivo por ``alt`` (lo que escribe MyST-NB para una
# figura de una celda sin ``mystnb.image.alt``: «../_images/03ff….png»), un lector
# de pantalla no dice nada útil. axe-core no lo detecta: para él, un alt existe.
_ALT_JS = """
() => {
  const out = [];
  const root = document.querySelector('article');
  if (!root) return out;
  const looksLikePath = /^\\S*\\.(png|jpe?g|gif|svg|webp|pdf)$|^\\.{0,2}\\/|_images\\/|^[0-9a-f]{16,}$/i;
  root.querySelectorAll('img').forEach(img => {
    const src = img.getAttribute('src') || '';
    const name = src.split('/').pop().slice(0, 24);
    if (!img.hasAttribute('alt')) {
      out.push(`imagen sin texto alternativo: ${name}`);
      return;
    }
    const alt = img.getAttribute('alt').trim();
    if (!alt)
      out.push(`imagen con texto alternativo vacío: ${name}`);
    else if (looksLikePath.test(alt) || src.endsWith(alt))
      out.push(`imagen con una ruta de archivo por texto alternativo: «${alt.slice(0, 60)}»`);
  });
  return out;
}
"""


def check_alt_text(page) -> list[str]:
    """Problemas de texto alternativo de las imágenes del texto de la página ya abierta.

    Cada ``<img>`` dentro de ``article`` necesita un ``alt`` que no esté vacío ni sea
    una ruta de archivo; las figuras de los capítulos lo reciben de la metadata
    ``mystnb.image.alt`` de su celda.
    """
    return page.evaluate(_ALT_JS)


_BUTTON_NAMES_JS = r"""
() => {
  const out = [];
  document.querySelectorAll('a, button').forEach(el => {
    if (el.closest('article')) return;
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim();
    const alts = Array.from(el.querySelectorAll('img[alt]'))
      .map(img => img.getAttribute('alt').trim()).filter(Boolean);
    if (!text || !alts.length) return;
    const words = new Set(text.toLowerCase().split(' '));
    for (const alt of alts)
      if (alt.toLowerCase().split(/\s+/).some(w => words.has(w)))
        out.push(`botón «${text}» con una imagen alt=«${alt}»: un lector de pantalla ` +
                 `lo nombra «${alt} ${text}»`);
  });
  return out;
}
"""


def check_button_names(page) -> list[str]:
    """Botones y enlaces de la interfaz cuyo nombre repite su texto (issue #24).

    Un enlace con texto y una imagen cuyo ``alt`` repite una palabra de ese texto
    (el botón de Colab: ``<img alt="Colab (logotipo)">`` + «Colab») se lee
    «Colab (logotipo) Colab»: si el enlace ya tiene texto, la imagen es decorativa.
    """
    return page.evaluate(_BUTTON_NAMES_JS)


# Errores conocidos de las dependencias del tema, no del libro, que el libro no
# puede corregir sin parchear paquetes; se comparan por texto EXACTO y se siguen
# informando (``known_upstream``) para que no desaparezcan de la vista:
# - sphinx-thebe 0.3.1 con Sphinx 7.4 escribe dos veces su ``<script>`` de
#   configuración (``const THEBE_JS_URL = ...``): el segundo lanza un SyntaxError
#   sin efecto (el primero ya definió las constantes; el libro no usa thebe).
# - pydata-sphinx-theme, en la primera visita (``localStorage`` vacío), llama a
#   ``setTheme("")``, escribe este ``console.error`` y sigue con el modo «auto».
KNOWN_UPSTREAM = (
    "error de JavaScript: Identifier 'THEBE_JS_URL' has already been declared",
    "console.error: Got invalid theme mode: . Resetting to auto.",
)
known_upstream: set[str] = set()


def _ignorable_console(msg) -> bool:
    # Un recurso externo abortado a propósito (sin red) no es un error de la página.
    source = (msg.location or {}).get("url", "")
    local = urlparse(source).hostname in ("127.0.0.1", "localhost")
    return msg.text.startswith("Failed to load resource") and not local


def _drop_known(problems: list[str]) -> list[str]:
    kept = []
    for problem in problems:
        if problem in KNOWN_UPSTREAM:
            known_upstream.add(problem)
        else:
            kept.append(problem)
    return kept


def check_book_page(page, url: str, *, open_dropdowns: bool = True) -> list[str]:
    """Visita ``url`` en ``page`` y devuelve la lista de problemas encontrados (vacía si ninguno).

    Revisa: errores de JavaScript (excepciones no capturadas y ``console.error``),
    que MathJax tipografíe toda fórmula sin nodos de error ni macros desconocidas y
    sin dejar ``$$`` ni ``\\(`` en el texto, que cada imagen cargue
    (``naturalWidth > 0``) y, si está en el texto, tenga un texto alternativo que no
    esté vacío ni sea una ruta de archivo, que ningún botón de la interfaz repita su
    nombre en el ``alt`` de su imagen, que ninguna fórmula en bloque ni celda de código obligue a
    desplazarse de costado en la columna del texto, que no quede sintaxis MyST, clave de glue ni clave de
    cita a la vista, que ningún párrafo repita una palabra («el ejercicio
    Ejercicio 4») y que cada solución desplegable se abra con un clic.
    """
    problems: list[str] = []
    failed_requests: list[str] = []
    on_error = lambda exc: problems.append(f"error de JavaScript: {exc}")
    on_console = lambda msg: (
        msg.type == "error" and not _ignorable_console(msg)
        and problems.append(f"console.error: {msg.text[:200]}")
    )
    on_failed = lambda req: (
        urlparse(req.url).hostname == "127.0.0.1" and failed_requests.append(req.url)
    )
    page.on("pageerror", on_error)
    page.on("console", on_console)
    page.on("requestfailed", on_failed)
    try:
        response = page.goto(url, wait_until="load")
        if response is None or not response.ok:
            problems.append(f"la página no cargó (HTTP {response.status if response else '—'})")
            return problems
        math = page.evaluate(_MATHJAX_JS)
        if not math["ready"]:
            problems.append(f"MathJax no cargó y hay {math['formulas']} fórmulas sin tipografiar")
        elif math["formulas"] and math["typeset"] == 0:
            problems.append(f"MathJax no tipografió ninguna de {math['formulas']} fórmulas")
        problems.extend(math["errors"])
        if math["ready"]:
            problems.extend(page.evaluate(_OVERFLOW_JS))
        problems.extend(f"imagen que no carga: {src}" for src in page.evaluate(_IMAGES_JS))
        problems.extend(check_alt_text(page))
        problems.extend(check_button_names(page))
        if open_dropdowns:
            problems.extend(_check_dropdowns(page))
        text = page.evaluate(_VISIBLE_TEXT_JS)
        for pattern, what in ((RAW_MATH, "fórmula sin tipografiar"),
                              (RAW_MYST, "sintaxis MyST sin renderizar"),
                              (RAW_KEYS, "clave de glue o de cita a la vista")):
            for match in pattern.finditer(text):
                start = max(match.start() - 40, 0)
                context = text[start:match.end() + 40].replace("\n", " ")
                problems.append(f"{what}: «{context}»")
        paragraphs = page.evaluate(
            "() => Array.from(document.querySelectorAll('article p')).map(p => p.innerText)")
        for paragraph in paragraphs:
            for match in REPEATED_WORD.finditer(paragraph):
                start = max(match.start() - 40, 0)
                context = paragraph[start:match.end() + 30].replace("\n", " ")
                problems.append(f"palabra repetida: «{context}»")
        page.wait_for_timeout(100)  # deja llegar los eventos pendientes
        problems.extend(f"recurso local que no carga: {u}" for u in failed_requests)
        problems[:] = _drop_known(problems)
    finally:
        page.remove_listener("pageerror", on_error)
        page.remove_listener("console", on_console)
        page.remove_listener("requestfailed", on_failed)
    return problems


def _check_dropdowns(page) -> list[str]:
    """Cada admonición desplegable empieza cerrada y se abre con un clic en su botón."""
    problems = []
    dropdowns = page.locator(".admonition.dropdown")
    for i in range(dropdowns.count()):
        box = dropdowns.nth(i)
        name = box.get_attribute("id") or f"desplegable {i + 1}"
        body = box.locator(":scope > :not(.admonition-title)").first
        if not box.evaluate("e => e.classList.contains('toggle-hidden')"):
            problems.append(f"{name}: no empieza cerrado")
            continue
        # El botón del título: el texto del título de una solución es un enlace al
        # ejercicio, y un clic ahí navega en lugar de abrir.
        box.locator(":scope > .admonition-title .toggle-button").click()
        page.wait_for_timeout(50)
        opened = not box.evaluate("e => e.classList.contains('toggle-hidden')")
        if not opened or (body.count() and not body.is_visible()):
            problems.append(f"{name}: no se abre al hacer clic")
    return problems


# --- axe-core -------------------------------------------------------------------
# Violaciones de axe-core que vienen de las dependencias y el libro no puede evitar
# sin parchearlas: (regla, selector EXACTO del nodo según axe) → motivo. Se comparan
# por igualdad, así que una violación nueva en otro nodo sigue fallando, y se
# informan (``known_upstream``) para que no desaparezcan de la vista.
AXE_UPSTREAM: dict[tuple[str, str], str] = {}
# Solo lo que se puede exigir en todas las páginas: WCAG 2.1 niveles A y AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_AXE_RUN_JS = """
async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    // Experimental en axe, pero parte de WCAG 2.5.3 (A): el nombre accesible de un
    // botón contiene su texto visible.
    rules: {'label-content-name-mismatch': {enabled: true}},
    resultTypes: ['violations'],
  });
  const out = [];
  for (const v of result.violations) {
    if (v.impact !== 'critical' && v.impact !== 'serious') continue;
    for (const node of v.nodes) {
      out.push({rule: v.id, impact: v.impact, target: node.target.join(' '),
                html: node.html.slice(0, 160),
                summary: (node.failureSummary || '').split('\\n').slice(1, 2).join(' ').slice(0, 160)});
    }
  }
  return out;
}
"""


def check_axe(page, axe_js: Path) -> list[str]:
    """Violaciones críticas o graves de axe-core (WCAG 2.1 A/AA) en la página abierta.

    axe se inyecta desde la copia local (sin red), después de cargar la página y de
    que MathJax termine. Las de :data:`AXE_UPSTREAM` no cuentan (se anotan).
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    problems = []
    for v in page.evaluate(_AXE_RUN_JS, AXE_TAGS):
        key = (v["rule"], v["target"])
        if key in AXE_UPSTREAM:
            known_upstream.add(f"axe {v['rule']} en {v['target']}: {AXE_UPSTREAM[key]}")
            continue
        problems.append(f"axe {v['impact']} {v['rule']} en {v['target']}: {v['html']} ({v['summary']})")
    return problems


# --- Desbordes en un teléfono ---------------------------------------------------------
# Un elemento del texto cuyo borde derecho pasa el de la pantalla obliga a desplazar la
# página de costado (o queda cortado). Se acepta si está dentro de alguna caja que se
# desplaza por sí sola (overflow-x auto/scroll: tablas, fórmulas, código, párrafos en un
# teléfono) y esa caja sí entra en la pantalla. Se informa solo el elemento más externo
# de cada desborde.
_PHONE_OVERFLOW_JS = """
() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const scrolls = el => /(auto|scroll)/.test(getComputedStyle(el).overflowX);
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.classList.length ? '.' + Array.from(el.classList).slice(0, 2).join('.') : '');
  const reported = [];
  if (document.scrollingElement.scrollWidth > vw + 1)
    out.push(`la página se desplaza de costado (${document.scrollingElement.scrollWidth} > ${vw} px)`);
  document.querySelectorAll('article *').forEach(el => {
    if (el.closest('mjx-assistive-mml')) return;  // MathML para lectores de pantalla, recortado
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || (r.right <= vw + 1 && r.left >= -1)) return;
    if (reported.some(p => p.contains(el))) return;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (scrolls(p)) {
        const box = p.getBoundingClientRect();
        if (box.right <= vw + 1 && box.left >= -1) return;  // se desplaza dentro de su caja
      }
    }
    reported.push(el);
    out.push(`${name(el)} se sale de la pantalla (${Math.round(r.left)}…${Math.round(r.right)} px de ${vw}): `
             + `«${(el.innerText || el.getAttribute('alt') || '').trim().slice(0, 50)}»`);
  });
  return out;
}
"""


def check_phone_overflow(page) -> list[str]:
    """Elementos del contenido que se salen de la pantalla de costado (página ya abierta)."""
    return page.evaluate(_PHONE_OVERFLOW_JS)
