"""Deploy tests: what cloudwright rendered is deployed into moto's emulated AWS.

Run by tests/run.sh from the validator virtualenv, against a moto server it started on 127.0.0.1:

  deploy.py run --endpoint URL --results FILE [--plugin-dir DIR] [--jobs N] NAME=BLUEPRINT:KIND ...
      deploys target/catalog/NAME/{cloudformation,sam,terraform}; KIND is `catalog` or `fixture`.

CloudFormation and SAM: every template in the directory is created as a stack (SAM expanded
locally by aws-sam-translator first), each TWICE under two stack names in one account and region,
so that a fixed physical name that collides fails the test. Every resource of a type moto
emulates must end CREATE_COMPLETE with a physical id. First, in the copy sent to moto, what
`aws cloudformation package` does: each local code path (Code of AWS::Lambda::Function, CodeUri
of AWS::Serverless::Function, ...) is zipped deterministically, uploaded to a bucket of the
deploy's account and region, and replaced by that S3 object.

Terraform: the rendered directory (its .tf files, src/ and build.sh) is copied, a provider
override pointing every endpoint at moto is added to the copy, then `sh build.sh`, init, apply, a
second plan that must show no changes, and the teardown: every resource with prevent_destroy
(keys, tables, user pools, which the output retains) leaves the state with `terraform state rm`,
so its deletion protection never applies, then destroy. Catalog blueprints are applied twice
(two copies with separate state, both applied into one account before either is destroyed);
fixtures once.

Every deploy (blueprint and target) gets an account of its own, through sts:AssumeRole into a
role ARN of that account, so that the targets of one blueprint never collide with each other.
What moto cannot emulate is listed in tests/emulator_gaps.yaml, and printed where applied.
Each result is appended to --results as "PASSED|FAILED|SKIPPED<TAB>message" for the caller's
tally; SKIPPED is a deploy a listed gap prevents, and names the gap.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import logging

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "catalog"
SCRATCH = ROOT / "target" / "deploy"
GAPS_FILE = ROOT / "tests" / "emulator_gaps.yaml"
# "# Deploy in region: us-east-1" or "# Deploy in region: us-east-1, in the same account: ..."
REGION_COMMENT = re.compile(r"^#\s*Deploy in region:\s*([a-z]{2}(?:-[a-z]+)+-\d+)\b")
CFN_TARGETS = ("cloudformation", "sam")
TF_TIMEOUT = 600  # seconds for each terraform command
STACK_TIMEOUT = 300  # seconds to wait for a stack to leave *_IN_PROGRESS
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

# The provider's endpoint names, by the prefix of the resource or data source types using them.
TF_ENDPOINTS = {
    "aws_vpc": "ec2", "aws_subnet": "ec2", "aws_route": "ec2", "aws_internet_gateway": "ec2",
    "aws_egress_only_internet_gateway": "ec2", "aws_nat_gateway": "ec2", "aws_eip": "ec2",
    "aws_default_": "ec2", "aws_flow_log": "ec2", "aws_security_group": "ec2",
    "aws_network_acl": "ec2", "aws_availability_zones": "ec2", "aws_ec2_": "ec2",
    "aws_iam_": "iam", "aws_kms_": "kms", "aws_cloudwatch_log_": "logs", "aws_budgets_": "budgets",
    "aws_cloudwatch_metric_alarm": "cloudwatch", "aws_dynamodb_": "dynamodb", "aws_lambda_": "lambda",
    "aws_api_gateway_": "apigateway", "aws_apigatewayv2_": "apigatewayv2", "aws_cognito_": "cognitoidp",
    "aws_sns_": "sns", "aws_sqs_": "sqs", "aws_s3_": "s3", "aws_appautoscaling_": "applicationautoscaling",
    "aws_sfn_": "sfn", "aws_scheduler_": "scheduler", "aws_glue_": "glue", "aws_athena_": "athena", "aws_lakeformation_": "lakeformation",
    "aws_db_": "rds", "aws_rds_": "rds", "aws_backup_": "backup",
    "aws_ecs_": "ecs", "aws_lb": "elbv2",
    "aws_caller_identity": "sts", "aws_partition": None, "aws_region": None,
}

print_lock = threading.Lock()
# aws-sam-translator warns about metrics nobody publishes, once per template.
logging.getLogger("samtranslator").setLevel(logging.ERROR)


def say(lines: list[str]) -> None:
    with print_lock:
        print("\n".join(lines), flush=True)


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def blueprint_region(blueprint: Path) -> str:
    region = yaml.safe_load(blueprint.read_text()).get("region")
    if not isinstance(region, str):
        sys.exit(f"{blueprint}: no top-level `region:`")
    return region


def template_regions(blueprint: Path, directory: Path) -> list[tuple[Path, str]]:
    """Each *.yaml template of DIR with the region it is deployed (and linted) in."""
    default = blueprint_region(blueprint)
    found = []
    for path in sorted(directory.glob("*.yaml"), key=lambda p: (p.name != "template.yaml", p.name)):
        region = default
        for line in path.read_text().splitlines()[:10]:
            match = REGION_COMMENT.match(line.strip())
            if match:
                region = match.group(1)
                break
        found.append((path, region))
    return found


def load_gaps() -> list[dict]:
    return yaml.safe_load(GAPS_FILE.read_text()) or []


GAPS_APPLIED: dict[str, int] = {}


def gap_line(gap: dict, where: str) -> str:
    """One line where a gap is applied; the reasons are printed once, in the summary."""
    with print_lock:
        GAPS_APPLIED[gap["id"]] = GAPS_APPLIED.get(gap["id"], 0) + 1
    return f"  GAP {gap['id']} ({where}): {gap['harness']}"


class Accounts:
    """Hands out one fresh 12-digit moto account per deploy."""

    def __init__(self) -> None:
        self.next = 100000000001
        self.lock = threading.Lock()

    def take(self) -> str:
        with self.lock:
            account, self.next = str(self.next), self.next + 1
            return account


def role_arn(account: str, region: str) -> str:
    return f"arn:{partition(region)}:iam::{account}:role/cloudwright-deploy"


def summarize(failures: list[str]) -> str:
    more = f" (and {len(failures) - 2} more above)" if len(failures) > 2 else ""
    return "; ".join(failures[:2]) + more


# ---- CloudFormation and SAM -------------------------------------------------------------------


def boto_session(endpoint: str, account: str, region: str):
    import boto3

    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region, **CREDENTIALS)
    creds = sts.assume_role(RoleArn=role_arn(account, region), RoleSessionName="cloudwright")["Credentials"]
    session = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )
    got = session.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
    if got != account:
        raise RuntimeError(f"moto put the deploy into account {got}, not {account}")
    return session


def type_counts(template: dict) -> dict:
    counts = {}
    for resource in template.get("Resources", {}).values():
        counts[resource.get("Type", "")] = counts.get(resource.get("Type", ""), 0) + 1
    return counts


def expand_sam(template: dict, region: str) -> dict:
    """The SAM transform, locally: no network, no managed policies to look up."""
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=region, **CREDENTIALS))
    return translator.translate(template, parameter_values={}, get_managed_policy_map=lambda: {})


# What `aws cloudformation package` uploads: (resource type, property) holding a local path, and
# whether the property becomes {S3Bucket, S3Key} (CloudFormation) or an s3:// URI (SAM, before
# the transform).
PACKAGED_PROPERTIES = {
    ("AWS::Lambda::Function", "Code"): "bucket-key",
    ("AWS::Lambda::LayerVersion", "Content"): "bucket-key",
    ("AWS::Serverless::Function", "CodeUri"): "uri",
    ("AWS::Serverless::LayerVersion", "ContentUri"): "uri",
}


def deterministic_zip(directory: Path) -> bytes:
    """DIRECTORY's files as a zip that is the same bytes on every run: entries sorted, dated
    1980-01-01, mode 0644 (0755 when executable), stored, no directory entries."""
    import io
    import stat
    import zipfile

    paths = sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    if not paths:
        raise ValueError(f"{directory}: no files to package")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        for path in paths:
            info = zipfile.ZipInfo(path.relative_to(directory).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            mode = 0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.create_system = 3
            zf.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def package(template: dict, base: Path, session, endpoint: str, account: str, region: str) -> tuple[list[str], list[str]]:
    """What `aws cloudformation package` does, in TEMPLATE (the copy sent to moto): each local
    code directory (relative to BASE, the template's directory) is zipped, uploaded to a bucket
    of the deploy's account and region, and its property rewritten to that S3 object.
    Returns (lines to print, problems)."""
    import hashlib

    lines, problems = [], []
    s3 = None
    bucket = f"cloudwright-packages-{account}-{region}"
    for logical_id, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties") or {}
        for (kind, prop), form in PACKAGED_PROPERTIES.items():
            value = properties.get(prop)
            if resource.get("Type") != kind or not isinstance(value, str) or value.startswith("s3://"):
                continue
            local = (base / value).resolve()
            if local.is_file() and local.suffix == ".zip":
                body = local.read_bytes()  # a built package is uploaded as it is
            elif local.is_dir():
                body = deterministic_zip(local)
            else:
                problems.append(f"{logical_id}: {prop} {value!r} is neither a directory nor a .zip next to the template")
                continue
            key = f"{hashlib.sha256(body).hexdigest()}.zip"
            if s3 is None:
                s3 = session.client("s3", endpoint_url=endpoint)
                try:
                    s3.head_bucket(Bucket=bucket)
                except Exception:
                    config = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
                    s3.create_bucket(Bucket=bucket, **config)
            s3.put_object(Bucket=bucket, Key=key, Body=body)
            properties[prop] = {"S3Bucket": bucket, "S3Key": key} if form == "bucket-key" else f"s3://{bucket}/{key}"
            lines.append(f"  packaged {logical_id} {prop}: {value} -> s3://{bucket}/{key} ({len(body)} bytes)")
    return lines, problems


def moto_error(error: Exception) -> str:
    """The message moto sent, also when botocore could not parse the body (JSON on a query API)."""
    text = str(error)
    match = re.search(r"b'(\{.*\})'", text, re.S)
    if match:
        try:
            body = json.loads(match.group(1))
            return f"{body.get('__type', 'error')}: {body.get('message', '')}"
        except ValueError:
            pass
    return text.splitlines()[0] if "Unable to parse response" not in text else text.replace("\n", " ")


def certificate(session, endpoint) -> str:
    """An ACM certificate of the deploy's account and region, as the deployment would give a
    load balancer's HTTPS listener."""
    acm = session.client("acm", endpoint_url=endpoint)
    return acm.request_certificate(DomainName="app.example.com", ValidationMethod="DNS")["CertificateArn"]


def deploy_stack(session, endpoint, stack_name, template_body, template, emulated, no_physical_id=frozenset()):
    """Creates one stack; returns (created resource count, problems). A resource of a type in
    NO_PHYSICAL_ID (a listed gap: moto creates it but reports no physical id) must still end
    CREATE_COMPLETE."""
    from botocore.config import Config

    cfn = session.client("cloudformation", endpoint_url=endpoint, config=Config(retries={"total_max_attempts": 1}))
    problems = []
    # What the deployment gives: an ACM certificate for each load balancer's HTTPS listener.
    parameters = [
        {"ParameterKey": name, "ParameterValue": certificate(session, endpoint)}
        for name in (template.get("Parameters") or {})
        if name.endswith("CertificateArn")
    ]
    try:
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=template_body,
            Parameters=parameters,
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
            OnFailure="DO_NOTHING",
        )
    except Exception as error:  # moto creates the resources inside the call and raises from it
        problems.append(f"create_stack: {moto_error(error)}")
    status, reason = "NOT CREATED", ""
    deadline = time.monotonic() + STACK_TIMEOUT
    while True:
        try:
            stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
        except Exception:
            break
        status, reason = stack["StackStatus"], stack.get("StackStatusReason") or ""
        if not status.endswith("_IN_PROGRESS") or problems or time.monotonic() > deadline:
            break
        time.sleep(1)
    if status != "CREATE_COMPLETE" and not problems:
        problems.append(f"stack {status}{': ' + reason if reason else ''}")
    if status == "NOT CREATED":
        return 0, problems
    summaries = {}
    try:
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=stack_name):
            for summary in page["StackResourceSummaries"]:
                summaries[summary["LogicalResourceId"]] = summary
        for event in cfn.describe_stack_events(StackName=stack_name)["StackEvents"]:
            if event["ResourceStatus"].endswith("_FAILED"):
                problems.append(f"{event['LogicalResourceId']} {event['ResourceStatus']}: {event.get('ResourceStatusReason', '')}")
    except Exception as error:  # moto replays the failed creation when a failed stack is read
        message = f"listing the stack's resources: {moto_error(error)}"
        if not any(moto_error(error) in p for p in problems):
            problems.append(message)
    created, missing = 0, []
    for logical_id, resource in template.get("Resources", {}).items():
        kind = resource.get("Type", "")
        if kind not in emulated:
            continue
        summary = summaries.get(logical_id)
        if summary and summary["ResourceStatus"] == "CREATE_COMPLETE" and (summary.get("PhysicalResourceId") or kind in no_physical_id):
            created += 1
        elif summary is None and "Condition" in resource:
            continue  # its condition is false in this region: not created, as in AWS
        else:
            missing.append(f"{logical_id} ({kind}: {summary['ResourceStatus'] if summary else 'absent'})")
    if missing and status != "NOT CREATED" and not any(p.startswith("create_stack:") for p in problems):
        problems.append(f"not created: {', '.join(missing)}")
    return created, problems


def fixed_names(session, endpoint, stack_name, template) -> list[str]:
    """Resources of STACK whose physical id is a literal string of their own properties: a name
    fixed in the template, which a second deployment into the same account and region reuses."""

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    cfn = session.client("cloudformation", endpoint_url=endpoint)
    found = []
    for summary in cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]:
        resource = template.get("Resources", {}).get(summary["LogicalResourceId"], {})
        physical = summary.get("PhysicalResourceId")
        if physical and physical in set(strings(resource.get("Properties", {}))):
            found.append(f"{summary['LogicalResourceId']} ({resource['Type']}) = {physical}")
    return found


def deploy_cloudformation(name, blueprint, target, endpoint, accounts, gaps):
    from moto.cloudformation.parsing import get_model_map
    from samtranslator.yaml_helper import yaml_parse

    label = f"deploy {name}/{target}"
    lines = [f"--- {label}"]
    directory = OUT / name / target
    templates = template_regions(blueprint, directory)
    if not templates:
        return lines, False, f"{label}: no *.yaml template in {directory}", 0, 0
    # A template holding a type whose gap says `deploy: false` is not deployed at all.
    for path, _ in templates:
        held = {r.get("Type") for r in (yaml_parse(path.read_text()).get("Resources") or {}).values()}
        for gap in (g for g in gaps if target in g["targets"] and g.get("deploy") is False):
            kinds = gap["resource_type"]
            found = sorted(held & set([kinds] if isinstance(kinds, str) else kinds))
            if found:
                lines.append(gap_line(gap, f"{path.name}: {', '.join(found)}"))
                return lines, None, f"{label}: not deployed, see emulator gap {gap['id']}", 0, 0
    emulated = set(get_model_map())
    gaps_by_type = {}  # resource_type is one type or a list of them
    for gap in gaps:
        if target in gap["targets"] and "resource_type" in gap and "patch" not in gap and gap.get("deploy") is not False:
            kinds = gap["resource_type"]
            for kind in [kinds] if isinstance(kinds, str) else kinds:
                gaps_by_type[kind] = gap
    # Types moto creates without a physical id: CREATE_COMPLETE is still required.
    no_physical_id = frozenset(kind for kind, gap in gaps_by_type.items() if gap.get("physical_id") is False)
    account = accounts.take()
    stacks = resources = 0
    failures = []
    first_copy = {}
    for copy in (1, 2):
        for path, region in templates:
            text = path.read_text()
            template = yaml_parse(text)
            body = text
            try:
                session = boto_session(endpoint, account, region)
                packaged, problems = package(template, path.parent, session, endpoint, account, region)
            except Exception as error:
                packaged, problems = [], [f"package: {type(error).__name__}: {error}"]
            if copy == 1:
                lines.extend(packaged)
            if problems:
                stacks += 1
                lines.append(f"  stack of {path.name}, copy {copy}: not created, packaging failed")
                lines.extend(f"    {problem}" for problem in problems)
                failures.extend(f"{path.name} copy {copy}: {problem}" for problem in problems)
                continue
            if packaged:
                body = json.dumps(template)
            if target == "sam":
                template = expand_sam(template, region)
                body = json.dumps(template)
                if copy == 1:
                    # The SAM transform must produce what the CloudFormation target writes.
                    plain = yaml_parse((OUT / name / "cloudformation" / path.name).read_text())
                    expanded, expected = type_counts(template), type_counts(plain)
                    if expanded == expected:
                        lines.append(f"  SAM expansion of {path.name}: the CloudFormation target's {sum(expected.values())} resources, type for type")
                    else:
                        differ = sorted(k for k in set(expanded) | set(expected) if expanded.get(k) != expected.get(k))
                        failures.append(f"{path.name}: the SAM expansion differs from the CloudFormation target: " + ", ".join(f"{k} {expanded.get(k, 0)} vs {expected.get(k, 0)}" for k in differ))
            patched = False
            applied = set()
            for logical_id, resource in template.get("Resources", {}).items():
                kind = resource.get("Type", "")
                for mock in (g for g in gaps if g.get("patch") == "mock-integration" and target in g["targets"]):
                    integration = resource.get("Properties", {}).get("Integration", {})
                    if kind == mock["resource_type"] and integration.get("Type") == "MOCK":
                        integration.update(IntegrationHttpMethod="OPTIONS", Uri="")
                        patched = True
                        if copy == 1 and mock["id"] not in applied:
                            lines.append(gap_line(mock, f"{path.name} {logical_id}"))
                            applied.add(mock["id"])
                gap = gaps_by_type.get(kind)
                if kind not in emulated:
                    if gap is None and copy == 1:
                        failures.append(f"{path.name}: {logical_id} is a {kind}, which moto does not emulate and tests/emulator_gaps.yaml does not list")
                    elif copy == 1 and gap["id"] not in applied:
                        lines.append(gap_line(gap, f"{path.name} {logical_id}"))
                        applied.add(gap["id"])
                elif kind in no_physical_id:
                    if copy == 1 and gap["id"] not in applied:
                        lines.append(gap_line(gap, f"{path.name} {logical_id}"))
                        applied.add(gap["id"])
                elif gap is not None and gap["id"] == "cfn-kms-key-tags" and "Tags" in resource.get("Properties", {}):
                    resource["Properties"]["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in resource["Properties"]["Tags"]]
                    patched = True
                    if copy == 1:
                        lines.append(gap_line(gap, f"{path.name} {logical_id}"))
            if patched:
                body = json.dumps(template)
            stack_name = re.sub(r"[^A-Za-z0-9-]", "-", f"{name}-{path.stem}-{target}-{copy}")
            try:
                created, problems = deploy_stack(session, endpoint, stack_name, body, template, emulated, no_physical_id)
            except Exception as error:
                created, problems = 0, [f"{type(error).__name__}: {error}"]
            stacks += 1
            resources += created
            state = "ok" if not problems else "FAILED"
            lines.append(f"  stack {stack_name} ({path.name}, copy {copy}, {region}, account {account}): {state}, {created} resources created")
            for problem in problems:
                lines.append(f"    {problem}")
                failures.append(f"{stack_name}: {problem}")
            first_copy[path.name] = first_copy.get(path.name, stack_name)
            if problems and copy == 2:
                try:
                    shared = fixed_names(session, endpoint, first_copy[path.name], template)
                except Exception:
                    shared = []
                if shared:
                    lines.append(f"    names fixed in the template, already taken by {first_copy[path.name]}: {'; '.join(shared)}")
                    failures.append(f"names fixed in the template: {'; '.join(shared)}")
    if failures:
        return lines, False, f"{label}: {summarize(failures)}", stacks, resources
    return lines, True, f"{label}: {stacks} stacks, {resources} resources created", stacks, resources


# ---- Terraform ----------------------------------------------------------------------------------


# Seconds spent in each terraform command, summed over every deploy, for the summary.
TF_SECONDS: dict[str, float] = {}


def run_tf(args: list[str], cwd: Path, env: dict) -> tuple[int, str]:
    """One terraform command, killed with its provider processes after TF_TIMEOUT seconds."""
    # `terraform state …` takes neither -input nor -no-color; `terraform show` no -input.
    flags = {"state": [], "show": ["-no-color"]}.get(args[0], ["-input=false", "-no-color"])
    started = time.monotonic()
    proc = subprocess.Popen(
        ["terraform", *args, *flags],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=TF_TIMEOUT)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        rc, out = 124, out + f"\n(terraform {args[0]} killed after {TF_TIMEOUT} s)"
    with print_lock:
        TF_SECONDS[args[0]] = TF_SECONDS.get(args[0], 0.0) + time.monotonic() - started
    return rc, out


def tf_errors(out: str) -> list[str]:
    """Each "Error:" of terraform's output, with the resource and file line it names."""
    errors, lines = [], out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Error:"):
            where = []
            for follow in lines[i + 1:i + 6]:
                match = re.match(r"^\s+(?:with ([^,]+),|on (\S+ line \d+))", follow)
                if match:
                    where.append(match.group(1) or match.group(2))
            text = re.sub(r"RequestID: [^,]+, ", "", line)
            errors.append(text + (f" [{', '.join(where)}]" if where else ""))
    return errors or out.strip().splitlines()[-3:]


def tf_blocks(text: str, keyword: str) -> list[tuple[str, str]]:
    """(label line, body) of each top-level block starting with KEYWORD."""
    blocks = []
    for match in re.finditer(rf'^{keyword}\s+((?:"[^"]*"\s*)+)\{{', text, re.M):
        depth, i = 1, match.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        blocks.append((match.group(1), text[match.end():i - 1]))
    return blocks


def drop_blocks(text: str, types: list[str]) -> tuple[str, list[str]]:
    """TEXT without its top-level resource blocks of TYPES, and the addresses left out."""
    removed, out, at = [], [], 0
    for match in re.finditer(r'^resource\s+"([a-z0-9_]+)"\s+"([^"]+)"\s*\{', text, re.M):
        if match.group(1) not in types:
            continue
        depth, i = 1, match.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        out.append(text[at:match.start()])
        at = i
        removed.append(f"{match.group(1)}.{match.group(2)}")
    out.append(text[at:])
    return "".join(out), removed


def tf_override(files: dict[str, str], endpoint: str, account: str, region: str) -> tuple[str, list[str]]:
    """moto_override.tf for every `provider "aws"` block, and the types with no known endpoint."""
    types = set()
    for text in files.values():
        types.update(re.findall(r'^(?:resource|data)\s+"(aws_[a-z0-9_]+)"', text, re.M))
    services, unknown = {"sts"}, []
    for kind in sorted(types):
        prefix = max((p for p in TF_ENDPOINTS if kind.startswith(p)), key=len, default=None)
        if prefix is None:
            unknown.append(kind)
        elif TF_ENDPOINTS[prefix]:
            services.add(TF_ENDPOINTS[prefix])
    providers = []  # (alias, region) of each provider "aws" block
    for text in files.values():
        for labels, body in tf_blocks(text, "provider"):
            if labels.split('"')[1] == "aws":
                alias = re.search(r'^\s*alias\s*=\s*"([^"]+)"', body, re.M)
                literal = re.search(r'^\s*region\s*=\s*"([^"]+)"', body, re.M)
                providers.append((alias.group(1) if alias else None, literal.group(1) if literal else region))
    endpoints = "\n".join(f'    {s:<8} = "{endpoint}"' for s in sorted(services))
    blocks = []
    for alias, provider_region in providers or [(None, region)]:
        blocks.append(
            'provider "aws" {\n'
            + (f'  alias                       = "{alias}"\n' if alias else "")
            + '  access_key                  = "testing"\n'
            + '  secret_key                  = "testing"\n'
            + "  profile                     = null\n"
            + "  skip_credentials_validation = true\n"
            + "  skip_metadata_api_check     = true\n"
            + "  skip_region_validation      = true\n"
            + "  assume_role {\n"
            + f'    role_arn = "{role_arn(account, provider_region)}"\n'
            + "  }\n"
            + f"  endpoints {{\n{endpoints}\n  }}\n"
            + "}\n"
        )
    # A variable the operator must give (GovCloud's `billing_profile`) gets a value here; the
    # provider it feeds is overridden above anyway.
    for text in files.values():
        for labels, body in tf_blocks(text, "variable"):
            if not re.search(r"^\s*default\s*=", body, re.M):
                blocks.append(f'variable {labels.strip()} {{\n  default = "moto"\n}}\n')
    header = "# Written by tests/deploy.py into the deploy copy only: every endpoint is moto's.\n"
    return header + "\n".join(blocks), unknown


def plan_drift(plan: dict, drift_gaps: list[dict]) -> tuple[list[tuple[dict, str]], list[str]]:
    """The changes of a second plan (terraform show -json) split into those a listed gap explains
    (an in-place update of its resource type whose only changed attributes are the gap's, each
    empty or zero in the state: moto never stored it) and every other change."""
    explained, unexplained = [], []
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        before, after = change["change"].get("before") or {}, change["change"].get("after") or {}
        unknown = change["change"].get("after_unknown") or {}
        changed = {k for k in set(before) | set(after) | set(unknown) if before.get(k) != after.get(k) or unknown.get(k) is True}
        gap = next(
            (g for g in drift_gaps
             if actions == ["update"] and change["type"] == g["terraform_plan_drift"]["resource_type"]
             and changed <= set(g["terraform_plan_drift"]["attributes"])
             and all(before.get(k) in (None, [], {}, "", False, 0) for k in changed)),
            None,
        )
        if gap:
            explained.append((gap, f"{change['address']} {', '.join(sorted(changed))}"))
        else:
            unexplained.append(f"{change['address']} {'/'.join(actions)} {', '.join(sorted(changed)) or ''}".strip())
    return explained, unexplained


def prevent_destroy(files: dict[str, str]) -> set[str]:
    """The address (type.name) of every resource that `terraform destroy` must not delete: its
    lifecycle has prevent_destroy = true, or AWS refuses to delete it while its deletion
    protection is on (a table's deletion_protection_enabled, a user pool's deletion_protection)."""
    kept = (
        r"^\s*prevent_destroy\s*=\s*true\b",
        r"^\s*deletion_protection_enabled\s*=\s*true\b",
        r'^\s*deletion_protection\s*=\s*"ACTIVE"',
    )
    return {
        ".".join(re.findall(r'"([^"]*)"', labels)[:2])
        for text in files.values()
        for labels, body in tf_blocks(text, "resource")
        if any(re.search(k, body, re.M) for k in kept)
    }


def deploy_terraform(name, blueprint, kind, endpoint, plugin_dir, accounts, gaps):
    label = f"deploy {name}/terraform"
    lines = [f"--- {label}"]
    source = OUT / name / "terraform"
    region = blueprint_region(blueprint)
    account = accounts.take()
    tf_gaps = [g for g in gaps if "terraform" in g["targets"]]
    # A configuration holding a type whose gap says `deploy: false` is not deployed at all.
    text = "\n".join(p.read_text() for p in sorted(source.glob("*.tf")))
    for gap in (g for g in tf_gaps if g.get("deploy") is False):
        found = [t for t in gap["terraform_resource_types"] if re.search(rf'^resource\s+"{t}"', text, re.M)]
        if found:
            lines.append(gap_line(gap, ", ".join(found)))
            return lines, None, f"{label}: not deployed, see emulator gap {gap['id']}", 0, 0
    drift_gaps = [g for g in tf_gaps if "terraform_plan_drift" in g]
    drift_used: set[str] = set()
    env = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1")
    env["TF_CLI_CONFIG_FILE"] = str(SCRATCH / "terraformrc")
    copies = (1, 2) if kind == "catalog" else (1,)
    dirs, failures = [], []
    counts = {"added": 0, "destroyed": 0}
    for copy in copies:
        work = SCRATCH / f"{name}-terraform-{copy}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        files = {}
        for path in sorted(source.glob("*.tf")):
            text = path.read_text()
            dropped = next((g for g in tf_gaps if "terraform_resource_type" in g and re.search(rf'^resource\s+"{g["terraform_resource_type"]}"', text, re.M)), None)
            if dropped:
                if copy == 1:
                    lines.append(gap_line(dropped, f"{path.name} left out"))
                continue
            # A gap may leave single resource blocks out instead (whole files would take the
            # resources they hold with them).
            for gap in (g for g in tf_gaps if "terraform_resources_left_out" in g):
                kept, removed = drop_blocks(text, gap["terraform_resources_left_out"])
                if removed:
                    text = kept
                    if copy == 1:
                        lines.append(gap_line(gap, f"{path.name}: {', '.join(removed)} left out"))
            files[path.name] = text
            (work / path.name).write_text(text)
            # The moto server's patches (tests/moto_server.py) this file's resources rely on.
            for gap in (g for g in tf_gaps if g.get("patch") == "moto-server"):
                used = [t for t in gap.get("terraform_resource_types", []) if re.search(rf'^resource\s+"{t}"', text, re.M)]
                if used and copy == 1:
                    lines.append(gap_line(gap, f"{path.name}: {', '.join(used)}"))
        # What the configuration reads besides its .tf files: the functions' sources and the
        # build script that packages them (run below, before apply, as the README says), and the
        # lakes' job scripts it uploads.
        for scaffolds in ("src", "glue"):
            if (source / scaffolds).is_dir():
                shutil.copytree(source / scaffolds, work / scaffolds)
        if (source / "build.sh").is_file():
            shutil.copy(source / "build.sh", work / "build.sh")
        override, unknown = tf_override(files, endpoint, account, region)
        if unknown:
            failures.append(f"no moto endpoint known for {', '.join(unknown)} (add it to TF_ENDPOINTS in tests/deploy.py)")
            break
        (work / "moto_override.tf").write_text(override)
        dirs.append(work)
    # moto's zone list is shorter than AWS's in some regions (cn-north-1: a, b; AWS adds d).
    zone_gap = next((g for g in tf_gaps if g.get("terraform_zones")), None)
    if zone_gap and not failures:
        zones = [z["ZoneName"] for z in boto_session(endpoint, account, region).client("ec2", endpoint_url=endpoint)
                 .describe_availability_zones()["AvailabilityZones"]]
        text = "\n".join(files.values())
        by_position = {int(i) for i in re.findall(r"aws_availability_zones\.\w+\.names\[(\d+)\]", text)}
        by_name = set(re.findall(r'availability_zone\s*=\s*"([a-z0-9-]+)"', text))
        if (by_position and max(by_position) >= len(zones)) or not by_name <= set(zones):
            lines.append(gap_line(zone_gap, f"moto's {region} has {', '.join(zones)}"))
            return lines, None, f"{label}: not deployed, see emulator gap {zone_gap['id']}", 0, 0
    # Apply every copy into the one account before destroying any.
    applied = []
    for copy, work in zip(copies, dirs):
        step = f"copy {copy}" if len(copies) > 1 else "copy 1"
        if (work / "build.sh").is_file():
            build = subprocess.run(["sh", "build.sh"], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if build.returncode != 0:
                lines.append(f"  {step}: sh build.sh failed (exit {build.returncode})\n{build.stdout}")
                failures.append(f"{step} sh build.sh failed (exit {build.returncode})")
                continue
            if copy == copies[0]:
                lines.append(f"  {step}: sh build.sh: {'; '.join(build.stdout.splitlines()) or 'nothing built'}")
        # What the deployment gives: an ACM certificate for each load balancer's HTTPS listener.
        wanted = sorted(set(re.findall(r'^variable\s+"(\w+_certificate_arn)"', "\n".join(files.values()), re.M)))
        if wanted:
            session = boto_session(endpoint, account, region)
            (work / "deploy.auto.tfvars").write_text(
                "".join(f'{name} = "{certificate(session, endpoint)}"\n' for name in wanted)
            )
        rc, out = run_tf(["init", f"-plugin-dir={plugin_dir}"], work, env)
        if rc != 0:
            lines.append(f"  {step}: init failed\n{out}")
            failures.append(f"{step} init failed (exit {rc})")
            continue
        rc, out = run_tf(["apply", "-auto-approve"], work, env)
        applied.append(work)
        match = re.search(r"Apply complete! Resources: (\d+) added", out)
        if rc != 0 or not match:
            errors = tf_errors(out)
            lines.append(f"  {step}: apply failed (exit {rc}); account {account}, {region}")
            lines.extend(f"    {l}" for l in errors)
            lines.append(f"    full output: {work}/apply.log")
            (work / "apply.log").write_text(out)
            failures.append(f"{step} apply: {'; '.join(errors)}")
            continue
        counts["added"] += int(match.group(1))
        lines.append(f"  {step}: apply {match.group(1)} added (account {account}, {region})")
        rc, out = run_tf(["plan", "-detailed-exitcode", "-out=second.tfplan"], work, env)
        explained = []
        if rc == 2 and drift_gaps:
            # Changes a listed gap explains (moto not storing an attribute) pass; any other fails.
            show_rc, shown = run_tf(["show", "-json", "second.tfplan"], work, env)
            explained, unexplained = plan_drift(json.loads(shown), drift_gaps) if show_rc == 0 else ([], ["terraform show failed"])
            if not unexplained:
                for gap, what in explained:
                    lines.append(gap_line(gap, what) if copy == copies[0] else f"  GAP {gap['id']} ({what})")
                rc = 0
            else:
                lines.append(f"  {step}: second plan changes no listed gap explains: {'; '.join(unexplained)}")
        if rc == 0:
            drift_used.update(gap["id"] for gap, _ in explained)
            lines.append(f"  {step}: plan no changes" + (" besides what the gaps above explain" if explained else ""))
        else:
            lines.append(f"  {step}: second plan exit {rc}, {'changes after apply' if rc == 2 else 'error'}:")
            lines.extend(f"    {l}" for l in out.strip().splitlines())
            failures.append(f"{step} second plan {'shows changes' if rc == 2 else f'failed (exit {rc})'}")
    for copy, work in zip(copies, dirs):
        if work not in applied:
            continue
        step = f"copy {copy}" if len(copies) > 1 else "copy 1"
        # The documented teardown: every resource with prevent_destroy (keys, tables, user pools:
        # what the output retains, like CloudFormation's DeletionPolicy: Retain) or deletion
        # protection leaves the state first and stays in the account; then everything else is
        # destroyed.
        protected = prevent_destroy({p.name: p.read_text() for p in work.glob("*.tf")})
        rc, out = run_tf(["state", "list"], work, env)
        kept = [r for r in out.split() if re.sub(r"\[.*\]$", "", r) in protected]
        if kept:
            rc, out = run_tf(["state", "rm", *kept], work, env)
            if rc != 0:
                failures.append(f"{step} state rm {' '.join(kept)} failed (exit {rc})")
                continue
            lines.append(f"  {step}: kept by prevent_destroy or deletion protection, removed from state: {', '.join(kept)}")
        # Without a refresh: the state is what apply wrote, which the second plan just read back
        # from moto and found unchanged.
        rc, out = run_tf(["destroy", "-auto-approve", "-refresh=false"], work, env)
        match = re.search(r"Destroy complete! Resources: (\d+) destroyed", out)
        if rc != 0 or not match:
            errors = tf_errors(out)
            lines.append(f"  {step}: destroy failed (exit {rc})")
            lines.extend(f"    {l}" for l in errors)
            failures.append(f"{step} destroy: {'; '.join(errors)}")
        else:
            counts["destroyed"] += int(match.group(1))
            lines.append(f"  {step}: destroy {match.group(1)} destroyed")
    if failures:
        return lines, False, f"{label}: {summarize(failures)}", len(dirs), counts["added"]
    twice = f"{len(copies)} copies, " if len(copies) > 1 else ""
    besides = f" (besides gap {', '.join(sorted(drift_used))})" if drift_used else ""
    return lines, True, f"{label}: {twice}apply {counts['added']} added, plan no changes{besides}, destroy {counts['destroyed']} destroyed", len(dirs), counts["added"]


# ---- Driver -------------------------------------------------------------------------------------


def guarded(label, deploy, *args):
    """A harness error fails that one deploy, with its message, instead of the whole step."""
    try:
        return deploy(*args)
    except Exception as error:
        return [f"--- {label}", f"  harness error: {type(error).__name__}: {error}"], False, f"{label}: {type(error).__name__}: {error}", 0, 0


def main_run(args) -> int:
    gaps = load_gaps()
    accounts = Accounts()
    SCRATCH.mkdir(parents=True, exist_ok=True)
    (SCRATCH / "terraformrc").write_text("# Empty: the deploy tests use only -plugin-dir.\n")
    jobs = []
    for spec in args.blueprints:
        name, rest = spec.split("=", 1)
        path, kind = rest.rsplit(":", 1)
        jobs.append((name, Path(path), kind))
    results = open(args.results, "a")
    totals = {"files": 0, "resources": 0, "passed": 0, "failed": 0, "skipped": 0}

    def record(lines, ok, message, files, resources):
        say(lines)
        with print_lock:
            verdict = "SKIPPED" if ok is None else "PASSED" if ok else "FAILED"
            results.write(f"{verdict}\t{message}\n")
            results.flush()
            totals["files"] += files
            totals["resources"] += resources
            totals[verdict.lower()] += 1

    started = time.monotonic()
    for name, blueprint, _ in jobs:
        for target in CFN_TARGETS:
            record(*guarded(f"deploy {name}/{target}", deploy_cloudformation, name, blueprint, target, args.endpoint, accounts, gaps))
    cfn_time = time.monotonic() - started
    if args.plugin_dir:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [
                pool.submit(guarded, f"deploy {name}/terraform", deploy_terraform, name, blueprint, kind, args.endpoint, args.plugin_dir, accounts, gaps)
                for name, blueprint, kind in jobs
            ]
            for future in concurrent.futures.as_completed(futures):
                record(*future.result())
    else:
        say(["--- deploy terraform: no terraform or provider mirror (see the terraform step)"])
    gaps_by_id = {g["id"]: g for g in gaps}
    print("\nemulator gaps applied (tests/emulator_gaps.yaml):" if GAPS_APPLIED else "\nno emulator gap applied")
    for gap_id, count in sorted(GAPS_APPLIED.items()):
        print(f"  {gap_id} ({count}x): {gaps_by_id[gap_id]['why']}")
    print(
        f"deploy summary: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} not deployed (a listed gap); "
        f"{totals['files']} stacks and terraform copies deployed, {totals['resources']} resources created; "
        f"CloudFormation/SAM {cfn_time:.0f} s, Terraform {time.monotonic() - started - cfn_time:.0f} s"
    )
    if TF_SECONDS:
        print("terraform commands, seconds summed over the parallel deploys: "
              + ", ".join(f"{command} {seconds:.0f}" for command, seconds in sorted(TF_SECONDS.items(), key=lambda kv: -kv[1])))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--endpoint", required=True)
    run.add_argument("--results", required=True)
    run.add_argument("--plugin-dir", default="")
    run.add_argument("--jobs", type=int, default=2)
    run.add_argument("--out", help="where the rendered blueprints are (default target/catalog)")
    run.add_argument("blueprints", nargs="+", metavar="NAME=BLUEPRINT:KIND")
    args = parser.parse_args()
    global OUT
    OUT = Path(args.out).resolve() if getattr(args, "out", None) else OUT
    return main_run(args)


if __name__ == "__main__":
    sys.exit(main())
