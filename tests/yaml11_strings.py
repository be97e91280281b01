"""Reads back, with PyYAML (YAML 1.1, the reader cfn-lint and many tools use), the hostile strings
tests/properties.rs writes: each as a double-quoted scalar and, before it, in a comment. Every
value must read back as exactly its string (its UTF-8 is given beside it in hex), and no comment
may add anything: the document is exactly the list of cases.

Usage: yaml11_strings.py FILE; prints one line and exits 1 on the first difference.
"""

import sys

import yaml

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    text = f.read()
expected = text.count("\n- value: ")
try:
    doc = yaml.safe_load(text)
except yaml.YAMLError as e:
    print(f"FAILED PyYAML cannot read {path}: {e}")
    sys.exit(1)
if not isinstance(doc, list) or len(doc) != expected:
    print(f"FAILED {path}: PyYAML reads {type(doc).__name__} of {len(doc) if hasattr(doc, '__len__') else '?'} items, {expected} written")
    sys.exit(1)
for i, case in enumerate(doc):
    if not isinstance(case, dict) or set(case) != {"value", "utf8"}:
        print(f"FAILED {path}: case {i + 1} reads as {case!r}")
        sys.exit(1)
    want = bytes.fromhex(case["utf8"]).decode("utf-8")
    if case["value"] != want:
        print(f"FAILED {path}: case {i + 1} reads as {case['value']!r}, written from {want!r}")
        sys.exit(1)
print(f"PyYAML reads all {expected} hostile strings as written, and none of their comments adds a key")
