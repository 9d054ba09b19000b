"""Los capítulos leídos con el parser de MyST-Parser, y la numeración que de ahí sale.

El mismo markdown-it-py que usa la construcción, con los plugins de
``parse.myst_enable_extensions`` de ``_config.yml``: roles, directivas, destinos
``(etiqueta)=`` y ecuaciones ``$$ (etiqueta)`` llegan como tokens, nunca se buscan
con expresiones regulares. Lo usan la exportación a Colab (:mod:`pidl_book.colab`,
:mod:`pidl_book.book`), la estimación del tiempo (:mod:`pidl_book.reading_time`),
``tools/assignments.py`` y los tests.

La numeración (:func:`collect_labels`) es la del libro: ejercicios, ecuaciones con
etiqueta y figuras con nombre se cuentan en el orden del capítulo, con el prefijo de
:func:`pidl_book.chapter_prefix` delante (Ejercicio 12.3, (12.1), Figura 12.2). En la
construcción, ``_ext/chapter_numbers.py`` da a Sphinx el mismo prefijo; un test compara
los dos con el entorno de Sphinx de la última construcción.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pidl_book import BOOK_ROOT

NAMES = {"exercise": "Ejercicio {}", "math": "({})", "figure": "Figura {}", "table": "Tabla {}"}


@cache
def parser(root: Path = BOOK_ROOT):
    """El parser de MyST con las extensiones del libro (``_config.yml`` de ``root``)."""
    import yaml
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    extensions = set(config["parse"]["myst_enable_extensions"])
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


class _AnyOptions(dict):
    def __missing__(self, key):
        return str


class _AnyDirective:
    """Lo que MyST necesita saber de una directiva para separar argumento, opciones y cuerpo."""

    required_arguments, optional_arguments = 0, 1
    final_argument_whitespace, has_content = True, True
    option_spec = _AnyOptions(label=str)


@dataclass
class Directive:
    name: str      # exercise, glue:figure, ...
    arg: str       # el resto de la primera línea
    options: dict  # :label: ej-1 → {"label": "ej-1"}
    body: str      # el cuerpo, sin las opciones


def directive(token) -> Directive | None:
    """La directiva ``{name}`` de un token ``fence``/``colon_fence``, o ``None``."""
    from myst_parser.parsers.directives import parse_directive_text

    if token.type not in ("fence", "colon_fence") or not token.info.startswith("{"):
        return None
    name, _, arg = token.info[1:].partition("}")
    # Las opciones de una celda de código son YAML (:mystnb: figure: caption: …), como en MyST-NB.
    parsed = parse_directive_text(_AnyDirective, "", token.content,
                                  validate_options=name != "code-cell")
    return Directive(name, arg.strip(), {k: "" if v is None else v
                                         for k, v in parsed.options.items()},
                     "\n".join(parsed.body))


def tokens(text: str, skip: Collection[str] = ()):
    """Los tokens de ``text`` en orden, con los del cuerpo de cada directiva tras ella.

    ``skip``: directivas cuyo cuerpo no se recorre (su token sí sale); el de una celda
    de código nunca se recorre.
    """
    for token in parser().parse(text):
        yield token
        if (d := directive(token)) and d.name != "code-cell" and d.name not in skip:
            yield from tokens(d.body, skip)


def blocks(text: str):
    """Los bloques de primer nivel: (primera línea, última + 1, tokens del bloque)."""
    group = []
    for token in parser().parse(text):
        if token.level == 0 and token.map and group:
            yield group[0].map[0], group[0].map[1], group
            group = []
        group.append(token)
    if group:
        yield group[0].map[0], group[0].map[1], group


def solution_markers(source: str) -> list[tuple[str, str]]:
    """Parte una celda en texto y marcas ``{solution-start}``/``{solution-end}``.

    Devuelve pares ``("text", texto)``, ``("start", etiqueta)`` o ``("end", "")``. Lo
    que queda entre las dos marcas (también en celdas distintas) es una solución.
    """
    lines, parts, line = source.splitlines(), [], 0
    for start, end, group in blocks(source):
        if (d := directive(group[0])) and d.name in ("solution-start", "solution-end"):
            parts += [("text", "\n".join(lines[line:start])),
                      (d.name.removeprefix("solution-"), d.arg)]
            line = end
    return parts + [("text", "\n".join(lines[line:]))]


def roles(text: str):
    """Cada rol de ``text`` (también dentro de directivas): (nombre, contenido)."""
    for token in tokens(text):
        for child in token.children or []:
            if child.type == "myst_role":
                yield child.meta["name"], child.content


def raw_myst(markdown: str) -> str | None:
    """La primera sintaxis MyST que quedó en ``markdown`` (fuera del código), o ``None``."""
    for token in parser().parse(markdown):
        if directive(token):
            return token.markup + "{"
        if token.type == "myst_target":
            return f"({token.content})="
        if token.type == "math_block_label":
            return f"$$ ({token.info})"
        for child in token.children or []:
            if child.type == "myst_role":
                return f"{{{child.meta['name']}}}`"
        for line in token.content.splitlines() if token.type == "inline" else []:
            key, colon, rest = line[1:].partition(":")  # una opción suelta: «:label: x»
            if line[:1] == ":" and colon and key.replace("-", "_").isidentifier() \
                    and rest[:1] in ("", " "):
                return line[:len(key) + 2] + rest[:1]
    return None


def numbered(d: Directive) -> tuple[str, str | None] | None:
    """(tipo, etiqueta) si Sphinx numera la directiva ``d``; ``None`` si no la numera.

    Como ``numfig``: todo ejercicio; una ecuación con etiqueta; una figura o una tabla
    con leyenda o título (también la figura de una celda de código con ``caption``).
    """
    figure = (d.options.get("mystnb") or {}).get("figure") or {} if d.name == "code-cell" else {}
    if d.name == "exercise":
        return "exercise", d.options.get("label")
    if d.name == "math" and d.options.get("label"):
        return "math", d.options["label"]
    if d.name in ("figure", "glue:figure") and d.body.strip() or figure.get("caption"):
        return "figure", figure.get("name") or d.options.get("name")
    if d.name in ("table", "list-table") and d.arg:
        return "table", d.options.get("name")
    return None


def numbers(text: str, prefix: str = ""):
    """Cada cosa numerada de un capítulo, en orden: (tipo, etiqueta o ``None``, texto)."""
    counts = {}
    for token in tokens(text):
        found = (("math", token.info) if token.type == "math_block_label"
                 else (d := directive(token)) and numbered(d))
        if found:
            counts[found[0]] = counts.get(found[0], 0) + 1
            yield *found, NAMES[found[0]].format(f"{prefix}{counts[found[0]]}")


def collect_labels(lines: list[str], prefix: str = "") -> dict[str, str]:
    """Etiquetas de un capítulo (sus líneas) y su texto: «Ejercicio 12.3», «(12.1)», o el
    título de la sección que sigue a un destino ``(etiqueta)=``."""
    text, labels, target, heading = "\n".join(lines), {}, None, False
    for token in tokens(text):
        if token.type == "myst_target":
            target = token.content
        elif heading and target and token.type == "inline":
            labels[target], target = token.content, None
        heading = token.type == "heading_open"
    labels.update({label: number for _, label, number in numbers(text, prefix) if label})
    return labels
