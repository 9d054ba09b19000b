"""La edición en PDF (``jupyter-book build --builder pdflatex .``) se lee como el libro.

Solo actúa con el constructor LaTeX; el HTML no cambia. Arregla lo que
sphinx-jupyterbook-latex y el escritor LaTeX de Sphinx dejan distinto del libro:

- **Tablas de las salidas.** Las tablas que una celda muestra como HTML (la de
  actualizaciones del perceptrón, los ``DataFrame`` y ``Styler`` de pandas) no
  tienen versión LaTeX: el PDF mostraría ``<pandas.io.formats.style.Styler at
  0x…>``. Aquí se convierten en tablas de docutils (con cursiva, negrita y
  subíndices, celdas que abarcan filas o columnas y la leyenda como párrafo).
- **Numeración por capítulo como en el HTML.** LaTeX numera los capítulos desde 1;
  el libro, desde el nombre del archivo (``pidl_book.doc_number``, como ``_ext/chapter_numbers.py``): el capítulo
  ``00-introduccion`` es el 0 y los apéndices son A1…A5. Antes de cada capítulo se
  fija el contador, así que la figura, la ecuación y el ejercicio llevan el mismo
  número en el PDF y en la web: Figura 6.2, (6.2), Ejercicio 6.1.
- **La portada del libro.** La página de inicio pierde su título (jupyter-book
  #1932) y el índice tomaba el nombre de la primera parte; aquí el índice se llama
  «Índice general» y la página de inicio es un capítulo sin número con su título.
- **El enlace.** El menú de descarga de cada página ofrece el libro entero en PDF.
- **Caracteres sin glifo.** FreeSerif/FreeMono (las fuentes de Sphinx con XeLaTeX)
  no tienen ✅ ni ᵀ en todas sus variantes: se toman de FreeSerif, que sí los tiene.
  ``tests/book/test_pdf.py`` falla si el registro de LaTeX dice «Missing character».
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

from docutils import nodes
from sphinx.builders.latex import LaTeXBuilder
from sphinx.transforms.post_transforms import SphinxPostTransform

from pidl_book import EXECUTED_DIR, doc_number

CONTENTS_NAME = "Índice general"
# Dónde queda el PDF en el sitio: .ci/run y el flujo de publicación copian ahí
# _build/latex/libro.pdf (la `targetname` de _config.yml) después de construirlo.
PDF_NAME = "libro.pdf"

# Caracteres que aparecen en el libro y que la fuente en uso puede no tener: se
# escriben con FreeSerif (paquete fonts-freefont-otf, el mismo de las demás fuentes).
FALLBACK_CHARS = "✅❌ᵀ"

# Sphinx numera las figuras, tablas y ecuaciones con \arabic{chapter} y sin prefijo en
# el capítulo 0; el libro usa el número del capítulo tal como se escribe (0.1, A1.2).
NUMBERING = r"""
\AtBeginDocument{%
  \renewcommand{\thefigure}{\thechapter.\arabic{figure}}%
  \renewcommand{\thetable}{\thechapter.\arabic{table}}%
  \renewcommand{\theequation}{\thechapter.\arabic{equation}}%
  \renewcommand{\theliteralblock}{\thechapter.\arabic{literalblock}}%
}
"""

# Las definiciones van en \AtBeginDocument, después de unicode-math (que hace activos
# los superíndices como ᵀ), y escriben el glifo con \char para no volver a activarlo.
PREAMBLE = r"""
% --- _ext/latex_edition.py ---
\usepackage{newunicodechar}
\newfontfamily\pidlfallbackfont{FreeSerif}
""" + "".join(
    rf'\AtBeginDocument{{\newunicodechar{{{c}}}{{{{\pidlfallbackfont\upshape\char"{ord(c):X}\relax}}}}}}' + "\n"
    for c in FALLBACK_CHARS) + NUMBERING


# --- Tablas HTML → tablas de docutils --------------------------------------------

INLINE = {"i": nodes.emphasis, "em": nodes.emphasis, "b": nodes.strong,
          "strong": nodes.strong, "sub": nodes.subscript, "sup": nodes.superscript,
          "code": nodes.literal}


class _TableParser(HTMLParser):
    """Lee la primera ``<table>`` de un fragmento HTML: filas, celdas y leyenda."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[dict] = []     # {"head": bool, "cells": [celda]}
        self.caption: nodes.paragraph | None = None
        self.depth = 0                 # <table> anidadas: solo la primera cuenta
        self.done = False
        self.in_head = False
        self.stack: list[nodes.Element] = []   # destino del texto: celda o leyenda
        self.skip = 0                  # dentro de <style> o <script>

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script"):
            self.skip += 1
        if self.done or self.skip:
            return
        if tag == "table":
            self.depth += 1
        elif self.depth != 1:
            return
        elif tag == "thead":
            self.in_head = True
        elif tag == "tbody":
            self.in_head = False
        elif tag == "tr":
            self.rows.append({"head": self.in_head, "cells": []})
        elif tag in ("td", "th") and self.rows:
            cell = nodes.paragraph()
            span = {k: max(1, int(attrs.get(k) or 1)) for k in ("colspan", "rowspan")}
            self.rows[-1]["cells"].append({"th": tag == "th", "node": cell, **span})
            self.stack = [cell]
        elif tag == "caption":
            self.caption = nodes.paragraph()
            self.stack = [self.caption]
        elif tag in INLINE and self.stack:
            node = INLINE[tag]()
            self.stack[-1] += node
            self.stack.append(node)
        elif tag == "br" and self.stack:
            self.stack[-1] += nodes.Text(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self.skip = max(0, self.skip - 1)
            return
        if self.done or self.skip:
            return
        if tag == "table":
            self.depth -= 1
            self.done = self.depth == 0
        elif self.depth != 1:
            return
        elif tag in ("td", "th", "caption"):
            self.stack = []
        elif tag in INLINE and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and not self.skip and self.depth == 1:
            text = re.sub(r"\s+", " ", data.replace("\xa0", " "))
            if text.strip() or len(self.stack[-1]):
                self.stack[-1] += nodes.Text(text)


def html_table(html: str) -> list[nodes.Node] | None:
    """La primera tabla de ``html`` como nodos de docutils (leyenda y tabla), o None."""
    if "<table" not in html:
        return None
    parser = _TableParser()
    parser.feed(html)
    rows = [r for r in parser.rows if r["cells"]]
    if not rows:
        return None
    # Columnas: las de la grilla que forman las celdas con sus extensiones.
    taken: set[tuple[int, int]] = set()
    ncols = 0
    for i, row in enumerate(rows):
        j = 0
        for cell in row["cells"]:
            while (i, j) in taken:
                j += 1
            for di in range(cell["rowspan"]):
                for dj in range(cell["colspan"]):
                    taken.add((i + di, j + dj))
            j += cell["colspan"]
        ncols = max(ncols, max((c for r, c in taken if r == i), default=-1) + 1)
    # Encabezado: las filas de <thead>; sin <thead>, las primeras filas de solo <th>.
    nhead = sum(1 for r in rows if r["head"])
    if not nhead:
        for r in rows:
            if not all(c["th"] for c in r["cells"]):
                break
            nhead += 1
    if nhead == len(rows):
        nhead = 0

    def row_node(row):
        tr = nodes.row()
        for cell in row["cells"]:
            entry = nodes.entry()
            if cell["colspan"] > 1:
                entry["morecols"] = cell["colspan"] - 1
            if cell["rowspan"] > 1:
                entry["morerows"] = cell["rowspan"] - 1
            paragraph = cell["node"]
            if paragraph.children and isinstance(paragraph[-1], nodes.Text):
                paragraph[-1] = nodes.Text(str(paragraph[-1]).rstrip())
            if paragraph.children and isinstance(paragraph[0], nodes.Text):
                paragraph[0] = nodes.Text(str(paragraph[0]).lstrip())
            entry += paragraph
            tr += entry
        return tr

    tgroup = nodes.tgroup(cols=ncols)
    for _ in range(ncols):
        tgroup += nodes.colspec(colwidth=1)
    if nhead:
        tgroup += nodes.thead("", *(row_node(r) for r in rows[:nhead]))
    tgroup += nodes.tbody("", *(row_node(r) for r in rows[nhead:]))
    table = nodes.table("", tgroup, classes=["colwidths-auto"])
    result: list[nodes.Node] = []
    if parser.caption is not None and parser.caption.astext().strip():
        # Como párrafo y no como título: una tabla de salida no lleva número en el HTML.
        result.append(nodes.paragraph("", "", nodes.emphasis("", parser.caption.astext().strip())))
    result.append(table)
    return result


class HtmlTablesForLatex(SphinxPostTransform):
    """Antes de que MyST-NB elija el tipo MIME (prioridad 4): una salida con HTML
    que contiene una tabla, sin versión LaTeX ni imagen, pasa a ser esa tabla."""

    default_priority = 3
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            by_type = {child.get("mime_type"): child for child in bundle.children}
            if "text/html" not in by_type or "text/latex" in by_type or any(
                    m and m.startswith("image/") for m in by_type):
                continue
            html = "".join(n.astext() for n in by_type["text/html"].findall(nodes.raw))
            converted = html_table(html)
            if converted:
                bundle.replace_self(converted)


# --- Capítulos numerados como en el libro; portada e índice ------------------------

def chapter_counter(prefix: str) -> str | None:
    """LaTeX que deja el contador de capítulos para que el próximo sea ``prefix``."""
    if prefix.isdigit():
        return rf"\setcounter{{chapter}}{{{int(prefix) - 1}}}"
    m = re.fullmatch(r"([A-Z])(\d+)", prefix)
    if m:
        letter = m[1]
        return (rf"\renewcommand{{\thechapter}}{{{letter}\arabic{{chapter}}}}"
                rf"\renewcommand{{\theHchapter}}{{{letter}\arabic{{chapter}}}}"
                rf"\renewcommand{{\chaptername}}{{\appendixname}}"
                rf"\setcounter{{chapter}}{{{int(m[2]) - 1}}}")
    return None


def latex_escape(text: str) -> str:
    return re.sub(r"([#$%&_{}])", r"\\\1", text)


class BookStructureForLatex(SphinxPostTransform):
    """Después de sphinx-jupyterbook-latex (prioridad 700), sobre el libro ensamblado."""

    default_priority = 710
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        for start in self.document.findall(nodes.Element):
            if start.tagname != "start_of_file":
                continue
            if code := chapter_counter(doc_number(start["docname"])):
                start.insert(0, nodes.raw("", code + "\n", format="latex"))
        # sphinx-exercise etiqueta cada ejercicio como «exercise:<id>», pero las
        # referencias ({ref}) apuntan a «<capítulo>:<id>»: se agrega esa etiqueta.
        for start in self.document.findall(nodes.Element):
            if start.tagname != "start_of_file":
                continue
            for node in start.findall(nodes.Element):
                if node.tagname.startswith(("exercise", "solution")) and node.get("ids"):
                    labels = "".join(rf"\label{{\detokenize{{{start['docname']}:{i}}}}}"
                                     for i in node["ids"])
                    node.insert(0, nodes.raw("", r"\phantomsection" + labels + "\n", format="latex"))
        root = self.config.root_doc
        if self.env.docname == root and root in self.env.titles:
            title = latex_escape(self.env.titles[root].astext())
            self.document.insert(0, nodes.raw("", (
                rf"\chapter*{{{title}}}\addcontentsline{{toc}}{{chapter}}{{{title}}}"
                rf"\markboth{{{title}}}{{{title}}}" "\n"), format="latex"))


def on_builder_inited(app) -> None:
    if isinstance(app.builder, LaTeXBuilder):
        # MyST-NB escribe cada notebook ejecutado (y sus imágenes) en _build/jupyter_execute;
        # al tomarlo de la caché lo escribe sin salidas (myst-nb 1.4). El PDF escribe los
        # suyos en _build/latex/jupyter_execute y deja intactos los de la construcción HTML,
        # que leen tools/export_colab.py y los tests.
        config = getattr(app.env, "mystnb_config", None)
        if config is not None:
            app.env.mystnb_config = config.copy(
                output_folder=str(Path(app.outdir).joinpath(EXECUTED_DIR).resolve()))
        # Sphinx llama al índice como el título de la primera parte («Fundamentos»).
        app.builder.get_contentsname = lambda indexfile: CONTENTS_NAME


def on_config_inited(app, config) -> None:
    elements = dict(config.latex_elements or {})
    elements["preamble"] = elements.get("preamble", "") + PREAMBLE
    config.latex_elements = elements


def pdf_will_exist(app) -> bool:
    if os.environ.get("PIDL_PDF_LINK") == "1":
        return True
    return (Path(app.outdir).parent / "latex" / PDF_NAME).is_file()


def add_pdf_link(app, pagename, templatename, context, doctree) -> None:
    """«Libro completo (PDF)» en el menú de descarga que arma el tema (prioridad 501).

    Solo si el PDF va a estar junto al sitio: lo anuncia ``PIDL_PDF_LINK=1`` (``.ci/run``
    y la publicación, que construyen el PDF después del HTML y lo copian) o ya hay uno
    en ``_build/latex/``. Una construcción local del HTML solo no enlaza un archivo
    que no existe.
    """
    if not pdf_will_exist(app):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append({
                "type": "link",
                "url": context["pathto"](PDF_NAME, 1),
                "text": "Libro completo (PDF)",
                "tooltip": "Descargar el libro completo en PDF",
                "icon": "fas fa-book",
                "label": "download-book-pdf-button",
            })


def setup(app):
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited, priority=600)  # después de MyST-NB
    app.connect("html-page-context", add_pdf_link, priority=502)
    app.add_post_transform(HtmlTablesForLatex)
    app.add_post_transform(BookStructureForLatex)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
