#!/usr/bin/env python3
"""Create the e-WOKiSS infrastructure in a local AWS emulator (moto) from infra/template.yaml.

infra/template.yaml is the single source of truth: every DynamoDB table, S3 bucket, SQS queue,
SNS topic, SES identity / configuration set and Cognito user pool / client / group declared
there is created here under the name  <prefix><LogicalId>  (lower-cased for S3), unless the
template gives the resource an explicit name. The function environment (Globals + each
function's Environment.Variables) is resolved against what was created and written to an env
file, plus the local overrides (AWS_ENDPOINT_URL, dummy keys, the emulator's JWKS URL).

Subcommands (every one is idempotent: re-running against a running emulator is fine):

  infra        --endpoint URL --out FILE.env [--prefix NAME] [--param KEY=VALUE ...]
  users        --env FILE.env --users demo-users.json
  site-config  --env FILE.env --out site-config.json [--cognito-endpoint /auth/]

Needs boto3 and PyYAML (the project's .venv has both: moto brings boto3, cfn-lint brings PyYAML).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shlex
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

import boto3
import yaml
from botocore.config import Config
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE = REPO / "infra" / "template.yaml"
REGION = "eu-central-1"
ACCOUNT_ID = "123456789012"  # moto's default account
DUMMY_KEY = "test"
# Local parameter overrides: deletion protection etc. off in the emulator.
# Local values of the template's parameters: the web app on its dev port; no SES rate to respect.
LOCAL_PARAMS = {"Stage": "dev", "AppUrl": "http://127.0.0.1:8080", "MaxSendRate": "200"}


def log(msg: str) -> None:
    print(f"[bootstrap] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- template loading


class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short-form tags into their long form."""


def _cfn_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            resource, _, attribute = value.partition(".")
            value = [resource, attribute]
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _cfn_tag)


def load_template(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=CfnLoader)  # noqa: S506 - SafeLoader subclass


# --------------------------------------------------------------------------- intrinsic functions


class Unresolved(Exception):
    """A value refers to something not (yet) known locally."""


class Resolver:
    def __init__(self, template: dict[str, Any], params: dict[str, str], stack_name: str):
        self.template = template
        self.params: dict[str, Any] = {}
        for name, spec in (template.get("Parameters") or {}).items():
            if name in params:
                self.params[name] = params[name]
            elif "Default" in spec:
                self.params[name] = spec["Default"]
        for name, value in params.items():
            self.params.setdefault(name, value)
        self.pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{stack_name}/local",
            "AWS::NoValue": None,
        }
        self.refs: dict[str, Any] = {}  # logical id -> Ref value of a created resource
        self.attrs: dict[str, dict[str, Any]] = {}  # logical id -> GetAtt values
        self.resource_types = {
            k: v.get("Type") for k, v in (template.get("Resources") or {}).items()
        }

    def condition(self, name: str) -> bool:
        conditions = self.template.get("Conditions") or {}
        if name not in conditions:
            raise Unresolved(f"unknown condition {name}")
        return bool(self.resolve(conditions[name]))

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            out = [self.resolve(v) for v in value]
            return [v for v in out if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            fn = self._functions().get(key)
            if fn is not None:
                return fn(arg)
        out = {}
        for k, v in value.items():
            r = self.resolve(v)
            if r is not _NO_VALUE:
                out[k] = r
        return out

    def _functions(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": lambda a: str(self.resolve(a[0])).join(str(x) for x in self.resolve(a[1])),
            "Fn::If": self._if,
            "Fn::Equals": lambda a: str(self.resolve(a[0])) == str(self.resolve(a[1])),
            "Fn::Not": lambda a: not self.resolve(a[0]),
            "Fn::And": lambda a: all(self.resolve(x) for x in a),
            "Fn::Or": lambda a: any(self.resolve(x) for x in a),
            "Condition": self.condition,
            "Fn::Select": lambda a: self.resolve(a[1])[int(self.resolve(a[0]))],
            "Fn::Split": lambda a: str(self.resolve(a[1])).split(self.resolve(a[0])),
            "Fn::ToJsonString": lambda a: json.dumps(self.resolve(a)),
        }

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.params:
            return self.params[name]
        if name in self.refs:
            return self.refs[name]
        raise Unresolved(f"Ref {name}")

    def _get_att(self, arg: Any) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        resource, attribute = self.resolve(arg[0]), self.resolve(arg[1])
        try:
            return self.attrs[resource][attribute]
        except KeyError:
            raise Unresolved(f"GetAtt {resource}.{attribute}") from None

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, extra = arg[0], {k: self.resolve(v) for k, v in arg[1].items()}
        else:
            text, extra = arg, {}

        def repl(m: re.Match[str]) -> str:
            expr = m.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"
            if expr in extra:
                return str(extra[expr])
            if "." in expr and not expr.startswith("AWS::"):
                return str(self._get_att(expr.split(".", 1)))
            return str(self._ref(expr))

        return re.sub(r"\$\{([^}]+)\}", repl, text)

    def _if(self, arg: Any) -> Any:
        name, when_true, when_false = arg
        return self.resolve(when_true if self.condition(name) else when_false)


_NO_VALUE = object()


# --------------------------------------------------------------------------- AWS clients


def client(service: str, endpoint: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_KEY,
        config=Config(retries={"max_attempts": 5, "mode": "standard"}),
    )


def error_code(e: ClientError) -> str:
    return e.response.get("Error", {}).get("Code", "")


def api_params(cl: Any, operation: str, props: dict[str, Any], skip: set[str] = frozenset()) -> dict:
    """The template properties whose names are also input members of the API operation."""
    members = cl.meta.service_model.operation_model(operation).input_shape.members
    return {k: v for k, v in props.items() if k in members and k not in skip}


# --------------------------------------------------------------------------- resource creators


class Infra:
    def __init__(self, endpoint: str, prefix: str, resolver: Resolver):
        self.endpoint = endpoint
        self.prefix = prefix
        self.r = resolver
        self._clients: dict[str, Any] = {}
        self.created: list[tuple[str, str, str]] = []  # (type, logical id, physical name)

    def c(self, service: str):
        if service not in self._clients:
            self._clients[service] = client(service, self.endpoint)
        return self._clients[service]

    def name(self, logical_id: str, explicit: Any = None) -> str:
        return f"{self.prefix}{explicit or logical_id}"

    # ---- DynamoDB
    def dynamodb_table(self, lid: str, p: dict[str, Any]) -> None:
        ddb = self.c("dynamodb")
        name = self.name(lid, p.get("TableName"))
        args: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": p["AttributeDefinitions"],
            "KeySchema": p["KeySchema"],
            "BillingMode": p.get("BillingMode", "PROVISIONED"),
        }
        if args["BillingMode"] == "PROVISIONED":
            args["ProvisionedThroughput"] = p.get(
                "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            )
        index_keys = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if p.get(kind):
                args[kind] = [{k: v for k, v in ix.items() if k in index_keys} for ix in p[kind]]
        # No stream locally: its one reader in AWS is the outbox pipe, whose local stand-in
        # (outbox_relay.py) reads the pending entries from GSI1 instead (moto's stream misses
        # transactions). moto would otherwise copy every written item into stream records,
        # an eighth of its time in a billing run, for no reader.
        try:
            ddb.create_table(**args)
            ddb.get_waiter("table_exists").wait(TableName=name)
            state = "created"
        except ClientError as e:
            if error_code(e) != "ResourceInUseException":
                raise
            state = "exists"
            self._check_table(name, args)
        ttl = p.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            try:
                ddb.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
                )
            except ClientError as e:
                if error_code(e) != "ValidationException":  # already enabled
                    raise
        pitr = (p.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")
        if pitr:
            ddb.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"
        self.r.refs[lid] = name
        self.r.attrs[lid] = {"Arn": arn, "StreamArn": f"{arn}/stream/local"}
        self.created.append(("DynamoDB table", lid, f"{name} ({state})"))

    def _check_table(self, name: str, wanted: dict[str, Any]) -> None:
        table = self.c("dynamodb").describe_table(TableName=name)["Table"]
        have_ix = sorted(ix["IndexName"] for ix in table.get("GlobalSecondaryIndexes", []))
        want_ix = sorted(ix["IndexName"] for ix in wanted.get("GlobalSecondaryIndexes", []))
        if table["KeySchema"] != wanted["KeySchema"] or have_ix != want_ix:
            log(
                f"WARNING: table {name} exists with a different key schema or indexes "
                f"({have_ix} vs {want_ix}); reset the emulator (POST /moto-api/reset) and re-run"
            )

    # ---- S3
    def s3_bucket(self, lid: str, p: dict[str, Any]) -> None:
        s3 = self.c("s3")
        raw_name = ((self.r.template.get("Resources") or {}).get(lid, {}).get("Properties") or {}).get("BucketName")
        if raw_name is not None and "AWS::StackName" in json.dumps(raw_name):
            # A name built from the stack's name is already distinct per prefix (the local stack
            # name is derived from it), and functions may spell it out instead of referring to
            # the bucket: keep it as the template resolves it.
            name = str(p["BucketName"]).lower()
        else:
            name = self.name(lid, p.get("BucketName")).lower()
        try:
            s3.create_bucket(
                Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
            state = "created"
        except ClientError as e:
            if error_code(e) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
            state = "exists"
        if p.get("PublicAccessBlockConfiguration"):
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"]
            )
        if p.get("BucketEncryption"):
            # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
            rules = [
                {("ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k): v
                 for k, v in rule.items()}
                for rule in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(
                Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules}
            )
        if (p.get("VersioningConfiguration") or {}).get("Status"):
            s3.put_bucket_versioning(
                Bucket=name,
                VersioningConfiguration={"Status": p["VersioningConfiguration"]["Status"]},
            )
        cors = (p.get("CorsConfiguration") or {}).get("CorsRules")
        if cors:
            rules = []
            for rule in cors:
                rule = dict(rule)
                rule.pop("Id", None)
                if "MaxAge" in rule:
                    rule["MaxAgeSeconds"] = rule.pop("MaxAge")
                rules.append(rule)
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        self.r.refs[lid] = name
        self.r.attrs[lid] = {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
        }
        self.created.append(("S3 bucket", lid, f"{name} ({state})"))

    # ---- SQS
    def sqs_queue(self, lid: str, p: dict[str, Any]) -> None:
        sqs = self.c("sqs")
        name = self.name(lid, p.get("QueueName"))
        if p.get("FifoQueue") and not name.endswith(".fifo"):
            name += ".fifo"
        attributes: dict[str, str] = {}
        for key in (
            "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "FifoQueue",
            "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
        ):
            if key in p:
                v = p[key]
                attributes[key] = str(v).lower() if isinstance(v, bool) else str(v)
        for key in ("RedrivePolicy", "RedriveAllowPolicy"):
            if key in p:
                attributes[key] = p[key] if isinstance(p[key], str) else json.dumps(p[key])
        try:
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        except ClientError as e:
            if error_code(e) not in ("QueueAlreadyExists", "QueueNameExists"):
                raise
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"
        self.r.refs[lid] = url
        self.r.attrs[lid] = {"Arn": arn, "QueueName": name, "QueueUrl": url}
        self.created.append(("SQS queue", lid, url))

    # ---- SNS
    def sns_topic(self, lid: str, p: dict[str, Any]) -> None:
        name = self.name(lid, p.get("TopicName"))
        attrs = {"FifoTopic": "true"} if p.get("FifoTopic") else {}
        if p.get("FifoTopic") and not name.endswith(".fifo"):
            name += ".fifo"
        arn = self.c("sns").create_topic(Name=name, Attributes=attrs)["TopicArn"]
        self.r.refs[lid] = arn
        self.r.attrs[lid] = {"TopicArn": arn, "TopicName": name}
        self.created.append(("SNS topic", lid, arn))

    # ---- SES v2
    def ses_configuration_set(self, lid: str, p: dict[str, Any]) -> None:
        ses = self.c("sesv2")
        name = self.name(lid, p.get("Name"))
        args = api_params(ses, "CreateConfigurationSet", p, skip={"ConfigurationSetName"})
        try:
            ses.create_configuration_set(ConfigurationSetName=name, **args)
        except ClientError as e:
            if "AlreadyExists" not in error_code(e):
                raise
        self.r.refs[lid] = name
        self.r.attrs[lid] = {}
        self.created.append(("SES configuration set", lid, name))

    def ses_email_identity(self, lid: str, p: dict[str, Any]) -> None:
        ses = self.c("sesv2")
        identity = p["EmailIdentity"]
        args: dict[str, Any] = {"EmailIdentity": identity}
        config_set = (p.get("ConfigurationSetAttributes") or {}).get("ConfigurationSetName")
        if config_set:
            args["ConfigurationSetName"] = config_set
        try:
            ses.create_email_identity(**args)
        except ClientError as e:
            if "AlreadyExists" not in error_code(e):
                raise
        self.r.refs[lid] = identity
        self.r.attrs[lid] = {}
        self.created.append(("SES identity", lid, identity))

    # ---- Cognito
    def cognito_user_pool(self, lid: str, p: dict[str, Any]) -> None:
        idp = self.c("cognito-idp")
        name = self.name(lid, p.get("UserPoolName"))
        pool_id = None
        for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
            for pool in page["UserPools"]:
                if pool["Name"] == name:
                    pool_id = pool["Id"]
        state = "exists"
        if pool_id is None:
            # Deletion protection / Lambda triggers / SMS roles do not apply locally.
            args = api_params(
                idp, "CreateUserPool", p,
                skip={"PoolName", "DeletionProtection", "LambdaConfig", "SmsConfiguration",
                      "EmailConfiguration", "UserPoolAddOns"},
            )
            pool_id = idp.create_user_pool(PoolName=name, **args)["UserPool"]["Id"]
            state = "created"
        issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
        self.r.refs[lid] = pool_id
        self.r.attrs[lid] = {
            "Arn": f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{pool_id}",
            "ProviderName": issuer.removeprefix("https://"),
            "ProviderURL": issuer,
            "UserPoolId": pool_id,
        }
        self.created.append(("Cognito user pool", lid, f"{pool_id} ({state})"))

    def cognito_user_pool_client(self, lid: str, p: dict[str, Any]) -> None:
        idp = self.c("cognito-idp")
        pool_id = p["UserPoolId"]
        name = p.get("ClientName") or self.name(lid)
        client_id = None
        for page in idp.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pool_id, MaxResults=60
        ):
            for cl in page["UserPoolClients"]:
                if cl["ClientName"] == name:
                    client_id = cl["ClientId"]
        args = api_params(idp, "CreateUserPoolClient", p, skip={"UserPoolId", "ClientName"})
        if client_id is None:
            client_id = idp.create_user_pool_client(
                UserPoolId=pool_id, ClientName=name, **args
            )["UserPoolClient"]["ClientId"]
            state = "created"
        else:
            args.pop("GenerateSecret", None)
            idp.update_user_pool_client(
                UserPoolId=pool_id, ClientId=client_id, ClientName=name,
                **api_params(idp, "UpdateUserPoolClient", args),
            )
            state = "updated"
        self.r.refs[lid] = client_id
        self.r.attrs[lid] = {"ClientId": client_id, "Name": name}
        self.created.append(("Cognito app client", lid, f"{client_id} ({state})"))

    def cognito_user_pool_group(self, lid: str, p: dict[str, Any]) -> None:
        idp = self.c("cognito-idp")
        name = p.get("GroupName") or self.name(lid)
        args = api_params(idp, "CreateGroup", p, skip={"UserPoolId", "GroupName", "RoleArn"})
        try:
            idp.create_group(UserPoolId=p["UserPoolId"], GroupName=name, **args)
        except ClientError as e:
            if error_code(e) != "GroupExistsException":
                raise
        self.r.refs[lid] = name
        self.r.attrs[lid] = {}
        self.created.append(("Cognito group", lid, name))


CREATORS: dict[str, Callable[[Infra, str, dict[str, Any]], None]] = {
    "AWS::DynamoDB::Table": Infra.dynamodb_table,
    "AWS::S3::Bucket": Infra.s3_bucket,
    "AWS::SQS::Queue": Infra.sqs_queue,
    "AWS::SNS::Topic": Infra.sns_topic,
    "AWS::SES::ConfigurationSet": Infra.ses_configuration_set,
    "AWS::SES::EmailIdentity": Infra.ses_email_identity,
    "AWS::Cognito::UserPool": Infra.cognito_user_pool,
    "AWS::Cognito::UserPoolClient": Infra.cognito_user_pool_client,
    "AWS::Cognito::UserPoolGroup": Infra.cognito_user_pool_group,
}

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


# --------------------------------------------------------------------------- env files


def write_env(path: Path, values: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Generated by scripts/localstack/bootstrap.py from infra/template.yaml. Do not edit."]
    lines += [f"export {k}={shlex.quote(str(v))}" for k, v in values.items()]
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def read_env(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, _, raw = line.partition("=")
        parts = shlex.split(raw) if raw else [""]
        values[key.strip()] = parts[0] if parts else ""
    return values


def function_environment(template: dict[str, Any], resolver: Resolver) -> dict[str, str]:
    """Globals.Function + every function's Environment.Variables, resolved locally."""
    env: dict[str, Any] = {}
    globals_fn = (template.get("Globals") or {}).get("Function") or {}
    sources = [("Globals", (globals_fn.get("Environment") or {}).get("Variables") or {})]
    for lid, res in (template.get("Resources") or {}).items():
        if res.get("Type") in FUNCTION_TYPES:
            props = res.get("Properties") or {}
            sources.append((lid, (props.get("Environment") or {}).get("Variables") or {}))
    origin: dict[str, str] = {}
    for source, variables in sources:
        for key, raw in variables.items():
            try:
                value = resolver.resolve(raw)
            except Unresolved as e:
                log(f"note: {source} env {key} not set locally ({e})")
                continue
            if value is _NO_VALUE:
                continue
            if key in env and env[key] != value and origin[key] != "Globals":
                log(f"WARNING: env {key} differs between {origin[key]} and {source}; using {source}")
            env[key] = "" if value is None else str(value)
            origin[key] = source
    return env


# --------------------------------------------------------------------------- subcommands


def wait_for(endpoint: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2).read(1)
            return
        except Exception as e:  # noqa: BLE001
            if time.monotonic() > deadline:
                raise SystemExit(f"emulator at {endpoint} does not answer: {e}") from e
            time.sleep(0.3)


def cmd_infra(args: argparse.Namespace) -> None:
    endpoint = args.endpoint.rstrip("/")
    wait_for(endpoint)
    template = load_template(Path(args.template))
    params = dict(LOCAL_PARAMS)
    for kv in args.param or []:
        k, _, v = kv.partition("=")
        params[k] = v
    resolver = Resolver(template, params, stack_name=(args.prefix or "ewokiss").strip("-_") or "ewokiss")
    infra = Infra(endpoint, args.prefix, resolver)

    pending = []
    for lid, res in (template.get("Resources") or {}).items():
        if res.get("Type") not in CREATORS:
            continue
        cond = res.get("Condition")
        if cond and not resolver.condition(cond):
            log(f"skip {lid}: condition {cond} is false")
            continue
        pending.append((lid, res))

    # Create in dependency order: retry what refers to something not yet created.
    while pending:
        progress, deferred, last_error = False, [], None
        for lid, res in pending:
            try:
                props = resolver.resolve(res.get("Properties") or {})
            except Unresolved as e:
                deferred.append((lid, res))
                last_error = f"{lid}: {e}"
                continue
            CREATORS[res["Type"]](infra, lid, props)
            progress = True
        if not progress:
            raise SystemExit(f"cannot resolve references locally: {last_error}")
        pending = deferred

    env = function_environment(template, resolver)
    pools = [lid for lid, t in resolver.resource_types.items() if t == "AWS::Cognito::UserPool"]
    clients = [lid for lid, t in resolver.resource_types.items() if t == "AWS::Cognito::UserPoolClient"]
    if pools:
        pool_id = resolver.refs[pools[0]]
        env["COGNITO_USER_POOL_ID"] = pool_id
        # The token's iss is AWS-style; the keys are served by the emulator.
        env["COGNITO_ISSUER"] = f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
        env["COGNITO_JWKS_URL"] = f"{endpoint}/{pool_id}/.well-known/jwks.json"
    if clients:
        env["COGNITO_CLIENT_ID"] = resolver.refs[clients[0]]
        env.setdefault("COGNITO_AUDIENCE", resolver.refs[clients[0]])
    for lid, t in resolver.resource_types.items():
        if t == "AWS::DynamoDB::Table" and lid in resolver.refs:
            env.setdefault("TABLE_NAME", resolver.refs[lid])
        if t == "AWS::S3::Bucket" and lid == "DocumentsBucket":
            env.setdefault("DOCUMENTS_BUCKET", resolver.refs[lid])
        if t == "AWS::SES::ConfigurationSet" and lid in resolver.refs:
            env.setdefault("SES_CONFIGURATION_SET", resolver.refs[lid])
        if t == "AWS::SES::EmailIdentity" and lid in resolver.refs:
            env.setdefault("SENDER_DOMAIN", resolver.refs[lid])
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": DUMMY_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
        }
    )
    env.setdefault("RUST_LOG", "info")
    # Secrets Manager is not emulated: a fresh signing key per local stack.
    if not env.get("LINK_SIGNING_SECRET") or env["LINK_SIGNING_SECRET"].startswith("{{resolve"):
        env["LINK_SIGNING_SECRET"] = secrets.token_urlsafe(36)
    write_env(Path(args.out), env)

    width = max(len(t) for t, _, _ in infra.created) if infra.created else 0
    for t, lid, phys in infra.created:
        log(f"{t:<{width}}  {lid:<24} {phys}")
    log(f"wrote {args.out}")


def _env_client(env: dict[str, str], service: str):
    return client(service, env["AWS_ENDPOINT_URL"])


def cmd_users(args: argparse.Namespace) -> None:
    env = read_env(Path(args.env))
    pool_id = env["COGNITO_USER_POOL_ID"]
    idp = _env_client(env, "cognito-idp")
    users = json.loads(Path(args.users).read_text(encoding="utf-8"))
    if not isinstance(users, list):
        raise SystemExit(f"{args.users}: expected a JSON list of users")
    failures = 0
    for u in users:
        # The pool is case-insensitive in AWS (UsernameConfiguration); moto is not: lower-case.
        email = (u.get("email") or u["username"]).strip().lower()
        username = (u.get("username") or email).strip().lower()
        attributes = [
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ]
        if u.get("name"):
            attributes.append({"Name": "name", "Value": u["name"]})
        for key, attr in (("unitId", "custom:unit_id"), ("personId", "custom:person_id")):
            if u.get(key):
                attributes.append({"Name": attr, "Value": str(u[key])})
        try:
            idp.admin_create_user(
                UserPoolId=pool_id, Username=username, UserAttributes=attributes,
                MessageAction="SUPPRESS",
            )
        except ClientError as e:
            if error_code(e) != "UsernameExistsException":
                raise
            # Re-run: refresh the other attributes (moto rejects re-setting the user's own
            # e-mail with AliasExistsException).
            idp.admin_update_user_attributes(
                UserPoolId=pool_id, Username=username,
                UserAttributes=[a for a in attributes if a["Name"] not in ("email", "email_verified")],
            )
        try:
            idp.admin_set_user_password(
                UserPoolId=pool_id, Username=username, Password=u["password"], Permanent=True
            )
        except ClientError as e:
            if error_code(e) != "InvalidPasswordException":
                raise
            failures += 1
            log(f"ERROR: password of {username} violates the pool's password policy "
                "(infra/template.yaml UserPool.Policies.PasswordPolicy)")
            continue
        groups = u.get("groups") or ([u["group"]] if u.get("group") else [])
        for group in groups:
            idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
    log(f"{len(users) - failures} user(s) ready in pool {pool_id}")
    if failures:
        raise SystemExit(1)


def cmd_site_config(args: argparse.Namespace) -> None:
    env = read_env(Path(args.env))
    config = {
        "cognitoClientId": env["COGNITO_CLIENT_ID"],
        "cognitoEndpoint": args.cognito_endpoint,
        "userPoolId": env["COGNITO_USER_POOL_ID"],
        "region": env.get("AWS_REGION", REGION),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("infra", help="create the template's resources in the emulator")
    p.add_argument("--endpoint", required=True, help="emulator URL, e.g. http://127.0.0.1:4566")
    p.add_argument("--out", required=True, help="env file to write (export KEY=VALUE lines)")
    p.add_argument("--prefix", default="", help="prefix of every local resource name")
    p.add_argument("--template", default=str(DEFAULT_TEMPLATE))
    p.add_argument("--param", action="append", help="template parameter KEY=VALUE (repeatable)")
    p.set_defaults(fn=cmd_infra)

    p = sub.add_parser("users", help="create Cognito users from a demo-users.json")
    p.add_argument("--env", required=True)
    p.add_argument("--users", required=True)
    p.set_defaults(fn=cmd_users)

    p = sub.add_parser("site-config", help="write the web app's config.json")
    p.add_argument("--env", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--cognito-endpoint", default="/auth/",
                   help="where the browser sends Cognito calls (the dev server proxies /auth/)")
    p.set_defaults(fn=cmd_site_config)

    args = ap.parse_args(argv)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    args.fn(args)


if __name__ == "__main__":
    main()
