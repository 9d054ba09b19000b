"""Exporta cada capítulo MyST (``chapters/*.md``) a un ``.ipynb`` listo para Colab.

Colab solo abre notebooks ``.ipynb``. El libro mantiene los ``.md`` como única
fuente; esta herramienta genera los ``.ipynb`` (que no se versionan en ``main``)
y les antepone una celda que instala ``pidl`` desde el repositorio del libro
cuando no está instalado, de modo que el notebook corre fuera del repositorio.

    python tools/export_colab.py --out colab/
    python tools/export_colab.py --out colab/ chapters/02-mlp.md
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]

INSTALL_CELL = """\
# Colab / entorno nuevo: instala el paquete del curso si falta.
try:
    import pidl
except ImportError:
    import subprocess, sys
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "{requirement}"])
    import pidl
"""


def repository_requirement(config_path: Path = ROOT / "_config.yml") -> str:
    """Requisito pip de ``pidl`` desde el repositorio declarado en ``_config.yml``."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    url = config["repository"]["url"].rstrip("/")
    branch = config["repository"].get("branch", "main")
    return f"pidl @ git+{url}.git@{branch}"


def is_chapter(path: Path) -> bool:
    head = path.read_text(encoding="utf-8")[:600]
    return path.suffix == ".md" and head.startswith("---") and "kernelspec:" in head


def export(chapter: Path, out_dir: Path, requirement: str) -> Path:
    """Convierte ``chapter`` a ``out_dir/<nombre>.ipynb`` con la celda de instalación al principio."""
    notebook = jupytext.read(chapter)
    install = nbformat.v4.new_code_cell(INSTALL_CELL.format(requirement=requirement))
    install.metadata["tags"] = ["colab-install"]
    notebook.cells.insert(0, install)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{chapter.stem}.ipynb"
    nbformat.write(notebook, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", type=Path, help="capítulos a exportar (por defecto, todos)")
    parser.add_argument("--out", type=Path, default=ROOT / "colab", help="carpeta de salida")
    args = parser.parse_args(argv)
    chapters = args.chapters or sorted(p for p in (ROOT / "chapters").glob("*.md") if is_chapter(p))
    requirement = repository_requirement()
    for chapter in chapters:
        if not is_chapter(chapter):
            print(f"{chapter}: no es un capítulo ejecutable (falta la cabecera jupytext)", file=sys.stderr)
            return 1
        print(export(chapter, args.out, requirement))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
