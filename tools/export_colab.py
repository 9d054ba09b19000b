"""Exporta los capítulos MyST (``chapters/*.md``) a notebooks ``.ipynb`` listos para Colab.

Colab y Jupyter clásico abren solo ``.ipynb`` y muestran Markdown común, no MyST.
El libro mantiene los ``.md`` como única fuente; esta herramienta escribe, para cada
capítulo, un notebook cuyo texto se lee como el libro:

- una primera celda que instala ``pidl`` desde el repositorio de ``_config.yml``
  si falta (y define ``glue`` cuando ``myst_nb`` no está);
- los valores de ``glue`` escritos en el texto, tomados de los notebooks
  ejecutados por la última construcción del libro
  (``<build-dir>/jupyter_execute/chapters/<capítulo>.glue.json`` o ``.ipynb``)
  o, con ``--execute``, de ejecutar el capítulo;
- citas como texto autor–año con enlace a la página del libro y la lista de
  referencias al final; referencias a ecuaciones con su número (``\\tag``);
- admoniciones como citas en bloque con título en negrita; ejercicios como
  encabezados «Ejercicio N» y soluciones plegadas en ``<details>``;
- las celdas ocultas de comprobación se conservan, marcadas como comprobaciones.

    python tools/export_colab.py --out colab/
    python tools/export_colab.py chapters/02-mlp.md --out colab/ --build-dir _build
    python tools/export_colab.py chapters/02-mlp.md --out colab/ --execute
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import yaml

from pidl_book import (  # las reglas del libro
    chapter_prefix,
    executed_dir,
    executed_glue,
    executed_notebook,
    is_chapter,
    is_check_cell,
    reading_time,  # el rol {tiempo-estimado}
)
from pidl_book import toc_chapters as _toc_chapters
from pidl_book.sci_notation import typeset

ROOT = Path(__file__).resolve().parents[1]

INSTALL_CELL = """\
# Preparación (Colab o un entorno nuevo): instala el paquete del curso si falta.
try:
    import pidl
except ImportError:
    import subprocess, sys
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
    "admonition": "", "margin": "", "sidebar": "", "topic": "", "epigraph": "",
}
DROPPED_DIRECTIVES = {"toctree", "tableofcontents", "contents"}

DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:.-]+)\}[ \t]*(?P<arg>.*?)\s*$")
PLAIN_FENCE = re.compile(r"^(`{3,}|~{3,})")
OPTION = re.compile(r"^:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
TARGET = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
MATH_LABEL = re.compile(r"^(?P<head>.*)\$\$[ \t]*\((?P<label>[^()\s]+)\)\s*$")
ROLE = re.compile(r"\{(?P<name>[a-z][\w:-]*)\}`(?P<body>[^`]*)`|(?P<code>`+[^`\n]+`+)")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)

# Lo que Colab mostraría como texto crudo: lo usan las pruebas y el chequeo final.
RAW_MYST = re.compile(
    r"\{[a-z][\w:-]*\}`"                  # un rol: {cite}`...`, {glue:text}`...`
    r"|^ {0,3}(`{3,}|:{3,})\{"            # una directiva: ```{note}, :::{admonition}
    r"|^:[\w-]+:( |$)"                     # una opción de directiva: :label: ...
    r"|^\([^()\s]+\)=\s*$"                # un destino: (sec-03-costo)=
    r"|\$\$[ \t]*\([^()\s]+\)[ \t]*$",     # una ecuación con etiqueta: $$ (ec-...)
    re.M,
)

FENCED = re.compile(r"^ {0,3}(`{3,}|~{3,})(?!\{)[^`\n]*\n.*?^ {0,3}\1[ \t]*$", re.S | re.M)


def raw_myst(markdown: str) -> str | None:
    """La primera sintaxis MyST que quedó en ``markdown`` (fuera del código), o ``None``."""
    text = FENCED.sub("", markdown)
    for m in ROLE.finditer(text):  # un rol antes que el código en línea que lo sigue
        if not m["code"]:
            return m[0][: m[0].index("`") + 1]
    found = RAW_MYST.search(ROLE.sub("", text))
    return found[0] if found else None


class ExportError(RuntimeError):
    """Un capítulo no se puede exportar (falta un valor, una cita o una etiqueta)."""


# --------------------------------------------------------------------------- libro


@dataclass
class Book:
    """Lo que la exportación necesita saber del libro entero."""

    repo_url: str
    branch: str
    book_url: str
    bib: dict = field(default_factory=dict)       # clave -> pybtex Entry
    titles: dict = field(default_factory=dict)    # stem -> título del capítulo
    labels: dict = field(default_factory=dict)    # etiqueta -> (stem, texto)

    @property
    def requirement(self) -> str:
        return f"pidl @ git+{self.repo_url}.git@{self.branch}"

    def page(self, stem: str) -> str:
        return f"{self.book_url}chapters/{stem}.html"


def load_config(config_path: Path = ROOT / "_config.yml") -> dict:
    return yaml.safe_load(config_path.read_text(encoding="utf-8"))


def book_url_from(repo_url: str, baseurl: str = "") -> str:
    """URL de GitHub Pages del libro: ``https://ORG.github.io/REPO/`` (o ``html.baseurl``)."""
    if baseurl:
        return baseurl.rstrip("/") + "/"
    match = re.match(r"https://github\.com/([^/]+)/([^/]+?)(\.git)?/?$", repo_url)
    if not match:
        raise ExportError(f"repository.url no es un repositorio de GitHub: {repo_url!r}")
    return f"https://{match[1]}.github.io/{match[2]}/"


def repository_requirement(config_path: Path = ROOT / "_config.yml") -> str:
    """Requisito pip de ``pidl`` desde el repositorio declarado en ``_config.yml``."""
    config = load_config(config_path)
    url = config["repository"]["url"].rstrip("/")
    return f"pidl @ git+{url}.git@{config['repository'].get('branch', 'main')}"


def toc_chapters(root: Path = ROOT) -> list[Path]:
    """Los capítulos ejecutables en el orden de ``_toc.yml`` (``pidl_book.toc_chapters``)."""
    return _toc_chapters(root)


def load_book(root: Path = ROOT) -> Book:
    from pybtex.database import parse_file

    config = load_config(root / "_config.yml")
    repo = config["repository"]
    repo_url = repo["url"].rstrip("/")
    baseurl = (config.get("html") or {}).get("baseurl") or ""
    book = Book(repo_url, repo.get("branch", "main"), book_url_from(repo_url, baseurl))
    for bibfile in config.get("bibtex_bibfiles", []):
        book.bib.update(parse_file(str(root / bibfile)).entries)
    for path in sorted((root / "chapters").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", text, re.M)
        book.titles[path.stem] = title[1].strip() if title else path.stem
        prefix = chapter_prefix(path.stem)
        for label, text_ in collect_labels(text.splitlines(), prefix).items():
            book.labels[label] = (path.stem, text_)
    return book


def collect_labels(lines: list[str], prefix: str = "") -> dict[str, str]:
    """Etiquetas de un capítulo y su texto: secciones, ejercicios, ecuaciones, figuras.

    Los números llevan ``prefix`` delante (Ejercicio 12.3, (12.1)), como en el libro.
    """
    labels: dict[str, str] = {}
    exercises = equations = figures = 0
    pending_target = None
    for i, line in enumerate(lines):
        if m := TARGET.match(line):
            pending_target = m["label"]
            continue
        if pending_target and line.startswith("#"):
            labels[pending_target] = line.lstrip("#").strip()
            pending_target = None
        if m := DIRECTIVE.match(line):
            opts = directive_options(lines, i + 1)
            if m["name"] == "exercise":
                exercises += 1
                if "label" in opts:
                    labels[opts["label"]] = f"Ejercicio {prefix}{exercises}"
            elif m["name"] == "math" and "label" in opts:
                equations += 1
                labels[opts["label"]] = f"({prefix}{equations})"
            elif m["name"] in ("figure", "glue:figure") and "name" in opts:
                figures += 1
                labels[opts["name"]] = f"Figura {prefix}{figures}"
        if m := MATH_LABEL.match(line):
            equations += 1
            labels[m["label"]] = f"({prefix}{equations})"
    return labels


def directive_options(lines: list[str], start: int) -> dict[str, str]:
    opts = {}
    for line in lines[start:]:
        m = OPTION.match(line)
        if not m:
            break
        opts[m["key"]] = m["value"].strip()
    return opts


# --------------------------------------------------------------------------- glue


def glue_from_outputs(notebook) -> dict[str, dict]:
    """Valores pegados con ``glue`` en las salidas de un notebook ejecutado."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                prefix = record.get("mime_prefix", "")
                values[record["name"]] = {
                    k.removeprefix(prefix): v for k, v in output.get("data", {}).items()
                }
    return values


def glue_from_build(stem: str, build_dir: Path) -> dict[str, dict] | None:
    """Valores de ``glue`` de la última construcción del libro, o ``None`` si no está."""
    glue_json, executed = executed_glue(build_dir, stem), executed_notebook(build_dir, stem)
    if glue_json.exists():
        data = json.loads(glue_json.read_text(encoding="utf-8"))
        return {key: output.get("data", {}) for key, output in data.items()}
    if executed.exists():
        return glue_from_outputs(nbformat.read(executed, as_version=4))
    return None


def glue_by_executing(chapter: Path, timeout: int = 900) -> dict[str, dict]:
    """Ejecuta el capítulo (en su carpeta, como el libro); devuelve sus valores de ``glue``."""
    from nbclient import NotebookClient

    notebook = jupytext.read(chapter)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(chapter.parent)}})
    client.execute()
    return glue_from_outputs(notebook)


def glue_image(data: dict, key: str) -> str:
    """Una figura pegada con ``glue``, incrustada como ``<img>`` (Colab no lee adjuntos)."""
    png = "".join(data["image/png"].split())
    return f'<img src="data:image/png;base64,{png}" alt="{key}">'


def format_glue(data: dict, fmt: str, key: str) -> str:
    """Un valor de ``glue`` como lo escribe MyST-NB (``{glue:text}`clave:formato```)."""
    from myst_nb.core.variables import format_plain_text

    if "text/plain" not in data:
        if "image/png" in data:
            return glue_image(data, key)
        raise ExportError(f"glue {key!r}: no tiene representación text/plain")
    text = format_plain_text(data["text/plain"], fmt)
    if fmt.endswith("E"):  # 1.0 × 10⁻³, como en el libro (_ext/sci_notation.py)

        text = typeset(text)
    return text


# --------------------------------------------------------------------------- Markdown


@dataclass
class Chapter:
    stem: str
    book: Book
    glue: dict
    labels: dict
    keyprefix: str = ""
    solutions: bool = True
    cited: list = field(default_factory=list)

    # ---- roles en línea
    def inline(self, text: str) -> str:
        def replace(m: re.Match) -> str:
            if m["code"]:
                return m["code"]
            return self.role(m["name"], m["body"])

        return ROLE.sub(replace, text)

    def role(self, name: str, body: str) -> str:
        if name in ("glue", "glue:", "glue:any", "glue:text", "glue:md"):
            key, _, fmt = body.partition(":") if name == "glue:text" else (body, "", "")
            if key not in self.glue:
                raise ExportError(f"{self.stem}: falta el valor de glue {key!r} (¿la "
                                  "construcción es anterior al capítulo? vuelva a construir "
                                  "el libro o use --execute)")
            data = self.glue[key]
            if name == "glue:md" and "text/markdown" in data:
                return data["text/markdown"]
            return format_glue(data, fmt, key)
        if name.startswith("cite"):
            return self.cite(name, body)
        if name == "tiempo-estimado":
            return reading_time.estimate(body.strip(), ROOT).text()
        if name == "eq":
            return self.label_text(body.strip())
        if name in ("ref", "numref"):
            explicit = EXPLICIT.match(body)
            if explicit:
                label = explicit["target"].strip()
                text = explicit["text"].replace("{number}", self.label_text(label))
                text = text.replace("%s", self.label_text(label).split()[-1])
                return self.link(label, text)
            return self.link(body.strip(), self.label_text(body.strip()))
        if name == "doc":
            explicit = EXPLICIT.match(body)
            target = (explicit["target"] if explicit else body).strip()
            stem = Path(target).name
            text = explicit["text"] if explicit else self.book.titles.get(stem, stem)
            return f"[{text}]({self.book.page(stem)})"
        if name == "math":
            return f"${body}$"
        if name in ("code", "literal"):
            return f"`{body}`"
        # term, abbr, sub, sup, ...: su texto (sin la parte <...>)
        explicit = EXPLICIT.match(body)
        return explicit["text"] if explicit else body

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
        bare = key.removeprefix(self.keyprefix) if self.keyprefix else key
        for candidate in (key, bare, re.sub(r"^[a-z]\d+-", "", key)):
            if candidate in self.book.bib:
                if candidate not in self.cited:
                    self.cited.append(candidate)
                return candidate, self.book.bib[candidate]
        raise ExportError(f"{self.stem}: la cita {key!r} no está en references.bib")

    def cite(self, name: str, body: str) -> str:
        parts = []
        for key in (k.strip() for k in body.split(",") if k.strip()):
            _, entry = self.entry(key)
            authors, year = author_year(entry)
            parts.append((authors, year))
        url = f"{self.book.page(self.stem)}#referencias"
        if name in ("cite:t", "cite:ts"):
            return "; ".join(f"[{a} ({y})]({url})" for a, y in parts)
        if name == "cite:author":
            return "; ".join(a for a, _ in parts)
        if name == "cite:year":
            return "; ".join(y for _, y in parts)
        return "(" + "; ".join(f"[{a}, {y}]({url})" for a, y in parts) + ")"

    def bibliography(self) -> str:
        from pybtex.backends.markdown import Backend
        from pybtex.style.formatting.plain import Style

        if not self.cited:
            return ""
        style, backend = Style(), Backend()
        lines = []
        for key in sorted(self.cited, key=lambda k: author_year(self.book.bib[k])):
            formatted = next(iter(style.format_entries([self.book.bib[key]])))
            text = " ".join(formatted.text.render(backend).split())
            authors, year = author_year(self.book.bib[key])
            lines.append(f"- **{authors} ({year}).** {text}")
        return "\n".join(lines)

    # ---- bloques
    def convert(self, text: str) -> str:
        """Convierte el Markdown MyST de una celda en Markdown común."""
        lines = text.splitlines()
        out: list[str] = []
        paragraph: list[str] = []

        def flush():
            if paragraph:
                out.append(self.inline("\n".join(paragraph)))
                paragraph.clear()

        i = 0
        while i < len(lines):
            line = lines[i]
            directive = DIRECTIVE.match(line)
            if directive:
                flush()
                end = closing_fence(lines, i + 1, directive["fence"])
                opts = directive_options(lines, i + 1)
                body = lines[i + 1 + len(opts):end]
                out.append(self.directive(directive["name"], directive["arg"], opts, body))
                i = end + 1
                continue
            fence = PLAIN_FENCE.match(line)
            if fence:
                flush()
                end = closing_fence(lines, i + 1, fence[1])
                out.append("\n".join(lines[i:end + 1]))
                i = end + 1
                continue
            if TARGET.match(line):
                i += 1
                continue
            math = MATH_LABEL.match(line)
            if math:
                tag = self.labels.get(math["label"], "").strip("()")
                head = math["head"].rstrip()
                paragraph.extend([head] if head else [])
                paragraph.extend([f"\\tag{{{tag}}}", "$$"])
                i += 1
                continue
            paragraph.append(line)
            i += 1
        flush()
        return "\n".join(out).strip("\n")

    def directive(self, name: str, arg: str, opts: dict, body: list[str]) -> str:
        inner = self.convert("\n".join(body))
        if name in DROPPED_DIRECTIVES:
            return ""
        if name == "exercise":
            number = self.labels.get(opts.get("label", ""), "Ejercicio")
            title = f"{number}: {self.inline(arg)}" if arg else number
            return f"### {title}\n\n{inner}"
        if name == "solution":
            if not self.solutions:
                return ""
            number = self.labels.get(arg.strip(), "").removeprefix("Ejercicio ").strip()
            summary = f"Solución del ejercicio {number}" if number else "Solución"
            return f"<details>\n<summary>{summary}</summary>\n\n{inner}\n\n</details>"
        if name in ("solution-start", "solution-end"):
            return ""  # se tratan celda por celda en convert_notebook
        if name == "bibliography":
            return "{bibliography}"  # se completa al final, cuando se conocen las citas
        if name in ("math",):
            tag = self.labels.get(opts.get("label", ""), "").strip("()")
            tagline = f"\n\\tag{{{tag}}}" if tag else ""
            return f"$$\n{chr(10).join(body).strip()}{tagline}\n$$"
        if name in ("figure", "image", "glue:figure", "glue:", "glue", "glue:any"):
            return self.figure(name, arg, opts, inner)
        if name == "table":
            title = self.inline(arg)
            return f"**{title}**\n\n{inner}" if title else inner
        if name == "list-table":
            return self.list_table(arg, opts, inner)
        if name in ("code-block", "code", "sourcecode", "code-cell"):
            return f"```{arg}\n" + "\n".join(body) + "\n```"
        if name == "glue:math":
            return f"$$\n{format_glue(self.glue[arg.strip()], '', arg)}\n$$"
        # admoniciones y cualquier otra directiva: cita en bloque con título
        title = self.inline(arg) if arg else ADMONITION_TITLES.get(name, "")
        if "dropdown" in opts.get("class", "").split():
            return f"<details>\n<summary>{title or 'Más'}</summary>\n\n{inner}\n\n</details>"
        content = (f"**{title}**\n\n" if title else "") + inner
        return "\n".join(">" + (" " + line if line else "") for line in content.splitlines())

    def figure(self, name: str, arg: str, opts: dict, caption: str) -> str:
        if name.startswith("glue"):
            key = arg.strip()
            if key not in self.glue:
                raise ExportError(f"{self.stem}: falta el valor de glue {key!r}")
            data = self.glue[key]
            image = glue_image(data, key) if "image/png" in data else format_glue(data, "", key)
        else:
            src = arg.strip()
            if not re.match(r"https?://", src):
                raw = self.book.repo_url.replace("github.com", "raw.githubusercontent.com")
                src = f"{raw}/{self.book.branch}/chapters/{src}"
            image = f"![{opts.get('alt', caption.splitlines()[0] if caption else '')}]({src})"
        number = self.labels.get(opts.get("name", ""), "")
        if caption:
            return f"{image}\n\n*{number + ': ' if number else ''}{caption}*"
        return image

    def list_table(self, arg: str, opts: dict, inner: str) -> str:
        rows, row = [], None
        for line in inner.splitlines():
            if line.startswith("* - ") or line.startswith("- - "):
                row = [line[4:].strip()]
                rows.append(row)
            elif line.strip().startswith("- ") and row is not None:
                row.append(line.strip()[2:].strip())
            elif line.strip() and row:
                row[-1] += " " + line.strip()
        if not rows:
            return inner
        header_rows = int(opts.get("header-rows", "0") or 0)
        head = rows[0] if header_rows else [""] * len(rows[0])
        table = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        table += ["| " + " | ".join(r) + " |" for r in rows[header_rows:]]
        title = f"**{self.inline(arg)}**\n\n" if arg else ""
        return title + "\n".join(table)


def closing_fence(lines: list[str], start: int, fence: str) -> int:
    """Índice de la línea que cierra ``fence`` (o el final de la celda)."""
    for j in range(start, len(lines)):
        stripped = lines[j].strip()
        if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            return j
    return len(lines)


def author_year(entry) -> tuple[str, str]:
    from pybtex.backends.plaintext import Backend
    from pybtex.richtext import Text

    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [Text.from_latex(" ".join(p.last_names)).render(Backend()) for p in people]
    if not names:
        authors = entry.fields.get("organization", entry.key)
    elif len(names) == 1:
        authors = names[0]
    elif len(names) == 2:
        authors = f"{names[0]} y {names[1]}"
    else:
        authors = f"{names[0]} et al."
    return authors, str(entry.fields.get("year", "s. f."))


# --------------------------------------------------------------------------- notebook


def is_graded_tests(cell) -> bool:
    """Las pruebas de una tarea calificada (``graded: tests``): nunca se exportan.

    Contienen los casos ocultos; el notebook de Colab no debe mostrarlos.
    """
    return cell.metadata.get("graded") == "tests"


def solution_markers(source: str) -> list[tuple[str, str]]:
    """Parte una celda en texto y marcas ``{solution-start}``/``{solution-end}``.

    Devuelve pares ``("text", texto)``, ``("start", etiqueta)`` o ``("end", "")``.
    """
    lines, parts, chunk, i = source.splitlines(), [], [], 0
    while i < len(lines):
        m = DIRECTIVE.match(lines[i])
        if m and m["name"] in ("solution-start", "solution-end"):
            parts.append(("text", "\n".join(chunk)))
            chunk = []
            parts.append((m["name"].removeprefix("solution-"), m["arg"].strip()))
            i = closing_fence(lines, i + 1, m["fence"]) + 1
            continue
        chunk.append(lines[i])
        i += 1
    parts.append(("text", "\n".join(chunk)))
    return parts


def convert_notebook(chapter_path: Path, book: Book, glue: dict,
                     solutions: bool = True):
    """El capítulo como notebook listo para Colab (sin escribirlo)."""
    notebook = jupytext.read(chapter_path)
    text = chapter_path.read_text(encoding="utf-8")
    keyprefix = re.search(r"^:keyprefix:\s*(\S+)", text, re.M)
    labels = collect_labels(text.splitlines(), chapter_prefix(chapter_path.stem))
    chapter = Chapter(chapter_path.stem, book, glue, labels,
                      keyprefix[1] if keyprefix else "", solutions)
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
                    in_solution = False
                    piece = "*Fin de la solución.*"
                else:
                    piece = chapter.convert(value) if value.strip() else ""
                if solutions or not (in_solution or kind == "end"):
                    parts.append(piece)
            cell.source = "\n\n".join(p for p in parts if p.strip())
        elif cell.cell_type == "code":
            if in_solution and not solutions:
                continue
            if is_graded_tests(cell):
                continue
            cell.source = re.sub(r"^from myst_nb import glue\n?", "", cell.source, flags=re.M)
            if is_check_cell(cell):
                cell.source = CHECK_HEADER + cell.source
        if cell.source.strip():
            cells.append(cell)
    for cell in cells:
        if cell.cell_type == "markdown" and "{bibliography}" in cell.source:
            cell.source = cell.source.replace("{bibliography}", chapter.bibliography())
    install = nbformat.v4.new_code_cell(INSTALL_CELL.format(requirement=book.requirement))
    install.metadata["tags"] = ["colab-install"]
    note = nbformat.v4.new_markdown_cell(NOTE_CELL.format(url=book.page(chapter.stem)))
    notebook.cells = [install, note] + cells
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["colab"] = {"provenance": [], "toc_visible": True}
    # Lo que el kernel de Python anuncia al conectarse: si falta, JupyterLab lo
    # agrega y marca el cuaderno como modificado apenas se abre.
    notebook.metadata["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": platform.python_version(),
    }
    for cell in notebook.cells:
        bad = raw_myst(cell.source) if cell.cell_type == "markdown" else None
        if bad:
            raise ExportError(f"{chapter.stem}: quedó sintaxis MyST sin convertir: {bad!r}")
    return notebook


def export(chapter: Path, out_dir: Path, book: Book | None = None, glue: dict | None = None,
           solutions: bool = True, transform=None) -> Path:
    """Escribe ``out_dir/<capítulo>.ipynb`` listo para Colab y devuelve su ruta.

    ``transform(notebook)``, si se da, modifica el notebook antes de escribirlo.
    """
    book = book or load_book()
    notebook = convert_notebook(chapter, book, glue or {}, solutions)
    if transform is not None:
        transform(notebook)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{chapter.stem}.ipynb"
    nbformat.validate(notebook)
    nbformat.write(notebook, target)
    return target


def chapter_glue(chapter: Path, build_dir: Path, execute: bool) -> dict:
    if execute:
        return glue_by_executing(chapter)
    glue = glue_from_build(chapter.stem, build_dir)
    if glue is None:
        raise ExportError(
            f"{chapter.stem}: no hay notebook ejecutado en "
            f"{executed_dir(build_dir)}; construya el libro "
            "(jupyter-book build .) o use --execute para ejecutar el capítulo."
        )
    return glue


def parse_args(argv, description: str):
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=Path,
                        help="capítulos a exportar (por defecto, todos los de _toc.yml)")
    parser.add_argument("--out", type=Path, required=True, help="carpeta de salida")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build",
                        help="construcción del libro de la que tomar los valores de glue")
    parser.add_argument("--execute", action="store_true",
                        help="ejecutar cada capítulo en lugar de leer la construcción")
    return parser.parse_args(argv)


def run(argv, description: str, solutions: bool, transform=None) -> int:
    args = parse_args(argv, description)
    chapters = [c.resolve() for c in args.chapters] or toc_chapters()
    for chapter in chapters:
        if not is_chapter(chapter):
            print(f"{chapter}: no es un capítulo ejecutable (falta la cabecera jupytext)",
                  file=sys.stderr)
            return 1
    book, failed = load_book(), 0
    for chapter in chapters:  # un capítulo que falla no impide exportar los demás
        try:
            glue = chapter_glue(chapter, args.build_dir, args.execute)
            print(export(chapter, args.out, book, glue, solutions, transform))
        except ExportError as error:
            print(f"error: {error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    return run(argv, __doc__, solutions=True)


if __name__ == "__main__":
    raise SystemExit(main())
