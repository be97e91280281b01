"""Reads every rendered CloudFormation/SAM template with PyYAML, a YAML 1.1 reader like cfn-lint's,
and checks that it holds only the top-level keys cloudwright writes: a comment or value that a
YAML 1.1 reader would end early (U+2028, U+2029, NEL) shows up here as an extra key.

Usage: yaml11_check.py FILE...; prints one line per file and exits 1 if any file fails.
"""

import sys

import yaml

TOP_LEVEL = {"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Resources", "Outputs"}
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


class Loader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation's short-form tags (!Ref, !Sub, …) as plain values."""


def _any_tag(loader, _suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


Loader.add_multi_constructor("!", _any_tag)

failed = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        doc = yaml.load(text, Loader=Loader)
    except yaml.YAMLError as e:
        print(f"FAILED {path}: PyYAML cannot read it: {e}")
        failed += 1
        continue
    # Only the SAM target's main template has a Transform, and only SAM's, and SAM's Globals.
    allowed = TOP_LEVEL | ({"Transform", "Globals"} if "/sam/" in path and path.endswith("/template.yaml") else set())
    extra = set(doc) - allowed if isinstance(doc, dict) else {"<not a mapping>"}
    if not extra and "Transform" in doc and doc["Transform"] != SAM_TRANSFORM:
        extra = {"Transform"}
    if extra or "Resources" not in doc:
        print(f"FAILED {path}: top-level keys {sorted(map(str, doc))} (unexpected: {sorted(map(str, extra))})")
        failed += 1
    else:
        print(f"ok {path}: {len(doc['Resources'])} resources")
sys.exit(1 if failed else 0)
