// Test driver for tests/handlers.py: loads a scaffolded Node.js handler and invokes it the way the
// Lambda runtime does, in one long-lived process (so module-scope state such as the SDK client
// is reused across invocations, as in a warm execution environment).
//
//   node invoke.mjs <handler.mjs>
//
// Reads one JSON request per line on stdin, {"event": ..., "context": {...}}, awaits
// handler(event, context) and writes one line `@@result <JSON>` to stdout, where the JSON is
// {"result": ...} or {"error": {"name", "message"}} when the handler threw. Whatever the handler
// writes itself (its log lines) comes before that line.
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const MARKER = "@@result ";
const emit = (value) => process.stdout.write(`${MARKER}${JSON.stringify(value)}\n`);

let handler;
try {
  ({ handler } = await import(pathToFileURL(process.argv[2]).href));
  if (typeof handler !== "function") throw new TypeError("the module exports no handler function");
} catch (error) {
  emit({ error: { name: error?.name, message: `import: ${error?.message}` } });
  process.exitCode = 1;
}

if (handler) {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line);
    const deadline = Date.now() + 30_000;
    const context = {
      awsRequestId: randomUUID(),
      functionName: "cloudwright-test",
      functionVersion: "$LATEST",
      memoryLimitInMB: "128",
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      callbackWaitsForEmptyEventLoop: true,
      ...request.context,
    };
    try {
      emit({ result: (await handler(request.event, context)) ?? null });
    } catch (error) {
      emit({ error: { name: error?.name, message: error?.message, stack: error?.stack } });
    }
  }
}
