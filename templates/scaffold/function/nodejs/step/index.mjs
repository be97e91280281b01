// An AWS Lambda handler for Node.js 22 (ES module), for a step of a Step Functions pipeline.
//
// Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change
// it as you like. It reads no environment variables.
//
// The pipeline invokes it with the execution's state: `execution_date` (the time the schedule
// fired, or absent when someone started the execution by hand) and `results`, the results of
// the steps before it by step name (a Glue step's `job_run_id`, `state` and `execution_time`; a
// function step's `payload`). It loads what the succeeded steps produced — here, it only records
// them — and returns a report, which the pipeline keeps as `$.results.<step>.payload` for the
// steps after it and for the success notification:
//
//     {"execution_date": "2026-12-02T06:00:00Z", "loaded": [{"step": "transform", ...}],
//      "skipped": [], "status": "loaded"}
//
// `status` is `loaded` when there was something to load and `nothing-to-load` otherwise. An
// earlier step that did not succeed makes it throw, so the pipeline's catch sends the failure
// notification. Each invocation logs one JSON line to stdout (CloudWatch Logs).

class StepFailed extends Error {
  constructor(message) {
    super(message);
    this.name = "StepFailed";
  }
}

export const handler = async (event, context) => {
  const state = event !== null && typeof event === "object" ? event : {};
  const executionDate =
    state.execution_date || new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const results =
    state.results !== null && typeof state.results === "object" && !Array.isArray(state.results)
      ? state.results
      : {};
  const loaded = [];
  const skipped = [];
  for (const [step, value] of Object.entries(results)) {
    const result = value !== null && typeof value === "object" ? value : {};
    if (result.state === undefined || result.state === null) {
      skipped.push(step);
    } else if (result.state === "SUCCEEDED") {
      loaded.push({
        step,
        job_run_id: result.job_run_id ?? null,
        execution_time: result.execution_time ?? null,
      });
    } else {
      log(context, executionDate, "failed", loaded, `step ${step} ended ${result.state}`);
      throw new StepFailed(`step ${step} ended ${result.state}: nothing was loaded`);
    }
  }
  const report = {
    execution_date: executionDate,
    loaded,
    skipped,
    status: loaded.length > 0 ? "loaded" : "nothing-to-load",
  };
  log(context, executionDate, report.status, loaded, null);
  return report;
};

/** One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is. */
function log(context, executionDate, outcome, loaded, error) {
  const entry = {
    level: error ? "error" : "info",
    message: outcome,
    requestId: context?.awsRequestId ?? null,
    executionDate,
    loaded: loaded.map((item) => item.step),
    error,
  };
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}
