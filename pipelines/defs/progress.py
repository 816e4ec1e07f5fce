"""The `progress` logger: turns a run's Dagster events into `rapport.progress` events.

`rapport run` configures it (run config `loggers: {progress: {}}`) and renders what it
forwards; runs launched from the UI do not configure it, so it costs them nothing.
"""

import logging

import dagster as dg

from rapport.progress import ProgressEvent, emit, event_from_message

# `dagster_meta` is the attribute Dagster's log manager puts on every record it hands to a
# logger (dagster._core.log_manager.LOG_RECORD_METADATA_ATTR); it is how a logger sees the
# step and the structured event behind a line.
_META = "dagster_meta"


class _Forward(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, _META, None)
        if not meta:
            return
        step = meta.get("step_key") or ""
        event = meta.get("dagster_event")
        if event is None:
            found = event_from_message(step, str(meta.get("orig_message", "")))
            if found is not None:
                emit(found, dagster_step=step)
        elif event.event_type_value == "STEP_START":
            emit(ProgressEvent("step_started", step=step), dagster_step=step)
        elif event.event_type_value == "STEP_FAILURE":
            emit(ProgressEvent("step_failed", step=step), dagster_step=step)
        elif event.event_type_value == "ASSET_MATERIALIZATION":
            key = event.asset_key.to_user_string() if event.asset_key else ""
            emit(ProgressEvent("asset_done", step=step, asset=key), dagster_step=step)


@dg.logger(description="Forwards nights loaded, dbt models built and steps to `rapport run`.")
def progress_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("rapport.dagster.progress")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    if not any(isinstance(h, _Forward) for h in log.handlers):
        log.addHandler(_Forward())
    return log


LOGGERS = {"console": dg.colored_console_logger, "progress": progress_logger}
