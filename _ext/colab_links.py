"""Botones de Colab y de descarga que abren el notebook listo para Colab del capítulo.

El tema enlaza el botón de Colab con el ``.md`` del capítulo en ``main``, que Colab no
sabe abrir. Esta extensión:

- apunta el botón de Colab al ``.ipynb`` exportado (``tools/export_colab.py``) en la
  rama ``colab_branch`` (por defecto ``colab``) del repositorio de ``_config.yml``, y
  deja su logotipo como decoración, sin un texto alternativo que repita «Colab»;
- al terminar la construcción exporta cada capítulo a ``_colab/<capítulo>.ipynb``
  dentro del sitio, con los valores de ``glue`` de esa misma ejecución, y hace que
  el botón de descarga «.ipynb» ofrezca ese notebook y diga que no lleva salidas.
  La exportación es la de ``pidl_book.colab`` (la misma que usa la orden
  ``tools/export_colab.py``); la publicación sube estos mismos notebooks a la rama
  ``colab`` (no exporta otra vez).

Qué página es un capítulo lo dice ``pidl_book.is_chapter_doc``.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.util import logging

from pidl_book import is_chapter_doc
from pidl_book.book import github_repo, load_book
from pidl_book.colab import export
from pidl_book.glue import GlueError, glue_from_build

logger = logging.getLogger(__name__)
COLAB_DIR = "_colab"
# El notebook exportado lleva el código y el texto (con los valores de esta
# construcción escritos), pero no las salidas de las celdas: el menú lo dice.
NOTEBOOK_TEXT = ".ipynb (sin salidas)"
COLAB_ICON = "fa-fw pidl-logo-colab"  # decorativo: ver update_buttons
NOTEBOOK_TOOLTIP = ("Descargar el notebook listo para Colab o Jupyter: sin salidas de "
                    "las celdas (ejecútelo para ver figuras y resultados)")


def colab_link(app, stem: str) -> str | None:
    options = app.config.html_theme_options
    repo = options.get("repository_url", "").rstrip("/")
    colab = (options.get("launch_buttons") or {}).get("colab_url", "").rstrip("/")
    if not (colab and (found := github_repo(repo))):
        return None
    owner, name = found
    return f"{colab}/github/{owner}/{name}/blob/{app.config.colab_branch}/{stem}.ipynb"


def update_buttons(app, pagename, templatename, context, doctree) -> None:
    """Cambia los enlaces de los botones que el tema ya armó (prioridad 501)."""
    if not is_chapter_doc(app.srcdir, pagename):
        return
    stem = pagename.split("/")[-1]
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            for button in group["buttons"]:
                if button.get("text") == "Colab":
                    button["url"] = colab_link(app, stem) or button["url"]
                    # El tema pone el logotipo como <img alt="Colab (logotipo)"> junto al
                    # texto «Colab»: un lector de pantalla leía «Colab (logotipo) Colab».
                    # Con una clase «fa…» el tema escribe un <i> vacío, sin nombre, y el
                    # logotipo lo dibuja _static/libro.css: el enlace se llama «Colab».
                    button["icon"] = COLAB_ICON
        if group.get("label") == "download-buttons":
            buttons = [b for b in group["buttons"]
                       if b.get("label") != "download-notebook-button"]
            buttons.insert(0, {
                "type": "link",
                "url": context["pathto"](f"{COLAB_DIR}/{stem}.ipynb", 1),
                "text": NOTEBOOK_TEXT,
                "icon": "fas fa-code",
                "tooltip": NOTEBOOK_TOOLTIP,
                "label": "download-notebook-button",
            })
            group["buttons"] = buttons


def export_notebooks(app, exception) -> None:
    """Exporta los capítulos construidos a ``<html>/_colab/`` (:func:`pidl_book.colab.export`)."""
    if exception is not None or app.builder.format != "html":
        return
    build_dir, out = Path(app.outdir).parent, Path(app.outdir) / COLAB_DIR
    book, problems = None, []
    for pagename in sorted(app.env.found_docs):
        if not is_chapter_doc(app.srcdir, pagename):
            continue
        try:  # un capítulo que falla no impide exportar los demás
            glue = glue_from_build(pagename.rpartition("/")[2], build_dir)
            if glue is None:
                logger.info(f"colab_links: {pagename} no se ejecutó; no se exporta")
                continue
            book = book or load_book(Path(app.srcdir))
            export(Path(app.srcdir) / f"{pagename}.md", out, book, glue)
        except GlueError as error:  # ExportError también es un GlueError
            problems.append(str(error))
        except Exception as error:  # un glue.json roto, un error de la conversión…
            problems.append(f"{pagename}: {type(error).__name__}: {error}")
    if problems:
        logger.warning("colab_links: no se pudieron exportar todos los capítulos:\n"
                       + "\n".join(problems))


def setup(app):
    app.add_config_value("colab_branch", "colab", "html")
    app.connect("html-page-context", update_buttons, priority=502)
    app.connect("build-finished", export_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
