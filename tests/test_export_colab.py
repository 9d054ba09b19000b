"""El notebook exportado para Colab corre fuera del repositorio con pidl instalado como paquete."""

import importlib.util
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("export_colab", ROOT / "tools" / "export_colab.py")
export_colab = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export_colab)

CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.md") if export_colab.is_chapter(p))


def test_requirement_points_at_the_repository():
    req = export_colab.repository_requirement()
    assert req.startswith("pidl @ git+https://") and req.endswith(".git@main")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_export_prepends_install_cell_and_keeps_the_chapter(chapter, tmp_path):
    target = export_colab.export(chapter, tmp_path, "pidl")
    exported = nbformat.read(target, as_version=4)
    original = jupytext.read(chapter)
    assert exported.cells[0].metadata["tags"] == ["colab-install"]
    assert "import pidl" in exported.cells[0].source
    assert [c.source for c in exported.cells[1:]] == [c.source for c in original.cells]
    nbformat.validate(exported)


def test_exported_introduction_runs_outside_the_repository(tmp_path):
    chapter = ROOT / "chapters" / "00-introduccion.md"
    target = export_colab.export(chapter, tmp_path / "colab", export_colab.repository_requirement())
    notebook = nbformat.read(target, as_version=4)
    workdir = tmp_path / "fuera"
    workdir.mkdir()
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()  # lanza CellExecutionError si una celda (o aserción oculta) falla
    assert not list(workdir.iterdir()), "el capítulo no debe escribir archivos en el directorio de trabajo"


def test_rejects_a_file_that_is_not_a_chapter(tmp_path):
    plain = tmp_path / "notas.md"
    plain.write_text("# Notas\n", encoding="utf-8")
    assert export_colab.main([str(plain), "--out", str(tmp_path)]) == 1
