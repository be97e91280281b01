"""An AWS Lambda handler for Python 3.13 (app.handler), for a function that is not bound to a table.

Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change it
as you like. It reads no environment variables.

Behind API Gateway (a REST API, or an HTTP API with payload v1 or v2) it answers 200 with the JSON
body {"ok": true}; invoked any other way (the console, the CLI, an SDK, an event source) it returns
{"ok": true}. Each invocation logs one JSON line to stdout (CloudWatch Logs) with the request id,
the method and the path.
"""

import json


def handler(event, context):
    event = event if isinstance(event, dict) else {}
    request_context = event.get("requestContext") or {}
    method = (request_context.get("http") or {}).get("method") or event.get("httpMethod")
    through_api = method is not None
    if through_api:
        body = json.dumps({"ok": True}, separators=(",", ":"))
        response = {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "body": body,
        }
    else:
        response = {"ok": True}
    log(
        {
            "level": "info",
            "message": "request" if through_api else "invocation",
            "requestId": request_context.get("requestId")
            or getattr(context, "aws_request_id", None),
            "method": method,
            "path": event.get("rawPath") or event.get("path"),
            "status": response["statusCode"] if through_api else None,
        }
    )
    return response


def log(entry):
    """One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is."""
    print(json.dumps(entry, ensure_ascii=False, default=str), flush=True)
