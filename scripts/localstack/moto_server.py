"""moto's server with two fixes to its DynamoDB, so it behaves like the real service:

- Atomicity: moto serves requests on several threads but its in-memory DynamoDB has no
  locking, so two concurrent `SET n = n + 1` updates of one item can both read the same `n`.
  DynamoDB applies each request atomically; here every DynamoDB backend call takes one lock.
- Speed: moto (5.x) deep-copies the whole table once per item of a TransactWriteItems call to
  be able to roll back; with a few thousand demo items every transaction takes seconds.
  Copying each table once per transaction keeps the same rollback semantics.

Usage is that of `moto_server` (e.g. `-H 127.0.0.1 -p 4566`).
"""

import copy
import functools
import sys
import threading
import types

import moto.dynamodb.models as dynamodb_models
from moto.server import main

_original = dynamodb_models.DynamoDBBackend.transact_write_items
# One DynamoDB operation at a time (re-entrant: backend methods call each other).
_lock = threading.RLock()


def _transact_write_items_copying_each_table_once(self, transact_items):
    copies = {}

    def deepcopy_table_once(obj, memo=None):
        if isinstance(obj, dynamodb_models.Table):
            if id(obj) not in copies:
                copies[id(obj)] = copy.deepcopy(obj)
            return copies[id(obj)]
        return copy.deepcopy(obj, memo)

    with _lock:
        dynamodb_models.copy = types.SimpleNamespace(deepcopy=deepcopy_table_once)
        try:
            return _original(self, transact_items)
        finally:
            dynamodb_models.copy = copy


dynamodb_models.DynamoDBBackend.transact_write_items = _transact_write_items_copying_each_table_once


def _serialised(method):
    @functools.wraps(method)
    def call(*args, **kwargs):
        with _lock:
            return method(*args, **kwargs)

    return call


for _name, _method in list(vars(dynamodb_models.DynamoDBBackend).items()):
    if callable(_method) and not _name.startswith("_"):
        setattr(dynamodb_models.DynamoDBBackend, _name, _serialised(_method))

if __name__ == "__main__":
    sys.exit(main())
