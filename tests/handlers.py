"""Tests of the scaffolded Lambda handlers (templates/scaffold/function/{nodejs,python}/*).

Run from the repository root with the validator virtualenv:

    .venv/bin/python tests/handlers.py

1. `node --check` on every .mjs scaffold and `python -m py_compile` on every .py scaffold.
2. `npm ci` in tests/handlers when its node_modules is missing or older than package-lock.json:
   the AWS SDK v3 packages that the Lambda nodejs22.x runtime ships, pinned there.
3. Starts moto_server (from .venv/bin) on a free port of 127.0.0.1, and stops it at the end.
4. Each handler is copied verbatim into a scratch folder (as cloudwright copies it into a user's
   project) and run by a driver (tests/handlers/invoke.mjs or invoke.py) in a subprocess whose
   environment is what the function would get from the IaC: TABLE_NAME, PARTITION_KEY, SORT_KEY,
   plus AWS_ENDPOINT_URL pointing at moto, AWS_REGION and dummy credentials. One driver process
   serves many invocations, as a warm execution environment does.
5. Queue consumers (worker): SQS events as Lambda's poller sends them (standard and FIFO), the
   batchItemFailures answer, and a round trip through a queue in moto. Pipeline steps (step): the
   state a Step Functions execution passes, the report it returns, and the failure it raises.
   Queue senders (enqueue): POSTed JSON objects queued in moto, standard and FIFO (group and
   deduplication), 400 and 405, and a 500 without leaking the detail.
6. The same checks for both languages and for two tables, one with partition key userId and sort
   key createdAt, one with partition key id alone: API Gateway REST (payload v1) and HTTP API
   (payload v2) events, every status code, body and header, the one JSON log line per request, and
   what is stored, read back from the table with boto3.

Prints `PASSED <what>` or `FAILED <what>: <detail>` per check, then `N passed, N failed`; exits 1
when any check failed.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
SCAFFOLD = ROOT / "templates" / "scaffold" / "function"
HANDLERS = ROOT / "tests" / "handlers"
VENV_BIN = ROOT / ".venv" / "bin"
REGION = "us-east-1"
ACCOUNT = "123456789012"
MARKER = "@@result "
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")

LANGUAGES = {
    "nodejs": {"file": "index.mjs", "driver": lambda handler: ["node", str(HANDLERS / "invoke.mjs"), str(handler)]},
    "python": {"file": "app.py", "driver": lambda handler: [sys.executable, str(HANDLERS / "invoke.py"), str(handler)]},
}

# The two tables: (label, partition key, sort key, collection path). The one without a sort key
# gets SORT_KEY="" (as the IaC may set it); a separate check runs it with SORT_KEY absent.
TABLES = [
    ("users", "userId", "createdAt", "/users"),
    ("items", "id", None, "/items"),
]

passed = 0
failed = 0


def report(what: str, problems: list[str]) -> bool:
    global passed, failed
    if problems:
        failed += 1
        print(f"FAILED {what}: {'; '.join(problems)}", flush=True)
        return False
    passed += 1
    print(f"PASSED {what}", flush=True)
    return True


def short(value, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def plain(value):
    """JSON-like values with DynamoDB's Decimals as int or float, for comparing."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# ---------------------------------------------------------------------------------------------
# Static checks and setup


def static_checks(scratch: Path) -> None:
    for path in sorted(SCAFFOLD.rglob("*.mjs")):
        out = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        report(f"node --check {path.relative_to(ROOT)}", [short(out.stderr.strip())] if out.returncode else [])
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(scratch / "pycache")}  # no __pycache__ in templates/
    for path in sorted(SCAFFOLD.rglob("*.py")):
        out = subprocess.run([sys.executable, "-m", "py_compile", str(path)], capture_output=True, text=True, env=env)
        report(f"py_compile {path.relative_to(ROOT)}", [short(out.stderr.strip())] if out.returncode else [])


def npm_ci() -> bool:
    lock = HANDLERS / "package-lock.json"
    installed = HANDLERS / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return True
    out = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"], cwd=HANDLERS, capture_output=True, text=True, timeout=300
    )
    return report("npm ci in tests/handlers", [short(out.stderr.strip() or out.stdout.strip(), 2000)] if out.returncode else [])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(log_path: Path, started: list[subprocess.Popen]) -> str:
    """Starts moto_server and returns its endpoint; the process goes into `started` at once, so
    that the caller stops it whatever happens next."""
    port = free_port()
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )
    started.append(proc)
    log.close()
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return endpoint
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not start: {log_path.read_text(errors='replace')[-2000:]}")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def aws_env(endpoint: str) -> dict[str, str]:
    """The environment of a function in moto's emulated AWS: nothing of this machine's AWS setup."""
    settings = ("TABLE_NAME", "PARTITION_KEY", "SORT_KEY")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in settings}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONDONTWRITEBYTECODE="1",
        # The SDK warns that its releases from 2027 on need Node.js 22: true of this machine's
        # Node.js, not of the nodejs22.x runtime.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="true",
    )
    return env


# ---------------------------------------------------------------------------------------------
# Driver: one handler in one subprocess


class Driver:
    def __init__(self, language: str, handler: Path, env: dict[str, str]):
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            LANGUAGES[language]["driver"](handler), env=env, cwd=handler.parent,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True, encoding="utf-8",
            bufsize=1, start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def invoke(self, event, context_id: str) -> tuple[dict, list[str]]:
        """{"result": ...} or {"error": ...} from the driver, and the lines the handler printed."""
        printed: list[str] = []
        try:
            self.proc.stdin.write(json.dumps({"event": event, "context": {"awsRequestId": context_id}}) + "\n")
            self.proc.stdin.flush()
        except OSError as error:
            return {"error": {"name": "driver", "message": f"writing to the driver: {error}; {self.tail()}"}}, printed
        deadline = time.monotonic() + 30
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                return {"error": {"name": "driver", "message": "no answer within 30 s"}}, printed
            if line is None:
                return {"error": {"name": "driver", "message": f"the driver exited; {self.tail()}"}}, printed
            if line.startswith(MARKER):
                return json.loads(line[len(MARKER):]), printed
            printed.append(line)

    def tail(self) -> str:
        return "stderr: " + short(self.stderr_text().strip(), 1500)

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode(errors="replace")

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


def quiet_check(what: str, driver: Driver) -> None:
    """Everything a handler logs is a JSON line on stdout: nothing on stderr."""
    text = driver.stderr_text().strip()
    report(f"{what}: nothing written to stderr", [short(text, 1000)] if text else [])


# ---------------------------------------------------------------------------------------------
# API Gateway proxy events


def rest_event(method, template, path, path_parameters=None, query=None, body=None, b64=False):
    """An API Gateway REST API proxy event (payload format 1.0)."""
    request_id = str(uuid.uuid4())
    headers = {"Accept": "application/json", "Host": "abc123.execute-api.us-east-1.amazonaws.com"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    return {
        "resource": template,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "abc123",
            "resourceId": "r1",
            "resourcePath": template,
            "httpMethod": method,
            "path": f"/prod{path}",
            "protocol": "HTTP/1.1",
            "stage": "prod",
            "requestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "198.51.100.7", "userAgent": "tests/handlers.py"},
        },
        "body": body,
        "isBase64Encoded": b64,
    }


def http_event(method, template, path, path_parameters=None, query=None, body=None, b64=False, route_key=None):
    """An API Gateway HTTP API proxy event (payload format 2.0)."""
    request_id = str(uuid.uuid4())
    route_key = route_key or f"{method} {template}"
    headers = {"accept": "application/json", "host": "abc123.execute-api.us-east-1.amazonaws.com"}
    if body is not None:
        headers["content-type"] = "application/json"
    event = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": method, "path": path, "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.7", "userAgent": "tests/handlers.py",
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": datetime.now(timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": b64,
    }
    # HTTP APIs leave out what a request does not have.
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        event["body"] = body
    return event


def event_method(event) -> str | None:
    return (event.get("requestContext") or {}).get("http", {}).get("method") or event.get("httpMethod")


def event_path(event) -> str | None:
    return event.get("rawPath") or event.get("path")


# ---------------------------------------------------------------------------------------------
# One CRUD handler bound to one table


class Response:
    def __init__(self, outcome: dict, printed: list[str]):
        self.outcome = outcome
        self.printed = printed
        result = outcome.get("result")
        self.raw = result
        self.status = result.get("statusCode") if isinstance(result, dict) else None
        self.headers = (result.get("headers") or {}) if isinstance(result, dict) else {}
        self.text = result.get("body") if isinstance(result, dict) else None
        try:
            self.body = json.loads(self.text) if self.text else None
        except (TypeError, ValueError):
            self.body = None
        self.logs = []
        self.unparsed = []
        for line in printed:
            try:
                self.logs.append(json.loads(line))
            except ValueError:
                self.unparsed.append(line)


class Crud:
    def __init__(self, language, label, table_name, pk, sk, collection, driver, dynamodb):
        self.language, self.label = language, label
        self.table_name, self.pk, self.sk, self.collection = table_name, pk, sk, collection
        self.driver, self.dynamodb = driver, dynamodb
        self.table = dynamodb.Table(table_name)

    # -- requests

    def event(self, api, method, item_id=None, query=None, body=None, b64=False, template=None, route_key=None):
        if template is None:
            template = f"{self.collection}/{{{self.pk}}}" if item_id is not None else self.collection
        path = f"{self.collection}/{quote(item_id, safe='')}" if item_id is not None else self.collection
        params = {self.pk: item_id} if item_id is not None else None
        build = rest_event if api == "rest" else http_event
        kwargs = {"route_key": route_key} if api == "http" and route_key else {}
        return build(method, template, path, params, query, body, b64, **kwargs)

    def send(self, event) -> tuple[Response, list[str]]:
        """The handler's response to `event`, and what breaks the contract every response keeps."""
        context_id = str(uuid.uuid4())
        response = Response(*self.driver.invoke(event, context_id))
        return response, contract_problems(event, response, context_id)

    def expect(self, what, event, status, body=..., headers=None, stored=None) -> Response:
        """Sends `event`; checks the status, the body (a value, or a function returning problems),
        headers, and what the table holds afterwards (`stored`: a function returning problems)."""
        response, problems = self.send(event)
        if response.status != status:
            problems.insert(0, f"status {response.status}, expected {status} (body {short(response.text)})")
            errors = [line.get("error") for line in response.logs if line.get("level") == "error"]
            if errors:
                problems.insert(1, f"logged {short(errors, 600)}")
        elif body is not ...:
            if callable(body):
                problems += body(response.body)
            elif response.body != body:
                problems.append(f"body {short(response.text)}, expected {short(body)}")
        for name, value in (headers or {}).items():
            if response.headers.get(name) != value:
                problems.append(f"header {name}: {response.headers.get(name)!r}, expected {value!r}")
        if stored is not None and not problems:
            problems += stored()
        api = "REST v1" if "httpMethod" in event else ("HTTP v2" if "routeKey" in event else "direct")
        report(f"{self.language} {self.label}: {what} ({api})", problems)
        return response

    # -- the table, read with boto3

    def key(self, item_id, sort=None):
        key = {self.pk: item_id}
        if self.sk:
            key[self.sk] = sort
        return key

    def get(self, item_id, sort=None):
        item = self.table.get_item(Key=self.key(item_id, sort), ConsistentRead=True).get("Item")
        return plain(item) if item is not None else None

    def scan(self) -> list[dict]:
        items, start = [], None
        while True:
            page = self.table.scan(ConsistentRead=True, **({"ExclusiveStartKey": start} if start else {}))
            items += page["Items"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return sorted((plain(i) for i in items), key=self.sort_key)

    def partition(self, item_id) -> list[dict]:
        return [i for i in self.scan() if i[self.pk] == item_id]

    def sort_key(self, item):
        return (item[self.pk], item.get(self.sk, "") if self.sk else "")

    def holds(self, expected: dict, sort=None):
        """A `stored` check: the item under expected's key (or `sort`) is exactly `expected`."""
        def check():
            got = self.get(expected[self.pk], sort if sort is not None else (expected.get(self.sk) if self.sk else None))
            return [] if got == plain(expected) else [f"table holds {short(got)}, expected {short(expected)}"]
        return check

    def unchanged(self, before: list[dict]):
        def check():
            now = self.scan()
            return [] if now == before else [f"table changed: {short(before)} became {short(now)}"]
        return check


def contract_problems(event, response: Response, context_id: str) -> list[str]:
    """What every response and log must be, whatever the route."""
    problems = []
    if "error" in response.outcome:
        return [f"the handler threw: {short(response.outcome['error'])}"]
    result = response.raw
    if not isinstance(result, dict) or not isinstance(response.status, int):
        return [f"not a proxy response: {short(result)}"]
    if response.headers.get("Content-Type") != "application/json":
        problems.append(f"Content-Type {response.headers.get('Content-Type')!r}")
    if not isinstance(response.text, str):
        problems.append(f"body is not a string: {short(response.text)}")
    elif response.status == 204:
        if response.text != "":
            problems.append(f"204 with a body: {short(response.text)}")
    else:
        try:
            json.loads(response.text)
        except ValueError:
            problems.append(f"body is not JSON: {short(response.text)}")
    if response.status >= 400 and not (isinstance(response.body, dict) and isinstance(response.body.get("message"), str)):
        problems.append(f"error body without a message: {short(response.text)}")
    if response.status == 500:
        if response.body != {"message": "internal error"}:
            problems.append(f"500 body leaks detail: {short(response.text)}")
    if response.unparsed:
        problems.append(f"log lines that are not JSON: {short(response.unparsed)}")
    requests = [line for line in response.logs if line.get("message") == "request"]
    errors = [line for line in response.logs if line.get("level") == "error"]
    if len(requests) != 1:
        problems.append(f"{len(requests)} request log lines, expected 1: {short(response.logs)}")
    else:
        line = requests[0]
        request_id = (event.get("requestContext") or {}).get("requestId") or context_id
        want = {
            "level": "info", "requestId": request_id, "method": event_method(event),
            "path": event_path(event), "status": response.status,
        }
        for name, value in want.items():
            if line.get(name) != value:
                problems.append(f"log {name} {line.get(name)!r}, expected {value!r}")
    if response.status == 500:
        if len(errors) != 1 or not errors[0].get("error", {}).get("name"):
            problems.append(f"a 500 without one error log line naming the error: {short(response.logs)}")
    elif errors:
        problems.append(f"error log lines for a {response.status}: {short(errors)}")
    return problems


# ---------------------------------------------------------------------------------------------
# The CRUD checks, the same for every language and table


def crud_checks(t: Crud) -> None:
    pk, sk = t.pk, t.sk
    message = lambda text: {"message": text}  # noqa: E731
    started = datetime.now(timezone.utc) - timedelta(seconds=5)

    # ---- POST
    first = {pk: "u1", "name": "Ada", "age": 36, "score": 1.5, "tags": ["a", "b"],
             "address": {"city": "London", "zip": None, "verified": True}, "nickname": ""}

    def created_first(body):
        problems = []
        if not isinstance(body, dict):
            return [f"body {short(body)}"]
        rest = {k: v for k, v in body.items() if k != sk}
        if rest != first:
            problems.append(f"body {short(body)}, expected {short(first)}")
        if sk:
            stamp = body.get(sk)
            if not isinstance(stamp, str) or not ISO_UTC.fullmatch(stamp):
                problems.append(f"{sk} {stamp!r} is not ISO 8601 UTC with milliseconds")
            else:
                when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
                if not started <= when <= datetime.now(timezone.utc) + timedelta(seconds=5):
                    problems.append(f"{sk} {stamp} is not the current time")
        return problems

    r = t.expect("POST stores a new item", t.event("rest", "POST", body=json.dumps(first)), 201, created_first)
    # What the rest expects of u1, also when this POST failed (its checks then fail, not the harness).
    newest_u1 = r.body if r.status == 201 and isinstance(r.body, dict) else {**first, **({sk: "?"} if sk else {})}
    report(f"{t.language} {t.label}: POST's item is in the table as returned", [] if t.get("u1", newest_u1.get(sk) if sk else None) == newest_u1 else [f"table holds {short(t.scan())}"])

    second = {pk: "u2", "name": "Bob"}
    if sk:
        second[sk] = "2024-01-01T00:00:00.000Z"
    t.expect("POST stores a new item", t.event("http", "POST", body=json.dumps(second)), 201, second, stored=t.holds(second))

    old_u1 = None
    if sk:
        old_u1 = {pk: "u1", sk: "2020-01-01T00:00:00.000Z", "name": "Ada (2020)"}
        t.expect("POST adds a second item to a partition, keeping the sort key given",
                 t.event("rest", "POST", body=json.dumps(old_u1)), 201, old_u1, stored=t.holds(old_u1))

    before = t.scan()
    duplicate = {**second, "name": "not Bob"}
    t.expect("POST of an existing key is 409 and changes nothing", t.event("http", "POST", body=json.dumps(duplicate)),
             409, message("already exists"), stored=t.unchanged(before))

    third = {pk: "u3", "name": "Zoë ✓", "note": "sent base64-encoded"}
    if sk:
        third[sk] = "2023-06-01T12:00:00.000Z"
    encoded = base64.b64encode(json.dumps(third, ensure_ascii=False).encode("utf-8")).decode()
    t.expect("POST of a base64-encoded body", t.event("http", "POST", body=encoded, b64=True), 201, third,
             stored=t.holds(third))

    # ---- POST: what is refused
    before = t.scan()
    not_string = lambda name: message(f"{name} must be a non-empty string")  # noqa: E731
    numbers = message("numbers must be finite, at most 2^53 - 1 and at least 1e-130 in magnitude")
    deep = {pk: "u9", "deep": json.loads("[" * 40 + "]" * 40)}
    invalid = [
        ("no body", None, False, message("request body is required")),
        ("an empty body", "", False, message("request body is required")),
        ("a body that is not JSON", "name=Ada", False, message("request body is not valid JSON")),
        ("a truncated JSON body", '{"%s": "u9"' % pk, False, message("request body is not valid JSON")),
        ("a JSON array", "[1, 2]", False, message("request body must be a JSON object")),
        ("JSON null", "null", False, message("request body must be a JSON object")),
        ("a JSON string", '"u9"', False, message("request body must be a JSON object")),
        (f"no {pk}", json.dumps({"name": "x"}), False, not_string(pk)),
        (f"an empty {pk}", json.dumps({pk: ""}), False, not_string(pk)),
        (f"a number as {pk}", json.dumps({pk: 5}), False, not_string(pk)),
        (f"a {pk} over 2048 bytes", json.dumps({pk: "é" * 1025}), False, message(f"{pk} must be at most 2048 bytes")),
        ("an empty attribute name", json.dumps({pk: "u9", "": 1}), False, message("attribute names must be non-empty strings")),
        ("NaN", '{"%s": "u9", "n": NaN}' % pk, False, message("request body is not valid JSON")),
        ("a number too large for JSON clients", '{"%s": "u9", "n": 9007199254740993}' % pk, False, numbers),
        ("a number out of range", '{"%s": "u9", "n": 1e300}' % pk, False, numbers),
        ("a number overflowing to infinity", '{"%s": "u9", "n": -1e999}' % pk, False, numbers),
        ("a number too small for DynamoDB", '{"%s": "u9", "n": 1e-200}' % pk, False, numbers),
        ("nesting deeper than DynamoDB's 32 levels", json.dumps(deep), False, message("item is nested too deeply")),
        ("an item over 400 KB", json.dumps({pk: "u9", "blob": "x" * (400 * 1024)}), False, message("item is larger than 400 KB")),
        ("a body that is not base64 though flagged so", "{not base64}", True, message("request body is not valid base64")),
        ("a base64 body that is not UTF-8", base64.b64encode(b'{"x": "\xff"}').decode(), True, message("request body is not valid JSON")),
    ]
    if sk:
        invalid += [
            (f"a number as {sk}", json.dumps({pk: "u9", sk: 7}), False, not_string(sk)),
            (f"an empty {sk}", json.dumps({pk: "u9", sk: ""}), False, not_string(sk)),
            (f"null as {sk}", json.dumps({pk: "u9", sk: None}), False, not_string(sk)),
            (f"a {sk} over 1024 bytes", json.dumps({pk: "u9", sk: "x" * 1025}), False, message(f"{sk} must be at most 1024 bytes")),
        ]
    for what, body, b64, expected in invalid:
        t.expect(f"POST with {what} is 400", t.event("rest" if not b64 else "http", "POST", body=body, b64=b64), 400,
                 expected, stored=t.unchanged(before))

    # Near DynamoDB's limits, but within them: stored. (Not quite 400 KiB: moto refuses items over
    # 405,000 bytes, where AWS takes up to 409,600, the 400 KB that the handlers enforce.)
    edge = {pk: "u8", "blob": "x" * (395 * 1024), "deep": json.loads("[" * 31 + "]" * 31), "n": 9007199254740991,
            "tiny": 1e-100, "neg": -0.25}
    if sk:
        edge[sk] = "2022-02-02T00:00:00.000Z"
    t.expect("POST of an item near DynamoDB's limits", t.event("rest", "POST", body=json.dumps(edge)), 201,
             lambda body: [] if body == edge else [f"body {short(body)}"], stored=t.holds(edge))
    t.expect("DELETE removes it", t.event("http", "DELETE", "u8"), 204,
             stored=lambda: [] if not t.partition("u8") else [f"still stored: {short(t.partition('u8'))}"])

    # ---- GET one
    t.expect("GET of an item" + (" is the newest of its partition" if sk else ""), t.event("rest", "GET", "u1"), 200, newest_u1)
    t.expect("GET of an item", t.event("http", "GET", "u2"), 200, second)
    t.expect("GET of an item with characters to escape in the path",
             t.event("rest", "GET", "nobody/../u1 ?"), 404, message("not found"))
    t.expect("GET of a missing item is 404", t.event("http", "GET", "nobody"), 404, message("not found"))
    t.expect("GET of a key longer than DynamoDB allows is 404", t.event("rest", "GET", "k" * 3000), 404, message("not found"))

    # ---- GET the collection
    everything = t.scan()

    def is_everything(body):
        if not isinstance(body, dict) or set(body) != {"items", "next"}:
            return [f"body {short(body)}"]
        problems = []
        if sorted(body["items"], key=t.sort_key) != everything:
            problems.append(f"items {short(body['items'])}, expected {short(everything)}")
        if body["next"] is not None:
            problems.append(f"next {body['next']!r} after the last page")
        return problems

    t.expect("GET of the collection lists every item", t.event("rest", "GET"), 200, is_everything)
    t.expect("GET of the collection with limit=100", t.event("http", "GET", query={"limit": "100"}), 200, is_everything)

    pages, seen, token, problems = 0, [], None, []
    while pages < 10:
        query = {"limit": "2", **({"next": token} if token else {})}
        response, contract = t.send(t.event("http" if pages % 2 else "rest", "GET", query=query))
        problems += contract
        pages += 1
        body = response.body
        if response.status != 200 or not isinstance(body, dict) or not isinstance(body.get("items"), list):
            problems.append(f"page {pages}: status {response.status}, body {short(response.text)}")
            break
        if len(body["items"]) > 2:
            problems.append(f"page {pages} has {len(body['items'])} items")
        seen += body["items"]
        token = body.get("next")
        if token is None:
            break
        if not isinstance(token, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", token):
            problems.append(f"next {token!r} is not base64url")
            break
    if sorted(seen, key=t.sort_key) != everything:
        problems.append(f"the pages held {short(seen)}, expected {short(everything)}")
    if pages < 2:
        problems.append(f"{len(everything)} items in {pages} page(s) of 2")
    report(f"{t.language} {t.label}: GET of the collection pages through every item once with limit and next", problems)

    for value in ["0", "101", "-1", "1.5", "abc", "", "10 "]:
        t.expect(f"GET of the collection with limit={value!r} is 400", t.event("rest", "GET", query={"limit": value}),
                 400, message("limit must be an integer from 1 to 100"))
    wrong_tokens = {
        "not base64url": "!!!",
        "base64url of a JSON array": b64url("[1]"),
        "base64url of text that is not JSON": b64url("hello"),
        "a key of other attributes": b64url(json.dumps({"other": "x"})),
        "a key whose value is a number": b64url(json.dumps({pk: 5, **({sk: "x"} if sk else {})})),
        "a key with an extra attribute": b64url(json.dumps({pk: "u1", "extra": "x", **({sk: "x"} if sk else {})})),
        "an empty token": "",
    }
    if sk:
        wrong_tokens["a key without the sort key"] = b64url(json.dumps({pk: "u1"}))
    for what, token in wrong_tokens.items():
        t.expect(f"GET of the collection with next as {what} is 400", t.event("http", "GET", query={"next": token}),
                 400, message("next is not a valid page token"))

    # ---- PUT
    bobby = {**second, "name": "Bobby", "email": "bob@example.com", "prefs": {"theme": "dark"}}
    t.expect("PUT merges the body over the stored item", t.event("rest", "PUT", "u2",
             body=json.dumps({"name": "Bobby", "email": "bob@example.com", "prefs": {"theme": "dark"}})),
             200, bobby, stored=t.holds(bobby))
    bobby = {**bobby, "age": 40}
    t.expect(f"PUT with the path's {pk} in the body", t.event("http", "PUT", "u2", body=json.dumps({pk: "u2", "age": 40})),
             200, bobby, stored=t.holds(bobby))
    before = t.scan()
    t.expect(f"PUT with another {pk} in the body is 400", t.event("rest", "PUT", "u2", body=json.dumps({pk: "u3", "age": 1})),
             400, message(f"{pk} in the body does not match the path"), stored=t.unchanged(before))
    t.expect("PUT of a missing item is 404 and creates nothing", t.event("http", "PUT", "nobody", body=json.dumps({"a": 1})),
             404, message("not found"), stored=t.unchanged(before))
    t.expect("PUT with a body that is not JSON is 400", t.event("rest", "PUT", "u2", body="{"), 400,
             message("request body is not valid JSON"), stored=t.unchanged(before))
    t.expect("PUT with a JSON array is 400", t.event("rest", "PUT", "u2", body="[]"), 400,
             message("request body must be a JSON object"), stored=t.unchanged(before))
    t.expect("PUT without a body is 400", t.event("http", "PUT", "u2"), 400, message("request body is required"),
             stored=t.unchanged(before))
    t.expect("PUT that would make the item over 400 KB is 400",
             t.event("rest", "PUT", "u2", body=json.dumps({"blob": "x" * (400 * 1024)})), 400,
             message("item is larger than 400 KB"), stored=t.unchanged(before))
    if sk:
        t.expect(f"PUT with a {sk} picks that item of the partition",
                 t.event("http", "PUT", "u1", body=json.dumps({sk: old_u1[sk], "name": "Ada (2020, edited)"})),
                 200, {**old_u1, "name": "Ada (2020, edited)"},
                 stored=lambda: t.holds({**old_u1, "name": "Ada (2020, edited)"})() + t.holds(newest_u1)())
        old_u1 = {**old_u1, "name": "Ada (2020, edited)"}
        before = t.scan()
        t.expect(f"PUT with a {sk} no item has is 404",
                 t.event("rest", "PUT", "u1", body=json.dumps({sk: "1999-01-01T00:00:00.000Z", "x": 1})), 404,
                 message("not found"), stored=t.unchanged(before))
        t.expect(f"PUT with a number as {sk} is 400", t.event("rest", "PUT", "u1", body=json.dumps({sk: 5})), 400,
                 message(f"{sk} must be a non-empty string"), stored=t.unchanged(before))
    newest_u1 = {**newest_u1, "name": "Ada L.", "age": 37}
    t.expect("PUT of an item" + (f" without {sk} updates the newest of its partition" if sk else ""),
             t.event("rest", "PUT", "u1", body=json.dumps({"name": "Ada L.", "age": 37})), 200, newest_u1,
             stored=lambda: t.holds(newest_u1)() + (t.holds(old_u1)() if sk else []))

    # ---- DELETE
    if sk:
        t.expect("DELETE removes the newest item of the partition", t.event("rest", "DELETE", "u1"), 204,
                 stored=lambda: [] if t.partition("u1") == [old_u1] else [f"partition holds {short(t.partition('u1'))}"])
        t.expect("GET after DELETE is the next newest item", t.event("http", "GET", "u1"), 200, old_u1)
        t.expect("DELETE removes the last item of the partition", t.event("http", "DELETE", "u1"), 204,
                 stored=lambda: [] if not t.partition("u1") else [f"partition holds {short(t.partition('u1'))}"])
    else:
        t.expect("DELETE removes the item", t.event("rest", "DELETE", "u1"), 204,
                 stored=lambda: [] if not t.partition("u1") else [f"still stored: {short(t.partition('u1'))}"])
    t.expect("GET after DELETE is 404", t.event("rest", "GET", "u1"), 404, message("not found"))
    before = t.scan()
    t.expect("DELETE of a missing item is 404", t.event("http", "DELETE", "u1"), 404, message("not found"),
             stored=t.unchanged(before))
    t.expect("DELETE of a key longer than DynamoDB allows is 404", t.event("rest", "DELETE", "k" * 3000), 404,
             message("not found"), stored=t.unchanged(before))

    # ---- Methods and routes the handler does not serve
    allowed_collection = {"Allow": "GET, POST"}
    allowed_item = {"Allow": "GET, PUT, DELETE"}
    not_allowed = message("method not allowed")
    t.expect("PATCH of the collection is 405", t.event("rest", "PATCH"), 405, not_allowed, allowed_collection,
             stored=t.unchanged(before))
    t.expect("DELETE of the collection through an ANY route is 405",
             t.event("http", "DELETE", route_key=f"ANY {t.collection}"), 405, not_allowed, allowed_collection,
             stored=t.unchanged(before))
    t.expect("POST of an item is 405", t.event("rest", "POST", "u2", body=json.dumps({pk: "u2"})), 405, not_allowed,
             allowed_item, stored=t.unchanged(before))
    t.expect("PATCH of an item through an ANY route is 405",
             t.event("http", "PATCH", "u2", body="{}", route_key=f"ANY {t.collection}/{{{pk}}}"), 405, not_allowed,
             allowed_item, stored=t.unchanged(before))
    t.expect("a proxy+ route is 404", t.event("rest", "GET", template="/{proxy+}"), 404, message("not found"))
    t.expect("the $default route is 404", t.event("http", "GET", route_key="$default"), 404, message("not found"))
    t.expect("a nested route is 404", t.event("rest", "GET", "u2", template=f"{t.collection}/{{{pk}}}/orders"), 404,
             message("not found"))
    t.expect("an item route whose parameter is not the partition key is 404",
             t.event("http", "GET", "u2", template=f"{t.collection}/{{other}}"), 404, message("not found"))
    t.expect("a direct invocation is 404", {"hello": "world"}, 404, message("not found"))


def unexpected_error_checks(t: Crud) -> None:
    """The table does not exist: what AWS says must reach the log, not the client."""
    for api, method, body in [("rest", "GET", None), ("http", "POST", json.dumps({t.pk: "u1"}))]:
        r = t.expect(f"{method} when the table is missing is 500 with nothing of the error", t.event(api, method, body=body),
                     500, {"message": "internal error"})
        errors = [line for line in r.logs if line.get("level") == "error"]
        name = errors[0].get("error", {}).get("name") if errors else None
        report(f"{t.language} {t.label}: the 500's log line names the error ({api})",
               [] if name == "ResourceNotFoundException" else [f"error log {short(errors)}"])


def absent_sort_key_checks(t: Crud) -> None:
    item = {t.pk: "a1", "v": 1}
    t.expect("POST with SORT_KEY absent from the environment", t.event("rest", "POST", body=json.dumps(item)), 201, item,
             stored=t.holds(item))
    t.expect("GET with SORT_KEY absent from the environment", t.event("http", "GET", "a1"), 200, item)
    t.expect("DELETE with SORT_KEY absent from the environment", t.event("rest", "DELETE", "a1"), 204,
             stored=lambda: [] if t.get("a1") is None else ["still stored"])


def basic_checks(language: str, driver: Driver) -> None:
    def run(what, event, expected):
        context_id = str(uuid.uuid4())
        response = Response(*driver.invoke(event, context_id))
        problems = []
        if "error" in response.outcome:
            problems.append(f"the handler threw: {short(response.outcome['error'])}")
        elif response.raw != expected:
            problems.append(f"returned {short(response.raw)}, expected {short(expected)}")
        if response.unparsed:
            problems.append(f"log lines that are not JSON: {short(response.unparsed)}")
        want = {
            "level": "info",
            "requestId": (event.get("requestContext") or {}).get("requestId") or context_id,
            "method": event_method(event),
            "path": event_path(event),
        }
        if len(response.logs) != 1:
            problems.append(f"{len(response.logs)} log lines, expected 1")
        else:
            for name, value in want.items():
                if response.logs[0].get(name) != value:
                    problems.append(f"log {name} {response.logs[0].get(name)!r}, expected {value!r}")
        report(f"{language} basic: {what}", problems)

    ok = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '{"ok":true}'}
    run("a REST API (v1) request is 200 {\"ok\": true}", rest_event("GET", "/hello", "/hello"), ok)
    run("an HTTP API (v2) request is 200 {\"ok\": true}",
        http_event("POST", "/hello/{name}", "/hello/ada", {"name": "ada"}, body="{}"), ok)
    run("a direct invocation returns {\"ok\": true}", {"source": "manual", "detail": {}}, {"ok": True})


# ---------------------------------------------------------------------------------------------
# Queue consumers: SQS events, partial batch failures, and a queue in moto


def sqs_record(body, queue_arn, message_id=None, group=None, receipt="rh", attributes=None):
    """A record as Lambda's SQS poller hands it over."""
    attrs = {"ApproximateReceiveCount": "1", "SentTimestamp": "1767225600000",
             "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1767225600001"}
    if group:
        attrs.update({"MessageGroupId": group, "MessageDeduplicationId": str(uuid.uuid4()), "SequenceNumber": "1"})
    attrs.update(attributes or {})
    return {
        "messageId": message_id or str(uuid.uuid4()), "receiptHandle": receipt, "body": body,
        "attributes": attrs, "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn, "awsRegion": REGION,
    }


def worker_checks(language: str, driver: Driver, sqs) -> None:
    standard = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
    fifo = f"arn:aws:sqs:{REGION}:{ACCOUNT}:payments.fifo"

    def run(what, event, failed_ids, outcomes):
        response = Response(*driver.invoke(event, str(uuid.uuid4())))
        problems = []
        if "error" in response.outcome:
            problems.append(f"the handler threw: {short(response.outcome['error'])}")
        elif response.raw != {"batchItemFailures": [{"itemIdentifier": i} for i in failed_ids]}:
            problems.append(f"returned {short(response.raw)}, expected the failures {failed_ids}")
        if response.unparsed:
            problems.append(f"log lines that are not JSON: {short(response.unparsed)}")
        got = [(entry.get("messageId"), entry.get("message")) for entry in response.logs]
        if got != outcomes:
            problems.append(f"logged {got}, expected {outcomes}")
        report(f"{language} worker: {what}", problems)

    good, bad, later = (sqs_record('{"job": 1}', standard), sqs_record("not json", standard),
                        sqs_record('{"job": 3}', standard))
    run("a record it cannot process is reported, the others are not", {"Records": [good, bad, later]},
        [bad["messageId"]],
        [(good["messageId"], "processed"), (bad["messageId"], "failed"), (later["messageId"], "processed")])
    array = sqs_record("[1, 2]", standard)
    run("a body that is JSON but not an object fails", {"Records": [array]}, [array["messageId"]],
        [(array["messageId"], "failed")])
    first, broken, after = (sqs_record('{"pay": 1}', fifo, group="g1"), sqs_record("{", fifo, group="g1"),
                            sqs_record('{"pay": 3}', fifo, group="g1"))
    run("from a FIFO queue, the records after a failure are reported too, in order",
        {"Records": [first, broken, after]}, [broken["messageId"], after["messageId"]],
        [(first["messageId"], "processed"), (broken["messageId"], "failed"), (after["messageId"], "skipped")])
    run("an empty batch reports no failures", {"Records": []}, [], [])

    # Against a queue in moto: what the event source mapping does with the answer — delete what
    # succeeded, return what failed — leaves exactly the failed message on the queue.
    name = f"{language}-jobs-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for body in ('{"n": 1}', "oops", '{"n": 3}'):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    received = []
    for _ in range(5):
        received += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
        if len(received) >= 3:
            break
    event = {"Records": [sqs_record(m["Body"], arn, m["MessageId"], receipt=m["ReceiptHandle"],
                                    attributes=m.get("Attributes")) for m in received]}
    response = Response(*driver.invoke(event, str(uuid.uuid4())))
    problems = []
    failures = [f.get("itemIdentifier") for f in (response.raw or {}).get("batchItemFailures", [])] \
        if isinstance(response.raw, dict) else []
    by_id = {m["MessageId"]: m for m in received}
    for m in received:
        if m["MessageId"] in failures:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        else:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    left = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    if len(received) != 3:
        problems.append(f"received {len(received)} messages from moto, expected 3")
    if [by_id[i]["Body"] for i in failures if i in by_id] != ["oops"]:
        problems.append(f"reported {failures}, expected only the message `oops`")
    if [m["Body"] for m in left] != ["oops"]:
        problems.append(f"left on the queue: {[m['Body'] for m in left]}, expected only `oops`")
    report(f"{language} worker: against a queue in moto, only the failed message stays on the queue", problems)


# ---------------------------------------------------------------------------------------------
# Queue senders: POSTed JSON objects sent to a queue in moto


def enqueue_checks(language: str, make_driver, sqs) -> None:
    tag = uuid.uuid4().hex[:8]
    standard = sqs.create_queue(QueueName=f"{language}-in-{tag}")["QueueUrl"]
    fifo = sqs.create_queue(QueueName=f"{language}-pay-{tag}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    driver = make_driver({"QUEUE_URL": standard})

    def drain(url):
        got = []
        for _ in range(3):
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
            got += batch
            for m in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            if not batch:
                break
        return got

    def run(what, d, event, status, queued=None, url=standard, lines=1, headers=None):
        response = Response(*d.invoke(event, str(uuid.uuid4())))
        problems = []
        if "error" in response.outcome:
            problems.append(f"the handler threw: {short(response.outcome['error'])}")
        elif status is None:
            if not (isinstance(response.raw, dict) and isinstance(response.raw.get("messageId"), str)):
                problems.append(f"returned {short(response.raw)}, expected {{messageId}}")
        elif response.status != status:
            problems.append(f"status {response.status}, expected {status}: {short(response.raw)}")
        elif status == 202 and not isinstance((response.body or {}).get("messageId"), str):
            problems.append(f"body {short(response.body)} has no messageId")
        for name, value in (headers or {}).items():
            if response.headers.get(name) != value:
                problems.append(f"header {name} {response.headers.get(name)!r}, expected {value!r}")
        if response.unparsed:
            problems.append(f"log lines that are not JSON: {short(response.unparsed)}")
        if len(response.logs) != lines:
            problems.append(f"{len(response.logs)} log lines, expected {lines}")
        got = drain(url)
        bodies = [m["Body"] for m in got]
        if queued is not None and bodies != queued:
            problems.append(f"the queue holds {bodies}, expected {queued}")
        report(f"{language} enqueue: {what}", problems)
        return got

    run("a REST API (v1) POST of a JSON object is 202 and queued as sent",
        driver, rest_event("POST", "/jobs", "/jobs", body='{"job": 1, "kind": "resize"}'), 202,
        ['{"job":1,"kind":"resize"}'])
    run("an HTTP API (v2) POST with a base64 body is 202 and queued",
        driver, http_event("POST", "/jobs", "/jobs", body=base64.b64encode(b'{"job": 2}').decode(), b64=True), 202, ['{"job":2}'])
    run("a body that is not a JSON object is 400 and queues nothing",
        driver, http_event("POST", "/jobs", "/jobs", body="[1, 2]"), 400, [])
    run("a body that is not JSON is 400", driver, rest_event("POST", "/jobs", "/jobs", body="{"), 400, [])
    run("a GET is 405 with Allow: POST", driver, rest_event("GET", "/jobs", "/jobs"), 405, [],
        headers={"Allow": "POST"})
    run("a direct invocation queues the event itself", driver, {"source": "manual", "n": 3}, None,
        ['{"n":3,"source":"manual"}'])
    paying = make_driver({"QUEUE_URL": fifo})
    event = http_event("POST", "/payments", "/payments", body='{"groupId": "acct-7", "amount": 5}')
    # Both sends succeed; the queue keeps one message, as SQS deduplicates within five minutes.
    paying.invoke(event, str(uuid.uuid4()))
    run("the same POST twice is one message on a FIFO queue", paying, event, 202, url=fifo,
        queued=['{"amount":5,"groupId":"acct-7"}'])
    got = run("the message group is the body's groupId",
              paying, http_event("POST", "/payments", "/payments", body='{"groupId": "acct-9", "amount": 6}'), 202,
              url=fifo, queued=['{"amount":6,"groupId":"acct-9"}'])
    groups = [m.get("Attributes", {}).get("MessageGroupId") for m in got]
    report(f"{language} enqueue: the FIFO message's group is acct-9", [] if groups == ["acct-9"] else [f"groups {groups}"])
    broken = make_driver({"QUEUE_URL": standard + "-missing"})
    run("a queue that is not there is 500 internal error, with the detail logged",
        broken, rest_event("POST", "/jobs", "/jobs", body='{"job": 4}'), 500, [], lines=2)


# ---------------------------------------------------------------------------------------------
# Pipeline steps: the state a Step Functions execution hands a function


def objects_checks(language: str, make_driver, s3) -> None:
    """A function S3 invokes for new objects of a lake zone: the Python scaffold converts each CSV
    to Parquet in OUTPUT_BUCKET (read back with pyarrow), the Node.js one reads and reports it."""
    import io

    import pyarrow.parquet as pq

    tag = uuid.uuid4().hex[:8]
    raw, out = f"{language}-raw-{tag}", f"{language}-processed-{tag}"
    for bucket in (raw, out):
        s3.create_bucket(Bucket=bucket)
    driver = make_driver({"OUTPUT_BUCKET": out, "INPUT_PREFIX": "incoming/"})

    def event(key):
        quoted = urllib.parse.quote_plus(key, safe="/")
        return {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                             "s3": {"bucket": {"name": raw, "arn": f"arn:aws:s3:::{raw}"}, "object": {"key": quoted}}}]}

    def invoke(what, key, body, check):
        s3.put_object(Bucket=raw, Key=key, Body=body.encode("utf-8"))
        response = Response(*driver.invoke(event(key), str(uuid.uuid4())))
        problems = list(check(response))
        if response.unparsed:
            problems.append(f"log lines that are not JSON: {short(response.unparsed)}")
        report(f"{language} objects: {what}", problems)

    orders = "order_id,customer,amount,order_date\n1,Ann,12.50,2026-12-01\n2,\"Bö, Jr\",7,2026-12-01\n3,Cy\n"
    if language == "python":
        def converted(expected_key, rows, columns):
            def check(response):
                if "error" in response.outcome:
                    yield f"the handler threw: {short(response.outcome['error'])}"
                    return
                if response.raw != {"converted": [expected_key]}:
                    yield f"returned {short(response.raw)}, expected {{'converted': [{expected_key!r}]}}"
                try:
                    data = s3.get_object(Bucket=out, Key=expected_key)["Body"].read()
                except Exception as error:  # noqa: BLE001
                    yield f"no {expected_key} in the output zone: {error}"
                    return
                table = pq.read_table(io.BytesIO(data))
                if table.column_names != columns:
                    yield f"columns {table.column_names}, expected {columns}"
                if table.to_pylist() != rows:
                    yield f"rows {short(table.to_pylist())}, expected {short(rows)}"
                if len(response.logs) != 1:
                    yield f"{len(response.logs)} log lines, expected 1"
            return check

        invoke("a CSV becomes Parquet under the key without the prefix, every field a string, short rows padded",
               "incoming/orders/2026-12-01.csv", orders,
               converted("orders/2026-12-01.parquet",
                         [{"order_id": "1", "customer": "Ann", "amount": "12.50", "order_date": "2026-12-01"},
                          {"order_id": "2", "customer": "Bö, Jr", "amount": "7", "order_date": "2026-12-01"},
                          {"order_id": "3", "customer": "Cy", "amount": "", "order_date": ""}],
                         ["order_id", "customer", "amount", "order_date"]))
        wide = ",".join(f"c{i}" for i in range(20)) + "\n" + "\n".join(",".join(str(r * i) for i in range(20)) for r in range(300))
        invoke("a key with spaces, 20 columns and 300 rows", "incoming/wide day.csv", wide,
               converted("wide day.parquet", [{f"c{i}": str(r * i) for i in range(20)} for r in range(300)],
                         [f"c{i}" for i in range(20)]))
        invoke("an empty or repeated column name becomes column_<n>", "incoming/names.csv", "a,,a\n1,2,3\n",
               converted("names.parquet", [{"a": "1", "column_2": "2", "column_3": "3"}], ["a", "column_2", "column_3"]))

        def refused(response):
            if "error" not in response.outcome:
                yield f"returned {short(response.raw)}, expected the invocation to fail"
            elif "line 2" not in str(response.outcome["error"]):
                yield f"the error does not name the line: {short(response.outcome['error'])}"
        invoke("a row with more fields than the header fails the invocation, naming the line",
               "incoming/bad.csv", "a,b\n1,2,3\n", refused)
    else:
        def seen(key, lines):
            def check(response):
                if "error" in response.outcome:
                    yield f"the handler threw: {short(response.outcome['error'])}"
                    return
                if response.raw != {"seen": [key]}:
                    yield f"returned {short(response.raw)}, expected {{'seen': [{key!r}]}}"
                logged = [line for line in response.logs if line.get("key") == key]
                if len(logged) != 1 or logged[0].get("lines") != lines:
                    yield f"logged {short(response.logs)}, expected one line for {key} with {lines} lines"
            return check
        invoke("a new object is read and reported with its lines", "incoming/orders/2026-12-01.csv", orders,
               seen("incoming/orders/2026-12-01.csv", 4))
        invoke("a key with spaces is decoded", "incoming/wide day.csv", "a\n1\n", seen("incoming/wide day.csv", 2))


def step_checks(language: str, driver: Driver) -> None:
    def run(what, event, check):
        response = Response(*driver.invoke(event, str(uuid.uuid4())))
        problems = check(response)
        if response.unparsed:
            problems.append(f"log lines that are not JSON: {short(response.unparsed)}")
        if len(response.logs) != 1:
            problems.append(f"{len(response.logs)} log lines, expected 1")
        report(f"{language} step: {what}", problems)

    def returns(expected):
        def check(response):
            if "error" in response.outcome:
                return [f"the handler threw: {short(response.outcome['error'])}"]
            return [] if response.raw == expected else [f"returned {short(response.raw)}, expected {short(expected)}"]
        return check

    glue = lambda run_id, state: {"job_run_id": run_id, "state": state, "execution_time": 42}  # noqa: E731
    state = {
        "execution_date": "2026-12-02T06:00:00Z",
        "results": {"extract": glue("jr_1", "SUCCEEDED"), "transform": glue("jr_2", "SUCCEEDED")},
    }
    run("it reports the Glue runs it loaded, with the execution date", state, returns({
        "execution_date": "2026-12-02T06:00:00Z",
        "loaded": [{"step": "extract", "job_run_id": "jr_1", "execution_time": 42},
                   {"step": "transform", "job_run_id": "jr_2", "execution_time": 42}],
        "skipped": [], "status": "loaded",
    }))
    with_function = {"execution_date": "2026-12-02T06:00:00Z",
                     "results": {"count": {"payload": {"rows": 3}}, "transform": glue("jr_2", "SUCCEEDED")}}
    run("a function step's result is skipped, not loaded", with_function, returns({
        "execution_date": "2026-12-02T06:00:00Z",
        "loaded": [{"step": "transform", "job_run_id": "jr_2", "execution_time": 42}],
        "skipped": ["count"], "status": "loaded",
    }))

    def dated(response):
        raw = response.raw if isinstance(response.raw, dict) else {}
        problems = []
        if "error" in response.outcome:
            problems.append(f"the handler threw: {short(response.outcome['error'])}")
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(raw.get("execution_date"))):
            problems.append(f"execution_date {raw.get('execution_date')!r} is not a UTC timestamp")
        if raw.get("status") != "nothing-to-load" or raw.get("loaded") != []:
            problems.append(f"returned {short(raw)}, expected nothing to load")
        return problems
    run("started by hand (no execution date, no results) it loads nothing, dated now", {}, dated)

    def fails(response):
        error = response.outcome.get("error")
        if not error:
            return [f"returned {short(response.raw)}, expected it to throw"]
        text = json.dumps(error)
        return [] if "StepFailed" in text and "transform" in text else [f"threw {short(error)}, expected StepFailed naming transform"]
    failed = {"execution_date": "2026-12-02T06:00:00Z",
              "results": {"extract": glue("jr_1", "SUCCEEDED"), "transform": glue("jr_2", "FAILED")}}
    run("an earlier step that did not succeed makes it throw StepFailed", failed, fails)


# ---------------------------------------------------------------------------------------------


def create_table(client, name, pk, sk):
    schema = [{"AttributeName": pk, "KeyType": "HASH"}]
    attributes = [{"AttributeName": pk, "AttributeType": "S"}]
    if sk:
        schema.append({"AttributeName": sk, "KeyType": "RANGE"})
        attributes.append({"AttributeName": sk, "AttributeType": "S"})
    client.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=attributes, BillingMode="PAY_PER_REQUEST")


def main() -> int:
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix=".run-", dir=HANDLERS))  # under tests/handlers: finds its node_modules
    servers: list[subprocess.Popen] = []
    drivers: list[Driver] = []
    try:
        static_checks(scratch)
        if not npm_ci():
            return finish(started)

        # The handlers, copied verbatim, as cloudwright copies them into a user's project.
        handlers = {}
        for language, spec in LANGUAGES.items():
            for kind in ("basic", "crud", "worker", "step", "enqueue", "objects"):
                target = scratch / language / kind
                target.mkdir(parents=True)
                handlers[language, kind] = Path(shutil.copy2(SCAFFOLD / language / kind / spec["file"], target))

        endpoint = start_moto(scratch / "moto.log", servers)
        import boto3

        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        client = session.client("dynamodb", endpoint_url=endpoint)
        dynamodb = session.resource("dynamodb", endpoint_url=endpoint)
        env = aws_env(endpoint)

        def driver(language, kind, extra):
            d = Driver(language, handlers[language, kind], {**env, **extra})
            drivers.append(d)
            return d

        def group(what, run):
            """One group of checks; should the harness itself break in it, the next groups still run."""
            try:
                run()
            except Exception as error:  # noqa: BLE001
                report(f"{what}: the checks ran to the end", [f"{type(error).__name__}: {error}"])

        sqs = session.client("sqs", endpoint_url=endpoint)
        s3 = session.client("s3", endpoint_url=endpoint)
        for language in LANGUAGES:
            d = driver(language, "basic", {})
            group(f"{language} basic", lambda: (basic_checks(language, d), quiet_check(f"{language} basic", d)))
            w = driver(language, "worker", {})
            group(f"{language} worker", lambda: (worker_checks(language, w, sqs), quiet_check(f"{language} worker", w)))
            st = driver(language, "step", {})
            group(f"{language} step", lambda: (step_checks(language, st), quiet_check(f"{language} step", st)))
            group(f"{language} enqueue", lambda: enqueue_checks(language, lambda extra: driver(language, "enqueue", extra), sqs))
            group(f"{language} objects", lambda: objects_checks(language, lambda extra: driver(language, "objects", extra), s3))
            for label, pk, sk, collection in TABLES:
                name = f"{language}-{label}"
                create_table(client, name, pk, sk)
                settings = {"TABLE_NAME": name, "PARTITION_KEY": pk, "SORT_KEY": sk or ""}
                shown = f"{label}({pk}{', ' + sk if sk else ''})"
                t = Crud(language, shown, name, pk, sk, collection, driver(language, "crud", settings), dynamodb)
                group(f"{language} {shown}", lambda: (crud_checks(t), quiet_check(f"{language} {shown}", t.driver)))
                missing = {**settings, "TABLE_NAME": f"{name}-missing"}
                t = Crud(language, shown, name, pk, sk, collection, driver(language, "crud", missing), dynamodb)
                group(f"{language} {shown} without its table", lambda: unexpected_error_checks(t))
            absent = f"{language}-absent-sort-key"
            create_table(client, absent, "id", None)
            unset = {"TABLE_NAME": absent, "PARTITION_KEY": "id"}
            t = Crud(language, "items(id)", absent, "id", None, "/items", driver(language, "crud", unset), dynamodb)
            group(f"{language} items(id) with SORT_KEY unset", lambda: absent_sort_key_checks(t))
    except Exception as error:  # noqa: BLE001 - a harness failure is a failed check, and cleanup still runs
        report("the harness ran to the end", [f"{type(error).__name__}: {error}"])
    finally:
        # Each step whatever the others do: moto and the drivers never outlive the harness.
        for step in [*[lambda p=p: stop(p) for p in servers], *[d.close for d in drivers]]:
            try:
                step()
            except Exception as error:  # noqa: BLE001
                report("cleaning up", [f"{type(error).__name__}: {error}"])
        shutil.rmtree(scratch, ignore_errors=True)
    return finish(started)


def finish(started: float) -> int:
    print(f"handlers: {time.monotonic() - started:.1f} s", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    # SIGTERM runs the same cleanup as an exception: moto is stopped, the scratch folder removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
