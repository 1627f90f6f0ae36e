"""Local stand-in for SES receiving and the bucket's S3 trigger of the inbound-mail function
(infra/template.yaml: the receipt rule writes each message to the inbound bucket under
inbound/raw/; S3 invokes the function with an ObjectCreated event).

  deliver_inbound.py FILE.eml [--from ADDRESS] [--training ID | --mailing ID]
      puts the message into the bucket (as SES would) and invokes the function on it; prints
      what the function did. --from replaces the sender (e.g. a demo person's address, so the
      message is linked to them); --training / --mailing address it to that object's reply
      plus-address (biuro+t-<token>@…), as a reply to its e-mail would be.

  deliver_inbound.py --watch
      the trigger: every object that appears under inbound/raw/ is handed to the function once
      (started by ./scripts/dev, so a message put into the bucket by any tool is received).

Needs the stack's environment (.local/stack.env: INBOUND_BUCKET, INBOUND_ADDRESS,
AWS_ENDPOINT_URL, keys) and `cargo lambda watch` (--lambda, default http://127.0.0.1:9000).
"""

import argparse
import base64
import datetime
import email
import email.policy
import email.utils
import json
import os
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import boto3
from botocore.config import Config

RAW_PREFIX = "inbound/raw/"
FUNCTION = "inbound-mail"


def s3_client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ["AWS_ENDPOINT_URL"],
        region_name=os.environ.get("AWS_REGION", "eu-central-1"),
        config=Config(s3={"addressing_style": "path"}),
    )


def s3_event(bucket, key, size):
    """The ObjectCreated event S3 sends (functions/inbound-mail/events/s3-put.json)."""
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": os.environ.get("AWS_REGION", "eu-central-1"),
                "eventTime": now,
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": "AWS:local:ses"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "inbound-raw",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    # S3 URL-encodes the key in its events.
                    "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": size},
                },
            }
        ]
    }


def invoke(lambda_url, event):
    request = urllib.request.Request(
        f"{lambda_url}/2015-03-31/functions/{FUNCTION}/invocations",
        data=json.dumps(event).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read() or b"{}")


def reply_address(base, kind, object_id):
    """The plus-address carrying a reply token: lowercase RFC 4648 base32 of the uuid's bytes."""
    token = base64.b32encode(uuid.UUID(object_id).bytes).decode().rstrip("=").lower()
    local, _, domain = base.partition("@")
    return f"{local.split('+')[0]}+{kind}-{token}@{domain}"


def rewrite(raw, sender, to):
    """Another sender or recipient makes it another message: it also gets a Message-ID of its own."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    del message["Message-ID"]
    message["Message-ID"] = email.utils.make_msgid(domain="local.test")
    if sender:
        del message["From"]
        message["From"] = sender
    if to:
        del message["To"]
        message["To"] = to
    return message.as_bytes()


def deliver(args):
    bucket = os.environ["INBOUND_BUCKET"]
    raw = Path(args.file).read_bytes()
    to = None
    if args.training or args.mailing:
        kind, object_id = ("t", args.training) if args.training else ("m", args.mailing)
        to = reply_address(os.environ.get("INBOUND_ADDRESS", "biuro@wokiss.pl"), kind, object_id)
    if args.sender or to:
        raw = rewrite(raw, args.sender, to)
    key = f"{RAW_PREFIX}{uuid.uuid4().hex}"
    s3_client().put_object(Bucket=bucket, Key=key, Body=raw, ContentType="message/rfc822")
    print(f"[inbound] s3://{bucket}/{key} ({len(raw)} bytes){' to ' + to if to else ''}", file=sys.stderr)
    if args.no_invoke:
        return
    print(json.dumps(invoke(args.lambda_url, s3_event(bucket, key, len(raw))), ensure_ascii=False, indent=2))


def watch(args):
    bucket = os.environ["INBOUND_BUCKET"]
    s3 = s3_client()
    handed = set()
    print(f"[inbound-relay] s3://{bucket}/{RAW_PREFIX} → {FUNCTION}", file=sys.stderr, flush=True)
    while True:
        try:
            new = []
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=RAW_PREFIX):
                new += [o for o in page.get("Contents", []) if o["Key"] not in handed]
            for obj in sorted(new, key=lambda o: o["LastModified"]):
                result = invoke(args.lambda_url, s3_event(bucket, obj["Key"], obj["Size"]))
                handed.add(obj["Key"])
                print(f"[inbound-relay] {obj['Key']}: {json.dumps(result, ensure_ascii=False)}", file=sys.stderr, flush=True)
            time.sleep(args.interval)
        except Exception as error:  # keep relaying; the function or the emulator may be restarting
            print(f"[inbound-relay] {error}", file=sys.stderr, flush=True)
            time.sleep(max(args.interval, 2))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", help="the message (.eml) to deliver")
    parser.add_argument("--from", dest="sender", help="replace the From header")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--training", help="address it to this training's reply plus-address")
    target.add_argument("--mailing", help="address it to this mailing's reply plus-address")
    parser.add_argument("--lambda", dest="lambda_url", default="http://127.0.0.1:9000")
    parser.add_argument("--no-invoke", action="store_true", help="only put it into the bucket (a --watch relay hands it over)")
    parser.add_argument("--watch", action="store_true", help="relay every new object under inbound/raw/ to the function")
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    if args.watch:
        watch(args)
    elif args.file:
        deliver(args)
    else:
        parser.error("give a FILE.eml, or --watch")


if __name__ == "__main__":
    main()
