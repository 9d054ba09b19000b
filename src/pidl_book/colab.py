"""Un capítulo MyST como notebook de Jupyter común, listo para Colab.

Colab muestra Markdown común, no MyST. Cada capítulo se lee con el parser de MyST-Parser
(:mod:`pidl_book.myst`: roles, directivas, destinos y ecuaciones con etiqueta llegan como
tokens) y aquí se decide qué Markdown escribe cada uno: valores de ``glue``, citas
autor–año con enlace al libro, los números del libro (:func:`pidl_book.myst.numbers`),
admoniciones como citas en bloque, ejercicios como «Ejercicio N» y soluciones en
``<details>``. La primera celda instala ``pidl`` si falta; las celdas ocultas de
comprobación se conservan, marcadas.

Lo usan el botón de descarga de la construcción (``_ext/colab_links.py``, con
:func:`export`), las órdenes ``tools/export_colab.py`` y ``tools/student_version.py``
y ``tools/assignments.py``.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
from sphinx.util.nodes import split_explicit_title

from pidl_book import chapter_prefix, is_check_cell, reading_time
from pidl_book.book import Book, ExportError, author_year, bibliography
from pidl_book.glue import format_glue, glue_image
from pidl_book.myst import (
    Directive,
    blocks,
    collect_labels,
    directive,
    parser,
    raw_myst,
    solution_markers,
    tokens,
)

INSTALL_CELL = """\
# Preparación (Colab o un entorno nuevo): instala el paquete del curso si falta.
try:
    import pidl
except ImportError:
    import subprocess
    import sys
    instalacion = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "{requirement}"],
        capture_output=True, text=True)
    if instalacion.returncode != 0:
        for linea in instalacion.stderr.strip().splitlines()[-2:]:
            print("pip:", linea, file=sys.stderr)
        raise SystemExit(
            "No se pudo instalar pidl, el paquete del curso (¿falta conexión?).\\n"
            "Con internet, vuelva a ejecutar esta celda. Sin internet, instálelo "
            "desde una copia del repositorio del libro con\\n"
            "    pip install -e CARPETA_DEL_REPOSITORIO\\n"
            "y reinicie el kernel.")
    import pidl

try:  # en el libro, glue escribe valores en el texto; aquí basta con mostrarlos
    from myst_nb import glue
except ImportError:
    def glue(name, value, display=True):
        if display:
            from IPython.display import display as show
            show(value)
"""

NOTE_CELL = (
    "> Cuaderno generado a partir del [capítulo del libro]({url}). Los números del texto "
    "son los de la ejecución del libro; al ejecutarlo aquí (otra máquina, otra GPU) "
    "pueden cambiar un poco. Las celdas que empiezan con «# Comprobación» verifican "
    "cada resultado: si una falla, su resultado difiere del que describe el texto."
)

CHECK_HEADER = (
    "# Comprobación: verifica lo que afirma el texto de arriba. Si falla, el resultado\n"
    "# de su ejecución no es el del libro (revise lo que cambió).\n"
)

ADMONITION_TITLES = {
    "note": "Nota", "tip": "Consejo", "hint": "Pista", "important": "Importante",
    "warning": "Advertencia", "caution": "Precaución", "attention": "Atención",
    "danger": "Peligro", "error": "Error", "seealso": "Véase también",
}
GLUE_ROLES = {"glue", "glue:", "glue:any", "glue:text", "glue:md"}


@dataclass
class Chapter:
    stem: str
    book: Book
    glue: dict
    labels: dict
    keyprefix: str = ""
    solutions: bool = True
    cited: list = field(default_factory=list)

    @classmethod
    def from_path(cls, path: Path, book: Book, glue: dict, solutions: bool = True) -> Chapter:
        """El convertidor del capítulo ``path``: sus etiquetas y el prefijo de sus citas."""
        text = path.read_text(encoding="utf-8")
        keyprefix = next((d.options.get("keyprefix", "") for d in map(directive, tokens(text))
                          if d and d.name == "bibliography"), "")
        return cls(path.stem, book, glue,
                   collect_labels(text.splitlines(), chapter_prefix(path.stem)),
                   keyprefix, solutions)

    # ---- en línea
    def inline(self, text: str, inlines=None) -> str:
        """``text`` con cada rol que el parser encontró en él (``inlines``: sus tokens
        ``inline``) reemplazado; el resto del texto, y el código, quedan como están."""
        out, pos = [], 0
        for tok in (c for t in inlines or parser().parseInline(text) for c in t.children or []):
            if tok.type.startswith("math_inline") and (
                    (start := text.find(marked := tok.markup + tok.content + tok.markup, pos))
                    >= 0):  # se salta: una comilla invertida en $…$ no abre código
                out.append(text[pos:start + len(marked)])
                pos = start + len(marked)
            elif tok.type == "code_inline":  # se salta: `{eq}` en código no es un rol
                start = text.index(tok.markup, pos)
                end = text.index(tok.markup, start + len(tok.markup)) + len(tok.markup)
                out.append(text[pos:end])
                pos = end
            elif tok.type == "myst_role":
                start = text.index(f"{{{tok.meta['name']}}}`", pos)
                ticks = start + len(tok.meta["name"]) + 2
                n = len(text[ticks:]) - len(text[ticks:].lstrip("`"))
                out += [text[pos:start], self.role(tok.meta["name"], tok.content)]
                pos = ticks + 2 * n + len(tok.content)
        return "".join(out) + text[pos:]

    def role(self, name: str, body: str) -> str:
        if name in GLUE_ROLES:
            key, _, fmt = body.partition(":") if name == "glue:text" else (body, "", "")
            data = self.value(key)
            if name == "glue:md" and "text/markdown" in data:
                return data["text/markdown"]
            return format_glue(data, fmt, key)
        if name.startswith("cite"):
            return self.cite(name, body)
        if name == "tiempo-estimado":
            return reading_time.estimate(body.strip(), self.book.root).text()
        if name == "eq":
            return self.label_text(body.strip())
        explicit, text, target = split_explicit_title(body)
        target = target.strip()
        if name in ("ref", "numref"):
            number = self.label_text(target)
            text = text.replace("{number}", number).replace("%s", number.split()[-1])
            return self.link(target, text if explicit else number)
        if name == "doc":
            stem = Path(target).name
            return f"[{text if explicit else self.book.titles.get(stem, stem)}]({self.book.page(stem)})"
        if name == "math":
            return f"${body}$"
        if name in ("code", "literal"):
            return f"`{body}`"
        return text  # term, abbr, sub, sup, ...: su texto (sin la parte <...>)

    def value(self, key: str) -> dict:
        """El valor de ``glue`` ``key`` (sus representaciones MIME)."""
        if key not in self.glue:
            raise ExportError(f"{self.stem}: falta el valor de glue {key!r} (¿la "
                              "construcción es anterior al capítulo? vuelva a construir "
                              "el libro o use --execute)")
        return self.glue[key]

    def label_text(self, label: str) -> str:
        if label in self.labels:
            return self.labels[label]
        if label in self.book.labels:
            return self.book.labels[label][1]
        raise ExportError(f"{self.stem}: etiqueta desconocida {label!r}")

    def link(self, label: str, text: str) -> str:
        if label in self.labels:  # en este mismo notebook
            return text
        stem, _ = self.book.labels.get(label, (None, None))
        if stem is None:
            raise ExportError(f"{self.stem}: etiqueta desconocida {label!r}")
        return f"[{text}]({self.book.page(stem)}#{label})"

    # ---- citas
    def entry(self, key: str):
        for candidate in (key, key.removeprefix(self.keyprefix)):
            if candidate in self.book.bib:
                if candidate not in self.cited:
                    self.cited.append(candidate)
                return self.book.bib[candidate]
        raise ExportError(f"{self.stem}: la cita {key!r} no está en references.bib")

    def cite(self, name: str, body: str) -> str:
        parts = [author_year(self.entry(k.strip())) for k in body.split(",") if k.strip()]
        url = f"{self.book.page(self.stem)}#referencias"
        if name in ("cite:t", "cite:ts"):
            return "; ".join(f"[{a} ({y})]({url})" for a, y in parts)
        if name in ("cite:author", "cite:year"):
            return "; ".join(p[name == "cite:year"] for p in parts)
        return "(" + "; ".join(f"[{a}, {y}]({url})" for a, y in parts) + ")"

    # ---- bloques
    def convert(self, text: str) -> str:
        """Convierte el Markdown MyST de una celda en Markdown común."""
        lines, out, line = text.splitlines(), [], 0
        for start, end, group in blocks(text):
            out += lines[line:start]
            line, first, block = end, group[0], lines[start:end]
            for math in reversed([t for t in group if t.type == "math_block_label"]):
                last, indent = math.map[1] - 1 - start, block[math.map[0] - start][:-len(
                    block[math.map[0] - start].lstrip())]  # $$ … $$ (etiqueta), quizás en una lista
                head = block[last][:block[last].rindex("$$")].rstrip()
                tag = self.labels.get(math.info, "").strip("()")
                block[last:last + 1] = [head] * bool(head.strip()) + [
                    f"{indent}\\tag{{{tag}}}", f"{indent}$$"]
            if d := directive(first):
                out.append(self.directive(d))
            elif first.type in ("fence", "code_block"):
                out += block
            elif first.type != "myst_target":
                out.append(self.inline("\n".join(block), [t for t in group if t.type == "inline"]))
        return "\n".join(out + lines[line:]).strip("\n")

    def directive(self, d: Directive) -> str:
        name, arg, opts, inner = d.name, d.arg, d.options, self.convert(d.body)
        number = self.labels.get(opts.get("label") or opts.get("name") or "", "")
        if name in ("toctree", "tableofcontents", "contents", "solution-start", "solution-end"):
            return ""  # las marcas de solución se tratan celda por celda en convert_notebook
        if name == "exercise":
            title = f"{number or 'Ejercicio'}: {self.inline(arg)}" if arg else number or "Ejercicio"
            return f"### {title}\n\n{inner}"
        if name == "solution":
            if not self.solutions:
                return ""
            number = self.labels.get(arg, "").removeprefix("Ejercicio ").strip()
            summary = f"Solución del ejercicio {number}" if number else "Solución"
            return f"<details>\n<summary>{summary}</summary>\n\n{inner}\n\n</details>"
        if name == "bibliography":
            return "{bibliography}"  # se completa al final, cuando se conocen las citas
        if name == "math":
            return f"$$\n{d.body.strip()}" + (f"\n\\tag{{{number.strip('()')}}}" if number else "") + "\n$$"
        if name in ("figure", "image", "glue:figure", "glue:", "glue", "glue:any"):
            return self.figure(name, arg, opts, inner, number)
        if name == "table":
            return f"**{self.inline(arg)}**\n\n{inner}" if arg else inner
        if name == "list-table":
            return self.list_table(arg, opts, d.body)
        if name in ("code-block", "code", "sourcecode", "code-cell"):
            return f"```{arg}\n{d.body}\n```"
        if name == "glue:math":
            return f"$$\n{format_glue(self.value(arg), '', arg)}\n$$"
        # admoniciones y cualquier otra directiva: cita en bloque con título
        title = self.inline(arg) if arg else ADMONITION_TITLES.get(name, "")
        if "dropdown" in opts.get("class", "").split():
            return f"<details>\n<summary>{title or 'Más'}</summary>\n\n{inner}\n\n</details>"
        content = (f"**{title}**\n\n" if title else "") + inner
        return "\n".join(">" + (" " + line if line else "") for line in content.splitlines())

    def figure(self, name: str, arg: str, opts: dict, caption: str, number: str) -> str:
        if name.startswith("glue"):
            data = self.value(arg)
            image = glue_image(data, arg) if "image/png" in data else format_glue(data, "", arg)
        else:
            src = arg
            if not src.startswith(("http://", "https://")):
                src = self.book.raw_url(src)
            image = f"![{opts.get('alt', caption.splitlines()[0] if caption else '')}]({src})"
        if caption:
            return f"{image}\n\n*{number + ': ' if number else ''}{caption}*"
        return image

    def list_table(self, arg: str, opts: dict, body: str) -> str:
        """Una ``list-table`` (listas anidadas para el parser) como tabla Markdown."""
        rows, depth = [], 0
        for tok in parser().parse(body):
            depth += tok.nesting * (tok.type in ("bullet_list_open", "bullet_list_close"))
            if tok.type == "list_item_open":
                (rows.append([]) if depth == 1 else rows[-1].append(""))
            elif tok.type == "inline" and depth == 2:
                rows[-1][-1] = " ".join([rows[-1][-1], *tok.content.split()]).strip()
        if not rows:
            return self.convert(body)
        header = int(opts.get("header-rows") or 0)
        head = [self.inline(c) for c in rows[0]] if header else [""] * len(rows[0])
        table = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        table += ["| " + " | ".join(map(self.inline, r)) + " |" for r in rows[header:]]
        return (f"**{self.inline(arg)}**\n\n" if arg else "") + "\n".join(table)


# --------------------------------------------------------------------------- notebook


def is_graded_tests(cell) -> bool:
    """Las pruebas de una tarea calificada (``graded: tests``): sus casos ocultos no se exportan."""
    return cell.metadata.get("graded") == "tests"


def convert_notebook(chapter_path: Path, book: Book, glue: dict, solutions: bool = True):
    """El capítulo como notebook listo para Colab (sin escribirlo)."""
    notebook = jupytext.read(chapter_path)
    chapter = Chapter.from_path(chapter_path, book, glue, solutions)
    cells, in_solution = [], False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts = []
            for kind, value in solution_markers(cell.source):
                if kind == "start":
                    in_solution = True
                    number = chapter.labels.get(value, "").removeprefix("Ejercicio ")
                    piece = (f"**Solución del ejercicio {number}** "
                             "(sigue hasta «Fin de la solución»)")
                elif kind == "end":
                    in_solution, piece = False, "*Fin de la solución.*"
                else:
                    piece = chapter.convert(value) if value.strip() else ""
                if solutions or not (in_solution or kind == "end"):
                    parts.append(piece)
            cell.source = "\n\n".join(p for p in parts if p.strip())
        elif cell.cell_type == "code":
            if (in_solution and not solutions) or is_graded_tests(cell):
                continue
            cell.source = "\n".join(line for line in cell.source.split("\n")
                                    if line != "from myst_nb import glue")
            if is_check_cell(cell):
                cell.source = CHECK_HEADER + cell.source
        if cell.source.strip():
            cells.append(cell)
    for cell in cells:
        if cell.cell_type == "markdown" and "{bibliography}" in cell.source:
            cell.source = cell.source.replace("{bibliography}", bibliography(book.bib[k] for k in chapter.cited))
    install = nbformat.v4.new_code_cell(INSTALL_CELL.format(requirement=book.requirement))
    install.metadata["tags"] = ["colab-install"]
    note = nbformat.v4.new_markdown_cell(NOTE_CELL.format(url=book.page(chapter.stem)))
    notebook.cells = [install, note] + cells
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["colab"] = {"provenance": [], "toc_visible": True}
    # Lo que el kernel anuncia al conectarse: si falta, JupyterLab lo agrega y marca el
    # cuaderno como modificado apenas se abre.
    notebook.metadata["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3", "version": platform.python_version()}
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and (bad := raw_myst(cell.source)):
            raise ExportError(f"{chapter.stem}: quedó sintaxis MyST sin convertir: {bad!r}")
    return notebook


def export(chapter: Path, out_dir: Path, book: Book, glue: dict | None = None,
           solutions: bool = True, transform=None) -> Path:
    """Escribe ``out_dir/<capítulo>.ipynb`` listo para Colab y devuelve su ruta.

    ``transform(notebook)``, si se da, modifica el notebook antes de escribirlo.
    """
    notebook = convert_notebook(chapter, book, glue or {}, solutions)
    if transform is not None:
        transform(notebook)
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.validate(notebook)
    nbformat.write(notebook, target := out_dir / f"{chapter.stem}.ipynb")
    return target
