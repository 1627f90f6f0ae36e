"""Local stand-in for what AWS runs between the outbox and the notifications function
(infra/template.yaml): the EventBridge pipe (new outbox entries in the table → one SQS message
each) and Lambda's SQS event source mapping (SQS → the function, with partial batch failures:
only the messages the function did not report as failed are deleted).

It reads pending outbox entries from the table's GSI1 (the pipe reads the table's stream;
moto's stream does not cover transactions), sends each once to the emulator's queue, and
invokes the function through `cargo lambda watch`'s Lambda Invoke API.

With `--no-outbox` it is only the SQS trigger of a function (e.g. BillingQueue → billing).

Usage: outbox_relay.py --queue NAME --lambda http://127.0.0.1:9000 [--function notifications] [--no-outbox]
(environment: the stack's env file — TABLE_NAME, AWS_ENDPOINT_URL, AWS_REGION, keys).
"""

import argparse
import json
import os
import sys
import time
import urllib.request

import boto3


def pending_outbox_ids(dynamodb, table):
    ids = []
    kwargs = {
        "TableName": table,
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "OUTBOX#pending"}},
        "Limit": 100,
    }
    for item in dynamodb.query(**kwargs).get("Items", []):
        ids.append(item["data"]["M"]["id"]["S"])
    return ids


def invoke(lambda_url, function, event):
    request = urllib.request.Request(
        f"{lambda_url}/2015-03-31/functions/{function}/invocations",
        data=json.dumps(event).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.loads(response.read() or b"{}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queue", required=True)
    parser.add_argument("--lambda", dest="lambda_url", required=True)
    parser.add_argument("--function", default="notifications")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--no-outbox", dest="outbox", action="store_false", help="relay the queue only")
    args = parser.parse_args()

    endpoint = os.environ["AWS_ENDPOINT_URL"]
    region = os.environ.get("AWS_REGION", "eu-central-1")
    table = os.environ["TABLE_NAME"]
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=region)
    queue_url = sqs.get_queue_url(QueueName=args.queue)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    relayed = set()
    tag = "outbox-relay" if args.outbox else f"{args.function}-relay"
    source = f"{table} → " if args.outbox else ""
    print(f"[{tag}] {source}{args.queue} → {args.function}", file=sys.stderr, flush=True)
    while True:
        try:
            # The pipe: each new outbox entry once to the queue.
            for outbox_id in pending_outbox_ids(dynamodb, table) if args.outbox else []:
                if outbox_id not in relayed:
                    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"outboxId": outbox_id}))
                    relayed.add(outbox_id)
            # The event source mapping: a batch to the function, failed ones left for a retry.
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if messages:
                event = {
                    "Records": [
                        {
                            "messageId": m["MessageId"],
                            "receiptHandle": m["ReceiptHandle"],
                            "body": m["Body"],
                            "attributes": {},
                            "messageAttributes": {},
                            "md5OfBody": m.get("MD5OfBody", ""),
                            "eventSource": "aws:sqs",
                            "eventSourceARN": queue_arn,
                            "awsRegion": region,
                        }
                        for m in messages
                    ]
                }
                response = invoke(args.lambda_url, args.function, event)
                failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
                for m in messages:
                    if m["MessageId"] not in failed:
                        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
                print(f"[{tag}] sent batch of {len(messages)}, {len(failed)} to retry", file=sys.stderr, flush=True)
            else:
                time.sleep(args.interval)
        except Exception as error:  # keep relaying; the function or emulator may be restarting
            print(f"[{tag}] {error}", file=sys.stderr, flush=True)
            time.sleep(max(args.interval, 2))


if __name__ == "__main__":
    main()
