"""Tabla del tiempo estimado de cada capítulo, y los segundos medidos desde una caché.

La estimación (prosa, ecuaciones, código visible y segundos de ejecución medidos) es
``pidl_book.reading_time``: la misma que escribe el rol ``{tiempo-estimado}`` del
libro y la exportación a Colab.

    python tools/reading_time.py                       # tabla de todos los capítulos
    python tools/reading_time.py --from-cache DIR      # actualiza execution_seconds.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pidl_book import book_chapters
from pidl_book.reading_time import estimate, load_times, times_file, times_from_cache

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from-cache", type=Path,
                        help="actualiza tools/execution_seconds.json desde una caché "
                        "de jupyter-cache")
    args = parser.parse_args(argv)
    if args.from_cache:
        path = times_file(ROOT)
        times = load_times(path)
        times.update(times_from_cache(args.from_cache))
        path.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n",
                        encoding="utf-8")
    for path in book_chapters(ROOT):
        e = estimate(path.stem, ROOT)
        print(f"{path.stem:28} prosa {e.prose_words:5d} pal · {e.equations:3d} ec · "
              f"código {e.code_lines:4d} lín · {e.reading_minutes:5.0f} min → {e.text()}")


if __name__ == "__main__":
    main()
