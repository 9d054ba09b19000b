"""Tareas calificadas (tools/assignments.py): construir con otter assign y calificar.

Para cada capítulo: las soluciones de referencia sacan todos los puntos, el cuaderno en
blanco saca cero sin romper nada y una respuesta equivocada plantada saca puntos
parciales. Y una carpeta con entregas que se cuelgan, manipulan las pruebas o no son
JSON, junto a entregas buenas, da una planilla con todos los estudiantes.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import nbformat
import pytest

import assignments
from pidl_book import book_chapters, chapter_number
from tests import ROOT

# Todo capítulo numerado (no los apéndices) tiene su tarea: la lista sale de la regla del
# libro, no de los capítulos que ya tienen preguntas (assignments.graded_chapters).
CHAPTERS = [p.stem for p in book_chapters(ROOT) if chapter_number(p.stem).isdigit()]

# Una respuesta equivocada por capítulo: pasa alguna prueba, pero no todas.
WRONG = {
    "00-introduccion": ("q1", """
def partials_by_hand(x, y):
    a_bar = y
    c_bar = -math.sin(x * y)
    return 2 * x * a_bar, x * x + x * c_bar      # olvida el camino de x a través de c
"""),
    "01-perceptron": ("q1", """
def perceptron_step(w, b, x, y, lr):
    if y * (np.dot(w, x) + b) <= 0:
        w += lr * y * x                           # modifica el arreglo recibido
        b += lr * y
    return w, b
"""),
    "02-mlp": ("q2", """
def mlp_forward(X, W1, b1, W2, b2):
    return np.maximum(X @ W1.T + b1, 0) @ W2.T + b2   # ReLU en vez de tanh
"""),
    "03-retropropagacion": ("q1", """
def linear_backward(X, W, grad_Y):
    return grad_Y @ W, grad_Y.T @ X, grad_Y.mean(axis=0)   # promedia en vez de sumar
"""),
    "04-regularizacion": ("q2", """
def inverted_dropout(x, keep_mask, p):
    return np.where(keep_mask, x, 0.0)            # no reescala
"""),
    "05-optimizacion": ("q1", """
def cosine_lr(step, total_steps, lr_max, lr_min=0.0):
    return lr_max - (lr_max - lr_min) * step / total_steps   # lineal, no coseno
"""),
    "06-cnn": ("q2", """
def conv_output_size(n, kernel_size, padding=0, stride=1):
    return n + 2 * padding - kernel_size + 1      # ignora el paso
"""),
    "07-rnn": ("q1", """
def rnn_step(h, x, W_hh, W_xh, b):
    return torch.tanh(h @ W_hh.T + x @ W_xh.T)    # olvida el sesgo
"""),
    "08-atencion": ("q1", """
def attention(Q, K, V):
    weights = torch.softmax(Q @ K.T, dim=-1)      # sin escalar por la raíz de d_k
    return weights @ V, weights
"""),
    "09-sesgos-inductivos": ("q1", """
def stable_softplus(z):
    return torch.log1p(torch.exp(z))              # desborda para z grande
"""),
    "10-pinns-edo": ("q1", """
def decay_residual(u_fn, t, k):
    t = t.detach().requires_grad_(True)
    u = u_fn(t)
    (u_t,) = torch.autograd.grad(u.sum(), t)      # sin create_graph: no se puede entrenar
    return u_t + k * u.detach()
"""),
    "11-pinns-edp": ("q1", """
def advection_diffusion_residual(u_fn, xt, c, nu):
    xt = xt.detach().requires_grad_(True)
    u = u_fn(xt)
    u_x = partial(u, xt, dim=0)
    return partial(u, xt, dim=1) + c * u_x + nu * partial(u_x, xt, dim=0)   # signo de ν
"""),
    "12-pinns-burgers": ("q1", """
def burgers_residual(u_fn, xt, nu):
    xt = xt.detach().requires_grad_(True)
    u = u_fn(xt)
    return partial(u, xt, dim=1) + u * partial(u, xt, dim=0)   # sin el término viscoso
"""),
    "13-operadores-neuronales": ("q2", """
def mean_relative_l2(pred, target):
    return float((pred - target).norm() / target.norm())   # norma del lote, no por fila
"""),
}


class Built(dict):
    """Las tareas construidas, una por capítulo, a medida que una prueba las pide (con
    ``-k`` solo se construyen las que hacen falta)."""

    def __init__(self, out: Path, book):
        super().__init__()
        self.out, self.book = out, book

    def __missing__(self, stem: str) -> Path:
        self[stem] = assignments.build(ROOT / "chapters" / f"{stem}.md", self.out, self.book)
        return self[stem]


@pytest.fixture(scope="module")
def built(tmp_path_factory, book):
    return Built(tmp_path_factory.mktemp("tareas"), book)


def reference(folder: Path) -> Path:
    return next((folder / "dist" / "autograder").glob("*.ipynb"))


def student(folder: Path) -> Path:
    return next((folder / "dist" / "student").glob("*.ipynb"))


def replace_answer(source: Path, target: Path, code: str) -> None:
    """Copia el cuaderno con la celda que define la misma función reemplazada por ``code``."""
    notebook = nbformat.read(source, as_version=4)
    name = code.split("def ", 1)[1].split("(", 1)[0]
    cells = [c for c in notebook.cells if c.cell_type == "code" and f"def {name}(" in c.source]
    assert len(cells) == 1, name
    cells[0].source = code.strip()
    nbformat.write(notebook, target)


def strings(node) -> list[str]:
    """Todos los textos de un cuaderno (celdas y metadatos, donde otter guarda pruebas)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return []


def add_cell(source: Path, target: Path, code: str) -> None:
    notebook = nbformat.read(source, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(code))
    nbformat.write(notebook, target)


def test_every_chapter_has_two_graded_questions_with_hidden_tests(book):
    for stem in CHAPTERS:
        assignment = assignments.read_assignment(ROOT / "chapters" / f"{stem}.md", book)
        assert len(assignment.questions) >= 2, stem
        for q in assignment.questions:
            assert "def " in q.solution, (stem, q.name)  # código que escribe el estudiante
            assert any(c.hidden for c in q.cases) and any(not c.hidden for c in q.cases)


@pytest.mark.parametrize("stem", CHAPTERS)
def test_reference_full_blank_zero_wrong_partial(built, stem, tmp_path):
    folder = built[stem]
    submissions = tmp_path / "entregas"
    submissions.mkdir()
    (submissions / "referencia.ipynb").write_bytes(reference(folder).read_bytes())
    (submissions / "blanco.ipynb").write_bytes(student(folder).read_bytes())
    question, code = WRONG[stem]
    replace_answer(reference(folder), submissions / "equivocada.ipynb", code)
    results = {r.student: r for r in assignments.grade(folder, submissions, tmp_path / "notas",
                                                      log=lambda *a: None)}
    possible = json.loads((folder / "MANIFEST.json").read_text())["questions"]
    ref, blank, wrong = results["referencia"], results["blanco"], results["equivocada"]
    assert ref.scores == pytest.approx(possible), ref.notes
    assert ref.status == "ok" and blank.status == "ok", (ref.notes, blank.notes)
    assert sum(blank.scores.values()) == 0
    assert 0 < wrong.scores[question] < possible[question], wrong.scores
    # Las pruebas ocultas no llegan al cuaderno del estudiante.
    handed_out = "\n".join(strings(nbformat.read(student(folder), as_version=4)))
    for cases in assignments.load_tests(folder).questions.values():
        for case in cases:
            assert (case["code"].strip() in handed_out) != case["hidden"], case["code"]


def test_bad_submissions_do_not_break_the_run(built, tmp_path):
    folder = built["04-regularizacion"]
    ref, blank = reference(folder), student(folder)
    subs = tmp_path / "entregas"
    subs.mkdir()
    (subs / "ana.ipynb").write_bytes(ref.read_bytes())
    (subs / "roto.ipynb").write_text("{esto no es un cuaderno")
    add_cell(ref, subs / "bucle.ipynb",
             "while True:\n    try:\n        while True:\n            pass\n"
             "    except BaseException:\n        pass\n")
    replace_answer(ref, subs / "colgada.ipynb",
                   "def inverted_dropout(x, keep_mask, p):\n    while True:\n        pass\n")
    add_cell(ref, subs / "lanza.ipynb", "raise RuntimeError('no terminé')")
    add_cell(blank, subs / "borra.ipynb",
             "import os\n"
             f"for name in os.listdir({str(folder / 'tests')!r}):\n"
             f"    path = os.path.join({str(folder / 'tests')!r}, name)\n"
             "    os.chmod(path, 0o644)\n"
             "    open(path, 'w').write('OK_FORMAT = True\\ntest = {}')\n")
    add_cell(blank, subs / "parche.ipynb",
             "import builtins\nbuiltins.AssertionError = Warning\n")
    add_cell(blank, subs / "falso.ipynb",
             "class Grader:\n    def check(self, *args):\n        return True\n\n"
             "grader = Grader()\n"
             "exec = compile = None\n"
             "print('q1 results: All test cases passed!')\n"
             "print('q2 results: All test cases passed!')\n")
    (subs / "beto").mkdir()
    (subs / "beto" / "tarea.ipynb").write_bytes(ref.read_bytes())
    out = tmp_path / "notas"
    assignments.grade(folder, subs, out, timeout=10, cell_timeout=2, log=lambda *a: None)
    with open(out / "notas.csv", encoding="utf-8") as f:
        rows = {row["estudiante"]: row for row in csv.DictReader(f)}
    assert set(rows) == {"ana", "beto", "roto", "bucle", "colgada", "lanza", "borra",
                         "parche", "falso"}
    total = {name: float(row["total"]) for name, row in rows.items()}
    full = float(rows["ana"]["posible"])
    assert total["ana"] == total["beto"] == full
    assert rows["roto"]["estado"] == "malformado" and total["roto"] == 0
    assert rows["bucle"]["estado"] == "tiempo agotado" and total["bucle"] == 0
    # La pregunta que se cuelga vale cero; la otra conserva sus puntos.
    assert float(rows["colgada"]["q2"]) == 0 and float(rows["colgada"]["q1"]) > 0
    assert "tiempo agotado" in rows["colgada"]["notas"]
    assert total["lanza"] == full and "RuntimeError" in rows["lanza"]["notas"]
    assert rows["borra"]["estado"] == "manipulación" and total["borra"] == 0
    assert rows["parche"]["estado"] == "sospechoso" and total["parche"] == 0
    assert total["falso"] == 0 and "no cuentan" in rows["falso"]["notas"]
    assert "redefine grader" in rows["falso"]["notas"]
    # Las pruebas siguen intactas en disco para la próxima corrección.
    assignments.load_tests(folder)
    canvas = (out / "canvas.csv").read_text(encoding="utf-8").splitlines()
    assert len(canvas) == 2 + len(rows)
    assert (out / "comentarios" / "ana.md").exists()
    print((out / "notas.csv").read_text(encoding="utf-8"))


def with_reference_answers(folder: Path) -> nbformat.NotebookNode:
    """El cuaderno del estudiante con las celdas de respuesta de la solución de referencia."""
    notebook = nbformat.read(student(folder), as_version=4)
    answers = [c for c in nbformat.read(reference(folder), as_version=4).cells
               if c.cell_type == "code" and "def " in c.source]
    for answer in answers:
        name = answer.source.split("def ", 1)[1].split("(", 1)[0]
        cells = [c for c in notebook.cells
                 if c.cell_type == "code" and f"def {name}(" in c.source]
        assert len(cells) == 1, name
        cells[0].source = answer.source
    return notebook


def test_student_notebook_runs_its_public_tests(built, tmp_path):
    """El cuaderno del estudiante corre `grader.check` sin conexión y sin encontrarse a sí
    mismo en disco, como en Colab (una carpeta vacía, sin el .ipynb ni tests/): falla en
    blanco y aprueba con las respuestas de referencia."""
    from nbclient import NotebookClient

    folder = built["04-regularizacion"]
    outputs = {}
    for name, notebook in (("blanco", nbformat.read(student(folder), as_version=4)),
                           ("referencia", with_reference_answers(folder))):
        workdir = tmp_path / name
        workdir.mkdir()
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(workdir)}}).execute()
        outputs[name] = "\n".join(strings([c.get("outputs", []) for c in notebook.cells
                                           if "grader.check" in c.source]))
        # La celda de preparación escribió solo las pruebas públicas.
        # Se leen como los lee otter (cada archivo define `test`), no como texto: un caso
        # de varias líneas no aparecería literal en el repr que escribe la celda.
        written = {}
        for path in workdir.rglob("tests/*/*.py"):
            namespace = {}
            exec(path.read_text(encoding="utf-8"), namespace)
            written[namespace["test"]["name"]] = [
                case for suite in namespace["test"]["suites"] for case in suite["cases"]]
        expected = assignments.load_tests(folder).questions
        assert set(written) == set(expected), (sorted(written), sorted(expected))
        for name, cases in expected.items():
            assert not any(case.get("hidden") for case in written[name]), name
            assert [c["code"].strip() for c in written[name]] == [
                c["code"].strip() for c in cases if not c["hidden"]], name
    assert "q1 results" in outputs["blanco"] and "failed" in outputs["blanco"]
    assert "failed" not in outputs["referencia"] and "passed" in outputs["referencia"]


def test_otter_run_grades_the_student_notebook(built, tmp_path):
    """`otter run` con el zip del autocalificador: el cuaderno del estudiante completado
    con las respuestas de referencia saca todos los puntos (públicas y ocultas); la carpeta
    tests/ que escribe el cuaderno no reemplaza las pruebas del autocalificador."""
    import subprocess

    folder = built["04-regularizacion"]
    submission = tmp_path / "entrega.ipynb"
    nbformat.write(with_reference_answers(folder), submission)
    autograder = next((folder / "dist" / "autograder").glob("*.zip"))
    subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(autograder),
                    "-o", str(tmp_path), str(submission)], check=True, capture_output=True,
                   timeout=300)
    results = json.loads((tmp_path / "results.json").read_text())
    possible = json.loads((folder / "MANIFEST.json").read_text())["questions"]
    scored = [t["score"] for t in results["tests"] if "score" in t]   # «Public Tests» no suma
    assert sum(scored) == pytest.approx(sum(possible.values()))


def test_suspicious_names_flag_imports_not_lookalike_names():
    flag = assignments.suspicious_names
    for innocent in ("params = list(model.modules())", "signal = torch.sin(t)",
                     "inspect = 3\nprint(inspect)", "plt.title('gc y signal')"):
        assert flag(innocent) == [], innocent
    for bad in ("import gc", "from inspect import stack", "import sys\nsys.modules.clear()",
                "__import__('gc')", "importlib.import_module('ctypes')",
                "sys._getframe(1).f_back"):
        assert flag(bad), bad
    # La celda de instalación se reconoce aunque le falte la etiqueta colab-install.
    install = assignments.INSTALL_CELL.format(otter=assignments.OTTER_REQUIREMENT,
                                              pidl="pidl @ git+https://example.org/x.git")
    assert assignments.INSTALL_PATTERN.fullmatch(install.strip())


def test_forged_or_missing_worker_messages_are_manipulation(tmp_path):
    tests = assignments.Tests(tmp_path, {}, {}, {"q1": [{}, {}], "q2": [{}]},
                              {"q1": 1.0, "q2": 1.0})

    def case(q, i):
        return {"kind": "case", "question": q, "index": i, "passed": True}

    cell, done = {"kind": "cell", "index": 0, "error": "x"}, {"kind": "done"}
    good = [cell, case("q1", 0), case("q1", 1), case("q2", 0), done]
    assert assignments.forged_messages(good, tests, False) == ""
    assert assignments.forged_messages(good[:2], tests, True) == ""  # cortada a tiempo
    for bad in ([case("q1", 0), case("q1", 0), case("q1", 1), case("q2", 0), done],
                [case("q2", 0), case("q1", 0), case("q1", 1), done],
                [case("q1", 0), case("q1", 1), case("q2", 0)],
                [case("q1", 0), done, case("q1", 1), case("q2", 0), done],
                [case("q1", 0), done]):
        assert assignments.forged_messages(bad, tests, False), bad
    assert assignments.short_error("RuntimeError: " + "x" * 500).startswith("RuntimeError: x")
    assert len(assignments.short_error("RuntimeError: " + "x" * 500)) < 100
