#!/usr/bin/env python3
"""The container and Kubernetes files: they parse, carry the seed's names and the
settings the README promises, every path the Dockerfile copies exists, and the
Dockerfile's HEALTHCHECK command answers a live productgraphd.

Usage: deploy_files_test.py SOURCE_DIR DAEMON_BINARY PLUGIN_DIR
"""
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time

import yaml

source, daemon_binary, plugin_dir = sys.argv[1:4]
docker_dir = os.path.join(source, "packaging", "docker")
k8s_dir = os.path.join(source, "packaging", "k8s")
SHUTDOWN_TIMEOUT_S = 10  # PRODUCTGRAPH_SHUTDOWN_TIMEOUT's default
SEED_ENV = {"PORT": "8080", "ANALYTICS_ENABLED": "true", "AMPLITUDE_ENABLED": "true",
            "AMPLITUDE_API_KEY": "${AMPLITUDE_API_KEY}", "MIXPANEL_ENABLED": "true",
            "MIXPANEL_TOKEN": "${MIXPANEL_TOKEN}"}
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def seconds(text):
    """'30s', '1m30s' or 30 as seconds."""
    if isinstance(text, int):
        return text
    total = 0
    for number, unit in re.findall(r"(\d+)(h|m|s)", str(text)):
        total += int(number) * {"h": 3600, "m": 60, "s": 1}[unit]
    return total


# --- Dockerfile -----------------------------------------------------------------
def dockerfile_instructions(path):
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, rest = current.strip().partition(" ")
        lines.append((keyword.upper(), rest.strip()))
        current = ""
    return lines


instructions = dockerfile_instructions(os.path.join(docker_dir, "Dockerfile"))
froms = [args for keyword, args in instructions if keyword == "FROM"]
check(len(froms) == 2 and froms[0].startswith("debian:12 ") and froms[1] == "debian:12-slim",
      f"Dockerfile: a Debian 12 build stage and a debian:12-slim runtime stage, got {froms}")
runtime = instructions[[i for i, (k, _) in enumerate(instructions) if k == "FROM"][-1]:]
for keyword, args in instructions:
    if keyword == "COPY" and not args.startswith("--from="):
        for src in shlex.split(args)[:-1]:
            check(os.path.exists(os.path.join(source, src)), f"Dockerfile: COPY source {src} does not exist")
users = [args for keyword, args in runtime if keyword == "USER"]
check(users and users[-1] not in ("root", "0"), "Dockerfile: the runtime stage must run as a non-root USER")
check(any(k == "VOLUME" and "/var/lib/productgraph" in a for k, a in runtime), "Dockerfile: no VOLUME for the queue")
exposed = " ".join(a for k, a in runtime if k == "EXPOSE").split()
check(exposed == ["8080", "8081"], f"Dockerfile: EXPOSE 8080 8081, got {exposed}")
check(("STOPSIGNAL", "SIGTERM") in runtime, "Dockerfile: STOPSIGNAL SIGTERM")
healthchecks = [a for k, a in runtime if k == "HEALTHCHECK"]
health_command = None
if check(len(healthchecks) == 1 and " CMD [" in healthchecks[0], "Dockerfile: one exec-form HEALTHCHECK"):
    health_command = json.loads(healthchecks[0][healthchecks[0].index(" CMD [") + 5:])
    check("/health" in " ".join(health_command), "Dockerfile: the HEALTHCHECK must ask /health")

# The runtime stage's base is Debian slim: the HEALTHCHECK may only use what slim has.
check(health_command is None or health_command[0] in ("bash", "/bin/bash", "/usr/sbin/productgraphd"),
      f"Dockerfile: HEALTHCHECK uses {health_command and health_command[0]}, which slim may lack")


# --- the HEALTHCHECK against a live daemon, and against nothing -----------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_health(port):
    env = dict(os.environ, PORT=str(port))
    return subprocess.run(health_command, env=env, timeout=15, capture_output=True).returncode


if health_command:
    closed_port = free_port()
    check(run_health(closed_port) != 0, "HEALTHCHECK passed with no daemon listening")
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        env = {"PATH": "/usr/bin:/bin", "PORT": str(port), "PRODUCTGRAPH_ADMIN_ADDRESS": "127.0.0.1:0",
               "PRODUCTGRAPH_PLUGIN_DIR": plugin_dir, "PRODUCTGRAPH_QUEUE_DIR": os.path.join(scratch, "queue")}
        log = open(os.path.join(scratch, "daemon.log"), "w+")
        daemon = subprocess.Popen([daemon_binary], env=env, stderr=log)
        try:
            deadline = time.monotonic() + 20
            while '"msg":"listening"' not in open(log.name).read():
                check(daemon.poll() is None and time.monotonic() < deadline, "the daemon did not start")
                if failures:
                    print(open(log.name).read())
                    break
                time.sleep(0.05)
            if not failures:
                check(run_health(port) == 0, "HEALTHCHECK failed against a live daemon")
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)

# --- docker-compose.yml -----------------------------------------------------------
compose = yaml.safe_load(open(os.path.join(docker_dir, "docker-compose.yml"), encoding="utf-8"))
service = compose.get("services", {}).get("ingestion")
if check(service is not None, "compose: no service `ingestion`"):
    build = service.get("build", {})
    check(os.path.realpath(os.path.join(docker_dir, build.get("context", ""))) == os.path.realpath(source),
          "compose: build.context must be the repository root")
    check(os.path.exists(os.path.join(os.path.join(docker_dir, build.get("context", "")), build.get("dockerfile", ""))),
          "compose: build.dockerfile does not exist")
    environment = service.get("environment", [])
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    check(environment == SEED_ENV, f"compose: environment must be the seed's, got {environment}")
    check(service.get("ports") == ["8080:8080"], f"compose: ports must be \"8080:8080\", got {service.get('ports')}")
    volumes = service.get("volumes", [])
    named = [v.split(":")[0] for v in volumes if ":/var/lib/productgraph" in v]
    check(named and named[0] in (compose.get("volumes") or {}), "compose: the queue needs a named volume")
    check(seconds(service.get("stop_grace_period", "10s")) > SHUTDOWN_TIMEOUT_S,
          "compose: stop_grace_period must exceed PRODUCTGRAPH_SHUTDOWN_TIMEOUT")

# --- Kubernetes ----------------------------------------------------------------------
kustomization = yaml.safe_load(open(os.path.join(k8s_dir, "kustomization.yaml"), encoding="utf-8"))
documents = []
for resource in kustomization.get("resources", []):
    path = os.path.join(k8s_dir, resource)
    if check(os.path.exists(path), f"kustomization: {resource} does not exist"):
        documents += [d for d in yaml.safe_load_all(open(path, encoding="utf-8")) if d]
listed = set(kustomization.get("resources", []))
for name in os.listdir(k8s_dir):
    if name.endswith(".yaml") and name != "kustomization.yaml":
        check(name in listed, f"kustomization: {name} is not listed")


def find(kind, name):
    found = [d for d in documents if d.get("kind") == kind and d.get("metadata", {}).get("name") == name]
    check(len(found) == 1, f"k8s: expected one {kind} {name}")
    return found[0] if found else {}


for document in documents:
    check("apiVersion" in document and "kind" in document and "name" in document.get("metadata", {}),
          f"k8s: a document lacks apiVersion, kind or metadata.name: {document.get('kind')}")

secret = find("Secret", "analytics-secrets")
check(set((secret.get("stringData") or secret.get("data") or {}).keys()) == {"amplitude-api-key", "mixpanel-token"},
      "k8s: analytics-secrets must hold amplitude-api-key and mixpanel-token")
workload = find("StatefulSet", "productgraph-ingestion")
spec = workload.get("spec", {})
pod = spec.get("template", {}).get("spec", {})
containers = {c.get("name"): c for c in pod.get("containers", [])}
container = containers.get("ingestion", {})
check(bool(container), "k8s: the StatefulSet needs a container `ingestion`")
env = {e["name"]: e for e in container.get("env", [])}
for name, value in SEED_ENV.items():
    if value.startswith("${"):
        continue
    check(env.get(name, {}).get("value") == value, f"k8s: env {name} must be {value}")
for name, key in (("AMPLITUDE_API_KEY", "amplitude-api-key"), ("MIXPANEL_TOKEN", "mixpanel-token")):
    ref = env.get(name, {}).get("valueFrom", {}).get("secretKeyRef", {})
    check(ref == {"name": "analytics-secrets", "key": key}, f"k8s: {name} must come from analytics-secrets/{key}")
check(env.get("PRODUCTGRAPH_ADMIN_ADDRESS", {}).get("value") == "0.0.0.0:8081", "k8s: admin must bind 0.0.0.0:8081")
admin_ref = env.get("PRODUCTGRAPH_ADMIN_KEYS", {}).get("valueFrom", {}).get("secretKeyRef", {})
check(bool(admin_ref) and find("Secret", admin_ref.get("name")) != {}, "k8s: PRODUCTGRAPH_ADMIN_KEYS must come from a Secret")
shutdown = int(env.get("PRODUCTGRAPH_SHUTDOWN_TIMEOUT", {}).get("value", SHUTDOWN_TIMEOUT_S))
check(pod.get("terminationGracePeriodSeconds", 30) > shutdown,
      "k8s: terminationGracePeriodSeconds must exceed PRODUCTGRAPH_SHUTDOWN_TIMEOUT")
check(container.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/health", "k8s: liveness must be /health")
check(container.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/ready", "k8s: readiness must be /ready")
resources = container.get("resources", {})
check("requests" in resources and "memory" in resources.get("limits", {}), "k8s: resources need requests and a memory limit")
pod_security = pod.get("securityContext", {})
security = container.get("securityContext", {})
check(pod_security.get("runAsNonRoot") is True and pod_security.get("runAsUser", 0) != 0, "k8s: must run as non-root")
check(security.get("readOnlyRootFilesystem") is True, "k8s: the root filesystem must be read-only")
check(security.get("allowPrivilegeEscalation") is False, "k8s: privilege escalation must be off")
check(security.get("capabilities", {}).get("drop") == ["ALL"], "k8s: all capabilities must be dropped")
claims = {t.get("metadata", {}).get("name"): t for t in spec.get("volumeClaimTemplates", [])}
mounts = {m.get("mountPath"): m.get("name") for m in container.get("volumeMounts", [])}
queue_dir = env.get("PRODUCTGRAPH_QUEUE_DIR", {}).get("value", "/var/lib/productgraph/queue")
queue_mount = [path for path in mounts if queue_dir == path or queue_dir.startswith(path.rstrip("/") + "/")]
check(bool(queue_mount) and mounts[queue_mount[0]] in claims, "k8s: the queue must be on a volumeClaimTemplate mount")
ports = {p.get("containerPort") for p in container.get("ports", [])}
check(ports == {8080, 8081}, f"k8s: container ports must be 8080 and 8081, got {ports}")
selector = spec.get("selector", {}).get("matchLabels", {})
check(selector and all(spec.get("template", {}).get("metadata", {}).get("labels", {}).get(k) == v
                       for k, v in selector.items()), "k8s: the StatefulSet selector must match its pod labels")
services = [d for d in documents if d.get("kind") == "Service"]
service_ports = [sorted(p.get("port") for p in s.get("spec", {}).get("ports", [])) for s in services]
check([8080] in service_ports and [8081] in service_ports, f"k8s: one Service for 8080, another for 8081, got {service_ports}")
check(any(s.get("metadata", {}).get("name") == spec.get("serviceName") for s in services),
      "k8s: the StatefulSet's serviceName must be one of the Services")
for s in services:
    check(s.get("spec", {}).get("selector") == selector, f"k8s: Service {s['metadata']['name']} must select the pods")
pdbs = [d for d in documents if d.get("kind") == "PodDisruptionBudget"]
check(len(pdbs) == 1 and pdbs[0].get("spec", {}).get("selector", {}).get("matchLabels") == selector,
      "k8s: a PodDisruptionBudget selecting the pods")

for failure in failures:
    print("FAIL:", failure)
if failures:
    sys.exit(1)
print(f"ok: Dockerfile, compose and {len(documents)} Kubernetes documents")
