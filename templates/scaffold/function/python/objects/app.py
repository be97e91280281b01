"""An AWS Lambda handler for Python 3.13 (app.handler), for a function that S3 invokes for new
objects of a lake zone: it converts each new CSV object to Parquet in the zone it writes.

Scaffolded once by cloudwright, then yours: cloudwright never overwrites this file, so change it
as you like. It reads the variables cloudwright sets: OUTPUT_BUCKET (the zone the function
writes) and INPUT_PREFIX (the prefix of the objects that invoke it).

For `incoming/orders/2026-12-01.csv` it writes `orders/2026-12-01.parquet`: the key without the
prefix, with `.parquet` for its extension. The first line of the CSV names the columns (an
empty or repeated name becomes `column_<n>`); every column is a UTF-8 string, which Glue's
crawler and Athena read as `string` (cast in SQL, or in a Glue job, as the data needs). A row
with more fields than the header fails the invocation (S3 retries it twice, then it is dropped,
so give the function an `on_failure` topic to hear of it); a shorter row is padded with empty
strings. The Parquet file is written here, with the standard library alone (one row group, plain
encoding, uncompressed): Lambda's Python runtime has no pyarrow. Each object logs one JSON line.
"""

import csv
import io
import json
import os
import struct
import urllib.parse

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    converted = []
    for record in (event or {}).get("Records") or []:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8-sig")
        header, rows = read_csv(body, key)
        target = output_key(key, os.environ.get("INPUT_PREFIX", ""))
        s3.put_object(
            Bucket=os.environ["OUTPUT_BUCKET"],
            Key=target,
            Body=to_parquet(header, rows),
            ContentType="application/vnd.apache.parquet",
        )
        print(json.dumps({"source": f"s3://{bucket}/{key}", "target": target, "rows": len(rows), "columns": len(header)}))
        converted.append(target)
    return {"converted": converted}


def output_key(key, prefix):
    """`incoming/orders/x.csv` under prefix `incoming/` → `orders/x.parquet`."""
    rest = key[len(prefix):] if prefix and key.startswith(prefix) else key
    stem, dot, _ = rest.rpartition(".")
    return f"{stem if dot else rest}.parquet"


def read_csv(text, key):
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        return [], []
    header = []
    for n, name in enumerate(lines[0], start=1):
        name = name.strip()
        header.append(name if name and name not in header else f"column_{n}")
    rows = []
    for number, fields in enumerate(lines[1:], start=2):
        if not fields:
            continue
        if len(fields) > len(header):
            raise ValueError(f"{key}, line {number}: {len(fields)} fields, the header names {len(header)}")
        rows.append(fields + [""] * (len(header) - len(fields)))
    return header, rows


# ---- Parquet, written with the standard library (Thrift compact protocol for the metadata) ----

I32, I64, BINARY, LIST, STRUCT = 5, 6, 8, 9, 12


def _varint(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def _zigzag(n):
    return (n << 1) ^ (n >> 63)


class _Struct:
    """One Thrift struct in the compact protocol; fields must be added in ascending id order."""

    def __init__(self):
        self.body = bytearray()
        self.last = 0

    def _field(self, field, kind):
        delta = field - self.last
        if 0 < delta <= 15:
            self.body.append(delta << 4 | kind)
        else:
            self.body.append(kind)
            self.body += _varint(_zigzag(field))
        self.last = field

    def i32(self, field, value):
        self._field(field, I32)
        self.body += _varint(_zigzag(value))
        return self

    def i64(self, field, value):
        self._field(field, I64)
        self.body += _varint(_zigzag(value))
        return self

    def string(self, field, value):
        data = value.encode("utf-8")
        self._field(field, BINARY)
        self.body += _varint(len(data)) + data
        return self

    def struct(self, field, value):
        self._field(field, STRUCT)
        self.body += value.bytes()
        return self

    def list(self, field, kind, items):
        self._field(field, LIST)
        self.body.append(len(items) << 4 | kind if len(items) < 15 else 0xF0 | kind)
        if len(items) >= 15:
            self.body += _varint(len(items))
        for item in items:
            if kind == I32:
                self.body += _varint(_zigzag(item))
            elif kind == BINARY:
                data = item.encode("utf-8")
                self.body += _varint(len(data)) + data
            else:
                self.body += item.bytes()
        return self

    def bytes(self):
        return bytes(self.body) + b"\x00"


BYTE_ARRAY, REQUIRED, UTF8, PLAIN, RLE, UNCOMPRESSED, DATA_PAGE = 6, 0, 0, 0, 3, 0, 0


def to_parquet(header, rows):
    """A Parquet file of one row group: every column a required UTF-8 string, plain encoded."""
    out = bytearray(b"PAR1")
    chunks = []
    for i, name in enumerate(header):
        values = b"".join(struct.pack("<I", len(v)) + v for v in (row[i].encode("utf-8") for row in rows))
        page = _Struct().i32(1, DATA_PAGE).i32(2, len(values)).i32(3, len(values))
        page.struct(5, _Struct().i32(1, len(rows)).i32(2, PLAIN).i32(3, RLE).i32(4, RLE))
        offset = len(out)
        out += page.bytes() + values
        size = len(out) - offset
        meta = (
            _Struct()
            .i32(1, BYTE_ARRAY)
            .list(2, I32, [PLAIN])
            .list(3, BINARY, [name])
            .i32(4, UNCOMPRESSED)
            .i64(5, len(rows))
            .i64(6, size)
            .i64(7, size)
            .i64(9, offset)
        )
        chunks.append((_Struct().i64(2, offset).struct(3, meta), size))
    schema = [_Struct().string(4, "schema").i32(5, len(header))]
    schema += [_Struct().i32(1, BYTE_ARRAY).i32(3, REQUIRED).string(4, name).i32(6, UTF8) for name in header]
    groups = []
    if header:
        group = _Struct().list(1, STRUCT, [c for c, _ in chunks]).i64(2, sum(s for _, s in chunks)).i64(3, len(rows))
        groups.append(group)
    footer = (
        _Struct()
        .i32(1, 1)
        .list(2, STRUCT, schema)
        .i64(3, len(rows))
        .list(4, STRUCT, groups)
        .string(6, "cloudwright csv-to-parquet")
        .bytes()
    )
    return bytes(out) + footer + struct.pack("<I", len(footer)) + b"PAR1"
