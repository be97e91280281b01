"""Reads checkov's JSON report on stdin. Exits 0 with a one-line summary when checkov parsed
every file and no check failed (a template can have no resource any check applies to, such as a
VPC with only isolated subnets); exits 1 otherwise. With --failures, prints each failed check."""
import json
import sys

text = sys.stdin.read().strip()
try:
    data = json.loads(text) if text else []
except json.JSONDecodeError:
    print("checkov did not produce a JSON report:", text[:2000])
    sys.exit(1)
reports = data if isinstance(data, list) else [data]
passed = failed = skipped = parsing_errors = 0
for report in reports:
    summary = report.get("summary", {})
    passed += summary.get("passed", 0)
    failed += summary.get("failed", 0)
    skipped += summary.get("skipped", 0)
    parsing_errors += summary.get("parsing_errors", 0)
    if "--failures" in sys.argv:
        for check in report.get("results", {}).get("failed_checks", []):
            print(f"  {check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}")
    for check in report.get("results", {}).get("skipped_checks", []):
        reason = (check.get("check_result") or {}).get("suppress_comment") or ""
        if len(reason.strip()) < 10:
            print(f"  {check['check_id']} {check['resource']} is skipped without a reason")
            failed += 1
if parsing_errors:
    print(f"checkov could not parse {parsing_errors} file(s)")
print(f"{passed} passed, {failed} failed, {skipped} skipped with a reason")
sys.exit(0 if failed == 0 and parsing_errors == 0 else 1)
