"""Lo que un cuaderno exportado necesita saber del libro entero.

El repositorio y la rama de ``_config.yml`` (de ahí el requisito ``pip`` de ``pidl``
y la dirección del libro publicado), la bibliografía, el título de cada capítulo y
las etiquetas de todos los capítulos con su número (para enlazar de un capítulo a
otro). Lo leen la exportación (:mod:`pidl_book.colab`), las tareas calificadas
(``tools/assignments.py``) y los botones de la construcción (``_ext/colab_links.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pidl_book import BOOK_ROOT, CHAPTERS_DIR, chapter_prefix
from pidl_book.glue import GlueError
from pidl_book.myst import collect_labels, parser

_GITHUB = re.compile(r"https://github\.com/(?P<owner>[^/]+)/(?P<name>[^/]+?)(?:\.git)?/?$")


class ExportError(GlueError):
    """Un capítulo no se puede exportar (falta un valor, una cita o una etiqueta).

    Es un :class:`~pidl_book.glue.GlueError`: quien exporta atrapa los dos a la vez."""


def load_config(root: Path = BOOK_ROOT) -> dict:
    import yaml

    return yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8"))


def github_repo(url: str) -> tuple[str, str] | None:
    """(dueño, nombre) de ``https://github.com/dueño/nombre[.git]``; ``None`` si no es GitHub."""
    match = _GITHUB.match(url.strip())
    return (match["owner"], match["name"]) if match else None


def book_url_from(repo_url: str, baseurl: str = "") -> str:
    """URL de GitHub Pages del libro: ``https://ORG.github.io/REPO/`` (o ``html.baseurl``)."""
    if baseurl:
        return baseurl.rstrip("/") + "/"
    if (repo := github_repo(repo_url)) is None:
        raise ExportError(f"repository.url no es un repositorio de GitHub: {repo_url!r}")
    return f"https://{repo[0]}.github.io/{repo[1]}/"


@dataclass
class Book:
    """El libro visto desde un capítulo exportado."""

    repo_url: str
    branch: str
    book_url: str
    root: Path = BOOK_ROOT
    bib: dict = field(default_factory=dict)       # clave -> pybtex Entry
    titles: dict = field(default_factory=dict)    # stem -> título del capítulo
    labels: dict = field(default_factory=dict)    # etiqueta -> (stem, texto)

    @property
    def requirement(self) -> str:
        """Lo que ``pip install`` necesita para instalar ``pidl`` desde el repositorio."""
        return f"pidl @ git+{self.repo_url}.git@{self.branch}"

    def page(self, stem: str) -> str:
        return f"{self.book_url}{CHAPTERS_DIR}/{stem}.html"

    def raw_url(self, path: str) -> str:
        """Un archivo del repositorio (una imagen de ``chapters/``) tal como lo sirve GitHub."""
        raw = self.repo_url.replace("github.com", "raw.githubusercontent.com")
        return f"{raw}/{self.branch}/{CHAPTERS_DIR}/{path}"


def load_book(root: Path = BOOK_ROOT) -> Book:
    from pybtex.database import parse_file

    config = load_config(root)
    repo, baseurl = config["repository"], (config.get("html") or {}).get("baseurl") or ""
    repo_url = repo["url"].rstrip("/")
    if found := github_repo(repo_url):  # sin «.git»: el requisito de pip lo agrega
        repo_url = "https://github.com/{}/{}".format(*found)
    book = Book(repo_url, repo.get("branch", "main"), book_url_from(repo_url, baseurl),
                Path(root))
    for bibfile in config.get("bibtex_bibfiles", []):
        book.bib.update(parse_file(str(Path(root) / bibfile)).entries)
    for path in sorted((Path(root) / CHAPTERS_DIR).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        parsed = parser().parse(text)
        h1 = [i for i, t in enumerate(parsed) if t.type == "heading_open" and t.tag == "h1"]
        # el título como se lee: «Referencia de pidl», no «Referencia de `pidl`»
        words = parsed[h1[0] + 1].children if h1 else []
        book.titles[path.stem] = "".join(
            w.content for w in words if w.type in ("text", "code_inline")).strip() or path.stem
        for label, number in collect_labels(text.splitlines(), chapter_prefix(path.stem)).items():
            book.labels[label] = (path.stem, number)
    return book


# ------------------------------------------------------------------------- citas


def author_year(entry) -> tuple[str, str]:
    """(«Raissi et al.», «2019») de una entrada de pybtex, como las citas del libro."""
    from pybtex.backends.plaintext import Backend
    from pybtex.richtext import Text

    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [Text.from_latex(" ".join(p.last_names)).render(Backend()) for p in people]
    if not names:
        authors = entry.fields.get("organization", entry.key)
    elif len(names) <= 2:
        authors = " y ".join(names)
    else:
        authors = f"{names[0]} et al."
    return authors, str(entry.fields.get("year", "s. f."))


def bibliography(entries) -> str:
    """Las entradas citadas como lista Markdown, ordenadas por autor y año."""
    from pybtex.backends.markdown import Backend
    from pybtex.style.formatting.plain import Style

    lines = []
    for entry in sorted(entries, key=author_year):
        formatted = next(iter(Style().format_entries([entry])))
        authors, year = author_year(entry)
        lines.append(f"- **{authors} ({year}).** "
                     + " ".join(formatted.text.render(Backend()).split()))
    return "\n".join(lines)
