"""Business checks on the marts, run in Dagster beside the dbt tests."""

import dagster as dg
import duckdb

from pipelines.defs.resources import RapportResource

TOP_N = 10
MARTS_READ = (("marts", "satisfied_at_risk"), ("marts", "account_loyalty_risk"))


@dg.asset_check(
    asset=dg.AssetKey(["marts", "satisfied_at_risk"]),
    name="satisfied_but_leaving",
    description="Passes when no account looks satisfied but shows defection signals; otherwise "
    "fails with WARN severity (never blocks the night), giving how many, their ARR at risk and "
    "the top ten with reasons.",
    blocking=False,
)
def satisfied_but_leaving(rapport: RapportResource) -> dg.AssetCheckResult:
    con = duckdb.connect()
    try:
        rapport.engine.attach_build(con, MARTS_READ)
        accounts, arr_at_risk = con.execute(
            "select count(*), coalesce(sum(arr_at_risk), 0) from build.marts.satisfied_at_risk"
        ).fetchall()[0]
        customers = con.execute("select count(*) from build.marts.account_loyalty_risk").fetchall()[
            0
        ][0]
        top = con.execute(
            f"select watchlist_rank, account_name, account_id, arr_at_risk, reasons "
            f"from build.marts.satisfied_at_risk order by watchlist_rank limit {TOP_N}"
        ).fetchall()
    finally:
        con.close()
    table = "\n".join(
        ["| # | account | ARR at risk | why |", "|---|---|---|---|"]
        + [f"| {r} | {name} ({aid}) | {risk:,.0f} | {why} |" for r, name, aid, risk, why in top]
    )
    return dg.AssetCheckResult(
        # a flagged account shows as a warning in the UI, not as a green tick
        passed=int(accounts) == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            # the line `rapport run` prints for this warning
            "summary": dg.MetadataValue.text(
                f"{accounts} of {customers} customer accounts say they are satisfied while "
                f"what they do says they are leaving (ARR at risk {float(arr_at_risk):,.0f}); "
                "`rapport watchlist` lists them"
            ),
            "accessible_accounts": dg.MetadataValue.int(int(accounts)),
            "customer_accounts": dg.MetadataValue.int(int(customers)),
            "arr_at_risk": dg.MetadataValue.float(float(arr_at_risk)),
            "top_accounts": dg.MetadataValue.md(table),
        },
    )
