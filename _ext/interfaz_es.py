"""La interfaz del libro en español: textos del tema, de MyST-NB y de la búsqueda.

Los capítulos están en español, pero la interfaz que los rodea llega en parte en
inglés o mal traducida (issue #24): cada paquete trae su propio catálogo y el
español de algunos está incompleto («Launch interactive content», «Descarga esta
pagina») o roto (el mensaje de búsqueda sin resultados). Esta extensión:

- compila al construir cada catálogo ``locale/<idioma>/LC_MESSAGES/<dominio>.po``
  (``booktheme``, el de sphinx-book-theme, y cualquier otro salvo ``sphinx``, que
  Sphinx ya compila y antepone por sí mismo) y lo pone DELANTE del catálogo del
  paquete: lo que el libro traduce gana, lo demás lo sigue traduciendo el paquete.
  Los ``.mo`` no se versionan (``.gitignore``): se regeneran cuando falta o es
  más viejo que su ``.po``, como hace Sphinx con ``sphinx.po``;
- pone en español los textos que no pasan por ningún catálogo: el campo de
  búsqueda del tema y el desplegable de MyST-NB de una celda ``hide-input``;
- antepone ``_templates`` (componentes del tema con su texto fijo en inglés);
- hace la búsqueda insensible a las tildes: el índice y la consulta se escriben
  sin marcas diacríticas antes de reducir cada palabra a su raíz (se busca
  «retropropagacion» y aparece «retropropagación»), con el mismo
  algoritmo (Snowball, español) en Python al indexar y en JavaScript al buscar;
- pondera los resultados (``_ext/search_scorer.js``) para que un capítulo cuyo
  título contiene la palabra buscada quede antes que una entrada de la API de
  ``pidl`` con ese nombre.
"""

from __future__ import annotations

import gettext
import unicodedata
from pathlib import Path

from sphinx.locale import translators
from sphinx.search.es import SearchSpanish
from sphinx.util import logging
from sphinx.util.i18n import CatalogRepository

logger = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent

SEARCH_BAR_TEXT = "Buscar en el libro…"
# MyST-NB escribe el tipo en inglés en ``{type}``; el libro solo oculta el código
# de entrada (``hide-input``), así que el texto no lo usa.
CODE_PROMPT_SHOW = "Mostrar el código"
CODE_PROMPT_HIDE = "Ocultar el código"


def strip_accents(word: str) -> str:
    """``word`` sin marcas diacríticas: «retropropagación» → «retropropagacion»."""
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


# En el navegador, lo mismo que ``strip_accents`` antes de la raíz de Snowball. El
# Snowball en JavaScript que trae Sphinx 7.4 es anterior al de Python (snowballstemmer
# 3): solo reconoce los sufijos «-ación» y «-ución» con tilde, así que a la
# palabra ya sin tildes se le devuelve la del sufijo antes de reducirla; así las dos
# implementaciones dan la misma raíz («retropropagacion» → «retropropag»).
_JS_STEMMER = """
var Stemmer = function () {
  var snowball = new SpanishStemmer();
  var sinTildes = function (w) { return w.normalize("NFD").replace(/\\p{M}/gu, ""); };
  this.stemWord = function (word) {
    var w = sinTildes(word).replace(/([au])cion$/, "$1ción");
    return sinTildes(snowball.stemWord(w));
  };
};
"""


class SpanishWithoutAccents(SearchSpanish):
    """Búsqueda en español que no distingue «á» de «a» (ni «ü» de «u», ni «ñ» de «n»)."""

    def init(self, options: dict[str, str]) -> None:
        super().init(options)
        self.stopwords = set(self.stopwords) | {strip_accents(w) for w in self.stopwords}
        minified = Path(__import__("sphinx").__file__).parent / "search" / "minified-js"
        base = (minified / "base-stemmer.js").read_text(encoding="utf-8")
        spanish = (minified / "spanish-stemmer.js").read_text(encoding="utf-8")
        self.js_stemmer_rawcode = ""  # todo va en el código de abajo, sin archivo aparte
        self.js_stemmer_code = f"{base}\n{spanish}\n{_JS_STEMMER}"

    def stem(self, word: str) -> str:
        return self.stemmer.stemWord(strip_accents(word.lower()))


def configure(app, config) -> None:
    """Textos fijos en inglés que se eligen por configuración, no por catálogo."""
    options = config.html_theme_options
    if options.get("search_bar_text", "Search this book...") == "Search this book...":
        options["search_bar_text"] = SEARCH_BAR_TEXT
    for name, text in (("nb_code_prompt_show", CODE_PROMPT_SHOW),
                       ("nb_code_prompt_hide", CODE_PROMPT_HIDE)):
        if name in config and getattr(config, name).startswith(("Show ", "Hide ")):
            setattr(config, name, text)
    if not config.html_search_scorer:
        config.html_search_scorer = str(HERE / "search_scorer.js")
    # Delante de las carpetas de componentes que agregan los temas, para que un
    # componente del libro (``_templates/toggle-primary-sidebar.html``) reemplace al suyo.
    templates = Path(app.srcdir) / "_templates"
    if templates.is_dir() and "_templates" not in config.templates_path:
        config.templates_path = ["_templates", *config.templates_path]


def prepend_catalogs(app) -> None:
    """Compila los ``.po`` del libro y los antepone a los catálogos de los paquetes."""
    language = app.config.language
    repo = CatalogRepository(app.srcdir, app.config.locale_dirs, language,
                             app.config.source_encoding)
    for catalog in repo.catalogs:
        if catalog.domain == "sphinx":  # Sphinx ya lo compila y lo antepone
            continue
        if catalog.is_outdated():
            catalog.write_mo(language, app.config.gettext_allow_fuzzy_translations)
        with open(catalog.mo_path, "rb") as mo:
            ours = gettext.GNUTranslations(mo)
        key = ("general", catalog.domain)
        theirs = translators.get(key)
        if theirs is not None and theirs.__class__ is not gettext.NullTranslations:
            ours.add_fallback(theirs)
        translators[key] = ours
        logger.info(f"interfaz_es: catálogo {catalog.domain} del libro antepuesto")


def setup(app):
    app.add_search_language(SpanishWithoutAccents)
    app.connect("config-inited", configure, priority=900)
    app.connect("builder-inited", prepend_catalogs)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
