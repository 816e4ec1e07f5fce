"""Which raw zone an installation's load records describe, so that a run never reads another.

The load records (local) say which nights are in the raw zone. A run given another `--lake`
URL than the one those nights were loaded into would take them as loaded and build from a
raw zone that does not hold them. `<lake>/state/raw_zone.json` records an object-store raw
zone; a lake without that file keeps its raw zone under it, as before.
"""

from __future__ import annotations

import json
import uuid

from rapport.lake import RAW, Lake
from rapport.paths import Paths, PathsError
from rapport.raw_zone import RawZone


def check_raw_zone(paths: Paths) -> None:
    """Refuse, in one line, a raw zone other than the one the loaded nights are in. Before
    any night is loaded, the raw zone of this run becomes the installation's (an object-store
    one is recorded)."""
    lake = Lake(paths.lake)
    here = paths.raw_zone.root
    under_lake = RawZone.under(paths.lake).root
    if not _any_loaded(lake):
        if here != under_lake:
            _record(lake, here)
        else:
            lake.raw_zone_state.unlink(missing_ok=True)
        return
    recorded = _recorded(lake) or under_lake
    if recorded != here:
        given = recorded.removesuffix(f"/{RAW}")
        raise PathsError(
            f"the nights loaded in {paths.lake} are in the raw zone {recorded}, not {here}: "
            f"run with --lake {given}, or, to move them, copy {recorded} to {here} and "
            f'write {{"root": "{here}"}} to {lake.raw_zone_state}'
        )


def _recorded(lake: Lake) -> str | None:
    path = lake.raw_zone_state
    if not path.exists():
        return None
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["root"])
    except (ValueError, KeyError, TypeError) as e:
        raise PathsError(f"{path} cannot be read ({type(e).__name__}: {e})") from None


def _any_loaded(lake: Lake) -> bool:
    return any(lake.load_records_root.glob("*/dt=*.json"))


def _record(lake: Lake, root: str) -> None:
    path = lake.raw_zone_state
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps({"root": root}) + "\n", encoding="utf-8")
    tmp.replace(path)
