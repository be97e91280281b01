// A CRUD API over one DynamoDB table, as an AWS Lambda handler for Node.js 22 (ES module).
//
// Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change
// it as you like. It uses the AWS SDK for JavaScript v3 that the nodejs22.x runtime ships, so the
// function's package needs no node_modules.
//
// Settings come only from environment variables, which the infrastructure code sets:
//   TABLE_NAME     the table's name
//   PARTITION_KEY  the name of its partition key (a string attribute)
//   SORT_KEY       the name of its sort key (a string attribute); absent or empty when it has none
//
// Routes, for API Gateway REST APIs (payload v1) and HTTP APIs (payload v1 or v2), where the item
// route's path parameter is named like PARTITION_KEY, for example /users/{userId}:
//   GET    /users            200 {"items": [...], "next": token or null}; ?limit=1..100 (25),
//                            ?next=<the token of the previous page>
//   POST   /users            201 the stored item; 400 invalid body, 409 when it already exists.
//                            With a sort key missing from the body, it is set to the current time
//                            (ISO 8601, UTC).
//   GET    /users/{userId}   200 the item (with a sort key: the newest of the partition), 404
//   PUT    /users/{userId}   200 the body merged over the stored item, 404 when there is none.
//                            With a sort key, the body's sort key picks the item (default: newest).
//   DELETE /users/{userId}   204 (with a sort key: the newest item of the partition), 404
// Other methods get 405 with an Allow header, other routes 404. Every response is JSON
// (204 has no body); unexpected errors are 500 {"message": "internal error"}, and the detail is
// logged, never sent. Each request logs one JSON line to stdout (CloudWatch Logs).

import { Buffer } from "node:buffer";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";

const TABLE_NAME = process.env.TABLE_NAME;
const PARTITION_KEY = process.env.PARTITION_KEY;
const SORT_KEY = process.env.SORT_KEY || null;

// Created once per execution environment and reused by every invocation it serves.
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 100;
const MAX_ITEM_BYTES = 400 * 1024; // DynamoDB's item size limit
const MAX_DEPTH = 32; // DynamoDB's limit on nested lists and maps
const MAX_KEY_BYTES = { partition: 2048, sort: 1024 };

const COLLECTION_METHODS = ["GET", "POST"];
const ITEM_METHODS = ["GET", "PUT", "DELETE"];

/** An error whose message may be shown to the client. */
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const handler = async (event, context) => {
  let request = { method: null, path: null };
  let response;
  try {
    request = describe(event ?? {});
    response = await route(request);
  } catch (error) {
    if (error instanceof HttpError) {
      response = reply(error.status, { message: error.message });
    } else {
      log({
        level: "error",
        message: "unhandled error",
        requestId: requestId(event, context),
        error: { name: error?.name, message: error?.message, stack: error?.stack },
      });
      response = reply(500, { message: "internal error" });
    }
  }
  log({
    level: "info",
    message: "request",
    requestId: requestId(event, context),
    method: request.method,
    path: request.path,
    status: response.statusCode,
  });
  return response;
};

// ---------------------------------------------------------------------------------------------
// Routing

/** The parts of a proxy event (payload v1 or v2) that the routes read. */
function describe(event) {
  const http = event.requestContext?.http;
  const method = http?.method ?? event.httpMethod;
  // The route's template, such as /users/{userId}: v1 `resource`, v2 `routeKey` ("GET /users").
  let template = null;
  if (typeof event.resource === "string") {
    template = event.resource;
  } else if (typeof event.routeKey === "string" && event.routeKey.includes(" ")) {
    template = event.routeKey.slice(event.routeKey.indexOf(" ") + 1);
  }
  return {
    method: typeof method === "string" ? method.toUpperCase() : null,
    path: event.rawPath ?? event.path ?? null,
    kind: routeKind(template),
    id: event.pathParameters?.[PARTITION_KEY],
    query: event.queryStringParameters ?? {},
    body: event.body,
    isBase64Encoded: event.isBase64Encoded === true,
  };
}

/** "collection" for /users, "item" for /users/{PARTITION_KEY}, null for any other shape. */
function routeKind(template) {
  if (template === null) return null;
  const segments = template.split("/").filter((segment) => segment !== "");
  if (segments.length === 0) return null;
  const parameters = segments.filter((segment) => segment.includes("{"));
  if (parameters.length === 0) return "collection";
  if (parameters.length === 1 && segments.at(-1) === `{${PARTITION_KEY}}`) return "item";
  return null;
}

async function route(request) {
  const { kind, method } = request;
  if (kind === "collection") {
    if (method === "GET") return list(request);
    if (method === "POST") return create(request);
    return reply(405, { message: "method not allowed" }, { Allow: COLLECTION_METHODS.join(", ") });
  }
  if (kind === "item" && typeof request.id === "string" && request.id !== "") {
    if (method === "GET") return read(request);
    if (method === "PUT") return update(request);
    if (method === "DELETE") return remove(request);
    return reply(405, { message: "method not allowed" }, { Allow: ITEM_METHODS.join(", ") });
  }
  return reply(404, { message: "not found" });
}

// ---------------------------------------------------------------------------------------------
// Routes

/** GET /users: one page of a scan. */
async function list(request) {
  const limit = parseLimit(request.query.limit);
  const start = request.query.next === undefined ? undefined : decodeToken(request.query.next);
  const page = await documents.send(
    new ScanCommand({ TableName: TABLE_NAME, Limit: limit, ExclusiveStartKey: start }),
  );
  const next = page.LastEvaluatedKey ? encodeToken(page.LastEvaluatedKey) : null;
  return reply(200, { items: page.Items ?? [], next });
}

/** POST /users: stores a new item, never replacing one. */
async function create(request) {
  const item = parseBody(request);
  requireKey(item, PARTITION_KEY, MAX_KEY_BYTES.partition);
  if (SORT_KEY) {
    if (item[SORT_KEY] === undefined) item[SORT_KEY] = new Date().toISOString();
    requireKey(item, SORT_KEY, MAX_KEY_BYTES.sort);
  }
  checkSize(item);
  try {
    await documents.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: item,
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": PARTITION_KEY },
      }),
    );
  } catch (error) {
    if (error.name === "ConditionalCheckFailedException") {
      throw new HttpError(409, "already exists");
    }
    throw error;
  }
  return reply(201, item);
}

/** GET /users/{id}: the item, or with a sort key the newest item of the partition. */
async function read(request) {
  const item = await find(request.id);
  if (!item) throw new HttpError(404, "not found");
  return reply(200, item);
}

/** PUT /users/{id}: the body merged over the stored item; the key attributes stay. */
async function update(request) {
  const changes = parseBody(request);
  if (changes[PARTITION_KEY] !== undefined && changes[PARTITION_KEY] !== request.id) {
    throw new HttpError(400, `${PARTITION_KEY} in the body does not match the path`);
  }
  let sortKey;
  if (SORT_KEY && changes[SORT_KEY] !== undefined) {
    requireKey(changes, SORT_KEY, MAX_KEY_BYTES.sort);
    sortKey = changes[SORT_KEY];
  }
  const existing = await find(request.id, { sortKey, consistent: true });
  if (!existing) throw new HttpError(404, "not found");
  const item = { ...existing, ...changes, ...keyOf(existing) };
  checkSize(item);
  try {
    await documents.send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: item,
        ConditionExpression: "attribute_exists(#pk)",
        ExpressionAttributeNames: { "#pk": PARTITION_KEY },
      }),
    );
  } catch (error) {
    // Deleted since it was read.
    if (error.name === "ConditionalCheckFailedException") throw new HttpError(404, "not found");
    throw error;
  }
  return reply(200, item);
}

/** DELETE /users/{id}: the item, or with a sort key the newest item of the partition. */
async function remove(request) {
  const existing = await find(request.id, { consistent: true });
  if (!existing) throw new HttpError(404, "not found");
  try {
    await documents.send(
      new DeleteCommand({
        TableName: TABLE_NAME,
        Key: keyOf(existing),
        ConditionExpression: "attribute_exists(#pk)",
        ExpressionAttributeNames: { "#pk": PARTITION_KEY },
      }),
    );
  } catch (error) {
    if (error.name === "ConditionalCheckFailedException") throw new HttpError(404, "not found");
    throw error;
  }
  return reply(204, null);
}

// ---------------------------------------------------------------------------------------------
// DynamoDB

/**
 * The item whose partition key is `id`: with a sort key, the one with `sortKey`, or when that is
 * not given the newest (the greatest sort key). Undefined when there is none.
 */
async function find(id, { sortKey, consistent = false } = {}) {
  if (Buffer.byteLength(id, "utf8") > MAX_KEY_BYTES.partition) return undefined; // cannot exist
  if (!SORT_KEY) {
    const { Item } = await documents.send(
      new GetCommand({
        TableName: TABLE_NAME,
        Key: { [PARTITION_KEY]: id },
        ConsistentRead: consistent,
      }),
    );
    return Item;
  }
  if (sortKey !== undefined) {
    const { Item } = await documents.send(
      new GetCommand({
        TableName: TABLE_NAME,
        Key: { [PARTITION_KEY]: id, [SORT_KEY]: sortKey },
        ConsistentRead: consistent,
      }),
    );
    return Item;
  }
  const { Items } = await documents.send(
    new QueryCommand({
      TableName: TABLE_NAME,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": PARTITION_KEY },
      ExpressionAttributeValues: { ":pk": id },
      ScanIndexForward: false, // newest first
      Limit: 1,
      ConsistentRead: consistent,
    }),
  );
  return Items?.[0];
}

/** The primary key of a stored item. */
function keyOf(item) {
  const key = { [PARTITION_KEY]: item[PARTITION_KEY] };
  if (SORT_KEY) key[SORT_KEY] = item[SORT_KEY];
  return key;
}

// ---------------------------------------------------------------------------------------------
// Input

/** The request body as a JSON object whose values DynamoDB can store. */
function parseBody(request) {
  if (typeof request.body !== "string" || request.body === "") {
    throw new HttpError(400, "request body is required");
  }
  let text = request.body;
  if (request.isBase64Encoded) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
      throw new HttpError(400, "request body is not valid base64");
    }
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
        Buffer.from(text, "base64"),
      );
    } catch {
      throw new HttpError(400, "request body is not valid JSON");
    }
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
  for (const [name, value] of Object.entries(body)) {
    if (name === "") throw new HttpError(400, "attribute names must be non-empty strings");
    checkValue(value, 0);
  }
  return body;
}

/** Rejects what DynamoDB cannot store: deeper nesting than it allows, or numbers out of range. */
function checkValue(value, depth) {
  if (typeof value === "number") {
    // The SDK refuses numbers it cannot convert exactly; DynamoDB's smallest magnitude is 1e-130.
    const magnitude = Math.abs(value);
    if (
      !Number.isFinite(value) ||
      magnitude > Number.MAX_SAFE_INTEGER ||
      (magnitude !== 0 && magnitude < 1e-130)
    ) {
      throw new HttpError(
        400,
        "numbers must be finite, at most 2^53 - 1 and at least 1e-130 in magnitude",
      );
    }
  } else if (value !== null && typeof value === "object") {
    if (depth >= MAX_DEPTH) throw new HttpError(400, "item is nested too deeply");
    for (const element of Object.values(value)) checkValue(element, depth + 1);
  }
}

/** A key attribute: a non-empty string of at most `maxBytes` bytes. */
function requireKey(item, name, maxBytes) {
  const value = item[name];
  if (typeof value !== "string" || value === "") {
    throw new HttpError(400, `${name} must be a non-empty string`);
  }
  if (Buffer.byteLength(value, "utf8") > maxBytes) {
    throw new HttpError(400, `${name} must be at most ${maxBytes} bytes`);
  }
}

function checkSize(item) {
  if (itemSize(item) > MAX_ITEM_BYTES) throw new HttpError(400, "item is larger than 400 KB");
}

/** The item's size as DynamoDB counts it (attribute names plus values), in bytes. */
function itemSize(item) {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name, "utf8") + valueSize(value);
  }
  return size;
}

function valueSize(value) {
  if (typeof value === "string") return Buffer.byteLength(value, "utf8");
  if (typeof value === "number" || typeof value === "bigint") {
    const digits = String(value)
      .replace(/^-/, "")
      .replace(/e.*$/i, "")
      .replace(".", "")
      .replace(/^0+/, "")
      .replace(/0+$/, "");
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (value === null || typeof value === "boolean") return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) value = [...value];
  if (Array.isArray(value)) return value.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  return Object.entries(value).reduce(
    (sum, [name, element]) => sum + 1 + Buffer.byteLength(name, "utf8") + valueSize(element),
    3,
  );
}

function parseLimit(value) {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw new HttpError(400, `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

/** A page token: the scan's LastEvaluatedKey as JSON, in base64url. */
function encodeToken(key) {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

function decodeToken(token) {
  const invalid = new HttpError(400, "next is not a valid page token");
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]+$/.test(token) || token.length % 4 === 1)
    throw invalid;
  let key;
  try {
    key = JSON.parse(
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
        Buffer.from(token, "base64url"),
      ),
    );
  } catch {
    throw invalid;
  }
  // Exactly the table's key attributes, each a non-empty string.
  const names = SORT_KEY ? [PARTITION_KEY, SORT_KEY] : [PARTITION_KEY];
  if (key === null || typeof key !== "object" || Array.isArray(key)) throw invalid;
  const given = Object.keys(key);
  if (
    given.length !== names.length ||
    !names.every((name) => typeof key[name] === "string" && key[name] !== "")
  ) {
    throw invalid;
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// Output

function reply(status, body, headers = {}) {
  return {
    statusCode: status,
    headers: { "Content-Type": "application/json", ...headers },
    body: status === 204 ? "" : JSON.stringify(body, jsonValue),
  };
}

/** JSON for what DynamoDB can hold beyond JSON: sets as arrays, binary as base64, big integers. */
function jsonValue(_name, value) {
  if (value instanceof Set) return [...value];
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "bigint") return Number(value);
  return value;
}

function requestId(event, context) {
  return event?.requestContext?.requestId ?? context?.awsRequestId ?? null;
}

/** One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is. */
function log(entry) {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
}
