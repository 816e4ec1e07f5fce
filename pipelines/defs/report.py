"""The nightly report: a self-contained HTML page per published night."""

import dagster as dg

from pipelines.defs.resources import RapportResource
from rapport.config import ReportConfig
from rapport.report import nightly_report_path, published_night, write_report


def build_report_asset(report: ReportConfig) -> dg.AssetsDefinition:
    @dg.asset(
        key=["serving", "nightly_report"],
        group_name="publish",
        deps=[dg.AssetKey(["serving", "warehouse"])],
        description="The night's report for RevOps: `<warehouse dir>/reports/<night>.html`, one "
        "self-contained page (quadrant chart, watchlist, movers, trend, owners, backtest, "
        "data quality) that opens offline.",
        kinds={"html"},
    )
    def nightly_report(rapport: RapportResource) -> dg.MaterializeResult:
        paths = rapport.paths
        night = published_night(paths.warehouse)
        out = write_report(paths, nightly_report_path(paths, night), report)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(out)),
                "night": dg.MetadataValue.text(night.isoformat()),
                "open": dg.MetadataValue.url(out.as_uri()),
            }
        )

    return nightly_report
