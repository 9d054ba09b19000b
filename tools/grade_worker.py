"""Proceso que ejecuta UNA entrega y sus pruebas (lo lanza ``tools/assignments.py grade``).

Lee de su entrada estándar un trabajo JSON (celdas del estudiante, pruebas ya
verificadas por el proceso padre, límite por celda, una marca secreta) y escribe
cada resultado como una línea JSON en el descriptor que recibe como argumento.
Lo que la entrega imprima va a la salida estándar, que el padre no interpreta.
"""

import sys


def main(fd_text):
    # Todo lo que el corrector usa se toma ANTES de ejecutar código del estudiante y
    # se guarda en variables locales: redefinir los módulos después no lo alcanza.
    import json
    import os
    import signal
    import traceback

    job = json.loads(sys.stdin.buffer.read())
    sys.stdin.close()
    fd = int(fd_text)
    write, dumps, exec_, compile_ = os.write, json.dumps, exec, compile
    format_exc_only = traceback.format_exception_only
    setitimer, ITIMER_REAL = signal.setitimer, signal.ITIMER_REAL
    token = job.pop("token")
    limit = float(job["cell_timeout"])
    str_, isinstance_, BaseException_ = str, isinstance, BaseException

    class CellTimeout(BaseException):
        """Se agotó el tiempo de una celda o de una prueba."""

    def on_alarm(signum, frame):
        raise CellTimeout(f"superó el límite de {limit:g} s")

    signal.signal(signal.SIGALRM, on_alarm)

    def send(message):
        message["token"] = token
        write(fd, (dumps(message) + "\n").encode())

    def describe(exc):
        if isinstance_(exc, CellTimeout):
            return f"tiempo agotado: {exc}"
        return "".join(format_exc_only(type(exc), exc)).strip()[-800:]

    class Grader:
        """Sustituto de ``otter.Notebook``: al calificar, ``grader.check`` no hace nada."""

        def check(self, *args, **kwargs):
            return None

        def check_all(self, *args, **kwargs):
            return None

        def export(self, *args, **kwargs):
            return None

    namespace = {"__name__": "__main__", "grader": Grader(), "display": print}
    for index, source in enumerate(job["cells"]):
        try:
            code = compile_(source, f"<celda {index + 1}>", "exec")
            setitimer(ITIMER_REAL, limit)
            try:
                exec_(code, namespace)
            finally:
                setitimer(ITIMER_REAL, 0)
        except BaseException_ as exc:  # cualquier error de la entrega
            send({"kind": "cell", "index": index, "error": describe(exc)})
    for question, cases in job["tests"].items():
        for index, case in enumerate(cases):
            lines = []
            for line in case["code"].splitlines():
                if line.startswith(">>> ") or line.startswith("... "):
                    lines.append(line[4:])
                elif line.strip() in (">>>", "..."):
                    lines.append("")
            try:
                code = compile_("\n".join(lines) + "\n", f"<prueba {question}>", "exec")
                setitimer(ITIMER_REAL, limit)
                try:
                    exec_(code, dict(namespace))  # como otter: cada caso en su copia
                finally:
                    setitimer(ITIMER_REAL, 0)
                send({"kind": "case", "question": question, "index": index, "passed": True})
            except BaseException_ as exc:
                send({"kind": "case", "question": question, "index": index,
                      "passed": False, "error": str_(describe(exc))})
    send({"kind": "done"})


if __name__ == "__main__":
    main(sys.argv[1])
