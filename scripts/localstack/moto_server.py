"""moto's server with two fixes to its DynamoDB, so it behaves like the real service:

- Atomicity: moto serves requests on several threads but its in-memory DynamoDB has no
  locking, so two concurrent `SET n = n + 1` updates of one item can both read the same `n`.
  DynamoDB applies each request atomically; here every DynamoDB backend call takes one lock.
- Speed: moto (5.x) deep-copies the whole table once per item of a TransactWriteItems call to
  be able to roll back; with a few thousand demo items every transaction takes seconds. Here
  only the items the transaction names are backed up and put back when it is cancelled —
  the same all-or-nothing result.

Usage is that of `moto_server` (e.g. `-H 127.0.0.1 -p 4566`).
"""

import copy
import functools
import sys
import threading
import types

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.server import main

_original = dynamodb_models.DynamoDBBackend.transact_write_items
# One DynamoDB operation at a time (re-entrant: backend methods call each other).
_lock = threading.RLock()


def _same_table(obj, memo=None):
    """moto's per-item table backup, made a no-op: the items are backed up one by one instead."""
    if isinstance(obj, dynamodb_models.Table):
        return obj
    return copy.deepcopy(obj, memo)


def _item_key(table, op_type, op):
    attributes = op.get("Item") if op_type == "Put" else op.get("Key")
    if not attributes or table.hash_key_attr not in attributes:
        return None
    hash_value = DynamoType(attributes[table.hash_key_attr])
    range_value = None
    if table.range_key_attr is not None:
        if table.range_key_attr not in attributes:
            return None
        range_value = DynamoType(attributes[table.range_key_attr])
    return hash_value, range_value


def _restore(table, hash_value, range_value, item):
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
        return
    if item is None:
        table.items.get(hash_value, {}).pop(range_value, None)
        if hash_value in table.items and not table.items[hash_value]:
            del table.items[hash_value]
    else:
        table.items[hash_value][range_value] = item


def _transact_write_items_backing_up_items(self, transact_items):
    with _lock:
        backups = []
        for entry in transact_items:
            try:
                op_type, op = next(iter(entry.items()))
                table = self.tables.get(op.get("TableName"))
            except (StopIteration, AttributeError):
                continue
            key = _item_key(table, op_type, op) if table is not None else None
            if key is not None:
                backups.append((table, key[0], key[1], copy.deepcopy(table.get_item(*key))))
        dynamodb_models.copy = types.SimpleNamespace(deepcopy=_same_table)
        try:
            return _original(self, transact_items)
        except Exception:
            # moto "restored" the same table objects; put the touched items back ourselves.
            for table, hash_value, range_value, item in reversed(backups):
                _restore(table, hash_value, range_value, item)
            raise
        finally:
            dynamodb_models.copy = copy


dynamodb_models.DynamoDBBackend.transact_write_items = _transact_write_items_backing_up_items


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
