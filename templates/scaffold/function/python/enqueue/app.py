"""An AWS Lambda handler for Python 3.13 (app.handler) that accepts work and sends it to a queue.

Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change it
as you like. It uses the boto3 that the python3.13 runtime ships, so the function's package needs
no dependencies.

Settings come only from the environment variable the infrastructure code sets:
  QUEUE_URL  the queue's URL (a FIFO queue's ends in .fifo)

Behind API Gateway (a REST API, or an HTTP API with payload v1 or v2):
  POST  202 {"messageId": "..."}: the JSON object in the body, sent as the message;
        400 when the body is not a JSON object. A FIFO queue gets the object's "groupId" (text)
        as the message group, "default" without one, and the body's SHA-256 as its
        deduplication ID, so a retried request is not queued twice within five minutes.
  other methods: 405 with an Allow header.
Invoked any other way (an SDK, a schedule, another function) the event itself is the message,
and it returns {"messageId": "..."}. Unexpected errors are 500 {"message": "internal error"} (or
raised, when not behind an API), and the detail is logged, never sent. Each request logs one
JSON line to stdout (CloudWatch Logs).
"""

import base64
import binascii
import hashlib
import json
import os
import traceback

import boto3

QUEUE_URL = os.environ.get("QUEUE_URL", "")
sqs = boto3.client("sqs")


class HttpError(Exception):
    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def handler(event, context):
    event = event if isinstance(event, dict) else {}
    request_context = event.get("requestContext") or {}
    method = (request_context.get("http") or {}).get("method") or event.get("httpMethod")
    request_id = request_context.get("requestId") or getattr(context, "aws_request_id", None)
    if method is None:
        message_id = send(event)
        log({"level": "info", "message": "sent", "requestId": request_id, "messageId": message_id})
        return {"messageId": message_id}
    message_id = None
    try:
        if method != "POST":
            raise HttpError(405, f"method {method} is not allowed", {"Allow": "POST"})
        message_id = send(body_of(event))
        response = reply(202, {"messageId": message_id})
    except HttpError as error:
        response = reply(error.status, {"message": error.message}, error.headers)
    except Exception as error:  # anything unexpected: logged in full, never sent to the client
        log(
            {
                "level": "error",
                "message": "unhandled error",
                "requestId": request_id,
                "error": {"name": type(error).__name__, "message": str(error), "stack": traceback.format_exc()},
            }
        )
        response = reply(500, {"message": "internal error"})
    log(
        {
            "level": "info",
            "message": "request",
            "requestId": request_id,
            "method": method,
            "path": event.get("rawPath") or event.get("path"),
            "status": response["statusCode"],
            "messageId": message_id,
        }
    )
    return response


def body_of(event):
    """The request's JSON object."""
    text = event.get("body")
    if text is None:
        raise HttpError(400, "request body is required")
    if event.get("isBase64Encoded"):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise HttpError(400, "request body is not valid base64 UTF-8") from None
    try:
        body = json.loads(text)
    except ValueError:
        raise HttpError(400, "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HttpError(400, "request body must be a JSON object")
    return body


def send(message):
    """Sends one JSON object to the queue; returns its message ID."""
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    params = {"QueueUrl": QUEUE_URL, "MessageBody": body}
    if QUEUE_URL.endswith(".fifo"):
        group = message.get("groupId") if isinstance(message, dict) else None
        params["MessageGroupId"] = group if isinstance(group, str) and group else "default"
        params["MessageDeduplicationId"] = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return sqs.send_message(**params)["MessageId"]


def reply(status, body, headers=None):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body, separators=(",", ":")),
    }


def log(entry):
    """One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is."""
    print(json.dumps(entry, ensure_ascii=False, default=str), flush=True)
