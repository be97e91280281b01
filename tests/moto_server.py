"""moto's server, with the patches tests/emulator_gaps.yaml lists as `patch: moto-server`.

Run by tests/run.sh from the validator virtualenv instead of `moto_server`:

    .venv/bin/python tests/moto_server.py -H 127.0.0.1 -p PORT

Each patch makes moto answer one call the way AWS does, where moto 5.2.5 does not, and changes
nothing else; it is named by the id of its entry in tests/emulator_gaps.yaml (which says why),
and printed when the server starts. A patch for another moto version refuses to start, so that
a moto upgrade re-checks every gap.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import moto
import yaml

GAPS_FILE = Path(__file__).resolve().parent / "emulator_gaps.yaml"
CHECKED_AGAINST = "5.2.5"


def sfn_plan_calls() -> None:
    """ValidateStateMachineDefinition and ListStateMachineVersions, which the provider calls on
    every plan and read; the definitions are checked against the States Language by
    tests/catalog.rs instead."""
    from moto.stepfunctions.responses import StepFunctionResponse

    StepFunctionResponse.validate_state_machine_definition = (
        lambda self: json.dumps({"result": "OK", "diagnostics": []})
    )
    StepFunctionResponse.list_state_machine_versions = (
        lambda self: json.dumps({"stateMachineVersions": []})
    )


def sqs_attributes() -> None:
    """RedriveAllowPolicy read back as set; RedrivePolicy read back compact, as it was sent; a
    queue's Policy kept when another attribute is set."""
    from moto.sqs.models import Queue

    Queue.redrive_allow_policy = None
    if "RedriveAllowPolicy" not in Queue.KMS_ATTRIBUTES:
        # Any list get_queue_attributes accepts names from; `attributes` below reports it.
        Queue.KMS_ATTRIBUTES = [*Queue.KMS_ATTRIBUTES, "RedriveAllowPolicy"]
    plain = Queue.attributes.fget

    def attributes(self):
        result = plain(self)
        result.pop("RedriveAllowPolicy", None)
        if self.redrive_allow_policy:
            result["RedriveAllowPolicy"] = self.redrive_allow_policy
        if self.redrive_policy:
            result["RedrivePolicy"] = json.dumps(self.redrive_policy, separators=(",", ":"))
        return result

    Queue.attributes = property(attributes)
    set_plain = Queue._set_attributes

    def set_attributes(self, attributes, now=None):
        policy = getattr(self, "policy", None)
        set_plain(self, attributes, now)
        if "Policy" not in attributes:
            self.policy = policy

    Queue._set_attributes = set_attributes


PATCHES = {
    "tf-sfn-validate-and-versions": sfn_plan_calls,
    "tf-sqs-attributes": sqs_attributes,
}


def main() -> int:
    if moto.__version__ != CHECKED_AGAINST:
        print(f"tests/moto_server.py: the patches were checked against moto {CHECKED_AGAINST}, this is {moto.__version__}", file=sys.stderr)
        return 2
    gaps = {g["id"]: g for g in yaml.safe_load(GAPS_FILE.read_text()) if g.get("patch") == "moto-server"}
    if set(gaps) != set(PATCHES):
        print(f"tests/moto_server.py: patches {sorted(PATCHES)} but emulator_gaps.yaml lists {sorted(gaps)}", file=sys.stderr)
        return 2
    for gap_id, patch in PATCHES.items():
        patch()
        print(f"GAP {gap_id} (moto server): {gaps[gap_id]['harness']}", flush=True)
    from moto.server import main as serve

    return serve(sys.argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main())
