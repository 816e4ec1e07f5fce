"""Diagnostic variants of `rapport run`, to measure what a stage costs by leaving it out.

``python -m bench.whatif no-gx run ...`` is ``rapport run ...`` with the Great Expectations
validation of the raw zone replaced by nothing (the ingest's own checks and quarantine still
run; the asset checks report no validated nights). Only for the benchmark: a night measured
this way is labelled as such and never counts for a target.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

VARIANTS = ("no-gx",)


def _without_gx() -> None:
    import rapport.quality

    def validate_nights(lake, quality_dir, source, nights):  # noqa: ARG001
        return []

    # the ingest step imports it from the package when it runs
    rapport.quality.validate_nights = validate_nights


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in VARIANTS:
        print(f"usage: python -m bench.whatif {{{','.join(VARIANTS)}}} <rapport args>")
        return 2
    variant, rest = args[0], args[1:]
    if variant == "no-gx":
        _without_gx()
    from pipelines.cli import main as rapport_main

    return rapport_main(rest)


if __name__ == "__main__":
    sys.exit(main())
