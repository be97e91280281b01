"""Validates a SARIF log against the SARIF 2.1.0 JSON schema and checks it reports results.

Usage: validate_sarif.py SCHEMA LOG
"""
import json
import sys

import jsonschema

schema_path, log_path = sys.argv[1], sys.argv[2]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
with open(log_path, encoding="utf-8") as f:
    log = json.load(f)
validator = jsonschema.validators.validator_for(schema)(schema)
errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
for error in errors:
    print(f"{log_path}: {'/'.join(map(str, error.path))}: {error.message}")
results = log["runs"][0]["results"]
if not results:
    print(f"{log_path}: no results")
print(f"{log_path}: {len(results)} results, {len(errors)} schema errors")
sys.exit(1 if errors or not results else 0)
