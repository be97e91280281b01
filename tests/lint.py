"""cfn-lint and checkov over every rendered blueprint, a result per template or directory.

Run by tests/run.sh from the validator virtualenv:

  lint.py cfn-lint --results FILE NAME=BLUEPRINT ...
      lints every *.yaml template of target/catalog/NAME/{cloudformation,sam} in its region (a
      "# Deploy in region: <region>" comment on its first lines, else the blueprint's `region:`),
      with one cfn-lint run per region; a template with any finding fails.
  lint.py checkov --results FILE NAME ...
      runs checkov once for the CloudFormation framework and once for Terraform over
      target/catalog, and reports each NAME/{cloudformation,sam,terraform} on its own: it fails
      on a failed check, a file checkov could not parse, or a skip whose reason is missing.

Each result is appended to --results as "PASSED|FAILED<TAB>message" for the caller's tally; the
findings behind a FAILED are printed. One run over many templates costs what one run over a
single template did (most of each run is the tool starting), which is why they are batched.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from deploy import OUT, template_regions

CFN_TARGETS = ("cloudformation", "sam")
VENV_BIN = Path(sys.executable).parent
# cfn-lint's parseable format: file:line:column:end line:end column:rule:message
PARSEABLE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+):\d+:\d+:(?P<rule>[EWI]\d+):(?P<message>.*)$")


def write(results: Path, verdict: str, message: str) -> None:
    with results.open("a") as out:
        out.write(f"{verdict}\t{message}\n")


def cfn_lint(results: Path, specs: list[str]) -> None:
    by_region: dict[str, list[tuple[Path, str]]] = defaultdict(list)
    for spec in specs:
        name, blueprint = spec.split("=", 1)
        for target in CFN_TARGETS:
            templates = template_regions(Path(blueprint), OUT / name / target)
            if not templates:
                write(results, "FAILED", f"cfn-lint {name}/{target}: no *.yaml template")
            for path, region in templates:
                by_region[region].append((path, f"{name}/{target}/{path.name} in {region}"))
    for region, templates in sorted(by_region.items()):
        run = subprocess.run(
            [str(VENV_BIN / "cfn-lint"), "--format", "parseable", "--regions", region, "--", *(str(p) for p, _ in templates)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        findings: dict[str, list[str]] = defaultdict(list)
        unplaced = []
        for line in run.stdout.splitlines():
            match = PARSEABLE.match(line)
            if match:
                findings[match["file"]].append(f"{match['line']}:{match['col']} {match['rule']} {match['message']}")
            elif line.strip():
                unplaced.append(line)
        for path, label in templates:
            found = findings.get(str(path), [])
            # Output cfn-lint gave without naming a template (a crash, say) fails the whole run.
            if found or unplaced or (run.returncode != 0 and not findings):
                print(f"cfn-lint {label}:")
                print("\n".join(f"  {f}" for f in found + unplaced) or f"  cfn-lint exited {run.returncode}")
                write(results, "FAILED", f"cfn-lint {label}")
            else:
                write(results, "PASSED", f"cfn-lint {label}")


def checkov_reports(framework: str) -> list[dict]:
    run = subprocess.run(
        [str(VENV_BIN / "checkov"), "--skip-download", "--framework", framework, "-d", str(OUT), "-o", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, CKV_SKIP_PACKAGE_UPDATE_CHECK="true"),
    )
    text = run.stdout.strip()
    try:
        data = json.loads(text) if text else []
    except json.JSONDecodeError:
        sys.exit(f"checkov --framework {framework} did not produce a JSON report:\n{text[:2000]}\n{run.stderr[-2000:]}")
    return data if isinstance(data, list) else [data]


def checkov(results: Path, names: list[str]) -> None:
    # "<name>/<target>" → its counts and problems; file paths in the report are relative to OUT.
    groups = {f"{n}/{t}": {"passed": 0, "failed": [], "skipped": 0, "problems": []} for n in names for t in (*CFN_TARGETS, "terraform")}
    stray: set[str] = set()

    def group_of(file_path: str) -> dict | None:
        key = "/".join(file_path.strip("/").split("/")[:2])
        if key not in groups:
            stray.add(key)
        return groups.get(key)

    for framework in ("cloudformation", "terraform"):
        for report in checkov_reports(framework):
            for check in report.get("results", {}).get("passed_checks", []):
                if (group := group_of(check["file_path"])) is not None:
                    group["passed"] += 1
            for check in report.get("results", {}).get("failed_checks", []):
                if (group := group_of(check["file_path"])) is not None:
                    group["failed"].append(f"{check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}")
            for check in report.get("results", {}).get("skipped_checks", []):
                if (group := group_of(check["file_path"])) is not None:
                    group["skipped"] += 1
                    reason = (check.get("check_result") or {}).get("suppress_comment") or ""
                    if len(reason.strip()) < 10:
                        group["problems"].append(f"{check['check_id']} {check['resource']} is skipped without a reason")
            for path in report.get("results", {}).get("parsing_errors", []):
                if (group := group_of(os.path.relpath(Path(path).resolve(), OUT))) is not None:
                    group["problems"].append(f"checkov could not parse {path}")
    for key, group in groups.items():
        summary = f"{group['passed']} passed, {len(group['failed'])} failed, {group['skipped']} skipped with a reason"
        if group["failed"] or group["problems"]:
            print(f"checkov {key}:")
            print("\n".join(f"  {p}" for p in group["failed"] + group["problems"]))
            write(results, "FAILED", f"checkov {key}: {summary}")
        else:
            write(results, "PASSED", f"checkov {key}: {summary}")
    for key in sorted(stray):
        write(results, "FAILED", f"checkov: {key} holds files of no rendered blueprint")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    lint = sub.add_parser("cfn-lint")
    lint.add_argument("--results", type=Path, required=True)
    lint.add_argument("blueprints", nargs="+", metavar="NAME=BLUEPRINT")
    check = sub.add_parser("checkov")
    check.add_argument("--results", type=Path, required=True)
    check.add_argument("names", nargs="+", metavar="NAME")
    args = parser.parse_args()
    if args.command == "cfn-lint":
        cfn_lint(args.results, args.blueprints)
    else:
        checkov(args.results, args.names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
