#!/usr/bin/env python3
"""The commands of a CI file in examples/ci, for tests/ci/ci_examples_test.sh.

  steps.py github FILE OUT_DIR   one step per NN.name / NN.sh (run:, absent for uses:)
  steps.py gitlab FILE OUT_DIR   script.sh (script: lines), skipped.txt (the other keys run)
Both write env.sh: the file's env: / variables: as exports. Steps are read from
the file, never restated by the test.
"""
import os
import shlex
import sys

import yaml


def exports(env):
    return "".join(f"export {k}={shlex.quote(str(v))}\n" for k, v in (env or {}).items())


def refuse_expressions(text, where):
    if "${{" in text:
        sys.exit(f"{where}: a GitHub expression the test cannot evaluate: {text!r}")


def github(doc, out):
    env = dict(doc.get("env") or {})
    (job_name, job), = doc["jobs"].items()
    env.update(job.get("env") or {})
    with open(os.path.join(out, "env.sh"), "w") as f:
        f.write(exports(env))
    for i, step in enumerate(job["steps"]):
        base = os.path.join(out, f"{i:02d}")
        with open(base + ".name", "w") as f:
            f.write(step["name"])
        if "run" in step:
            refuse_expressions(step["run"], f"{job_name}: {step['name']}")
            with open(base + ".sh", "w") as f:
                f.write(exports(step.get("env")) + step["run"])


def gitlab(doc, out):
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    (name, job), = jobs.items()
    with open(os.path.join(out, "env.sh"), "w") as f:
        f.write(exports(job.get("variables")))
    with open(os.path.join(out, "script.sh"), "w") as f:
        f.write("\n".join(job["script"]) + "\n")
    with open(os.path.join(out, "skipped.txt"), "w") as f:
        f.write("".join(k + "\n" for k in ("before_script", "after_script") if k in job))


if __name__ == "__main__":
    kind, path, out = sys.argv[1:4]
    with open(path) as f:
        doc = yaml.safe_load(f)
    {"github": github, "gitlab": gitlab}[kind](doc, out)
