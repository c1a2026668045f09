"""Syntax checks for configs whose own tools are not installable here (Filebeat, Logstash, Kibana):
YAML (PyYAML, as docker-compose ships it), JSON, NDJSON, and the Logstash pipeline grammar's outer structure
(sections input/filter/output, balanced braces and brackets outside strings and comments)."""
import argparse
import json
import re
import sys

import yaml


def check_logstash(path):
    text = open(path, encoding="utf-8").read()
    depth, quote, line, stack = 0, None, 1, []
    sections = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\n":
            line += 1
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif c in "\"'":
            quote = c
        elif c in "{[":
            if c == "{" and not stack:
                name = re.search(r"(\w+)\s*$", text[:i])
                sections.append(name.group(1) if name else "?")
            stack.append((c, line))
        elif c in "}]":
            if not stack or {"}": "{", "]": "["}[c] != stack[-1][0]:
                return f"{path}:{line}: unbalanced {c!r}"
            stack.pop()
        i += 1
    if quote:
        return f"{path}: unterminated string"
    if stack:
        return f"{path}:{stack[-1][1]}: {stack[-1][0]!r} never closed"
    unknown = [s for s in sections if s not in ("input", "filter", "output")]
    if unknown or "input" not in sections or "output" not in sections:
        return f"{path}: top-level sections {sections}; expected input, filter, output"
    return None


def main():
    parser = argparse.ArgumentParser()
    for kind in ("yaml", "json", "ndjson", "logstash"):
        parser.add_argument(f"--{kind}", nargs="*", default=[])
    args = parser.parse_args()
    errors = []
    for path in args.yaml:
        try:
            if yaml.safe_load(open(path, encoding="utf-8")) is None:
                errors.append(f"{path}: empty")
        except yaml.YAMLError as error:
            errors.append(f"{path}: {error}")
    for path in args.json:
        try:
            json.load(open(path, encoding="utf-8"))
        except ValueError as error:
            errors.append(f"{path}: {error}")
    for path in args.ndjson:
        for number, row in enumerate(open(path, encoding="utf-8"), 1):
            try:
                if row.strip():
                    json.loads(row)
            except ValueError as error:
                errors.append(f"{path}:{number}: {error}")
    for path in args.logstash:
        error = check_logstash(path)
        if error:
            errors.append(error)
    for error in errors:
        print(error, file=sys.stderr)
    sys.exit(1 if errors else 0)


main()
