"""La versión para estudiantes no tiene soluciones y conserva ejercicios y comprobaciones."""

import re
from pathlib import Path

import nbformat
import pytest

import export_colab
import student_version
from pidl_book import book_chapters, colab, executed_dir, executed_notebook, myst
from tests import ROOT, tiny
from tests.exported import markdown_of, stub_glue

CHAPTERS = book_chapters(ROOT)

SOLUTION_WORDS = re.compile(r"<details>|Solución del ejercicio|\{solution")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_version_has_no_solutions(chapter, tmp_path, book):
    target = export_colab.export(chapter, tmp_path, book, stub_glue(chapter), solutions=False,
                                 transform=student_version.blank_todo_cells)
    notebook = nbformat.read(target, as_version=4)
    md = markdown_of(notebook)
    text = chapter.read_text(encoding="utf-8")
    assert not SOLUTION_WORDS.search(md), SOLUTION_WORDS.search(md)[0]
    # Ninguna línea de una solución de la versión Colab aparece en la de estudiantes.
    with_solutions = markdown_of(colab.convert_notebook(chapter, book, stub_glue(chapter)))
    for block in re.findall(r"<details>\n<summary>.*?</summary>(.*?)</details>",
                            with_solutions, re.S):
        longest = max(block.splitlines(), key=len)
        assert longest not in md, f"quedó una solución: {longest!r}"
    assert myst.raw_myst(md) is None
    n_exercises = sum(1 for d in map(myst.directive, myst.tokens(text))
                      if d and d.name == "exercise")
    assert len(re.findall(r"^### Ejercicio \d+", md, re.M)) == n_exercises
    assert notebook.cells[0].metadata["tags"] == ["colab-install"]


def write_chapter(tmp_path: Path) -> Path:
    return tiny.write_chapter(tmp_path / "99-prueba.md", """
        # Prueba

        ```{code-cell} ipython3
        :tags: [student-todo]
        y = 2 * 21
        ```

        ```{code-cell} ipython3
        :tags: [remove-cell]
        assert y == 42
        ```

        ```{exercise} Suma
        :label: ej-99-suma

        Sume.
        ```

        ```{solution} ej-99-suma
        :class: dropdown

        La suma da 42.
        ```

        ```{exercise} Código
        :label: ej-99-codigo

        Escriba código.
        ```

        ````{solution-start} ej-99-codigo
        :class: dropdown
        ````

        Con este código:

        ```{code-cell} ipython3
        secreto = 42
        ```

        ````{solution-end}
        ````

        Texto final.
        """)


def test_solutions_spanning_code_cells_are_removed(tmp_path, book):
    notebook = colab.convert_notebook(write_chapter(tmp_path), book, {}, solutions=False)
    md = markdown_of(notebook)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "secreto" not in code and "Con este código" not in md
    assert "La suma da 42" not in md and "Solución" not in md
    assert "### Ejercicio 99.1: Suma" in md and "### Ejercicio 99.2: Código" in md
    assert md.rstrip().endswith("Texto final.")


def test_the_colab_version_keeps_those_solutions(tmp_path, book):
    notebook = colab.convert_notebook(write_chapter(tmp_path), book, {})
    md = markdown_of(notebook)
    assert "<summary>Solución del ejercicio 99.1</summary>" in md
    assert "**Solución del ejercicio 99.2**" in md and "*Fin de la solución.*" in md
    assert any("secreto = 42" in c.source for c in notebook.cells)


def test_todo_cells_are_blanked_and_their_check_kept(tmp_path, book):
    notebook = colab.convert_notebook(write_chapter(tmp_path), book, {}, solutions=False)
    assert student_version.blank_todo_cells(notebook) == 1
    code = [c.source for c in notebook.cells if c.cell_type == "code"][1:]
    assert code[0] == student_version.TODO_CELL
    assert code[1].startswith("# Comprobación") and "assert y == 42" in code[1]


def test_command_line_writes_the_student_notebook(tmp_path, capsys):
    chapter = write_chapter(tmp_path)
    executed_dir(tmp_path / "_build").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), executed_notebook(tmp_path / "_build", "99-prueba"))
    out = tmp_path / "alumnos"
    assert student_version.main([str(chapter), "--out", str(out),
                                 "--build-dir", str(tmp_path / "_build")]) == 0
    notebook = nbformat.read(out / "99-prueba.ipynb", as_version=4)
    written = nbformat.writes(notebook)
    assert "secreto" not in written and "# TODO: escriba" in written


def test_command_line_rejects_bad_input(tmp_path, capsys):
    plain = tmp_path / "notas.md"
    plain.write_text("# Notas\n", encoding="utf-8")
    assert student_version.main([str(plain), "--out", str(tmp_path)]) == 1
    chapter = write_chapter(tmp_path)
    assert student_version.main([str(chapter), "--out", str(tmp_path),
                                 "--build-dir", str(tmp_path / "nada")]) == 1
    assert "--execute" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        student_version.main([str(chapter)])  # falta --out
