"""An AWS Lambda handler for Python 3.13 (app.handler), for a step of a Step Functions pipeline.

Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change it
as you like. It reads no environment variables.

The pipeline invokes it with the execution's state: `execution_date` (the time the schedule
fired, or absent when someone started the execution by hand) and `results`, the results of the
steps before it by step name (a Glue step's `job_run_id`, `state` and `execution_time`; a
function step's `payload`). It loads what the succeeded steps produced — here, it only records
them — and returns a report, which the pipeline keeps as `$.results.<step>.payload` for the
steps after it and for the success notification:

    {"execution_date": "2026-12-02T06:00:00Z", "loaded": [{"step": "transform", ...}],
     "skipped": [], "status": "loaded"}

`status` is `loaded` when there was something to load and `nothing-to-load` otherwise. An
earlier step that did not succeed makes it raise, so the pipeline's catch sends the failure
notification. Each invocation logs one JSON line to stdout (CloudWatch Logs).
"""

import json
from datetime import datetime, timezone


class StepFailed(Exception):
    """An earlier step did not succeed: nothing may be loaded."""


def handler(event, context):
    event = event if isinstance(event, dict) else {}
    execution_date = event.get("execution_date") or datetime.now(timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    results = event.get("results") if isinstance(event.get("results"), dict) else {}
    loaded, skipped = [], []
    for step, result in results.items():
        result = result if isinstance(result, dict) else {}
        state = result.get("state")
        if state is None:
            skipped.append(step)
        elif state == "SUCCEEDED":
            loaded.append(
                {
                    "step": step,
                    "job_run_id": result.get("job_run_id"),
                    "execution_time": result.get("execution_time"),
                }
            )
        else:
            log(context, execution_date, "failed", loaded, f"step {step} ended {state}")
            raise StepFailed(f"step {step} ended {state}: nothing was loaded")
    report = {
        "execution_date": execution_date,
        "loaded": loaded,
        "skipped": skipped,
        "status": "loaded" if loaded else "nothing-to-load",
    }
    log(context, execution_date, report["status"], loaded, None)
    return report


def log(context, execution_date, outcome, loaded, error):
    """One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is."""
    entry = {
        "level": "error" if error else "info",
        "message": outcome,
        "requestId": getattr(context, "aws_request_id", None),
        "executionDate": execution_date,
        "loaded": [item["step"] for item in loaded],
        "error": error,
    }
    print(json.dumps(entry, ensure_ascii=False, default=str), flush=True)
