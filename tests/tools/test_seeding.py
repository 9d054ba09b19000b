"""Higiene de semillas y dispositivos en los capítulos.

Todo el azar de un capítulo pasa por ``pidl`` (``seed_everything``,
``torch_generator``, ``numpy_rng``, ``sample_sobol``), que suman
``PIDL_SEED_OFFSET`` a la semilla: si un capítulo siembra por su cuenta,
``tools/seed_robustness.py`` lo vuelve a ejecutar con «otras» semillas que en
realidad son las mismas. Un generador en la GPU pasado a un sorteo de CPU
(``torch.randperm``) falla en cuanto hay una GPU. Se revisan las celdas de
código y los bloques de Python de las soluciones, que el estudiante copia.

El capítulo 02 nombra ``torch.manual_seed`` en el texto y usa desde ahí las
versiones de ``pidl``: no hay excepciones.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import jupytext
import pytest

from pidl_book import book_chapters
from tests import ROOT
from tests.tiny import write_chapter

FORBIDDEN = {
    r"\btorch\.manual_seed\(": "torch.manual_seed → seed_everything",
    r"\bcuda\.manual_seed(_all)?\(": "torch.cuda.manual_seed → seed_everything",
    r"\.manual_seed\(": "Generator().manual_seed → torch_generator",
    r"(?<![\w.])(torch\.)?Generator\(": "torch.Generator → torch_generator",
    r"\bdefault_rng\(": "np.random.default_rng → numpy_rng",
    r"\b(PCG64|SeedSequence|MT19937|Philox|RandomState)\(": "generador de NumPy → numpy_rng",
    r"(np|numpy)\.random\.seed\(": "np.random.seed → seed_everything",
    r"(?<![\w.])random\.seed\(": "random.seed → seed_everything",
    r"(?<![\w])(random\.)?Random\(\s*(?!offset_seed\()": "random.Random(s) → random.Random(offset_seed(s))",
    r"\brandom_state\s*=\s*(?!offset_seed\()\w": "random_state=s → random_state=offset_seed(s)",
    r"\bSobolEngine\(": "SobolEngine → sample_sobol",
    r"torch_generator\([^(),]*,\s*(device\s*=\s*)?(?![\"']cpu[\"'])(?!device\s*=)[\w\"']":
        "generador fuera de la CPU",
}
# Bloques de Python en el texto (soluciones), también sangrados dentro de una lista.
_FENCE = re.compile(r"^([ \t]*)```(?:python|ipython3?)[ \t]*\n(.*?)^[ \t]*```", re.M | re.S)


def _code_blocks(path: Path):
    """(celda, código) de cada celda de código y cada bloque de Python en el texto."""
    notebook = jupytext.read(path)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            yield index, cell.source
        elif cell.cell_type == "markdown":
            for _indent, block in _FENCE.findall(cell.source):
                yield index, textwrap.dedent(block)


def violations(path: Path) -> list[str]:
    """Las líneas de ``path`` que siembran o crean un generador sin pasar por ``pidl``."""
    found = []
    for index, code in _code_blocks(path):
        # Sin comentarios y en una sola cadena: una llamada puede ocupar varias líneas.
        code = "\n".join(re.sub(r"#.*", "", line) for line in code.splitlines())
        seen = set()  # una línea, un aviso (el primero que la describe)
        for pattern, hint in FORBIDDEN.items():
            for match in re.finditer(pattern, code):
                start = code.rfind("\n", 0, match.start()) + 1
                if start in seen:
                    continue
                seen.add(start)
                line = code[start:].split("\n")[0]
                found.append(f"{path.name}, celda {index}: {line.strip()!r} ({hint})")
    return found


@pytest.mark.parametrize("path", book_chapters(ROOT), ids=lambda p: p.stem)
def test_chapter_seeds_through_pidl(path):
    bad = violations(path)
    assert not bad, "Azar sin pasar por pidl (PIDL_SEED_OFFSET no lo alcanza):\n" + "\n".join(bad)


def test_checker_catches_each_trap(tmp_path):
    """El detector no es un test que no puede fallar: cada trampa plantada se encuentra."""
    traps = [
        "torch.manual_seed(0)",
        "g = torch.Generator(device=device).manual_seed(1)",
        "rng = np.random.default_rng(11)",
        "np.random.seed(3)",
        "random.seed(3)",
        "rng = random.Random(SEED)",
        "g = torch_generator(0, device='cuda')",
        "e = torch.quasirandom.SobolEngine(2, seed=1)",
        "X, y = make_moons(200, random_state=0)",
        "from torch import Generator\ng = Generator(device='cuda')",
        "g = torch_generator(0, 'cuda')",
        "g = torch_generator(\n    0, device=device)",
        "from random import Random\nr = Random(3)",
        "rng = np.random.Generator(np.random.PCG64(3))",
    ]
    cells = "\n".join(f"```{{code-cell}} ipython3\n{t}\n```\n" for t in traps)
    chapter = write_chapter(tmp_path / "chapters" / "99-trampas.md", "# Trampas\n\n"
                            + cells + "\n- Solución:\n\n  ```python\n  torch.manual_seed(0)\n  ```\n"
                            "\n```{code-cell} ipython3\nrng = random.Random(offset_seed(0))\n"
                            "g = torch_generator(0)\nh = torch_generator(0, device='cpu')\n"
                            "k = torch_generator(SEED + 1)\n"
                            "X, y = make_moons(200, random_state=offset_seed(0))  # random_state=0\n```\n")
    bad = violations(chapter)
    assert len(bad) == len(traps) + 1, "\n".join(bad)


# tools/seed_robustness.py: un capítulo cuya semilla no se mueve falla.

def _planted_chapter(folder: Path, name: str, seeding: str) -> Path:
    code = ("import torch\nfrom myst_nb import glue\nfrom pidl import seed_everything\n"
            f"{seeding}\nglue('x', float(torch.rand(())), display=False)\n"
            "glue('n_steps', 100, display=False)")
    return write_chapter(folder / f"{name}.md", f"# {name}\n\n```{{code-cell}} ipython3\n{code}\n```\n")


def test_seed_tool_fails_a_chapter_the_offset_does_not_reach(tmp_path, capsys):
    import seed_robustness

    pinned = _planted_chapter(tmp_path, "fijo", "torch.manual_seed(0)")
    moving = _planted_chapter(tmp_path, "movil", "seed_everything(0)")
    code = seed_robustness.main([str(pinned), str(moving), "--offsets", "1", "2", "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 1
    assert "| fijo | ok | ok | ✗ ninguno de 2 valores |" in out
    assert "| movil | ok | ok | 1 de 2 valores |" in out
    assert "- fijo: x" in out  # el real que no se movió aparece en la lista
    assert "- movil:" not in out


def test_seed_tool_ignores_timings():
    from seed_robustness import seed_reach
    from time_chapters import Run

    runs = {k: Run("c", 1.0, None, [], {"ch_train_seconds": str(k), "ch_err": "0.25",
                                         "ch_t_loop_ms": str(k), "ch_cpu_att": str(k)})
            for k in (1, 2)}
    assert seed_reach(runs) == ([], ["ch_err"])
    # «_mse» no es un tiempo: cuenta como resultado que se movió
    runs[2].glued["ch04_bn_mse_eval"], runs[1].glued["ch04_bn_mse_eval"] = "0.1", "0.2"
    assert seed_reach(runs)[0] == ["ch04_bn_mse_eval"]
    # un valor que falta en una corrida (se cortó antes) no cuenta como cambio
    runs[1].glued["ch_late"] = "0.5"
    assert "ch_late" not in seed_reach(runs)[0]
