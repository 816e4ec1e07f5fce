"""`rapport docs`: where the dbt docs of the latest publish are, and open them."""

from __future__ import annotations

import argparse
import webbrowser

from rapport.settings import Paths


def docs_command(args: argparse.Namespace) -> int:
    paths = Paths.resolve(args.warehouse)
    site = paths.docs_dir / "dbt" / "index.html"
    if not site.exists():
        raise FileNotFoundError(
            f"no dbt docs at {site}: they are written by each publish (`rapport run`) unless "
            "[publish] dbt_docs = false in rapport.toml"
        )
    print(site)
    if args.open and not webbrowser.open(site.as_uri()):
        print(f"no browser to open here; open {site.as_uri()} yourself")
    return 0
