"""moto's server with one fix for speed: a DynamoDB transaction backs up each table once.

moto (5.x) deep-copies the whole table once per item of a TransactWriteItems call to be able
to roll back; with a few thousand demo items and transactions of 5-10 items that makes every
write take seconds. Copying each table once per transaction keeps the same rollback semantics.
Usage is that of `moto_server` (e.g. `-H 127.0.0.1 -p 4566`).
"""

import copy
import sys
import threading
import types

import moto.dynamodb.models as dynamodb_models
from moto.server import main

_original = dynamodb_models.DynamoDBBackend.transact_write_items
# The module-level `copy` is swapped during a call: one transaction at a time.
_lock = threading.Lock()


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

if __name__ == "__main__":
    sys.exit(main())
