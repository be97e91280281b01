"""A CRUD API over one DynamoDB table, as an AWS Lambda handler for Python 3.13 (app.handler).

Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change it
as you like. It uses the boto3 that the python3.13 runtime ships, so the function's package needs
no dependencies.

Settings come only from environment variables, which the infrastructure code sets:
  TABLE_NAME     the table's name
  PARTITION_KEY  the name of its partition key (a string attribute)
  SORT_KEY       the name of its sort key (a string attribute); absent or empty when it has none

Routes, for API Gateway REST APIs (payload v1) and HTTP APIs (payload v1 or v2), where the item
route's path parameter is named like PARTITION_KEY, for example /users/{userId}:
  GET    /users            200 {"items": [...], "next": token or null}; ?limit=1..100 (25),
                           ?next=<the token of the previous page>
  POST   /users            201 the stored item; 400 invalid body, 409 when it already exists.
                           With a sort key missing from the body, it is set to the current time
                           (ISO 8601, UTC).
  GET    /users/{userId}   200 the item (with a sort key: the newest of the partition), 404
  PUT    /users/{userId}   200 the body merged over the stored item, 404 when there is none.
                           With a sort key, the body's sort key picks the item (default: newest).
  DELETE /users/{userId}   204 (with a sort key: the newest item of the partition), 404
Other methods get 405 with an Allow header, other routes 404. Every response is JSON (204 has no
body); unexpected errors are 500 {"message": "internal error"}, and the detail is logged, never
sent. Each request logs one JSON line to stdout (CloudWatch Logs).
"""

import base64
import binascii
import json
import math
import os
import re
import traceback
from datetime import datetime, timezone
from decimal import Decimal

import boto3
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

TABLE_NAME = os.environ.get("TABLE_NAME")
PARTITION_KEY = os.environ.get("PARTITION_KEY")
SORT_KEY = os.environ.get("SORT_KEY") or None

# Created once per execution environment and reused by every invocation it serves.
dynamodb = boto3.client("dynamodb")
serializer = TypeSerializer()
deserializer = TypeDeserializer()

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's item size limit
MAX_DEPTH = 32  # DynamoDB's limit on nested lists and maps
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
MAX_SAFE_INTEGER = 2**53 - 1  # the largest number JSON clients (JavaScript) read exactly

COLLECTION_METHODS = ("GET", "POST")
ITEM_METHODS = ("GET", "PUT", "DELETE")


class HttpError(Exception):
    """An error whose message may be shown to the client."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def handler(event, context):
    event = event if isinstance(event, dict) else {}
    request = {"method": None, "path": None}
    try:
        request = describe(event)
        response = route(request)
    except HttpError as error:
        response = reply(error.status, {"message": error.message})
    except Exception as error:  # anything unexpected: logged in full, never sent to the client
        log(
            {
                "level": "error",
                "message": "unhandled error",
                "requestId": request_id(event, context),
                "error": {
                    "name": type(error).__name__,
                    "message": str(error),
                    "stack": traceback.format_exc(),
                },
            }
        )
        response = reply(500, {"message": "internal error"})
    log(
        {
            "level": "info",
            "message": "request",
            "requestId": request_id(event, context),
            "method": request["method"],
            "path": request["path"],
            "status": response["statusCode"],
        }
    )
    return response


# ---------------------------------------------------------------------------------------------
# Routing


def describe(event):
    """The parts of a proxy event (payload v1 or v2) that the routes read."""
    http = as_dict(as_dict(event.get("requestContext")).get("http"))
    method = http.get("method") or event.get("httpMethod")
    # The route's template, such as /users/{userId}: v1 `resource`, v2 `routeKey` ("GET /users").
    template = None
    if isinstance(event.get("resource"), str):
        template = event["resource"]
    elif isinstance(event.get("routeKey"), str) and " " in event["routeKey"]:
        template = event["routeKey"].split(" ", 1)[1]
    return {
        "method": method.upper() if isinstance(method, str) else None,
        "path": event.get("rawPath") or event.get("path"),
        "kind": route_kind(template),
        "id": as_dict(event.get("pathParameters")).get(PARTITION_KEY),
        "query": as_dict(event.get("queryStringParameters")),
        "body": event.get("body"),
        "is_base64_encoded": event.get("isBase64Encoded") is True,
    }


def as_dict(value):
    return value if isinstance(value, dict) else {}


def route_kind(template):
    """The route's shape: "collection" (/users), "item" (/users/{PARTITION_KEY}) or None."""
    if template is None:
        return None
    segments = [segment for segment in template.split("/") if segment]
    if not segments:
        return None
    parameters = [segment for segment in segments if "{" in segment]
    if not parameters:
        return "collection"
    if len(parameters) == 1 and segments[-1] == "{" + str(PARTITION_KEY) + "}":
        return "item"
    return None


def route(request):
    kind, method = request["kind"], request["method"]
    if kind == "collection":
        if method == "GET":
            return list_items(request)
        if method == "POST":
            return create_item(request)
        return reply(
            405, {"message": "method not allowed"}, {"Allow": ", ".join(COLLECTION_METHODS)}
        )
    if kind == "item" and isinstance(request["id"], str) and request["id"]:
        if method == "GET":
            return read_item(request)
        if method == "PUT":
            return update_item(request)
        if method == "DELETE":
            return delete_item(request)
        return reply(405, {"message": "method not allowed"}, {"Allow": ", ".join(ITEM_METHODS)})
    return reply(404, {"message": "not found"})


# ---------------------------------------------------------------------------------------------
# Routes


def list_items(request):
    """GET /users: one page of a scan."""
    query = request["query"]
    params = {"TableName": TABLE_NAME, "Limit": parse_limit(query.get("limit"))}
    if query.get("next") is not None:
        params["ExclusiveStartKey"] = to_dynamodb(decode_token(query["next"]))
    page = dynamodb.scan(**params)
    last = page.get("LastEvaluatedKey")
    return reply(
        200,
        {
            "items": [from_dynamodb(item) for item in page.get("Items", [])],
            "next": encode_token(from_dynamodb(last)) if last else None,
        },
    )


def create_item(request):
    """POST /users: stores a new item, never replacing one."""
    item = parse_body(request)
    require_key(item, PARTITION_KEY, MAX_PARTITION_KEY_BYTES)
    if SORT_KEY:
        if SORT_KEY not in item:
            item[SORT_KEY] = (
                datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            )
        require_key(item, SORT_KEY, MAX_SORT_KEY_BYTES)
    check_size(item)
    try:
        dynamodb.put_item(
            TableName=TABLE_NAME,
            Item=to_dynamodb(item),
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": PARTITION_KEY},
        )
    except ClientError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            raise HttpError(409, "already exists") from None
        raise
    return reply(201, item)


def read_item(request):
    """GET /users/{id}: the item, or with a sort key the newest item of the partition."""
    item = find(request["id"])
    if item is None:
        raise HttpError(404, "not found")
    return reply(200, item)


def update_item(request):
    """PUT /users/{id}: the body merged over the stored item; the key attributes stay."""
    changes = parse_body(request)
    if PARTITION_KEY in changes and changes[PARTITION_KEY] != request["id"]:
        raise HttpError(400, f"{PARTITION_KEY} in the body does not match the path")
    sort_key = None
    if SORT_KEY and SORT_KEY in changes:
        require_key(changes, SORT_KEY, MAX_SORT_KEY_BYTES)
        sort_key = changes[SORT_KEY]
    existing = find(request["id"], sort_key=sort_key, consistent=True)
    if existing is None:
        raise HttpError(404, "not found")
    item = {**existing, **changes, **key_of(existing)}
    check_size(item)
    try:
        dynamodb.put_item(
            TableName=TABLE_NAME,
            Item=to_dynamodb(item),
            ConditionExpression="attribute_exists(#pk)",
            ExpressionAttributeNames={"#pk": PARTITION_KEY},
        )
    except ClientError as error:
        if error_code(error) == "ConditionalCheckFailedException":  # deleted since it was read
            raise HttpError(404, "not found") from None
        raise
    return reply(200, item)


def delete_item(request):
    """DELETE /users/{id}: the item, or with a sort key the newest item of the partition."""
    existing = find(request["id"], consistent=True)
    if existing is None:
        raise HttpError(404, "not found")
    try:
        dynamodb.delete_item(
            TableName=TABLE_NAME,
            Key=to_dynamodb(key_of(existing)),
            ConditionExpression="attribute_exists(#pk)",
            ExpressionAttributeNames={"#pk": PARTITION_KEY},
        )
    except ClientError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            raise HttpError(404, "not found") from None
        raise
    return reply(204, None)


# ---------------------------------------------------------------------------------------------
# DynamoDB


def find(item_id, sort_key=None, consistent=False):
    """The item whose partition key is `item_id`: with a sort key, the one with `sort_key`, or when
    that is not given the newest (the greatest sort key). None when there is none."""
    if len(item_id.encode("utf-8", "surrogatepass")) > MAX_PARTITION_KEY_BYTES:
        return None  # cannot exist
    if not SORT_KEY or sort_key is not None:
        key = {PARTITION_KEY: item_id}
        if SORT_KEY:
            key[SORT_KEY] = sort_key
        found = dynamodb.get_item(
            TableName=TABLE_NAME, Key=to_dynamodb(key), ConsistentRead=consistent
        )
        return from_dynamodb(found["Item"]) if "Item" in found else None
    found = dynamodb.query(
        TableName=TABLE_NAME,
        KeyConditionExpression="#pk = :pk",
        ExpressionAttributeNames={"#pk": PARTITION_KEY},
        ExpressionAttributeValues={":pk": {"S": item_id}},
        ScanIndexForward=False,  # newest first
        Limit=1,
        ConsistentRead=consistent,
    )
    items = found.get("Items", [])
    return from_dynamodb(items[0]) if items else None


def key_of(item):
    """The primary key of a stored item."""
    key = {PARTITION_KEY: item[PARTITION_KEY]}
    if SORT_KEY:
        key[SORT_KEY] = item[SORT_KEY]
    return key


def to_dynamodb(item):
    return {name: serializer.serialize(value) for name, value in item.items()}


def from_dynamodb(item):
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def error_code(error):
    return error.response.get("Error", {}).get("Code")


# ---------------------------------------------------------------------------------------------
# Input


def parse_body(request):
    """The request body as a JSON object whose values DynamoDB can store."""
    text = request["body"]
    if not isinstance(text, str) or text == "":
        raise HttpError(400, "request body is required")
    if request["is_base64_encoded"]:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise HttpError(400, "request body is not valid base64") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, "request body is not valid JSON") from None
    try:
        body = json.loads(text, parse_int=parse_int, parse_constant=reject_constant)
    except RecursionError:
        raise HttpError(400, "item is nested too deeply") from None
    except ValueError:
        raise HttpError(400, "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HttpError(400, "request body must be a JSON object")
    item = {}
    for name, value in body.items():
        if name == "":
            raise HttpError(400, "attribute names must be non-empty strings")
        item[name] = check_value(value, 0)
    return item


def parse_int(text):
    # Integers too long to be exact are read as floats, and so refused by check_value.
    return int(text) if len(text) <= 17 else float(text)


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def check_value(value, depth):
    """Rejects what DynamoDB cannot store (deeper nesting than it allows, numbers out of range) and
    returns the value with its numbers as int or Decimal, which boto3 stores exactly."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        magnitude = abs(value)
        if (
            not math.isfinite(magnitude)
            or magnitude > MAX_SAFE_INTEGER
            or (magnitude != 0 and magnitude < 1e-130)
        ):
            raise HttpError(
                400, "numbers must be finite, at most 2^53 - 1 and at least 1e-130 in magnitude"
            )
        if isinstance(value, float):
            return int(value) if value.is_integer() else Decimal(repr(value))
        return value
    if depth >= MAX_DEPTH:
        raise HttpError(400, "item is nested too deeply")
    if isinstance(value, list):
        return [check_value(element, depth + 1) for element in value]
    return {name: check_value(element, depth + 1) for name, element in value.items()}


def require_key(item, name, max_bytes):
    """A key attribute: a non-empty string of at most `max_bytes` bytes."""
    value = item.get(name)
    if not isinstance(value, str) or value == "":
        raise HttpError(400, f"{name} must be a non-empty string")
    if utf8_length(value) > max_bytes:
        raise HttpError(400, f"{name} must be at most {max_bytes} bytes")


def check_size(item):
    if item_size(item) > MAX_ITEM_BYTES:
        raise HttpError(400, "item is larger than 400 KB")


def item_size(item):
    """The item's size as DynamoDB counts it (attribute names plus values), in bytes."""
    return sum(utf8_length(name) + value_size(value) for name, value in item.items())


def value_size(value):
    if isinstance(value, str):
        return utf8_length(value)
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, (int, Decimal)):
        digits = re.sub(r"[eE].*$", "", str(value).lstrip("-")).replace(".", "").strip("0")
        return math.ceil(max(len(digits), 1) / 2) + 1
    if isinstance(value, (bytes, Binary)):
        return len(bytes(value))
    if isinstance(value, (set, frozenset, list, tuple)):
        return 3 + sum(1 + value_size(element) for element in value)
    return 3 + sum(1 + utf8_length(name) + value_size(element) for name, element in value.items())


def utf8_length(text):
    return len(text.encode("utf-8", "surrogatepass"))


def parse_limit(value):
    if value is None:
        return DEFAULT_LIMIT
    if (
        not isinstance(value, str)
        or not re.fullmatch(r"[0-9]{1,4}", value)
        or not 1 <= int(value) <= MAX_LIMIT
    ):
        raise HttpError(400, f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(value)


def encode_token(key):
    """A page token: the scan's LastEvaluatedKey as JSON, in base64url."""
    text = json.dumps(key, separators=(",", ":"), ensure_ascii=False, default=json_value)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_token(token):
    invalid = HttpError(400, "next is not a valid page token")
    if (
        not isinstance(token, str)
        or not re.fullmatch(r"[A-Za-z0-9_-]+", token)
        or len(token) % 4 == 1
    ):
        raise invalid
    try:
        key = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8"))
    except (ValueError, RecursionError):
        raise invalid from None
    # Exactly the table's key attributes, each a non-empty string.
    names = [PARTITION_KEY, SORT_KEY] if SORT_KEY else [PARTITION_KEY]
    if not isinstance(key, dict) or len(key) != len(names):
        raise invalid
    if not all(isinstance(key.get(name), str) and key[name] != "" for name in names):
        raise invalid
    return key


# ---------------------------------------------------------------------------------------------
# Output


def reply(status, body, headers=None):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": (
            ""
            if status == 204
            else json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=json_value)
        ),
    }


def json_value(value):
    """JSON values for what DynamoDB holds and JSON has not: Decimal, sets, binary."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, Binary):
        value = value.value
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def request_id(event, context):
    return as_dict(event.get("requestContext")).get("requestId") or getattr(
        context, "aws_request_id", None
    )


def log(entry):
    """One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is."""
    print(json.dumps(entry, ensure_ascii=False, default=str), flush=True)
