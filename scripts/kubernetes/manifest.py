#!/usr/bin/env python3
"""Reads deploy/kubernetes/*.yaml as Kubernetes YAML (PyYAML) and checks what an Indexed Job
of generators needs; prints a container's command line and environment for the namespaced
run, as Kubernetes would give them to the pod.

    manifest.py check DIR            -> checks every manifest; prints what it found
    manifest.py container DIR KIND NAME -> JSON: completions, parallelism, command, args, env
                                           (values), env_from_fields, mounts
"""
import glob
import json
import sys

import yaml


def documents(folder):
    docs = []
    for path in sorted(glob.glob(f"{folder}/*.yaml")):
        with open(path) as f:
            for d in yaml.safe_load_all(f):
                if d:
                    docs.append((path, d))
    return docs


def find(docs, kind, name):
    for path, d in docs:
        if d.get("kind") == kind and d.get("metadata", {}).get("name") == name:
            return d
    sys.exit(f"no {kind} named {name} in the manifests")


def fail(message):
    sys.exit(f"FAILED: {message}")


def check(folder):
    docs = documents(folder)
    for path, d in docs:
        for key in ("apiVersion", "kind", "metadata"):
            if key not in d:
                fail(f"{path}: a document without {key}")
    job = find(docs, "Job", "msrpcharge-load")
    spec = job["spec"]
    if job["apiVersion"] != "batch/v1":
        fail(f"the load Job's apiVersion is {job['apiVersion']}, not batch/v1")
    if spec.get("completionMode") != "Indexed":
        fail("the load Job is not completionMode: Indexed")
    completions, parallelism = spec.get("completions"), spec.get("parallelism")
    if not isinstance(completions, int) or completions < 1 or parallelism != completions:
        fail(f"completions {completions} and parallelism {parallelism}: every partition must run at once")
    pod = spec["template"]["spec"]
    if pod.get("restartPolicy") != "Never":
        fail("a generator must not be restarted (its partition would run twice)")
    container = pod["containers"][0]
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    if env.get("PARTITIONS") != str(completions):
        fail(f"PARTITIONS is {env.get('PARTITIONS')}, completions {completions}")
    line = " ".join(container.get("args", []))
    for needed in ("msrpcharge load", '--partition-count "$PARTITIONS"', "$JOB_COMPLETION_INDEX", "--json /reports/"):
        if needed.replace('"', "") not in line.replace('"', ""):
            fail(f"the load command line has no {needed}: {line}")
    mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod.get("volumes", []) if "persistentVolumeClaim" in v}
    if mounts.get("reports") != "/reports" or "reports" not in claims:
        fail(f"the reports volume is not mounted at /reports from a claim: {mounts}, {claims}")
    pvc = find(docs, "PersistentVolumeClaim", claims["reports"])
    if "ReadWriteMany" not in pvc["spec"]["accessModes"]:
        fail("the reports claim must be ReadWriteMany (every pod writes to it)")
    merge = find(docs, "Job", "msrpcharge-merge")
    merge_line = " ".join(merge["spec"]["template"]["spec"]["containers"][0]["args"])
    if "msrpcharge merge /reports/load-*.json" not in merge_line:
        fail(f"the merge Job does not merge the load reports: {merge_line}")
    find(docs, "Service", "msrpcharge-serve")
    find(docs, "Deployment", "msrpcharge-serve")
    print(f"ok: {len(docs)} Kubernetes documents; Indexed Job msrpcharge-load: completions {completions}, "
          f"parallelism {parallelism}, restartPolicy Never, reports on claim {claims['reports']} (ReadWriteMany); "
          f"merge Job, serve Deployment and Service")


def container(folder, kind, name):
    job = find(documents(folder), kind, name)
    spec = job["spec"]
    pod = spec["template"]["spec"]
    c = pod["containers"][0]
    print(json.dumps({
        "completions": spec.get("completions", 1),
        "parallelism": spec.get("parallelism", 1),
        "command": c.get("command", []),
        "args": c.get("args", []),
        "env": {e["name"]: e["value"] for e in c.get("env", []) if "value" in e},
        "env_from_fields": {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in c.get("env", []) if "valueFrom" in e},
        "mounts": [m["mountPath"] for m in c.get("volumeMounts", [])],
    }))


if sys.argv[1] == "check":
    check(sys.argv[2])
else:
    container(sys.argv[2], sys.argv[3], sys.argv[4])
