"""An AWS Lambda handler for Python 3.13 (app.handler), for a function that drains an SQS queue.

Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change it
as you like. It reads no environment variables.

Lambda hands it a batch of records (the event source mapping reports partial failures). Each
record goes through process(); a record it cannot process is named in the response's
batchItemFailures, so that it returns to the queue and, after the queue's receive limit, moves to
the dead-letter queue. Every other record of the batch is deleted. From a FIFO queue, the records
after the first failure are reported too, so that a message group keeps its order.

process() accepts a body that is a JSON object and logs it; replace it with the real work, and
raise to fail a record. Each record logs one JSON line to stdout (CloudWatch Logs).
"""

import json


def handler(event, context):
    records = (event or {}).get("Records") or []
    failures = []
    failed_fifo = False
    for record in records:
        message_id = record.get("messageId")
        fifo = str(record.get("eventSourceARN") or "").endswith(".fifo")
        if failed_fifo:
            failures.append({"itemIdentifier": message_id})
            log(record, "skipped", "an earlier record of this FIFO batch failed")
            continue
        try:
            process(record)
        except Exception as error:  # noqa: BLE001 - one record's failure never fails the batch
            failures.append({"itemIdentifier": message_id})
            failed_fifo = fifo
            log(record, "failed", f"{type(error).__name__}: {error}")
        else:
            log(record, "processed", None)
    return {"batchItemFailures": failures}


def process(record):
    """The work for one record: here, read its body as a JSON object."""
    body = json.loads(record.get("body") or "")
    if not isinstance(body, dict):
        raise ValueError("the body is not a JSON object")
    return body


def log(record, outcome, error):
    """One JSON line on stdout, which Lambda sends to CloudWatch Logs as it is."""
    attributes = record.get("attributes") or {}
    entry = {
        "level": "error" if outcome == "failed" else "info",
        "message": outcome,
        "messageId": record.get("messageId"),
        "receiveCount": attributes.get("ApproximateReceiveCount"),
        "messageGroupId": attributes.get("MessageGroupId"),
        "error": error,
    }
    print(json.dumps(entry, ensure_ascii=False, default=str), flush=True)
