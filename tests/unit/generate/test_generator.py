"""The demo extract generator: contract conformance of every file, nightly semantics,
determinism, labels, and that leavers really behave differently from loyal accounts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

import rapport.generate as gen
from rapport.contract import OBJECTS, SOURCES, SourceObject, objects_of
from rapport.generate import GenerateSummary, generate

ACCOUNTS, START, DAYS, SEED = 1500, date(2026, 11, 2), 10, 11
NIGHTS = [START + timedelta(days=i) for i in range(DAYS)]
CRM_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$")
SUPPORT_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SURVEY_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
QUOTED = re.compile(r'"(?:[^"]|"")*"')
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> GenerateSummary:
    out = tmp_path_factory.mktemp("gen") / "landing"
    return generate(out, ACCOUNTS, START, DAYS, SEED)


def night_file(summary: GenerateSummary, obj: SourceObject, night: date) -> Path:
    return summary.out / obj.source / f"dt={night.isoformat()}" / obj.filename


def csv_rows(data: bytes) -> list[list[str]]:
    text = data.removeprefix(BOM).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def crm_records(summary: GenerateSummary, obj: SourceObject, night: date) -> list[dict]:
    header, *rows = csv_rows(night_file(summary, obj, night).read_bytes())
    return [dict(zip(header, row, strict=True)) for row in rows]


def survey_records(summary: GenerateSummary, night: date) -> list[dict]:
    obj = objects_of("surveys")[0]
    header, _, _, *rows = csv_rows(night_file(summary, obj, night).read_bytes())
    return [dict(zip(header, row, strict=True)) for row in rows]


def support_records(summary: GenerateSummary, obj: SourceObject, night: date) -> list[dict]:
    text = night_file(summary, obj, night).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def records(summary: GenerateSummary, obj: SourceObject, night: date) -> list[dict]:
    if obj.source == "crm":
        return crm_records(summary, obj, night)
    if obj.source == "surveys":
        return survey_records(summary, night)
    return support_records(summary, obj, night)


def frame(summary: GenerateSummary, source: str, name: str) -> pl.DataFrame:
    """Every delivered row of an object, all values as text, with the night in `dt`."""
    obj = next(o for o in objects_of(source) if o.name == name)
    rows = [
        {**r, "dt": night.isoformat()} for night in NIGHTS for r in records(summary, obj, night)
    ]
    df = pl.DataFrame(rows, infer_schema_length=None)
    scalars = [c for c, t in df.schema.items() if t.is_numeric() or t == pl.Boolean]
    return df.with_columns(pl.col(scalars).cast(pl.String))


def labels(summary: GenerateSummary) -> pl.DataFrame:
    return pl.read_csv(summary.labels, infer_schema=False)


def test_layout_every_night_every_object_and_success(run: GenerateSummary) -> None:
    assert run.labels == run.out.parent / "labels.csv"
    assert run.nights == tuple(NIGHTS)
    for source in SOURCES:
        folders = sorted(p.name for p in (run.out / source).iterdir())
        assert folders == [f"dt={n.isoformat()}" for n in NIGHTS]
        for night in NIGHTS:
            success = run.out / source / f"dt={night.isoformat()}" / "_SUCCESS"
            assert success.is_file() and success.stat().st_size == 0
            for obj in objects_of(source):
                assert night_file(run, obj, night).is_file()
    assert all(run.rows[o.qualified] > 0 for o in OBJECTS)


def test_crm_files_follow_the_contract(run: GenerateSummary) -> None:
    boms, specials = set(), set()
    for obj in objects_of("crm"):
        for night in NIGHTS:
            data = night_file(run, obj, night).read_bytes()
            boms.add(data.startswith(BOM))
            text = data.removeprefix(BOM).decode("utf-8")
            assert text.endswith("\r\n")
            assert re.search(r"(?<!\r)\n", QUOTED.sub("", text)) is None, "bare LF ending a line"
            header, *rows = csv_rows(data)
            assert {c.name for c in obj.columns} <= set(header), f"{obj.qualified} header"
            for row in rows:
                assert len(row) == len(header)
                record = dict(zip(header, row, strict=True))
                for col in obj.columns:
                    value = record[col.name]
                    if value == "":
                        assert not col.required, f"{obj.qualified}.{col.name} empty"
                    elif col.kind == "datetime":
                        assert CRM_DATETIME.match(value), value
                    elif col.kind == "date":
                        assert DATE.match(value), value
                    elif col.kind == "bool":
                        assert value in ("true", "false")
                    elif col.kind in ("int", "float"):
                        float(value)
                    if value and col.values:
                        assert value in col.values, (col.name, value)
                for value in row:
                    specials |= {ch for ch in ',"\n' if ch in value}
    assert boms == {True, False}, "some CRM files, not all, start with a BOM"
    assert specials == {",", '"', "\n"}, "values with commas, quotes and newlines occur"
    accounts = crm_records(run, next(o for o in OBJECTS if o.name == "accounts"), NIGHTS[0])
    assert set(accounts[0]) - {c.name for c in objects_of("crm")[0].columns}, "custom fields"


def test_support_files_follow_the_contract(run: GenerateSummary) -> None:
    empty_files = 0
    for obj in objects_of("support"):
        for night in NIGHTS:
            path = night_file(run, obj, night)
            if path.stat().st_size == 0:
                empty_files += 1
                continue
            for record in support_records(run, obj, night):
                for col in obj.columns:
                    node = record
                    for part in col.path or (col.name,):
                        assert part in node, (obj.qualified, col.path or col.name)
                        node = node[part]
                        if node is None:
                            break
                    if node is None:
                        assert not col.required
                    elif col.kind == "datetime":
                        assert SUPPORT_DATETIME.match(node), node
                    elif col.kind == "int":
                        assert isinstance(node, int)
                    elif col.kind == "string_list":
                        assert isinstance(node, list) and all(isinstance(t, str) for t in node)
                    if node is not None and col.values:
                        assert node in col.values, (col.name, node)
                if obj.name == "tickets":
                    assert isinstance(record["via"], dict)
                    assert record["satisfaction_rating"] is None or set(
                        record["satisfaction_rating"]
                    ) == {"score", "comment"}
                if obj.name == "ticket_metrics":
                    for nested in ("reply_time_in_minutes", "full_resolution_time_in_minutes"):
                        assert set(record[nested]) == {"calendar", "business"}
    assert empty_files > 0, "nights without changes of an object give 0-byte files"


def test_survey_file_is_a_qualtrics_legacy_export(run: GenerateSummary) -> None:
    obj = objects_of("surveys")[0]
    commas = quotes = newlines = partial = 0
    for night in NIGHTS:
        ids, texts, imports, *rows = csv_rows(night_file(run, obj, night).read_bytes())
        assert {c.name for c in obj.columns} | {"Q_NPS_NPS_GROUP"} <= set(ids)
        question = dict(zip(ids, texts, strict=True))
        assert question["Q_NPS"] == "How likely are you to recommend us to a colleague?"
        assert json.loads(dict(zip(ids, imports, strict=True))["Q_NPS"]) == {"ImportId": "QID1"}
        assert all("ImportId" in json.loads(cell) for cell in imports)
        for row in rows:
            r = dict(zip(ids, row, strict=True))
            for c in ("StartDate", "EndDate", "RecordedDate"):
                assert SURVEY_DATETIME.match(r[c]), r[c]
            assert r["Finished"] in ("0", "1") and r["ResponseId"]
            if r["Finished"] == "0":
                partial += 1
                assert r["Q_NPS"] == "" and int(r["Progress"]) < 100
            else:
                assert 0 <= int(r["Q_NPS"]) <= 10 and 1 <= int(r["Q_CSAT"]) <= 5
                assert r["Q_ALTERNATIVES"] in ("1", "2")
            commas += "," in r["Q_COMMENT"]
            quotes += '"' in r["Q_COMMENT"]
            newlines += "\n" in r["Q_COMMENT"]
    assert min(commas, quotes, newlines, partial) > 0


def test_first_night_is_full_later_nights_carry_changes(run: GenerateSummary) -> None:
    late = 0
    for obj in OBJECTS:
        first = records(run, obj, NIGHTS[0])
        later = [records(run, obj, night) for night in NIGHTS[1:]]
        for night, rows in zip(NIGHTS, [first, *later], strict=True):
            for r in rows:
                stamp = r
                for part in obj.column(obj.stamp).path or (obj.column(obj.stamp).name,):
                    stamp = stamp[part]
                day = date.fromisoformat(stamp[:10])
                if night == NIGHTS[0]:
                    assert day <= night
                else:
                    assert night - timedelta(days=2) <= day <= night, (obj.qualified, stamp)
                    late += day < night
        if obj.qualified in ("crm.accounts", "crm.contacts", "crm.tasks", "support.tickets"):
            assert max(len(rows) for rows in later) < 0.2 * len(first), obj.qualified
    assert late > 0, "some changes arrive a night or two late"


def test_full_load_holds_no_deleted_records(run: GenerateSummary) -> None:
    for obj in objects_of("crm"):
        if obj.name in ("users", "account_history"):
            continue
        assert all(r["IsDeleted"] == "false" for r in crm_records(run, obj, NIGHTS[0]))
    deleted = frame(run, "crm", "tasks").filter(pl.col("IsDeleted") == "true")
    assert deleted.height > 0, "later nights deliver deletions"


def test_support_links_are_resolvable_but_noisy(run: GenerateSummary) -> None:
    contacts = frame(run, "crm", "contacts")
    emails = set(contacts["Email"].str.strip_chars().str.to_lowercase())
    users = frame(run, "support", "users").filter(pl.col("role") == "end-user")
    raw = users["email"]
    normal = raw.str.strip_chars().str.to_lowercase()
    assert normal.is_in(list(emails)).mean() > 0.7
    assert (raw != normal).mean() > 0.1, "case and spaces vary"
    tickets = frame(run, "support", "tickets")
    assert tickets["organization_id"].is_null().mean() > 0.05
    orgs = frame(run, "support", "organizations")
    assert orgs["external_id"].is_null().sum() > 0


def test_same_seed_same_bytes(run: GenerateSummary, tmp_path: Path) -> None:
    again = generate(tmp_path / "a" / "landing", ACCOUNTS, START, DAYS, SEED)
    other = generate(tmp_path / "b" / "landing", ACCOUNTS, START, DAYS, SEED + 1)

    def digest(summary: GenerateSummary) -> dict[str, str]:
        files = [summary.labels, *sorted(p for p in summary.out.rglob("*") if p.is_file())]
        root = summary.out.parent
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    assert digest(again) == digest(run)
    assert digest(other) != digest(run)


def test_labels_cover_every_account_with_plausible_shares(run: GenerateSummary) -> None:
    truth = labels(run)
    assert truth.columns == ["account_id", "segment", "defects", "defection_date", "ramp_start"]
    crm_ids = set(frame(run, "crm", "accounts")["Id"])
    assert crm_ids <= set(truth["account_id"]) and truth.height == ACCOUNTS
    share = dict(truth["segment"].value_counts(normalize=True).iter_rows())
    customers = 1 - share["prospect"]
    expected = {
        "loyal": 0.55,
        "satisfied_leaving": 0.15,
        "unsatisfied_leaving": 0.10,
        "unsatisfied_staying": 0.20,
    }
    for segment, p in expected.items():
        assert share[segment] / customers == pytest.approx(p, abs=0.04), segment
    assert share["prospect"] == pytest.approx(1 / 11, abs=0.03)
    leavers = truth.filter(pl.col("defects") == "true")
    assert set(leavers["segment"]) == {"satisfied_leaving", "unsatisfied_leaving"}
    assert leavers["defection_date"].null_count() == 0
    assert (leavers["ramp_start"] < leavers["defection_date"]).all()


def test_defections_inside_the_window_show_in_the_crm(run: GenerateSummary) -> None:
    history = frame(run, "crm", "account_history")
    former = history.filter((pl.col("Field") == "Type") & (pl.col("NewValue") == "Former Customer"))
    lost = frame(run, "crm", "opportunities").filter(
        (pl.col("Type") == "Renewal") & pl.col("StageName").str.ends_with("Closed Lost")
    )
    observed = (
        pl.concat(
            [
                former.select(pl.col("AccountId"), day=pl.col("CreatedDate").str.slice(0, 10)),
                lost.select(pl.col("AccountId"), day=pl.col("CloseDate")),
            ]
        )
        .group_by("AccountId")
        .agg(pl.col("day").min())
    )
    truth = labels(run).join(observed, left_on="account_id", right_on="AccountId", how="left")
    inside = truth.filter(pl.col("defection_date") <= NIGHTS[-1].isoformat())
    assert inside.height > 20
    assert (inside["day"] == inside["defection_date"]).mean() > 0.9
    stayers = truth.filter(pl.col("defects") == "false")
    assert stayers["day"].null_count() == stayers.height, "only leavers defect"


def test_leavers_show_more_defection_signals_than_loyal_accounts(run: GenerateSummary) -> None:
    truth = labels(run)
    group = pl.when(pl.col("defects") == "true").then(pl.lit("leaver")).otherwise("segment")
    truth = truth.with_columns(group=group)
    # evaluated alternatives, answered during the ramp
    answers = (
        frame(run, "surveys", "responses")
        .filter(pl.col("Finished") == "1")
        .join(truth, on="account_id")
        .filter(
            (pl.col("group") == "loyal")
            | (pl.col("RecordedDate").str.slice(0, 10) >= pl.col("ramp_start"))
        )
        .group_by("group")
        .agg(yes=(pl.col("Q_ALTERNATIVES") == "1").mean())
    )
    yes = dict(answers.iter_rows())
    assert yes["leaver"] > 0.35 and yes["loyal"] < 0.15
    # champion or economic buyer gone: bounced e-mail or contact deleted
    gone = (
        frame(run, "crm", "contacts")
        .filter(
            pl.col("Relationship_Role__c").is_in(["Champion", "Economic Buyer"])
            & ((pl.col("EmailBouncedDate") != "") | (pl.col("IsDeleted") == "true"))
        )
        .select(account_id="AccountId")
        .unique()
        .with_columns(lost=True)
    )
    owner = (
        frame(run, "crm", "account_history")
        .filter(pl.col("Field") == "Owner")
        .select(account_id="AccountId")
        .unique()
        .with_columns(owner=True)
    )
    rates = (
        truth.join(gone, on="account_id", how="left")
        .join(owner, on="account_id", how="left")
        .group_by("group")
        .agg(pl.col("lost").fill_null(False).mean(), pl.col("owner").fill_null(False).mean())
    )
    r = {g: (lost, own) for g, lost, own in rates.iter_rows()}
    assert r["leaver"][0] > 4 * r["loyal"][0], "champions leave leavers"
    assert r["leaver"][1] > 2 * r["loyal"][1], "owners change at leavers"
    # satisfaction follows the segment, not the fate
    nps = (
        frame(run, "surveys", "responses")
        .filter(pl.col("Finished") == "1")
        .join(truth, on="account_id")
        .group_by("segment")
        .agg(pl.col("Q_NPS").cast(pl.Int64).mean())
    )
    mean = dict(nps.iter_rows())
    assert mean["satisfied_leaving"] > 7.5 and mean["loyal"] > 7.5
    assert mean["unsatisfied_leaving"] < 6 and mean["unsatisfied_staying"] < 6


def test_chunks_append_to_the_same_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(gen, "CHUNK_ACCOUNTS", 300)
    summary = generate(tmp_path / "landing", 900, START, 3, SEED, labels=tmp_path / "truth.csv")
    assert labels(summary)["account_id"].n_unique() == 900
    for obj in OBJECTS:
        rows = records(summary, obj, START)
        key = obj.column(obj.key)
        keys = [r[key.name] for r in rows]
        assert len(keys) == len(set(keys)), f"{obj.qualified}: keys repeat across chunks"
        if obj.fmt != "jsonl":
            header = csv_rows(night_file(summary, obj, START).read_bytes())[0]
            assert all(list(r.values()) != header for r in rows), "one header per file"
