"""La exportación a Colab: Markdown sin MyST crudo, y el notebook corre fuera del repositorio.

Ninguna necesita una construcción del libro: los valores de ``glue`` se sustituyen por
un valor de relleno, y la exportación de la construcción se prueba con una construcción
falsa. Las que miran la construcción de verdad (sus valores, su HTML, su numeración)
están en ``tests/book/test_colab_build.py``.
"""

import os
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

import assignments
import colab_links
import export_colab
import pidl_book
from pidl_book import book as book_mod
from pidl_book import book_chapters, colab, myst
from pidl_book import glue as glue_mod
from tests import ROOT
from tests.exported import markdown_of, stub_glue
from tests.tiny import write_chapter

# Todos los capítulos: los de _toc.yml y los que aún no están en él.
CHAPTERS = book_chapters(ROOT)


def test_requirement_points_at_the_repository(book):
    repo = book_mod.load_config(ROOT)["repository"]
    assert book.requirement == f"pidl @ git+{repo['url'].rstrip('/')}.git@main"
    assert book.requirement.startswith("pidl @ git+https://github.com/")


def test_a_repository_url_ending_in_git_gives_one_git(tmp_path):
    import shutil

    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["repository"] = {"url": "https://github.com/org/libro.git/", "branch": "main"}
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    shutil.copy(ROOT / "references.bib", tmp_path / "references.bib")
    (tmp_path / "chapters").mkdir()
    loaded = book_mod.load_book(tmp_path)
    assert loaded.requirement == "pidl @ git+https://github.com/org/libro.git@main"
    assert loaded.book_url == "https://org.github.io/libro/"


def test_chapter_titles_read_as_text(book):
    """El texto del enlace a otro capítulo: sin las comillas invertidas del código."""
    assert book.titles["A4-referencia-pidl"] == "Referencia de pidl"
    assert book.titles["02-mlp"].startswith("Perceptrón multicapa")


def test_github_repo_reads_owner_and_name():
    assert book_mod.github_repo("https://github.com/org/libro.git") == ("org", "libro")
    assert book_mod.github_repo("https://github.com/org/libro/") == ("org", "libro")
    assert book_mod.github_repo("https://gitlab.com/org/libro") is None


def test_book_url_comes_from_the_repository_url():
    assert book_mod.book_url_from("https://github.com/org/libro") == (
        "https://org.github.io/libro/")
    assert book_mod.book_url_from("https://x", "https://sitio/") == "https://sitio/"
    with pytest.raises(book_mod.ExportError, match="GitHub"):
        book_mod.book_url_from("https://gitlab.com/org/libro")


def test_toc_lists_existing_chapters_in_order():
    toc = pidl_book.toc_chapters(ROOT)
    assert toc and toc[0].name == "00-introduccion.md"
    assert all(pidl_book.is_chapter(p) for p in toc)


# ---------------------------------------------------------------- cada capítulo


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_exports_without_raw_myst(chapter, tmp_path, book):
    target = export_colab.export(chapter, tmp_path, book, stub_glue(chapter))
    exported = nbformat.read(target, as_version=4)
    nbformat.validate(exported)
    assert exported.cells[0].metadata["tags"] == ["colab-install"]
    assert "import pidl" in exported.cells[0].source
    for cell in exported.cells:
        if cell.cell_type == "markdown":
            raw = myst.raw_myst(cell.source)
            assert raw is None, f"MyST sin convertir: {raw!r} en\n{cell.source[:300]}"
            assert "ch" not in re.findall(r"\b(ch\d\d)_\w+", cell.source), "clave de glue"
        else:
            assert "myst_nb" not in cell.source or cell is exported.cells[0]
    text = chapter.read_text(encoding="utf-8")
    md = markdown_of(exported)
    names = [d.name for d in map(myst.directive, myst.tokens(text)) if d]
    assert len(re.findall(r"^### Ejercicio \d+\.\d+", md, re.M)) == names.count("exercise")
    assert md.count("<summary>Solución") == names.count("solution")
    # Ninguna celda de código se pierde ni cambia (salvo el import de myst_nb).
    original = [c.source for c in jupytext.read(chapter).cells
                if c.cell_type == "code" and not colab.is_graded_tests(c)]
    kept = [c.source.removeprefix(colab.CHECK_HEADER)
            for c in exported.cells[1:] if c.cell_type == "code"]
    assert len(kept) == len(original)
    for before, after in zip(original, kept):
        assert after == re.sub(r"^from myst_nb import glue\n?", "", before, flags=re.M)


def hidden_case_lines(chapter: Path) -> list[str]:
    """Las líneas de los casos ocultos de las celdas ``graded: tests`` del capítulo."""
    lines = []
    for cell in jupytext.read(chapter).cells:
        if cell.cell_type != "code" or not colab.is_graded_tests(cell):
            continue
        hidden = False
        for line in cell.source.splitlines():
            header = assignments.CASE_HEADER.match(line.strip())
            if header:
                hidden = header["kind"].lower() == "oculta"
            elif hidden and "assert" in line:  # las líneas propias de cada caso
                lines.append(line.strip())
    return lines


@pytest.mark.parametrize("solutions", [True, False], ids=["completo", "estudiante"])
@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_hidden_graded_cases_never_reach_the_notebook(chapter, solutions, tmp_path, book):
    hidden = hidden_case_lines(chapter)
    if not hidden:
        pytest.skip("el capítulo no tiene casos ocultos")
    notebook = colab.convert_notebook(chapter, book, stub_glue(chapter),
                                             solutions=solutions)
    text = "\n".join(c.source for c in notebook.cells)
    assert not any(colab.is_graded_tests(c) for c in notebook.cells)
    leaked = [line for line in hidden if line in text]
    assert not leaked, f"casos ocultos en el notebook: {leaked[:3]}"


def test_the_build_exports_every_chapter_it_can_and_warns_about_the_rest(tmp_path, monkeypatch):
    """_ext/colab_links.py al terminar la construcción: un capítulo sin un valor de glue o
    con un glue.json roto es una advertencia (con -W, la construcción falla) y los demás
    se exportan igual; uno que no se ejecutó se deja; otro constructor no exporta nada."""
    import shutil

    for name in ("_config.yml", "references.bib"):
        shutil.copy(ROOT / name, tmp_path / name)
    texts = {"97-bien": "# A\n\nVale {glue:text}`ch97_x:.1f`.\n",
             "98-falta": "# B\n\nVale {glue:text}`ch98_x:.1f`.\n",
             "99-roto": "# C\n", "96-sin-ejecutar": "# D\n"}
    for stem, text in texts.items():
        write_chapter(tmp_path / "chapters" / f"{stem}.md", text)
    executed = pidl_book.executed_dir(tmp_path / "_build")
    executed.mkdir(parents=True)
    (executed / "97-bien.glue.json").write_text(
        '{"ch97_x": {"data": {"text/plain": "2.25"}}}', encoding="utf-8")
    (executed / "98-falta.glue.json").write_text("{}", encoding="utf-8")
    (executed / "99-roto.glue.json").write_text("{roto", encoding="utf-8")
    said = {"warning": [], "info": []}
    for level in said:
        monkeypatch.setattr(colab_links.logger, level, said[level].append)

    class App:
        srcdir, outdir = str(tmp_path), str(tmp_path / "_build" / "html")
        builder = type("Builder", (), {"format": "html"})()
        env = type("Env", (), {"found_docs": {f"chapters/{s}" for s in texts} | {"intro"}})()

    colab_links.export_notebooks(App, None)
    served = tmp_path / "_build" / "html" / colab_links.COLAB_DIR
    assert sorted(p.name for p in served.iterdir()) == ["97-bien.ipynb"]
    assert "Vale 2.2." in markdown_of(nbformat.read(served / "97-bien.ipynb", 4))
    [warning] = said["warning"]
    assert "ch98_x" in warning and "99-roto" in warning and "JSONDecodeError" in warning
    assert any("96-sin-ejecutar" in m for m in said["info"])
    shutil.rmtree(served)
    App.builder.format = "latex"
    colab_links.export_notebooks(App, None)
    assert not served.exists()


def test_buttons_extension_rewrites_the_theme_links():
    class App:
        srcdir = str(ROOT)

        class config:
            colab_branch = "colab"
            html_theme_options = {
                "repository_url": "https://github.com/org/libro",
                "launch_buttons": {"colab_url": "https://colab.research.google.com"}}

    context = {"pathto": lambda name, resource: "../" + name, "header_buttons": [
        {"label": "launch-buttons", "buttons": [
            {"text": "Colab", "url": "https://colab.research.google.com/github/org/libro"
                                     "/blob/main/chapters/02-mlp.md"}]},
        {"label": "download-buttons", "buttons": [
            {"label": "download-source-button", "url": "../_sources/chapters/02-mlp.md"}]},
    ]}
    colab_links.update_buttons(App, "chapters/02-mlp", "page.html", context, None)
    launch, download = context["header_buttons"]
    assert launch["buttons"][0]["url"] == (
        "https://colab.research.google.com/github/org/libro/blob/colab/02-mlp.ipynb")
    assert download["buttons"][0]["url"] == "../_colab/02-mlp.ipynb"
    # El menú dice lo que el notebook no trae (test_exported_notebook_has_no_outputs).
    assert "sin salidas" in download["buttons"][0]["text"]
    assert download["buttons"][1]["label"] == "download-source-button"
    before = {"pathto": None, "header_buttons": []}
    colab_links.update_buttons(App, "intro", "page.html", before, None)  # no es capítulo
    assert before["header_buttons"] == []


def test_exported_introduction_runs_outside_the_repository(tmp_path, book):
    """Como en Colab: fuera del repositorio, sin myst_nb, con pidl instalado como paquete."""
    chapter = ROOT / "chapters" / "00-introduccion.md"
    target = export_colab.export(chapter, tmp_path / "colab", book, stub_glue(chapter))
    notebook = nbformat.read(target, as_version=4)
    # Colab no trae myst_nb: el notebook debe correr sin él.
    notebook.cells.insert(0, nbformat.v4.new_code_cell(
        "import sys\nsys.modules['myst_nb'] = None  # como en Colab"))
    workdir = tmp_path / "fuera"
    workdir.mkdir()
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()  # lanza CellExecutionError si una celda (o comprobación) falla
    assert not list(workdir.iterdir()), "el capítulo no debe escribir en el directorio de trabajo"


def test_exported_notebook_has_no_outputs(tmp_path, book):
    """Lo que dice el menú de descarga («.ipynb (sin salidas)»): ninguna celda trae salidas."""
    chapter = ROOT / "chapters" / "01-perceptron.md"
    notebook = nbformat.read(export_colab.export(chapter, tmp_path, book, stub_glue(chapter)), 4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and not any(c.get("outputs") for c in code)


def test_install_cell_explains_an_offline_failure_in_spanish(tmp_path):
    """Sin pidl y sin red, la celda de instalación no termina en un CalledProcessError:
    dice en español qué falló y cómo instalar el paquete."""
    import subprocess

    cell = colab.INSTALL_CELL.format(requirement=str(tmp_path / "no-existe"))
    script = "import sys\nsys.modules['pidl'] = None  # como si no estuviera instalado\n" + cell
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=tmp_path, timeout=120, env={**os.environ, "PIP_NO_INDEX": "1"})
    assert run.returncode != 0
    assert "Traceback" not in run.stderr and "CalledProcessError" not in run.stderr, run.stderr
    assert "No se pudo instalar pidl" in run.stderr, run.stderr
    assert "pip install -e" in run.stderr and "conexión" in run.stderr, run.stderr


# ---------------------------------------------------------------- el conversor


def test_glue_values_are_written_with_their_format(colab_markdown):
    md = colab_markdown("""\
        Error {glue:text}`ch99_err:.2e`, época {glue:text}`ch99_n:d`, {glue:}`ch99_s` y
        {glue}`ch99_n`; el código `{glue:text}` queda como código.
        """, {"ch99_err": {"text/plain": "0.000123"}, "ch99_n": {"text/plain": "7"},
              "ch99_s": {"text/plain": "'una CPU'"}})
    assert "Error 1.23e-04, época 7, una CPU y\n7;" in md
    assert "`{glue:text}`" in md


def test_glue_format_E_is_typeset_like_the_book(colab_markdown):
    """``:.1E`` escribe 1.2 × 10⁻⁴ en el notebook, como _ext/sci_notation.py en el libro."""
    md = colab_markdown("Error {glue:text}`ch99_err:.1E` y {glue:text}`ch99_big:.0E`.",
                        {"ch99_err": {"text/plain": "0.000123"}, "ch99_big": {"text/plain": "-25000.0"}})
    assert "Error 1.2 × 10⁻⁴ y −2 × 10⁴." in md


def test_a_backtick_inside_inline_math_does_not_hide_a_role(colab_markdown):
    """El rol se busca después de la fórmula: una comilla invertida en $…$ no abre código."""
    md = colab_markdown("""\
        $$
        a = b
        $$ (ec-99-a)

        La fórmula $\\text{`}$, el código `{eq}` y la ecuación {eq}`ec-99-a`.
        """)
    assert "La fórmula $\\text{`}$, el código `{eq}` y la ecuación (99.1)." in md
    assert "a = b\n\\tag{99.1}" in md


def test_raw_myst_is_found_except_in_code():
    assert myst.raw_myst("Ver {cite:p}`x`.") == "{cite:p}`"
    assert myst.raw_myst("```{note}\nA\n```") == "```{"
    assert myst.raw_myst("x\n````{solution} ej-1\n:class: dropdown\n\nB\n````") == "````{"
    assert myst.raw_myst(":::{admonition} T\nA\n:::") == ":::{"
    assert myst.raw_myst(":label: ej-1\n") == ":label: "
    assert myst.raw_myst("(sec-1)=\n# A") == "(sec-1)="
    assert myst.raw_myst("$$\na\n$$ (ec-1)") == "$$ (ec-1)"
    assert myst.raw_myst("El rol `{cite:p}` y\n```\n{eq}`a`\n```\n") is None
    assert myst.raw_myst("$$\n(a+b)^2\n$$") is None


def test_a_missing_glue_value_is_an_error(colab_markdown):
    with pytest.raises(book_mod.ExportError, match="ch99_nada"):
        colab_markdown("Vale {glue:text}`ch99_nada:.2f`.\n", {})


def test_citations_become_author_year_links(colab_markdown, book):
    md = colab_markdown("""\
        Según {cite:t}`c99-raissi2019physics`, y otros {cite:p}`c99-he2016deep,c99-kingma2015adam`.

        ```{bibliography}
        :filter: docname in docnames
        :keyprefix: c99-
        ```
        """, {})
    page = book.page("99-prueba") + "#referencias"
    assert f"[Raissi et al. (2019)]({page})" in md
    assert f"([He et al., 2016]({page}); [Kingma y Ba, 2015]({page}))" in md
    assert "- **He et al. (2016).**" in md and "Deep residual learning" in md


def test_an_unknown_citation_is_an_error(colab_markdown):
    with pytest.raises(book_mod.ExportError, match="references.bib"):
        colab_markdown("Ver {cite:p}`c99-nadie2099`.\n", {})


def test_equations_get_numbers_and_references_use_them(colab_markdown):
    md = colab_markdown("""\
        (sec-99-algo)=
        ## Una sección

        $$
        a = b
        $$ (ec-99-a)

        ```{math}
        :label: ec-99-b
        c = d
        ```

        Por {eq}`ec-99-b` y {eq}`ec-99-a`, ver {ref}`sec-99-algo` y {ref}`esto <sec-99-algo>`.
        """, {})
    assert "$$\na = b\n\\tag{99.1}\n$$" in md
    assert "$$\nc = d\n\\tag{99.2}\n$$" in md
    assert "Por (99.2) y (99.1), ver Una sección y esto." in md
    assert "(sec-99-algo)=" not in md


def test_references_to_other_chapters_link_to_the_book(colab_markdown, book):
    md = colab_markdown("Ver {doc}`00-introduccion` y {ref}`sec-03-costo`.\n", {})
    assert f"]({book.page('00-introduccion')})" in md
    assert f"]({book.page('03-retropropagacion')}#sec-03-costo)" in md


def test_an_unknown_label_is_an_error(colab_markdown):
    with pytest.raises(book_mod.ExportError, match="ec-99-nada"):
        colab_markdown("Por {eq}`ec-99-nada`.\n", {})


def test_admonitions_become_block_quotes(colab_markdown):
    md = colab_markdown("""\
        :::{admonition} Objetivos
        :class: tip

        - uno
        :::

        ```{note}
        Una nota con $x$.
        ```

        ```{warning} Cuidado
        Texto.
        ```
        """, {})
    assert "> **Objetivos**\n>\n> - uno" in md
    assert "> **Nota**\n>\n> Una nota con $x$." in md
    assert "> **Cuidado**\n>\n> Texto." in md


def test_exercises_become_headings_and_solutions_details(colab_markdown):
    md = colab_markdown("""\
        ```{exercise} Primero
        :label: ej-99-a

        Calcule $x$.
        ```

        ````{solution} ej-99-a
        :class: dropdown

        Así:

        ```python
        x = 1
        ```
        ````

        ```{exercise}
        :label: ej-99-b

        Otro. Vea el {ref}`ej-99-a`.
        ```
        """, {})
    assert "### Ejercicio 99.1: Primero\n\nCalcule $x$." in md
    assert ("<details>\n<summary>Solución del ejercicio 99.1</summary>\n\n"
            "Así:\n\n```python\nx = 1\n```") in md
    assert "### Ejercicio 99.2\n\nOtro. Vea el Ejercicio 99.1." in md


def test_figures_and_tables_become_plain_markdown(colab_markdown, book):
    md = colab_markdown("""\
        ```{figure} figs/red.svg
        :name: fig-99-red
        :width: 60%

        Una red.
        ```

        ```{list-table} Tabla corta
        :header-rows: 1

        * - a
          - b
        * - 1
          - 2
        ```
        """, {})
    assert f"![Una red.]({book.repo_url.replace('github.com', 'raw.githubusercontent.com')}" in md
    assert "*Figura 99.1: Una red.*" in md
    assert "**Tabla corta**\n\n| a | b |\n| --- | --- |\n| 1 | 2 |" in md


def test_glued_figures_and_numbered_references(colab_markdown):
    md = colab_markdown("""\
        ```{glue:figure} ch99_fig
        :name: fig-99-curva

        La curva.
        ```

        Como muestra la {numref}`Figura %s <fig-99-curva>` y {numref}`fig-99-curva`.
        """, {"ch99_fig": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}})
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="ch99_fig">' in md
    assert "*Figura 99.1: La curva.*" in md
    assert "Como muestra la Figura 99.1 y Figura 99.1." in md


def test_check_cells_are_kept_and_labelled(tmp_path, book):
    path = write_chapter(tmp_path / "99-prueba.md", """
        ```{code-cell} ipython3
        from myst_nb import glue
        x = 2
        ```

        ```{code-cell} ipython3
        :tags: [remove-cell]
        assert x == 2
        ```
        """)
    notebook = colab.convert_notebook(path, book, {})
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    assert code[1] == "x = 2"
    assert code[2].startswith("# Comprobación") and code[2].endswith("assert x == 2")


# ---------------------------------------------------------------- la orden


def test_rejects_a_file_that_is_not_a_chapter(tmp_path, capsys):
    plain = tmp_path / "notas.md"
    plain.write_text("# Notas\n", encoding="utf-8")
    assert export_colab.main([str(plain), "--out", str(tmp_path)]) == 1
    assert "no es un capítulo" in capsys.readouterr().err


def test_without_a_build_it_says_how_to_get_the_values(tmp_path, capsys):
    chapter = ROOT / "chapters" / "00-introduccion.md"
    code = export_colab.main([str(chapter), "--out", str(tmp_path / "o"),
                              "--build-dir", str(tmp_path / "nada")])
    assert code == 1
    err = capsys.readouterr().err
    assert "jupyter-book build" in err and "--execute" in err


def test_execute_takes_the_values_from_a_run(tmp_path):
    chapter = write_chapter(tmp_path / "99-prueba.md", """
        # Prueba

        ```{code-cell} ipython3
        from myst_nb import glue
        glue("ch99_pi", 3.14159, display=False)
        ```

        Pi vale {glue:text}`ch99_pi:.2f`.
        """)
    assert export_colab.main([str(chapter), "--out", str(tmp_path / "o"), "--execute"]) == 0
    notebook = nbformat.read(tmp_path / "o" / "99-prueba.ipynb", as_version=4)
    assert "Pi vale 3.14." in markdown_of(notebook)


def test_reads_the_values_of_a_build(tmp_path):
    build = pidl_book.executed_dir(tmp_path / "_build")
    build.mkdir(parents=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data={"text/plain": "2.5"},
                               metadata={"scrapbook": {"name": "ch99_x", "mime_prefix": ""}})
    ])])
    nbformat.write(notebook, build / "99-prueba.ipynb")
    assert glue_mod.glue_from_build("99-prueba", tmp_path / "_build") == {
        "ch99_x": {"text/plain": "2.5"}}
    assert glue_mod.glue_from_build("98-otro", tmp_path / "_build") is None


