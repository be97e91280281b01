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


# The condition of a TLS-only bucket policy's Deny: it applies to requests over plain HTTP.
INSECURE_TRANSPORT = {"Bool": {"aws:SecureTransport": "false"}}


def s3_bucket_policies() -> None:
    """A bucket policy's Deny on `aws:SecureTransport: false` left out of moto's object checks
    (the harness reaches moto over HTTP on 127.0.0.1, where AWS is reached over HTTPS, and moto
    evaluates the Deny without its condition); a log target's policy read past statements whose
    principal is `*`. Every other statement is evaluated as before."""
    from moto.iam.access_control import IAMPolicy, PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self, action, resource):
        if self.policy is None:
            return PermissionResult.NEUTRAL
        policy = json.loads(self.policy.decode())
        statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
        policy["Statement"] = [s for s in statements if s.get("Condition") != INSECURE_TRANSPORT]
        if not policy["Statement"]:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission

    def log_permissions(target_bucket, target_prefix):
        # moto reads every statement's Principal as a mapping; a Deny to "*" makes it raise
        # (AttributeError, a 500 the provider retries for ever), so only mappings are read.
        policy = json.loads(target_bucket.policy.decode()) if target_bucket.policy else None
        if policy is None:
            return False
        statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
        readable = [st for st in statements if isinstance(st.get("Principal"), dict)]
        saved = target_bucket.policy
        target_bucket.policy = json.dumps({**policy, "Statement": readable}).encode()
        try:
            return plain_log_permissions(target_bucket, target_prefix)
        finally:
            target_bucket.policy = saved

    plain_log_permissions = FakeBucket._log_permissions_enabled_policy
    FakeBucket._log_permissions_enabled_policy = staticmethod(log_permissions)


def glue_connections() -> None:
    """DeleteConnection removes the connection (moto keeps them in `connections`, by name), and
    a connection reads back with its ConnectionType."""
    from moto.core.responses import ActionResult
    from moto.glue.exceptions import EntityNotFoundException
    from moto.glue.models import FakeConnection
    from moto.glue.responses import GlueResponse

    as_dict = FakeConnection.as_dict

    def with_type(self, hide_password=False):
        return {**as_dict(self, hide_password), "ConnectionType": self.connection_input.get("ConnectionType")}

    FakeConnection.as_dict = with_type

    def delete_connection(self):
        name = self._get_param("ConnectionName")
        if self.glue_backend.connections.pop(name, None) is None:
            raise EntityNotFoundException(f"Connection {name} not found")
        return ActionResult({})

    GlueResponse.delete_connection = delete_connection


def lakeformation_revoke() -> None:
    """A revoke of permissions the principal does not hold on the resource is refused, as Lake
    Formation refuses it ("No permissions revoked. Grantee has no ..."), instead of answering 200."""
    from moto.lakeformation.exceptions import InvalidInput
    from moto.lakeformation.models import LakeFormationBackend, Permission

    revoke = LakeFormationBackend.revoke_permissions

    def refusing(self, catalog_id, principal, resource, permissions_to_revoke, permissions_with_grant_options_to_revoke):
        wanted = Permission(principal, resource, [], [])
        catalog = self.grants.get(catalog_id)
        held = next((p for p in (catalog.permissions if catalog else ()) if p.equal_principal_and_resouce(wanted)), None)
        asked = set(permissions_to_revoke or []) | set(permissions_with_grant_options_to_revoke or [])
        if held is None or not asked & (set(held.permissions) | set(held.permissions_with_grant_options)):
            raise InvalidInput(f"No permissions revoked. Grantee has no {sorted(asked)} permission(s) on the resource")
        return revoke(self, catalog_id, principal, resource, permissions_to_revoke, permissions_with_grant_options_to_revoke)

    LakeFormationBackend.revoke_permissions = refusing


def lambda_policy_statements() -> None:
    """A function's policy changed by one call at a time, and read whole: Policy.del_statement
    iterates the statement list while removing from it, so two concurrent removals (Terraform
    deletes a function's permissions in parallel) can skip a statement, answer 404 and keep it."""
    import threading

    from moto.awslambda.policy import Policy

    lock = threading.RLock()
    for name in ("add_statement", "del_statement", "get_policy", "wire_format"):
        method = getattr(Policy, name)

        def locked(self, *args, _method=method, **kwargs):
            with lock:
                return _method(self, *args, **kwargs)

        setattr(Policy, name, locked)


def sdk_retries() -> None:
    """An SDK's retry of a call moto already answered (or is still answering) gets that answer
    instead of running the call twice. A retry is recognised by the invocation id the AWS SDKs
    (Go, as Terraform's provider uses, and botocore) send unchanged on every attempt of one call;
    only answers below 500 are kept, so a failed attempt is still retried for real; reads over
    GET and HEAD are left alone (running one twice changes nothing)."""
    import threading
    from collections import OrderedDict

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    guard = threading.Lock()
    answered: OrderedDict[str, tuple[str, list, bytes]] = OrderedDict()
    running: dict[str, threading.Event] = {}
    dispatch = DomainDispatcherApplication.__call__

    def replay(environ, start_response, answer):
        status, headers, body = answer
        print(f"RETRY {environ.get('HTTP_AMZ_SDK_REQUEST', '')} of {environ.get('HTTP_X_AMZ_TARGET') or environ.get('PATH_INFO')}: answered as before ({status})", flush=True)
        start_response(status, headers)
        return [body]

    def call(self, environ, start_response):
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation or environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return dispatch(self, environ, start_response)
        while True:
            with guard:
                if invocation in answered:
                    return replay(environ, start_response, answered[invocation])
                first = running.get(invocation)
                if first is None:
                    done = running[invocation] = threading.Event()
                    break
            first.wait()
        seen: list = []

        def record(status, headers, exc_info=None):
            seen[:] = [status, headers]
            return start_response(status, headers, exc_info)

        try:
            chunks = dispatch(self, environ, record)
            try:
                body = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
            if seen and int(seen[0].split()[0]) < 500:
                with guard:
                    answered[invocation] = (seen[0], list(seen[1]), body)
                    if len(answered) > 10_000:
                        answered.popitem(last=False)
            return [body]
        finally:
            with guard:
                del running[invocation]
            done.set()

    DomainDispatcherApplication.__call__ = call


def rds_cfn_instances() -> None:
    """An AWS::RDS::DBInstance created by CloudFormation under its DBInstanceIdentifier (moto
    names it after the logical ID, so a second stack's collides), with the master secret RDS
    keeps when ManageMasterUserPassword is set, its parameter group's Ref read as the group's name,
    and the attributes MasterUserSecret.SecretArn, DBInstanceArn and DbiResourceId read back."""
    from moto.rds.models import DBInstance, MasterUserSecret

    create = DBInstance.create_from_cloudformation_json.__func__
    attribute = DBInstance.get_cfn_attribute

    def created(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = dict(cloudformation_json["Properties"])
        # moto resolves the Ref to the parameter group itself, then reads it as a name.
        group = properties.get("DBParameterGroupName")
        if hasattr(group, "name"):
            properties["DBParameterGroupName"] = group.name
        name = properties.get("DBInstanceIdentifier", resource_name)
        database = create(cls, name, {**cloudformation_json, "Properties": properties}, account_id, region_name, **kwargs)
        if properties.get("ManageMasterUserPassword"):
            database.manage_master_user_password = True
            key = (properties.get("MasterUserSecret") or {}).get("KmsKeyId")
            database.master_user_secret = MasterUserSecret(database, key)
        return database

    def read(self, name):
        if name == "MasterUserSecret.SecretArn" and getattr(self, "master_user_secret", None):
            return self.master_user_secret.secret_arn
        if name == "DBInstanceArn":
            return self.arn
        if name == "DbiResourceId":
            return self.dbi_resource_id
        return attribute(self, name)

    DBInstance.create_from_cloudformation_json = classmethod(created)
    DBInstance.get_cfn_attribute = read
    DBInstance.has_cfn_attr = classmethod(
        lambda cls, name: name
        in ("Endpoint.Address", "Endpoint.Port", "MasterUserSecret.SecretArn", "DBInstanceArn", "DbiResourceId")
    )


def rds_resource_ids() -> None:
    """Each DB instance a resource ID of its own (moto gives every one db-M5ENSHXFPU6XHZ4G4ZEI5QIO2U,
    and the provider finds an instance by its resource ID)."""
    import random
    import string

    from moto.rds.models import DBInstance

    init = DBInstance.__init__

    def unique(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.dbi_resource_id = "db-" + "".join(random.choices(string.ascii_uppercase + string.digits, k=26))

    DBInstance.__init__ = unique


def aws_managed_policies() -> None:
    """The AWS managed policies every account has (moto loads them only when told to)."""
    import os

    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"


PATCHES = {
    "tf-sfn-validate-and-versions": sfn_plan_calls,
    "tf-sqs-attributes": sqs_attributes,
    "tf-s3-bucket-policies": s3_bucket_policies,
    "tf-glue-connections": glue_connections,
    "tf-lambda-policy-statements": lambda_policy_statements,
    "tf-lakeformation-revoke": lakeformation_revoke,
    "moto-server-sdk-retries": sdk_retries,
    "cfn-rds-instance": rds_cfn_instances,
    "moto-server-aws-managed-policies": aws_managed_policies,
    "tf-rds-resource-ids": rds_resource_ids,
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
