"""`rapport.toml` mistakes are one line naming the file, the setting and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.cli import main
from rapport.config import ConfigError, load_config
from rapport.project import default_config


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rapport.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_projects_own_file_loads() -> None:
    config = load_config(default_config())
    assert config.quality.max_quarantined_share == 0.05


def test_a_missing_section_means_the_defaults(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "[money]\ncurrency = 'USD'\n"))
    assert config.money.currency == "USD" and config.quality.min_quarantined_rows == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[quality]\nmax_quarantine_share = 0.1\n",
            "[quality] max_quarantine_share is not a setting (known: max_quarantined_share, ",
        ),
        ("[quality]\nmin_quarantined_rows = 'three'\n", "= 'three': expected an integer"),
        ("[money]\ncurrency = 5\n", "[money] currency = 5: expected a string in quotes"),
        ("[publish]\ncsv_exports = 'yes'\n", "csv_exports = 'yes': expected true or false"),
        ("[tune]\nc_candidates = [0.1, 'x']\n", "expected a list whose items are each a number"),
        (
            "[quality]\nmax_quarantined_share = -0.05\n",
            "[quality]: quality.max_quarantined_share must be between 0 and 1",
        ),
        ("[report]\ntop_rows = -5\n", "[report]: report.top_rows must be 1 or more, got -5"),
        ("[runs]\nlock_wait_seconds = -1\n", "runs.lock_wait_seconds must be 0 or more"),
        ("[qualty]\nmax_quarantined_share = 0.1\n", "[qualty] is not a section of rapport.toml"),
        ("quality = 3\n", "[quality] must be a table of settings"),
        ("[quality\nmax_quarantined_share = 0.1\n", "not valid TOML: "),
    ],
    ids=[
        "typo",
        "text-for-int",
        "int-for-text",
        "text-for-bool",
        "list-item",
        "negative-share",
        "negative-rows",
        "negative-wait",
        "unknown-section",
        "not-a-table",
        "syntax",
    ],
)
def test_a_mistake_names_the_file_and_the_setting(tmp_path: Path, text: str, message: str) -> None:
    path = _config(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_cli_prints_it_in_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _config(tmp_path, "[quality]\nmax_quarantine_share = 0.1\n")

    code = main(["watchlist"], commands={"watchlist": lambda _args: load_config(path)})

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"rapport watchlist: {path}: [quality] max_quarantine_share")
    assert err.count("\n") == 1


def test_rapport_config_names_the_installations_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed wheel's users keep their settings outside the package: $RAPPORT_CONFIG
    (read at each call, not at import) names the file; a named file that is missing is an
    error, never a silent fall back to the defaults."""
    path = _config(tmp_path, "[money]\ncurrency = 'CHF'\n")
    monkeypatch.setenv("RAPPORT_CONFIG", str(path))
    assert default_config() == path.resolve()
    assert load_config().money.currency == "CHF"
    monkeypatch.setenv("RAPPORT_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match="gone.toml: no such file"):
        load_config()


def test_config_option_applies_to_the_command_and_only_while_it_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAPPORT_CONFIG", raising=False)
    path = _config(tmp_path, "[money]\ncurrency = 'USD'\n")
    seen: list[str] = []

    def command(_args) -> int:
        seen.append(load_config().money.currency)
        return 0

    assert main(["--config", str(path), "watchlist"], commands={"watchlist": command}) == 0
    assert seen == ["USD"]
    assert load_config().money.currency != "USD"  # the project's own file again

    code = main(["--config", str(tmp_path / "no.toml"), "watchlist"], {"watchlist": command})
    assert code == 2
    assert (
        capsys.readouterr().err
        == f"rapport watchlist: --config {tmp_path / 'no.toml'}: no such file\n"
    )
