"""Reads checkov's JSON report on stdin. Exits 0 with a one-line summary when checkov ran
checks and none failed; exits 1 otherwise. With --failures, prints each failed check."""
import json
import sys

text = sys.stdin.read().strip()
try:
    data = json.loads(text) if text else []
except json.JSONDecodeError:
    print("checkov did not produce a JSON report:", text[:2000])
    sys.exit(1)
reports = data if isinstance(data, list) else [data]
passed = failed = skipped = 0
for report in reports:
    summary = report.get("summary", {})
    passed += summary.get("passed", 0)
    failed += summary.get("failed", 0)
    skipped += summary.get("skipped", 0)
    if "--failures" in sys.argv:
        for check in report.get("results", {}).get("failed_checks", []):
            print(f"  {check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}")
    for check in report.get("results", {}).get("skipped_checks", []):
        reason = (check.get("check_result") or {}).get("suppress_comment") or ""
        if len(reason.strip()) < 10:
            print(f"  {check['check_id']} {check['resource']} is skipped without a reason")
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped with a reason")
sys.exit(0 if passed > 0 and failed == 0 else 1)
