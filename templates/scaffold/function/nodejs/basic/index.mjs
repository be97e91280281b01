// An AWS Lambda handler for Node.js 22 (ES module), for a function that is not bound to a table.
//
// Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change
// it as you like. It reads no environment variables.
//
// Behind API Gateway (a REST API, or an HTTP API with payload v1 or v2) it answers 200 with the
// JSON body {"ok": true}; invoked any other way (the console, the CLI, an SDK, an event source) it
// returns {"ok": true}. Each invocation logs one JSON line to stdout (CloudWatch Logs) with the
// request id, the method and the path.

export const handler = async (event, context) => {
  const http = event?.requestContext?.http;
  const method = http?.method ?? event?.httpMethod ?? null;
  const throughApi = method !== null;
  const response = throughApi
    ? {
        statusCode: 200,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ ok: true }),
      }
    : { ok: true };
  log({
    level: "info",
    message: throughApi ? "request" : "invocation",
    requestId: event?.requestContext?.requestId ?? context?.awsRequestId ?? null,
    method,
    path: event?.rawPath ?? event?.path ?? null,
    status: throughApi ? response.statusCode : null,
  });
  return response;
};

/** One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is. */
function log(entry) {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}
