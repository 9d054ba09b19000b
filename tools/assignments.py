"""Tareas calificadas con otter-grader: construir, calificar y devolver comentarios.

Las preguntas calificadas se escriben una sola vez, en el capítulo, en la sección
«Ejercicios calificados» (ver la Guía docente, A2). Cada pregunta es un
``{exercise}`` seguido de una solución ``{solution-start}``/``{solution-end}`` con:

- una celda de código con metadatos ``graded: {question: q1, points: 2}``: la
  solución de referencia (el libro la muestra plegada; el capítulo la ejecuta);
- una celda oculta (``remove-cell``) con metadatos ``graded: tests``: las pruebas.
  Cada prueba empieza con una línea ``# prueba pública: …`` o ``# prueba oculta: …``.

Las celdas ``graded: setup`` (ocultas) tienen lo que las preguntas necesitan
(importaciones, datos pequeños). Con eso, este programa:

    python tools/assignments.py build [capítulos…] --out tareas/
        un cuaderno maestro corto por capítulo → ``otter assign`` → cuaderno del
        estudiante (listo para Colab) y autocalificador (zip de otter, para
        Gradescope u ``otter grade``), más ``tests/`` y su ``MANIFEST.json`` (sha256).
    python tools/assignments.py grade tareas/06-cnn entregas/ --out notas/
        califica una carpeta de cuadernos entregados sin red: ``notas.csv``
        (puntos por pregunta y estudiante), ``canvas.csv``, un informe y un
        comentario por estudiante en ``comentarios/``.

Cada entrega se ejecuta en un proceso aparte con límite de tiempo; las pruebas se
leen de la carpeta del autocalificador *antes* de ejecutar nada, se verifican por
hash y se pasan al proceso por su entrada estándar: lo que el cuaderno escriba en
disco o imprima no cambia su nota.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import json
import os
import pprint
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

from pidl_book import toc_chapters
from pidl_book.book import Book, load_book
from pidl_book.colab import Chapter
from pidl_book.myst import directive, solution_markers, tokens

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).resolve().parent / "grade_worker.py"
OTTER_REQUIREMENT = "otter-grader==7.0.0"
CASE_HEADER = re.compile(r"^#\s*prueba\s+(?P<kind>pública|publica|oculta)\s*:?\s*(?P<what>.*)$",
                         re.I)
GRADER_CALL = re.compile(r"^\s*grader\.(check|check_all|export)\(.*\)\s*$")
INSTALL_CELL = """\
# Preparación (un entorno nuevo): instala otter-grader y el paquete del curso
# si faltan. Después ejecute las celdas en orden; `grader.check("q1")` corre las
# pruebas públicas de la pregunta q1.
try:
    import otter
    import pidl
except ImportError:
    import subprocess
    import sys
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q",
                           "{otter}", "{pidl}"])
"""

# La celda de instalación tal como la escribe ``build``, con cualquier requisito de pidl.
INSTALL_PATTERN = re.compile(re.escape(INSTALL_CELL.strip()).replace(
    re.escape("{otter}"), re.escape(OTTER_REQUIREMENT)).replace(re.escape("{pidl}"), r"[^\"\n]+"))


class AssignmentError(RuntimeError):
    """El capítulo no define bien sus preguntas calificadas."""


# --------------------------------------------------------------------------- lectura


@dataclass
class Case:
    code: str
    hidden: bool
    what: str


@dataclass
class Question:
    name: str
    points: float
    title: str
    prompt: str            # Markdown común (sin MyST)
    solution: str          # código de referencia, como está en el capítulo
    cases: list[Case] = field(default_factory=list)


@dataclass
class Assignment:
    stem: str
    title: str
    setup: list[str]
    questions: list[Question]

    @property
    def name(self) -> str:
        return f"tarea-{self.stem}"


def split_cases(source: str, where: str) -> list[Case]:
    """Parte la celda de pruebas en casos. Lo que va antes del primer caso (datos, no
    llamadas a la respuesta) se antepone a cada caso: otter ejecuta cada caso en una copia
    propia del espacio de nombres, así que un caso no ve lo que definió otro."""
    cases: list[Case] = []
    preamble = ""
    for line in source.splitlines():
        m = CASE_HEADER.match(line.strip())
        if m:
            cases.append(Case("", m["kind"].lower() == "oculta", m["what"].strip()))
        elif cases:
            cases[-1].code += line + "\n"
        else:
            preamble += line + "\n"
    for case in cases:
        case.code = (preamble.strip("\n") + "\n" if preamble.strip() else "") + \
            case.code.strip("\n") + "\n"
    if not any(not c.hidden for c in cases) or not any(c.hidden for c in cases):
        raise AssignmentError(f"{where}: hace falta al menos una prueba pública y una oculta")
    return cases


def exercise_blocks(text: str) -> dict[str, tuple[str, str]]:
    """Etiqueta → (título, cuerpo) de cada ``{exercise}`` del capítulo."""
    found = {}
    for d in map(directive, tokens(text)):
        if d and d.name == "exercise" and "label" in d.options:
            found[d.options["label"]] = (d.arg, d.body)
    return found


def read_assignment(chapter: Path, book: Book | None = None) -> Assignment:
    """Las preguntas calificadas de un capítulo (vacío si no tiene)."""
    book = book or load_book()
    text = chapter.read_text(encoding="utf-8")
    converter = Chapter.from_path(chapter, book, {}, solutions=False)
    exercises = exercise_blocks(text)
    notebook = jupytext.read(chapter)
    setup, questions, current_label = [], [], None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for kind, value in solution_markers(cell.source):
                if kind == "start":
                    current_label = value
            continue
        graded = cell.metadata.get("graded")
        if graded is None:
            continue
        where = f"{chapter.name}: celda «{cell.source.splitlines()[0][:40]}»"
        if graded == "setup":
            setup.append(cell.source)
        elif graded == "tests":
            if not questions or questions[-1].cases:
                raise AssignmentError(f"{where}: pruebas sin una solución calificada antes")
            questions[-1].cases = split_cases(cell.source, where)
        elif isinstance(graded, dict) and "question" in graded:
            if current_label not in exercises:
                raise AssignmentError(f"{where}: la solución no sigue a un {{solution-start}} "
                                      "de un ejercicio con etiqueta")
            title, body = exercises[current_label]
            points = float(graded.get("points", 1))
            prompt = converter.convert(body)
            questions.append(Question(str(graded["question"]), points,
                                      converter.inline(title), prompt, cell.source))
        else:
            raise AssignmentError(f"{where}: metadato graded desconocido: {graded!r}")
    for q in questions:
        if not q.cases:
            raise AssignmentError(f"{chapter.name}: la pregunta {q.name} no tiene pruebas")
    names = [q.name for q in questions]
    if len(set(names)) != len(names):
        raise AssignmentError(f"{chapter.name}: nombres de pregunta repetidos: {names}")
    return Assignment(chapter.stem, book.titles.get(chapter.stem, chapter.stem), setup, questions)


# --------------------------------------------------------------------------- maestro


def mark_solution(source: str) -> str:
    """La solución con las marcas de otter: se borra el cuerpo de cada función y el
    lado derecho de cada asignación de primer nivel; las importaciones quedan."""
    tree = ast.parse(source)
    lines = source.splitlines()
    out: list[str] = []
    last = 0
    for node in tree.body:
        start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None)
                 else node.lineno) - 1
        end = node.end_lineno
        out.extend(lines[last:start])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            first = body[0]
            keep_doc = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                        and isinstance(first.value.value, str) and len(body) > 1)
            body_start = (body[1] if keep_doc else first).lineno - 1
            indent = re.match(r"\s*", lines[body_start])[0]
            out.extend(lines[start:body_start])
            out.append(f"{indent}# BEGIN SOLUTION")
            out.extend(lines[body_start:end])
            out.append(f"{indent}# END SOLUTION")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            out.extend(lines[start:end])
        elif isinstance(node, ast.Assign) and node.lineno == node.end_lineno:
            out.append(lines[start] + "  # SOLUTION")
        else:
            out.append("# BEGIN SOLUTION")
            out.extend(lines[start:end])
            out.append("# END SOLUTION")
        last = end
    out.extend(lines[last:])
    return "\n".join(out)


def raw(text: str):
    return nbformat.v4.new_raw_cell(text)


def master_notebook(assignment: Assignment, book: Book):
    """El cuaderno maestro de otter: solo la preparación y las preguntas."""
    config = {
        "name": assignment.name,
        "init_cell": True,
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": False,
        "solutions_pdf": False,
        "generate": {"pdf": False, "filtering": False},
        "tests": {"files": False},
        # Lo que instala el autocalificador (Gradescope, otter grade en Docker).
        "requirements": "requirements.txt",
    }
    total = sum(q.points for q in assignment.questions)
    intro = (
        f"# Tarea calificada: {assignment.title}\n\n"
        f"Esta tarea tiene {len(assignment.questions)} preguntas ({total:g} puntos). "
        "Escriba su respuesta donde dice `...` en cada celda de respuesta, sin cambiar "
        "los nombres de las funciones ni de las variables. Debajo de cada respuesta, "
        "`grader.check(\"q…\")` corre las pruebas *públicas*; la nota sale además de "
        "pruebas *ocultas*, así que una prueba pública aprobada no garantiza los puntos.\n\n"
        "Las dos celdas de código de arriba instalan otter si falta y escriben las "
        "pruebas públicas en una carpeta `tests/` junto al cuaderno: ejecútelas antes "
        "que las demás. Así `grader.check` funciona en Colab, en Jupyter y en "
        "JupyterLab.\n\n"
        "Antes de entregar: *Kernel → Restart & Run All* y guarde el cuaderno. Cada celda "
        "debe terminar en segundos: la corrección corta las que tardan demasiado."
    )
    cells = [raw("# ASSIGNMENT CONFIG\n" + json.dumps(config, ensure_ascii=False, indent=1)),
             nbformat.v4.new_markdown_cell(intro)]
    if assignment.setup:
        cells.append(nbformat.v4.new_code_cell("\n\n".join(assignment.setup)))
    for q in assignment.questions:
        weights = ", ".join(f"{p:g}" for p in case_points(q))
        cells.append(raw(f"# BEGIN QUESTION\nname: {q.name}\npoints: [{weights}]"))
        cells.append(nbformat.v4.new_markdown_cell(
            f"## Pregunta {q.name} ({q.points:g} puntos): {q.title}\n\n{q.prompt}"))
        cells.append(raw("# BEGIN SOLUTION"))
        cells.append(nbformat.v4.new_code_cell(mark_solution(q.solution)))
        cells.append(raw("# END SOLUTION"))
        cells.append(raw("# BEGIN TESTS"))
        for case in q.cases:
            head = f"# HIDDEN: {case.what}\n" if case.hidden else f"# {case.what}\n"
            cells.append(nbformat.v4.new_code_cell(head + case.code))
        cells.append(raw("# END TESTS"))
        cells.append(raw("# END QUESTION"))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)",
                                       "language": "python", "name": "python3"}
    return notebook


PUBLIC_SHARE = 0.2


def case_points(q: Question) -> list[float]:
    """Los puntos de cada caso: las pruebas públicas reparten solo ``PUBLIC_SHARE`` de
    la pregunta y las ocultas el resto, para que una respuesta que solo pasa las
    públicas (devuelve algo de la forma pedida) no gane casi nada."""
    public = sum(not c.hidden for c in q.cases)
    hidden = len(q.cases) - public
    each_public = round(PUBLIC_SHARE * q.points / public, 4)
    each_hidden = round((q.points - each_public * public) / hidden, 4)
    weights = [each_hidden if c.hidden else each_public for c in q.cases]
    # el último caso oculto se lleva lo que el redondeo dejó afuera: la suma es exacta
    last = max(i for i, c in enumerate(q.cases) if c.hidden)
    weights[last] = round(q.points - (sum(weights) - weights[last]), 4)
    return weights


def init_cell(name: str, public: dict) -> str:
    """La celda que prepara ``grader``: escribe las pruebas públicas en
    ``tests/<tarea>/`` y crea ``otter.Notebook`` sobre esa carpeta.

    Así ``grader.check`` no necesita encontrar el ``.ipynb`` en disco (Colab no lo
    tiene, y una copia renombrada tampoco); con ``otter run`` la carpeta se ignora
    (otter usa la suya, con las pruebas ocultas)."""
    for test in public.values():
        for suite in test["suites"]:
            if any(case.get("hidden") for case in suite["cases"]):
                raise AssignmentError(f"{name}: una prueba oculta iba al cuaderno del estudiante")
    tests = pprint.pformat(public, width=88, sort_dicts=False)
    return (
        "# Prepara las pruebas públicas: las escribe en tests/ junto al cuaderno (Colab no\n"
        "# las tiene) para que grader.check(\"q1\") las encuentre. No cambie esta celda.\n"
        "import os\n"
        "import otter\n\n"
        f"PRUEBAS_PUBLICAS = {tests}\n\n"
        f"_carpeta = os.path.join(\"tests\", {json.dumps(name)})\n"
        "os.makedirs(_carpeta, exist_ok=True)\n"
        "for _nombre, _prueba in PRUEBAS_PUBLICAS.items():\n"
        "    with open(os.path.join(_carpeta, _nombre + \".py\"), \"w\", encoding=\"utf-8\") as _f:\n"
        "        _f.write(\"OK_FORMAT = True\\n\\ntest = \" + repr(_prueba) + \"\\n\")\n"
        "grader = otter.Notebook(tests_dir=_carpeta)\n"
    )


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(chapter: Path, out: Path, book: Book | None = None) -> Path:
    """Construye la tarea de un capítulo en ``out/<capítulo>/`` y devuelve esa carpeta."""
    book = book or load_book()
    assignment = read_assignment(chapter, book)
    if not assignment.questions:
        raise AssignmentError(f"{chapter.name}: no tiene preguntas calificadas")
    target = out / chapter.stem
    if target.exists():
        shutil.rmtree(target)
    work = target / "maestro"
    work.mkdir(parents=True)
    master = work / f"{assignment.name}.ipynb"
    (work / "requirements.txt").write_text(f"torch\nnumpy\n{book.requirement}\n")
    nbformat.write(master_notebook(assignment, book), master)
    dist = target / "dist"
    done = subprocess.run([sys.executable, "-m", "otter", "assign", "-v", str(master), str(dist)],
                          cwd=work, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssignmentError(f"otter assign falló en {chapter.name}:\n{done.stdout}\n{done.stderr}")
    student_path = dist / "student" / master.name
    student = nbformat.read(student_path, as_version=4)
    init = [c for c in student.cells if c.cell_type == "code" and "otter.Notebook(" in c.source]
    if len(init) != 1:
        raise AssignmentError(f"{chapter.name}: esperaba una celda otter.Notebook, hay {len(init)}")
    init[0].source = init_cell(assignment.name, student.metadata["otter"]["tests"])
    install = nbformat.v4.new_code_cell(
        INSTALL_CELL.format(otter=OTTER_REQUIREMENT, pidl=book.requirement))
    install.metadata["tags"] = ["colab-install"]
    student.cells.insert(0, install)
    student.metadata["colab"] = {"provenance": [], "toc_visible": True}
    nbformat.write(student, student_path)
    zips = sorted((dist / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise AssignmentError(f"{chapter.name}: esperaba un zip del autocalificador, hay {zips}")
    # Las pruebas completas (públicas y ocultas), legibles por la corrección local.
    tests = target / "tests"
    tests.mkdir()
    import zipfile

    with zipfile.ZipFile(zips[0]) as archive:
        for member in archive.namelist():
            if member.startswith("tests/") and member.endswith(".py"):
                (tests / Path(member).name).write_bytes(archive.read(member))
    manifest = {
        "assignment": assignment.name,
        "chapter": chapter.name,
        "questions": {q.name: q.points for q in assignment.questions},
        "cases": {q.name: [("oculta: " if c.hidden else "pública: ") + c.what for c in q.cases]
                  for q in assignment.questions},
        "tests": {p.name: file_hash(p) for p in sorted(tests.glob("*.py"))},
        "autograder": {zips[0].name: file_hash(zips[0])},
        "student": str(student_path.relative_to(target)),
    }
    (target / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    for p in tests.glob("*.py"):
        p.chmod(0o444)
    return target


# --------------------------------------------------------------------------- corrección


# Módulos que ninguna respuesta importa y que sirven para manipular al corrector: se
# marcan solo si se importan (``import gc``, ``from inspect import …``,
# ``__import__("gc")``), no cuando un nombre coincide (``signal = …``, ``model.modules()``).
SUSPICIOUS_MODULES = {
    "gc": "el recolector de basura (gc)",
    "inspect": "inspect",
    "ctypes": "ctypes",
    "builtins": "builtins",
    "signal": "signal",
    "subprocess": "subprocess",
    "otter": "otter",
    "grade_worker": "el corrector",
    "importlib": "importlib",
}
# Atributos y nombres que sirven para lo mismo, en cualquier objeto.
SUSPICIOUS = {
    "_getframe": "sys._getframe",
    "f_back": "marcos de ejecución (f_back)",
    "f_locals": "marcos de ejecución (f_locals)",
    "f_globals": "marcos de ejecución (f_globals)",
    "__code__": "__code__",
    "__builtins__": "__builtins__",
    "__import__": "__import__",
    "settrace": "sys.settrace",
    "setprofile": "sys.setprofile",
    "fdopen": "os.fdopen",
    "dup2": "os.dup2",
}


def suspicious_names(source: str) -> list[str]:
    """Construcciones que ninguna respuesta del curso necesita y que sirven para
    manipular al corrector desde dentro de su proceso."""
    found = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
            if name == "modules" and isinstance(node.value, ast.Name) and node.value.id == "sys":
                found.add("sys.modules")
        elif isinstance(node, ast.alias):
            module = node.name.split(".")[0]
            if module in SUSPICIOUS_MODULES:
                found.add(SUSPICIOUS_MODULES[module])
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module.split(".")[0]
            if module in SUSPICIOUS_MODULES:
                found.add(SUSPICIOUS_MODULES[module])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "/proc/" in node.value or "grade_worker" in node.value:
                found.add("/proc o el corrector")
        elif isinstance(node, ast.Call) and node.args:
            # un módulo importado por su nombre en un texto: __import__("gc")
            func = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if (func in ("__import__", "import_module") and isinstance(first, ast.Constant)
                    and str(first.value).split(".")[0] in SUSPICIOUS_MODULES):
                found.add(SUSPICIOUS_MODULES[str(first.value).split(".")[0]])
        if name in SUSPICIOUS:
            found.add(SUSPICIOUS[name])
    return sorted(found)


@dataclass
class Tests:
    """Las pruebas de una tarea, leídas y verificadas antes de calificar."""

    folder: Path
    manifest: dict
    sources: dict[str, bytes]                 # archivo → contenido verificado
    questions: dict[str, list[dict]]          # pregunta → casos {code, hidden, points}
    points: dict[str, float]


def load_tests(folder: Path) -> Tests:
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    sources, questions = {}, {}
    for name, digest in manifest["tests"].items():
        data = (folder / "tests" / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise AssignmentError(f"{folder / 'tests' / name}: el hash no coincide con "
                                  "MANIFEST.json; reconstruya la tarea")
        sources[name] = data
        env: dict = {}
        exec(compile(data, name, "exec"), env)  # archivos generados por otter assign
        test = env["test"]
        cases = test["suites"][0]["cases"]
        total = test.get("points")  # un número, o la lista de puntos de cada caso
        if not isinstance(total, (int, float)):
            total = manifest["questions"][test["name"]]
        total = float(total)
        each = [c.get("points") for c in cases]
        listed = test.get("points")
        if isinstance(listed, list) and len(listed) == len(cases):
            each = listed  # los puntos de cada caso (``case_points``), como los lee otter
        if any(p is None for p in each):
            each = [total / len(cases)] * len(cases)
        whats = manifest.get("cases", {}).get(test["name"], [])
        if len(whats) != len(cases):
            whats = [""] * len(cases)
        questions[test["name"]] = [
            {"code": c["code"], "hidden": bool(c.get("hidden")), "points": float(p),
             "what": what.split(": ", 1)[-1]}
            for c, p, what in zip(cases, each, whats)
        ]
    points = {q: float(p) for q, p in manifest["questions"].items()}
    return Tests(folder, manifest, sources, questions, points)


def verify_tests(tests: Tests) -> bool:
    """¿Siguen intactos en disco los archivos de pruebas (tras ejecutar una entrega)?

    Si alguno cambió o desapareció, lo restaura desde la copia verificada en memoria."""
    intact = True
    for name, data in tests.sources.items():
        path = tests.folder / "tests" / name
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            intact = False
            path.unlink(missing_ok=True)
            path.write_bytes(data)
            path.chmod(0o444)
    return intact


def submission_cells(path: Path) -> list[str]:
    """Las celdas de código de un cuaderno entregado (sin la instalación ni otter).

    Lanza ``ValueError`` si el archivo no es un cuaderno JSON."""
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        notebook = nbformat.from_dict(data)
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"no es un cuaderno JSON válido ({type(exc).__name__})") from None
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if "colab-install" in (cell.get("metadata") or {}).get("tags", []):
            continue
        if INSTALL_PATTERN.fullmatch(source.strip()):
            continue  # la celda de instalación, aunque el editor le haya quitado la etiqueta
        if "otter.Notebook(" in source:
            continue  # la celda de inicio de otter: al calificar no hace falta
        kept = [line for line in source.splitlines()
                if not line.lstrip().startswith(("%", "!")) and not GRADER_CALL.match(line)]
        sources.append("\n".join(kept))
    return sources


@dataclass
class Result:
    student: str
    file: str
    scores: dict[str, float]
    status: str
    notes: list[str]
    cases: list[dict]
    seconds: float


def run_worker(cells: list[str], tests: Tests, timeout: float, cell_timeout: float,
               workdir: Path) -> tuple[list[dict], dict, str, bool]:
    """Ejecuta una entrega en un proceso aparte; devuelve (casos, eventos, salida, agotó)."""
    token = secrets.token_hex(16)
    job = {"cells": cells, "tests": tests.questions, "cell_timeout": cell_timeout,
           "token": token}
    read_fd, write_fd = os.pipe()
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg",
               PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    proc = subprocess.Popen([sys.executable, str(WORKER), str(write_fd)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=workdir, env=env,
                            pass_fds=(write_fd,), start_new_session=True)
    os.close(write_fd)
    timed_out = False
    try:
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    import threading

    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(read_fd, chunks), daemon=True)
    output: list[bytes] = []
    out_reader = threading.Thread(target=_drain_file, args=(proc.stdout, output),
                                  daemon=True)
    reader.start()
    out_reader.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, 9)
        except ProcessLookupError:
            pass
        proc.wait()
    reader.join(5)
    out_reader.join(5)
    os.close(read_fd)
    cases, events = [], {}
    for line in b"".join(chunks).decode(errors="replace").splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if not isinstance(message, dict) or message.get("token") != token:
            continue
        events.setdefault("sequence", []).append(message)
        if message.get("kind") == "case":
            cases.append(message)
        else:
            events.setdefault(message.get("kind"), []).append(message)
    text = b"".join(output).decode(errors="replace")
    return cases, events, text, timed_out


def _drain(fd: int, sink: list[bytes]) -> None:
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return
        if not data:
            return
        sink.append(data)


def _drain_file(stream, sink: list[bytes]) -> None:
    total = 0
    for data in iter(lambda: stream.read(65536), b""):
        if total < 200_000:
            sink.append(data)
        total += len(data)


def grade_one(path: Path, student: str, tests: Tests, timeout: float,
              cell_timeout: float) -> Result:
    start = time.perf_counter()
    zero = {q: 0.0 for q in tests.points}
    try:
        cells = submission_cells(path)
    except (ValueError, OSError) as exc:
        return Result(student, path.name, zero, "malformado", [str(exc)], [], 0.0)
    flagged = suspicious_names("\n\n".join(cells))
    if flagged:
        note = ("usa " + ", ".join(flagged) + ": ninguna respuesta lo necesita y sirve para "
                "manipular al corrector; cero puntos, revísela a mano")
        return Result(student, path.name, zero, "sospechoso", [note], [], 0.0)
    with tempfile.TemporaryDirectory(prefix="entrega-") as tmp:
        cases, events, output, timed_out = run_worker(cells, tests, timeout, cell_timeout,
                                                      Path(tmp))
    notes, status = [], "ok"
    for event in events.get("cell", []):
        status = "errores en celdas"
        notes.append(f"celda {event['index'] + 1}: {short_error(event.get('error'))}")
    scores = dict(zero)
    expected = {(q, i) for q, cs in tests.questions.items() for i in range(len(cs))}
    forged = forged_messages(events.get("sequence", []), tests, timed_out)
    seen = set()
    for case in cases:
        key = (case.get("question"), case.get("index"))
        if key not in expected or key in seen:
            continue
        seen.add(key)
        if case.get("passed") is True:
            scores[key[0]] += tests.questions[key[0]][key[1]]["points"]
        elif str(case.get("error", "")).startswith("tiempo agotado"):
            status = "tiempo agotado en pruebas"
            notes.append(f"{key[0]}, prueba {key[1] + 1}: {case['error']}")
    if re.search(r"passed|aprobad", output, re.I):
        notes.append("imprimió mensajes de pruebas «aprobadas»: no cuentan, la nota sale "
                     "de las pruebas que ejecuta el corrector")
    if re.search(r"^\s*grader\s*=", "\n".join(cells), re.M):
        notes.append("redefine grader: no tiene efecto al calificar")
    missing = sorted({q for q, _ in expected - seen})
    if timed_out:
        status = "tiempo agotado"
        notes.append(f"se cortó a los {timeout:g} s; sin resultado en: "
                     f"{', '.join(missing) or 'ninguna'} (cero en esas)")
    elif missing:
        status = "incompleto"
        notes.append(f"el proceso terminó sin resultados en: {', '.join(missing)} "
                     "(cero en esas)")
    if forged:
        status = "manipulación"
        scores = {q: 0.0 for q in scores}
        notes.append(f"el corrector recibió mensajes que no son suyos ({forged}): cero "
                     "puntos, revísela a mano")
    if not verify_tests(tests):
        status = "manipulación"
        scores = {q: 0.0 for q in scores}
        notes.append("cambió o borró los archivos de pruebas durante la corrección: cero "
                     "puntos (se restauraron desde la copia verificada)")
    for q in scores:
        scores[q] = round(scores[q], 4)
    return Result(student, path.name, scores, status, notes, cases,
                  time.perf_counter() - start)


def short_error(error) -> str:
    """El tipo del error y unos 80 caracteres de su mensaje, en una línea: lo que
    la entrega imprima en un error no llena la planilla ni los comentarios."""
    text = " ".join(str(error).split())
    kind, sep, message = text.partition(": ")
    if len(message) > 80:
        message = message[:80] + "…"
    return (kind[:60] + sep + message) if sep else text[:100]


def forged_messages(sequence: list[dict], tests: Tests, timed_out: bool) -> str:
    """Qué tienen de raro los mensajes del proceso de una entrega ('' si nada).

    El proceso manda, en este orden, los errores de celdas, un resultado por caso
    (en el orden de las pruebas) y un solo ``done`` al final; un resultado repetido,
    adelantado o fuera de orden, o un ``done`` que falta o sobra, solo puede venir de
    código de la entrega que escribe en el canal del corrector.
    """
    order = [(q, i) for q, cs in tests.questions.items() for i in range(len(cs))]
    kinds = [m.get("kind") for m in sequence]
    if kinds.count("done") > 1 or ("done" in kinds and kinds[-1] != "done"):
        return "más de un final o mensajes después del final"
    if not timed_out and "done" not in kinds:
        return "falta el final"
    first_case = next((n for n, k in enumerate(kinds) if k == "case"), len(kinds))
    if "cell" in kinds[first_case:]:
        return "errores de celdas después de las pruebas"
    keys = [(m.get("question"), m.get("index")) for m in sequence if m.get("kind") == "case"]
    if keys != order[:len(keys)]:
        return "resultados repetidos o fuera de orden"
    if "done" in kinds and len(keys) != len(order):
        return "faltan resultados antes del final"
    return ""


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    found = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        rel = path.relative_to(folder)
        student = str(rel.parent) if len(rel.parts) > 1 else rel.stem
        found.append((student.replace(os.sep, "/"), path))
    return found


def feedback(result: Result, tests: Tests) -> str:
    lines = [f"# Comentarios: {tests.manifest['assignment']} ({result.student})", ""]
    total = sum(result.scores.values())
    lines.append(f"**Nota: {total:g} de {sum(tests.points.values()):g} puntos.**")
    lines.append("")
    for note in result.notes:
        lines.append(f"- {note}")
    if result.notes:
        lines.append("")
    by_key = {(c.get("question"), c.get("index")): c for c in result.cases}
    for q, cases in tests.questions.items():
        lines.append(f"## {q}: {result.scores[q]:g} de {tests.points[q]:g}")
        for i, case in enumerate(cases):
            got = by_key.get((q, i))
            kind = "oculta" if case["hidden"] else "pública"
            label = f"prueba {kind} {i + 1}" + (f" ({case['what']})" if case["what"] else "")
            if got is None:
                lines.append(f"- {label}: sin resultado")
            elif got.get("passed"):
                lines.append(f"- {label}: aprobada")
            elif case["hidden"]:
                lines.append(f"- {label}: no aprobada")
            else:
                error = str(got.get("error", ""))[-600:]
                lines.append(f"- {label}: no aprobada\n\n```\n{error}\n```")
        lines.append("")
    return "\n".join(lines)


def grade(assignment_dir: Path, submissions: Path, out: Path, timeout: float = 60.0,
          cell_timeout: float = 20.0, log=print) -> list[Result]:
    tests = load_tests(assignment_dir)
    found = find_submissions(submissions)
    out.mkdir(parents=True, exist_ok=True)
    (out / "comentarios").mkdir(exist_ok=True)
    results = []
    for student, path in found:
        try:
            result = grade_one(path, student, tests, timeout, cell_timeout)
        except Exception as exc:  # un error del corrector no pierde a los demás
            result = Result(student, path.name, {q: 0.0 for q in tests.points}, "error",
                            [f"error del corrector: {type(exc).__name__}: {exc}"], [], 0.0)
        results.append(result)
        total = sum(result.scores.values())
        log(f"{student}: {total:g}/{sum(tests.points.values()):g} [{result.status}] "
            f"{result.seconds:.1f} s" + "".join(f"\n    {n}" for n in result.notes))
        safe = re.sub(r"[^\w.-]+", "_", student)
        (out / "comentarios" / f"{safe}.md").write_text(feedback(result, tests),
                                                        encoding="utf-8")
    write_csvs(results, tests, out)
    return results


def write_csvs(results: list[Result], tests: Tests, out: Path) -> None:
    questions = list(tests.points)
    possible = sum(tests.points.values())
    with open(out / "notas.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["estudiante", "archivo", *questions, "total", "posible", "estado",
                         "notas"])
        for r in results:
            writer.writerow([r.student, r.file, *(f"{r.scores[q]:g}" for q in questions),
                             f"{sum(r.scores.values()):g}", f"{possible:g}", r.status,
                             " | ".join(r.notes)])
    # Canvas importa una columna por tarea; «ID» y «SIS User ID» se completan al importar
    # si el nombre del archivo es el del estudiante en Canvas.
    column = f"{tests.manifest['assignment']} ({possible:g})"
    with open(out / "canvas.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        writer.writerow(["Points Possible", "", "", "", "", f"{possible:g}"])
        for r in results:
            writer.writerow([r.student, "", "", r.student, "", f"{sum(r.scores.values()):g}"])
    report = {"assignment": tests.manifest["assignment"],
              "tests_sha256": tests.manifest["tests"],
              "students": [{"student": r.student, "file": r.file, "scores": r.scores,
                            "status": r.status, "notes": r.notes,
                            "seconds": round(r.seconds, 2)} for r in results]}
    (out / "informe.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))


# --------------------------------------------------------------------------- órdenes


def graded_chapters(root: Path = ROOT) -> list[Path]:
    return [p for p in toc_chapters(root)
            if re.search(r"^graded:", p.read_text(encoding="utf-8"), re.M)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="construye las tareas (cuaderno del estudiante + zip)")
    b.add_argument("chapters", nargs="*", type=Path,
                   help="capítulos .md (por omisión, todos los que tienen preguntas)")
    b.add_argument("--out", type=Path, default=Path("tareas"))
    g = sub.add_parser("grade", help="califica una carpeta de cuadernos entregados")
    g.add_argument("assignment", type=Path, help="la carpeta que dejó build (tareas/06-cnn)")
    g.add_argument("submissions", type=Path, help="carpeta con los .ipynb entregados")
    g.add_argument("--out", type=Path, default=Path("notas"))
    g.add_argument("--timeout", type=float, default=60.0,
                   help="segundos por entrega (por omisión 60)")
    g.add_argument("--cell-timeout", type=float, default=20.0,
                   help="segundos por celda o prueba (por omisión 20)")
    args = parser.parse_args(argv)
    if args.command == "build":
        book = load_book()
        for chapter in args.chapters or graded_chapters():
            print(build(chapter, args.out, book))
        return 0
    results = grade(args.assignment, args.submissions, args.out, args.timeout,
                    args.cell_timeout)
    print(f"{len(results)} entregas → {args.out / 'notas.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
