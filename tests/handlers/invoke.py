"""Test driver for tests/handlers.py: loads a scaffolded Python handler and invokes it the way the
Lambda runtime does, in one long-lived process (so module-scope state such as the boto3 client is
reused across invocations, as in a warm execution environment).

    python invoke.py <app.py>

Reads one JSON request per line on stdin, {"event": ..., "context": {...}}, calls
handler(event, context) and writes one line `@@result <JSON>` to stdout, where the JSON is
{"result": ...} or {"error": {"name", "message"}} when the handler raised. Whatever the handler
prints itself (its log lines) comes before that line.
"""

import importlib.util
import json
import sys
import time
import traceback
import uuid

MARKER = "@@result "


def emit(value):
    sys.stdout.write(MARKER + json.dumps(value) + "\n")
    sys.stdout.flush()


class Context:
    def __init__(self, overrides):
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = "cloudwright-test"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = "128"
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:cloudwright-test"
        self.log_group_name = "/aws/lambda/cloudwright-test"
        self.log_stream_name = "test"
        self._deadline = time.monotonic() + 30
        for name, value in overrides.items():
            setattr(self, name, value)

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main():
    try:
        spec = importlib.util.spec_from_file_location("app", sys.argv[1])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        handler = module.handler
    except Exception as error:  # noqa: BLE001 - reported to the harness
        emit({"error": {"name": type(error).__name__, "message": f"import: {error}"}})
        return 1
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        context = Context({"aws_request_id": request.get("context", {}).get("awsRequestId", str(uuid.uuid4()))})
        try:
            emit({"result": handler(request["event"], context)})
        except Exception as error:  # noqa: BLE001 - reported to the harness
            emit({"error": {"name": type(error).__name__, "message": str(error), "stack": traceback.format_exc()}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
