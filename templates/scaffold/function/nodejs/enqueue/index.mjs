// An AWS Lambda handler for Node.js 22 (ES module) that accepts work and sends it to a queue.
//
// Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change
// it as you like. It uses the AWS SDK v3 that the nodejs22.x runtime ships, so the function's
// package needs no dependencies.
//
// Settings come only from the environment variable the infrastructure code sets:
//   QUEUE_URL  the queue's URL (a FIFO queue's ends in .fifo)
//
// Behind API Gateway (a REST API, or an HTTP API with payload v1 or v2):
//   POST  202 {"messageId": "..."}: the JSON object in the body, sent as the message;
//         400 when the body is not a JSON object. A FIFO queue gets the object's "groupId"
//         (text) as the message group, "default" without one, and the body's SHA-256 as its
//         deduplication ID, so a retried request is not queued twice within five minutes.
//   other methods: 405 with an Allow header.
// Invoked any other way (an SDK, a schedule, another function) the event itself is the message,
// and it returns {"messageId": "..."}. Unexpected errors are 500 {"message": "internal error"}
// (or thrown, when not behind an API), and the detail is logged, never sent. Each request logs
// one JSON line to stdout (CloudWatch Logs).

import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

const QUEUE_URL = process.env.QUEUE_URL ?? "";
const sqs = new SQSClient({});

class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

export const handler = async (event, context) => {
  const e = event !== null && typeof event === "object" ? event : {};
  const method = e.requestContext?.http?.method ?? e.httpMethod ?? null;
  const requestId = e.requestContext?.requestId ?? context?.awsRequestId ?? null;
  if (method === null) {
    const messageId = await send(e);
    log({ level: "info", message: "sent", requestId, messageId });
    return { messageId };
  }
  let messageId = null;
  let response;
  try {
    if (method !== "POST") {
      throw new HttpError(405, `method ${method} is not allowed`, { Allow: "POST" });
    }
    messageId = await send(bodyOf(e));
    response = reply(202, { messageId });
  } catch (error) {
    if (error instanceof HttpError) {
      response = reply(error.status, { message: error.message }, error.headers);
    } else {
      log({
        level: "error",
        message: "unhandled error",
        requestId,
        error: { name: error?.name, message: error?.message, stack: error?.stack },
      });
      response = reply(500, { message: "internal error" });
    }
  }
  log({
    level: "info",
    message: "request",
    requestId,
    method,
    path: e.rawPath ?? e.path ?? null,
    status: response.statusCode,
    messageId,
  });
  return response;
};

/** The request's JSON object. */
function bodyOf(event) {
  let text = event.body;
  if (text === undefined || text === null) {
    throw new HttpError(400, "request body is required");
  }
  if (event.isBase64Encoded) {
    const bytes = Buffer.from(String(text), "base64");
    if (bytes.toString("base64").replace(/=+$/, "") !== String(text).replace(/=+$/, "")) {
      throw new HttpError(400, "request body is not valid base64 UTF-8");
    }
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  }
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, "request body must be a JSON object");
  }
  return body;
}

/** Keys sorted at every level, as Python's json.dumps(sort_keys=True) writes them. */
function canonical(value) {
  if (Array.isArray(value)) {
    return value.map(canonical);
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical(value[k])]),
    );
  }
  return value;
}

/** Sends one JSON object to the queue; returns its message ID. */
async function send(message) {
  const body = JSON.stringify(canonical(message));
  const params = { QueueUrl: QUEUE_URL, MessageBody: body };
  if (QUEUE_URL.endsWith(".fifo")) {
    const group = message?.groupId;
    params.MessageGroupId = typeof group === "string" && group !== "" ? group : "default";
    params.MessageDeduplicationId = createHash("sha256").update(body, "utf8").digest("hex");
  }
  const out = await sqs.send(new SendMessageCommand(params));
  return out.MessageId;
}

function reply(status, body, headers = {}) {
  return {
    statusCode: status,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

/** One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is. */
function log(entry) {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}
