"""`rapport generate` options that select a generator variant (`variant.py`)."""

from __future__ import annotations

import argparse

from rapport.generate.variant import BEHAVIOURS, ENCODINGS, WORDINGS, Variant, parse_mix


def add_variant_arguments(parser: argparse.ArgumentParser) -> None:
    """The variant options; without any of them the output is the default generator's."""
    group = parser.add_argument_group(
        "variant", "write the same contract as another company's systems would"
    )
    group.add_argument(
        "--wording",
        choices=WORDINGS,
        default="default",
        help="vocabulary of tickets and comments (alt: a second, separately written one)",
    )
    group.add_argument(
        "--encoding",
        choices=ENCODINGS,
        default="contract",
        help="value forms (export: booleans as TRUE/1/yes/t, Qualtrics choice text, ...)",
    )
    group.add_argument(
        "--mix",
        default=None,  # none given: every behaviour at 1 (no "(default: )" in the help)
        metavar="BEHAVIOUR=FACTOR,...",
        help="how strongly each behaviour precedes a defection (1 = default; "
        f"behaviours: {', '.join(BEHAVIOURS)})",
    )
    group.add_argument(
        "--false-alarms",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="share of staying customers showing a spell of a leaver's behaviour",
    )
    group.add_argument(
        "--base-noise",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="factor on the base rates at which the behaviours show on any account",
    )
    group.add_argument(
        "--in-window",
        type=float,
        default=0.30,
        metavar="SHARE",
        help="share of the leavers that defect inside the generated nights (0.30)",
    )
    group.add_argument(
        "--defections-from",
        type=float,
        default=0.5,
        metavar="SHARE",
        help="those defections fall from this share of the nights on (0.5: the second half)",
    )


def variant_from_args(args: argparse.Namespace) -> Variant:
    """The `Variant` the options ask for (ValueError with the reason when they are wrong)."""
    return Variant(
        wording=args.wording,
        encoding=args.encoding,
        mix=parse_mix(args.mix or ""),
        false_alarms=args.false_alarms,
        base_noise=args.base_noise,
        in_window=args.in_window,
        defections_from=args.defections_from,
    )
