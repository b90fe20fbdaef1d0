#!/usr/bin/env python3
# Writes the JSON copies of examples/broken/*.yaml that tests/cli/fix_json_test.cpp
# fixes (run from the checkout's root; python3-yaml). Short-form tags become the
# long-form intrinsics a JSON template writes; each copy in another layout, as
# users' JSON templates come: json.dumps with 2 or 4 spaces or tabs, and the
# hand-written AWS sample style (`"Key" : value`, `{ "Ref" : "X" }` on one line).
import json
import sys

import yaml


class Loader(yaml.SafeLoader):
    pass


def tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        v = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        v = loader.construct_sequence(node, deep=True)
    else:
        v = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": v}
    if suffix == "Condition":
        return {"Condition": v}
    if suffix == "GetAtt" and isinstance(v, str):
        v = v.split(".", 1)
    return {"Fn::" + suffix: v}


Loader.add_multi_constructor("!", tag)


def leaf(v):
    intrinsic = isinstance(v, dict) and len(v) == 1 and (next(iter(v)) == "Ref" or next(iter(v)).startswith("Fn::"))
    return not isinstance(v, (dict, list)) or intrinsic or (isinstance(v, list) and all(leaf(x) for x in v))


def inline(v):
    if isinstance(v, dict):
        return "{ " + ", ".join(json.dumps(k) + " : " + inline(x) for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[ " + ", ".join(inline(x) for x in v) + " ]" if v else "[]"
    return json.dumps(v)


def aws_style(v, ind=""):
    if leaf(v):
        return inline(v)
    inner = ind + "  "
    if isinstance(v, dict):
        return "{\n" + ",\n".join(inner + json.dumps(k) + " : " + aws_style(x, inner) for k, x in v.items()) + "\n" + ind + "}"
    return "[\n" + ",\n".join(inner + aws_style(x, inner) for x in v) + "\n" + ind + "]"


COPIES = {
    "alb-sg-missing-listener-port": 2,
    "target-sg-missing-port": 4,
    "peering-route-one-side": "\t",
    "phz-vpc-dns-disabled": "aws",
    "nat-gateway-no-igw-route": 4,
    "alb-sg-open-to-world": "aws",
    "internet-facing-alb-no-igw": "aws",
}

for name, style in COPIES.items():
    with open(f"examples/broken/{name}.yaml") as f:
        t = yaml.load(f, Loader=Loader)
    text = aws_style(t) if style == "aws" else json.dumps(t, indent=style)
    with open(f"tests/cli/data/json/{name}.json", "w") as f:
        f.write(text + "\n")
    print(name, file=sys.stderr)
