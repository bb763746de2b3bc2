#!/usr/bin/env python3
"""Validates JSON files against a JSON Schema (draft 2020-12): validate-json.py SCHEMA FILE...
Exit 0 when every file is valid; else each error on stderr and exit 1."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failed = False
for path in sys.argv[2:]:
    for error in validator.iter_errors(json.load(open(path, encoding="utf-8"))):
        failed = True
        print(f"{path}: {'/'.join(map(str, error.absolute_path))}: {error.message}", file=sys.stderr)
sys.exit(1 if failed else 0)
