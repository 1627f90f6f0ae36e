"""moto's server with fixes to its DynamoDB, so it behaves like the real service (atomicity)
and serves a billing run or the test suite in reasonable time (speed):

- Atomicity: moto serves requests on several threads but its in-memory DynamoDB has no
  locking, so two concurrent `SET n = n + 1` updates of one item can both read the same `n`.
  DynamoDB applies each request atomically; here every DynamoDB request takes one lock for
  the whole of its handling — the backend call *and* the response built from the item (moto
  reads `ReturnValues` from the live item after the update, so with only the backend locked
  two concurrent increments could both be answered with the later value).
- Speed: moto (5.x) deep-copies the whole table once per item of a TransactWriteItems call to
  be able to roll back; with a few thousand demo items every transaction takes seconds. Here
  only the items the transaction names are backed up and put back when it is cancelled —
  the same all-or-nothing result.
- Speed: every Query lists and sorts *all* items of the table before matching its key, so a
  query costs O(n log n) in the table's size (hundreds of ms with tests' 100k items). Here a
  query on the table reads only its partition, and a query on a global index reads only the
  items of its partition, from a partition → keys map kept up to date from the keys every
  write names (put, update, delete, transactions, batches, rolled-back items) — the same
  results, in time proportional to the partition.
- Speed: moto turns every response into JSON by walking the service model, member by member,
  for every attribute of every item; that is about half of its time in a billing run. The
  data-plane answers of DynamoDB (items, keys, counts) are already in the wire format once moto
  has converted its values, so they are written with `json.dumps` — the same JSON document.
- Speed: moto checks the 400 KB item limit by summing the size of every attribute already in
  the item each time one is set (quadratic in the attributes, each size computed recursively).
  Here each attribute's size is computed once, when it is set, and the sum kept — the same
  limit; an item that seems over it is counted afresh before it is refused.
- Speed: a page of an index partition (no sort-key condition, a limit, any start key; the
  drafts to issue, oldest first; the settlements to export) reads only that page and the next
  item, from each partition's order kept (sorted) as items are written, and passes just
  those through moto's sort instead of the whole partition, which grows during a billing run.
- Speed: a condition's tokens and an update expression's tree depend on the text only, and the
  texts repeat (one per kind of write): each text is parsed once. An update does not copy the
  item for a stream record when the table has no stream; a transaction backs up by copy only
  the items it updates in place (a put or delete leaves the old object intact); a keys-only
  projection picks the keys out instead of converting the item to JSON and back; an item's
  size comes from its kept attribute sizes.
- Speed: a data-plane request is read with `json.loads` (moto walks the service model for the
  same dicts; a body that may hold a binary value still goes through it); a condition's
  operator tree is kept per text, names and values; a query's results are not deep-copied
  (nothing changes them); an item is not sized attribute by attribute when its request's body
  (or its wire JSON) is under the limit; values are built, converted for the answer and, as
  string keys, hashed and compared without moto's generic paths; the garbage collector
  runs rarely (the tables are millions of objects without cycles).

`scripts/localstack/test_moto_server.py` sends the same requests to stock moto and to this
server and compares the answers (part of `scripts/test`).

Usage is that of `moto_server` (e.g. `-H 127.0.0.1 -p 4566`).
"""

import base64
import bisect
import copy
import decimal
import functools
import gc
import json
import sys
import threading
import types
from collections import deque

import moto.dynamodb.comparisons as dynamodb_comparisons
import moto.dynamodb.models as dynamodb_models
import moto.dynamodb.models.table as dynamodb_table
import moto.dynamodb.models.utilities as dynamodb_utilities
import moto.dynamodb.responses as dynamodb_responses
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.parsing.expressions import UpdateExpressionParser
from moto.dynamodb.models.utilities import bytesize
from moto.core.responses import ActionResult, BaseResponse
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
    state = getattr(table, "_ewokiss_gsi", None)
    if state is not None:
        state["dirty"].add((hash_value, range_value))
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
            key = _item_key(table, op_type, op) if table is not None and op_type != "ConditionCheck" else None
            if key is not None:
                # A put replaces the item object and a delete removes it: the old object itself
                # is the backup. An update changes it in place: copy it.
                current = table.get_item(*key)
                backups.append((table, key[0], key[1], copy.deepcopy(current) if op_type == "Update" else current))
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


_original_query = dynamodb_models.Table.query


def _item_at(table, key):
    hash_value, range_value = key
    if table.range_key_attr:
        return table.items.get(hash_value, {}).get(range_value)
    return table.items.get(hash_value)


def _gsi_hash_attr(index):
    hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
    return hashes[0] if len(hashes) == 1 else None


def _gsi_sort_attr(index):
    return next((k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"), None)


def _order_entry(index, item):
    """Where an item stands in its index partition: (index sort key, table range key, table
    hash key), all strings; None when the item is not in the index (no sort key), False when
    a key is not a string (the index then has no kept order)."""
    sort_attr = _gsi_sort_attr(index)
    value = item.attrs.get(sort_attr) if sort_attr else None
    if value is None:
        return None
    range_key = item.range_key
    if value.type != "S" or item.hash_key.type != "S" or (range_key is not None and range_key.type != "S"):
        return False
    return (value.value, range_key.value if range_key is not None else "", item.hash_key.value)


def _reindex(table, state, key):
    item = _item_at(table, key)
    for index in table.global_indexes:
        attr = _gsi_hash_attr(index)
        partitions, where = state["partitions"].setdefault(index.name, {}), state["where"].setdefault(index.name, {})
        ordered, entries = state["ordered"].setdefault(index.name, {}), state["entries"].setdefault(index.name, {})
        old = where.pop(key, None)
        if old is not None:
            partitions.get(old, set()).discard(key)
            entry = entries.pop(key, None)
            if entry:
                in_order = ordered[old]
                at = bisect.bisect_left(in_order, entry)
                if at < len(in_order) and in_order[at][:3] == entry:
                    del in_order[at]
        value = item.attrs.get(attr) if item is not None and attr else None
        if value is not None:
            partitions.setdefault(value, set()).add(key)
            where[key] = value
            entry = _order_entry(index, item)
            if entry is False:
                state["unordered"].add(index.name)
            elif entry:
                bisect.insort(ordered.setdefault(value, []), entry + (key,))
                entries[key] = entry


def _gsi_state(table):
    """The table's index partitions, brought up to date with the keys written since last time."""
    state = getattr(table, "_ewokiss_gsi", None)
    if state is None:
        # Per index: partition value → keys; key → its partition value; partition value → its
        # items' order entries, sorted; key → its order entry; indexes with no kept order.
        state = {"partitions": {}, "where": {}, "ordered": {}, "entries": {}, "unordered": set(), "dirty": set()}
        if table.range_key_attr:
            keys = [(h, r) for h, partition in table.items.items() for r in partition]
        else:
            keys = [(h, None) for h in table.items]
        table._ewokiss_gsi = state
        for key in keys:
            _reindex(table, state, key)
        return state
    dirty, state["dirty"] = state["dirty"], set()
    for key in dirty:
        _reindex(table, state, key)
    return state


def _mark_written(table, attributes):
    state = getattr(table, "_ewokiss_gsi", None)
    if state is None or not attributes or table.hash_key_attr not in attributes:
        return
    hash_value = DynamoType(attributes[table.hash_key_attr])
    range_value = None
    if table.range_key_attr:
        if table.range_key_attr not in attributes:
            return
        range_value = DynamoType(attributes[table.range_key_attr])
    state["dirty"].add((hash_value, range_value))


def _tracking(method, attributes_of):
    @functools.wraps(method)
    def call(self, table_name, *args, **kwargs):
        try:
            return method(self, table_name, *args, **kwargs)
        finally:
            table = self.tables.get(table_name)
            if table is not None:
                _mark_written(table, attributes_of(args, kwargs))

    return call


dynamodb_models.DynamoDBBackend.put_item = _tracking(
    dynamodb_models.DynamoDBBackend.put_item, lambda a, k: a[0] if a else k.get("item_attrs")
)
dynamodb_models.DynamoDBBackend.update_item = _tracking(
    dynamodb_models.DynamoDBBackend.update_item, lambda a, k: a[0] if a else k.get("key")
)
dynamodb_models.DynamoDBBackend.delete_item = _tracking(
    dynamodb_models.DynamoDBBackend.delete_item, lambda a, k: a[0] if a else k.get("key")
)


def _partition_items(table, hash_key):
    partition = table.items.get(hash_key)
    if partition is None:
        return []
    if table.range_key_attr:
        return sorted(partition.values(), key=lambda item: item.range_key)
    return [partition]


def _index_partition_items(table, index_name, hash_key_conditions):
    index = next((i for i in table.global_indexes if i.name == index_name), None)
    attr = _gsi_hash_attr(index) if index is not None else None
    conditions = dict(hash_key_conditions or [])
    if attr is None or attr not in conditions:
        return None
    keys = _gsi_state(table)["partitions"].get(index_name, {}).get(conditions[attr], set())
    return [item for item in (_item_at(table, key) for key in keys) if item is not None]


def _page_of_index_partition(table, index_name, hash_key_conditions, start, limit, forward):
    """The items of an index partition a page may hold, in the index's order (by its sort key,
    then the table's keys): from the start key (itself included) the next `limit` + 1, taken
    from the order kept as items are written (None when the index has none: let moto sort the
    whole partition). moto then sorts, skips to the start key, limits and sets
    LastEvaluatedKey on these as it would on all of them."""
    index = next((i for i in table.global_indexes if i.name == index_name), None)
    attr = _gsi_hash_attr(index) if index is not None else None
    sort_attr = _gsi_sort_attr(index) if index is not None else None
    conditions = dict(hash_key_conditions or [])
    if attr is None or attr not in conditions or sort_attr is None:
        return None
    state = _gsi_state(table)
    if index_name in state["unordered"]:
        return None
    in_order = state["ordered"].get(index_name, {}).get(conditions[attr], [])
    if start is None:
        chosen = in_order[: limit + 1] if forward else in_order[-(limit + 1) :][::-1]
    else:
        try:
            probe = (
                start[sort_attr]["S"],
                start[table.range_key_attr]["S"] if table.range_key_attr else "",
                start[table.hash_key_attr]["S"],
            )
        except (KeyError, TypeError):
            return None  # not a key of this index: moto answers
        at = bisect.bisect_left(in_order, probe)
        if forward:
            chosen = in_order[at : at + limit + 2]
        else:
            end = at + 1 if at < len(in_order) and in_order[at][:3] == probe else at
            chosen = in_order[max(0, end - limit - 2) : end][::-1]
    return [item for item in (_item_at(table, entry[3]) for entry in chosen) if item is not None]


def _query_reading_less(self, hash_key, *args, **kwargs):
    index_name = kwargs.get("index_name")
    if index_name is None and len(args) >= 7:
        index_name = args[6]
    if index_name is None and hash_key is not None:
        self.all_items = lambda: _partition_items(self, hash_key)
    else:
        # A page of a partition (the drafts to issue, oldest first; the settlements to export):
        # only that page and the next item are read and sorted, not the whole partition.
        range_comparison, limit, start, forward = (args + (None,) * 5)[0], args[2], args[3], args[4]
        plain = not kwargs.get("range_key_conditions") and not {
            k for k in kwargs if k not in ("hash_key_conditions", "range_key_conditions", "index_name")
        }
        items = None
        if plain and range_comparison is None and limit:
            items = _page_of_index_partition(
                self, index_name, kwargs.get("hash_key_conditions"), start, int(limit), forward is not False
            )
        if items is None:
            items = _index_partition_items(self, index_name, kwargs.get("hash_key_conditions"))
        if items is not None:
            self.all_items = lambda: items
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        self.__dict__.pop("all_items", None)


dynamodb_models.Table.query = _query_reading_less


def _serialised(method):
    @functools.wraps(method)
    def call(*args, **kwargs):
        with _lock:
            return method(*args, **kwargs)

    return call


for _name, _method in list(vars(dynamodb_models.DynamoDBBackend).items()):
    if callable(_method) and not _name.startswith("_"):
        setattr(dynamodb_models.DynamoDBBackend, _name, _serialised(_method))

# The request handlers too: a handler reads the item again after the backend call.
for _name, _method in list(vars(dynamodb_responses.DynamoHandler).items()):
    if callable(_method) and not _name.startswith("_"):
        setattr(dynamodb_responses.DynamoHandler, _name, _serialised(_method))

_ITEM_SIZE_LIMIT = 405000  # moto's own figure: the real limit lies between 409 and 410 KB


def _attribute_size(key, value):
    return bytesize(key) + (value.size() if type(value) is DynamoType else bytesize(str(value)))


def _sizes(attributes):
    sizes = attributes.__dict__.get("_sizes")
    if sizes is None or len(sizes) != len(attributes):
        # Filled by update() or changed by a delete: count what is there now.
        sizes = {key: _attribute_size(key, value) for key, value in attributes.items()}
        attributes.__dict__["_sizes"] = sizes
    return sizes


def _set_attribute(self, key, value):
    sizes = _sizes(self)
    size = _attribute_size(key, value)
    if sum(sizes.values()) - sizes.get(key, 0) + size > _ITEM_SIZE_LIMIT:
        # The kept sizes may be stale (values replaced by update() or changed in place):
        # count again before refusing.
        sizes = {name: _attribute_size(name, value) for name, value in self.items() if name != key}
        self.__dict__["_sizes"] = sizes
        if sum(sizes.values()) + size > _ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
    dict.__setitem__(self, key, value)
    sizes[key] = size


def _delete_attribute(self, key):
    dict.__delitem__(self, key)
    self.__dict__.pop("_sizes", None)


LimitedSizeDict.__setitem__ = _set_attribute
LimitedSizeDict.__delitem__ = _delete_attribute

# Answers that are plain wire-format documents (no timestamps or nested shapes to convert).
_PLAIN_ANSWERS = {
    "GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem",
    "TransactWriteItems", "TransactGetItems", "BatchWriteItem",
}


def _json_value(value):
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


def _without_none(value, depth=0):
    """The answer without its absent (None) members. They sit in the answer's own structure
    (the first two levels: `ConsumedCapacity`, `LastEvaluatedKey`, a table's list of items),
    never inside an item, which is in the wire format already: items are not walked."""
    if depth > 2:
        return value
    if isinstance(value, dict):
        return {k: _without_none(v, depth + 1) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v, depth + 1) for v in value]
    return value


def _serialized_quickly(self, action_result):
    result = action_result.result
    if type(action_result) is not ActionResult and not isinstance(action_result, dynamodb_responses.DynamoResult):
        return BaseResponse.serialized(self, action_result)
    if isinstance(result, dict) and self._get_action() in _PLAIN_ANSWERS:
        headers = dict(self.response_headers)
        headers["Content-Type"] = "application/x-amz-json-1.0"
        return 200, headers, json.dumps(_without_none(result), default=_json_value, separators=(",", ":"))
    return BaseResponse.serialized(self, action_result)


dynamodb_responses.DynamoHandler.serialized = _serialized_quickly

_original_parse_parameters = BaseResponse.parse_parameters
# The request this thread is handling (each request has a thread of its own).
_request = threading.local()


def _parse_parameters_quickly(self, request):
    """A data-plane request is its JSON body: moto's parser only walks the service model to
    build the same dicts, except that binary values (`B`, `BS`) are decoded from base64 —
    a body that may hold one goes through the parser."""
    _request.body_length = None
    if self._get_action() in _PLAIN_ANSWERS:
        body = request.data
        _request.body_length = len(body or b"")
        if body and b'"B"' not in body and b'"BS"' not in body:
            self.params = json.loads(body)
            return
    _original_parse_parameters(self, request)


dynamodb_responses.DynamoHandler.parse_parameters = _parse_parameters_quickly

# --- Speed: the same expression texts come again and again (one per kind of write) ----------

_lexed_conditions = {}
_original_lex = ConditionExpressionParser._lex_condition_expression


def _lex_condition_once(self):
    """A condition's tokens depend on its text only (values and names are looked up later)."""
    text = self.condition_expression
    nodes = _lexed_conditions.get(text)
    if nodes is None:
        nodes = tuple(_original_lex(self))
        if len(_lexed_conditions) < 10_000:
            _lexed_conditions[text] = nodes
    return deque(nodes)


ConditionExpressionParser._lex_condition_expression = _lex_condition_once

_parsed_updates = {}
_original_make = UpdateExpressionParser.make.__func__


def _make_update_once(cls, expression):
    """An update expression's tree depends on its text only; moto's validator works on a deep
    copy of it, so one tree serves every update with that text."""
    tree = _parsed_updates.get(expression)
    if tree is None:
        tree = _original_make(cls, expression)
        if len(_parsed_updates) < 10_000:
            _parsed_updates[expression] = tree
    return tree


UpdateExpressionParser.make = classmethod(_make_update_once)

_parsed_conditions = {}
_original_get_filter_expression = dynamodb_comparisons.get_filter_expression


def _get_filter_expression_once(expr, names, values):
    """A condition's operator tree depends on its text, names and values only, and is not
    changed by evaluating it; the same condition comes for every item of a kind (e.g.
    `attribute_not_exists(PK)`, "version = 1"): each is parsed once."""
    if not expr:
        return _original_get_filter_expression(expr, names, values)
    key = (
        expr,
        json.dumps(names, sort_keys=True),
        json.dumps(values, sort_keys=True, default=_json_value),
    )
    op = _parsed_conditions.get(key)
    if op is None:
        op = _original_get_filter_expression(expr, names, values)
        if len(_parsed_conditions) >= 20_000:
            _parsed_conditions.clear()
        _parsed_conditions[key] = op
    return op


dynamodb_comparisons.get_filter_expression = _get_filter_expression_once
dynamodb_models.get_filter_expression = _get_filter_expression_once
dynamodb_table.get_filter_expression = _get_filter_expression_once


class _NoCopy:
    @staticmethod
    def deepcopy(obj, memo=None):
        return obj


def _update_without_stream_copy(method):
    """moto copies the whole item before an update for the table's stream record; without a
    stream (see bootstrap.py) that copy is thrown away. The updated item's kept attribute sizes
    are dropped: an update path may change a nested value in place."""

    @functools.wraps(method)
    def call(self, table_name, *args, **kwargs):
        table = self.tables.get(table_name)
        if table is None or table.stream_shard is not None:
            return method(self, table_name, *args, **kwargs)
        with _lock:
            previous = dynamodb_models.copy
            dynamodb_models.copy = _NoCopy
            try:
                item = method(self, table_name, *args, **kwargs)
            finally:
                dynamodb_models.copy = previous
            if item is not None:
                item.attrs.__dict__.pop("_sizes", None)
            return item

    return call


dynamodb_models.DynamoDBBackend.update_item = _update_without_stream_copy(dynamodb_models.DynamoDBBackend.update_item)

# An item's size (the 1 MB page of a query, BatchGetItem) from the kept attribute sizes.
Item.size = lambda self: sum(_sizes(self.attrs).values())

_SCALAR_TYPES = {"S", "N", "B", "BOOL", "NULL"}
_original_project = Item.project


def _project_top_level(self, projection_expressions):
    """A projection of top-level scalar attributes (a keys-only query) picks them out directly
    instead of converting the whole item to plain JSON and back."""
    if all(len(path) == 1 and "[" not in path[0] for path in projection_expressions):
        picked = [self.attrs.get(path[0]) for path in projection_expressions]
        if all(value is None or value.type in _SCALAR_TYPES for value in picked):
            attrs = {path[0]: value.to_json() for path, value in zip(projection_expressions, picked) if value is not None}
            return Item(hash_key=self.hash_key, range_key=self.range_key, attrs=attrs)
    return _original_project(self, projection_expressions)


Item.project = _project_top_level

# --- Speed: less copying and converting of items --------------------------------------------


def _query_without_copy(method):
    """moto deep-copies every item a query found before projecting and answering; nothing
    changes them afterwards (projections build new items, and the answer is built under the
    lock), so the copy is left out."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        previous = dynamodb_table.copy
        dynamodb_table.copy = _NoCopy
        try:
            return method(self, *args, **kwargs)
        finally:
            dynamodb_table.copy = previous

    return call


dynamodb_models.Table.query = _query_without_copy(dynamodb_models.Table.query)


def _dynamo_type_init(self, type_as_dict):
    """moto's constructor, without building two lists to find the one key of a value."""
    if type(type_as_dict) is DynamoType:
        kind, value = type_as_dict.type, type_as_dict.value
    else:
        for kind, value in type_as_dict.items():
            break  # the first key, as moto takes it
        else:
            raise IndexError("an attribute value without a type")
    if kind == "L":
        value = [DynamoType(v) for v in value]
    elif kind == "M":
        value = {k: DynamoType(v) for k, v in value.items()}
    self.type = kind
    self.value = value


DynamoType.__init__ = _dynamo_type_init


_original_hash, _original_eq, _original_ne = DynamoType.__hash__, DynamoType.__eq__, DynamoType.__ne__


def _hash(self):
    """Keys are strings here: their hash and equality need not go through `cast_value`."""
    if self.type == "S":
        return hash(("S", self.value))
    return _original_hash(self)


def _eq(self, other):
    if self.type == "S":
        return other.type == "S" and self.value == other.value
    return _original_eq(self, other)


def _ne(self, other):
    if self.type == "S":
        return other.type != "S" or self.value != other.value
    return _original_ne(self, other)


DynamoType.__hash__, DynamoType.__eq__, DynamoType.__ne__ = _hash, _eq, _ne


def _wire_length(attributes):
    """An upper bound of an item's DynamoDB size: its wire JSON in ASCII is at least as long as
    every name and string in UTF-8 and every number, binary and boolean as DynamoDB counts them."""
    return len(json.dumps(attributes, separators=(",", ":"), default=_json_value))


def _item_init(self, hash_key, range_key, attrs):
    """moto's constructor, without sizing every attribute of every item written: an item whose
    wire JSON is under the limit is under it (see `_wire_length`), and so is an item of a
    request whose whole body is; the exact sizes are counted when first needed (`_sizes`), or
    now when the bounds say the item may be too large. (Items built otherwise — a projection,
    the keys of an update that creates its item — are never larger than the request's or a
    stored item; an update's values go through `_set_attribute`.)"""
    self.hash_key = hash_key
    self.range_key = range_key
    attributes = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(attributes)
    for key, value in attrs.items():
        dict.__setitem__(attributes, key, DynamoType(value))
    self.attrs = attributes
    # The request the item came in is a bound too, and free (most requests are far under it).
    body_length = getattr(_request, "body_length", None)
    if (body_length is None or body_length > _ITEM_SIZE_LIMIT) and _wire_length(attrs) > _ITEM_SIZE_LIMIT:
        if sum(_sizes(attributes).values()) > _ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge


Item.__init__ = _item_init


def _regular_json(value):
    """`DynamoType.to_regular_json` without its deep copy of the value first (it builds new
    containers anyway)."""
    kind, inner = value.type, value.value
    if kind == "M":
        return {"M": {k: _regular_json(v) if type(v) is DynamoType else v for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_regular_json(v) if type(v) is DynamoType else v for v in inner]}
    if kind == "B" and isinstance(inner, str):
        return {"B": base64.b64decode(inner)}
    if isinstance(inner, list):
        return {kind: list(inner)}
    return {kind: inner}


def _item_to_json(self, root_attr_name="Attributes"):
    """`Item.to_json` with `_regular_json` for the nested values: the same document."""
    attributes = {}
    for key, value in self.attrs.items():
        if isinstance(value.value, (dict, list)):
            if value.type in ("M", "L"):
                attributes[key] = _regular_json(value)
            else:
                attributes[key] = {value.type: [v.to_regular_json() if isinstance(v, DynamoType) else v for v in value.value]}
        else:
            attributes[key] = {value.type: value.value}
    return {root_attr_name: attributes}


Item.to_json = _item_to_json

_PLAIN_TYPES = (str, int, float, bool, type(None), decimal.Decimal)


def _plain(obj):
    """moto's `dynamo_to_dict` (answers to plain values) dispatching on the exact type first:
    the same result, without its chain of isinstance checks for every value of every item."""
    kind = type(obj)
    if kind is DynamoType:
        if obj.type == "M":
            return {"M": {k: _plain(v) for k, v in obj.value.items()}}
        if obj.type == "L":
            return {"L": [_plain(v) for v in obj.value]}
        if obj.type in ("B", "BS"):
            return dynamodb_utilities.dynamo_to_dict(obj)
        return {obj.type: _plain(obj.value)}
    if kind is dict or kind is LimitedSizeDict:
        return {k: _plain(v) for k, v in obj.items()}
    if kind is list:
        return [_plain(v) for v in obj]
    if kind in _PLAIN_TYPES:
        return obj
    return dynamodb_utilities.dynamo_to_dict(obj)


def _dynamo_result_init(self, result):
    ActionResult.__init__(self, _plain(result))


dynamodb_responses.DynamoResult.__init__ = _dynamo_result_init

if __name__ == "__main__":
    # The tables are millions of small objects (a DynamoType per value), nearly all without
    # cycles; with the default thresholds the collector walks them ever more often as tables
    # grow (a fifth of a 10,000-contract billing run). Collect rarely instead.
    gc.set_threshold(100_000, 50, 100)
    sys.exit(main())
