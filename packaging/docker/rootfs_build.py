#!/usr/bin/env python3
"""Runs packaging/docker/Dockerfile's build and run steps for real without a container
engine: each stage's base image is a Debian 12 root made with
`debootstrap --variant=minbase bookworm` (made once, then copied), every RUN runs in
it with chroot, COPY copies from the build context or an earlier stage, and the
final stage's ENTRYPOINT is started as its USER and must pass its HEALTHCHECK and
stop cleanly on its STOPSIGNAL.

It differs from `docker build` in what a chroot cannot do: no layer cache, no network
or PID namespace (the daemon binds 127.0.0.1 and an ephemeral port), and both
debian:12 and debian:12-slim are stood in for by the same minbase root (slim is
minbase plus Docker's doc and locale trimming).

Usage (root): rootfs_build.py CONTEXT WORKDIR   (WORKDIR keeps the minbase root
between runs; delete it to start from scratch). Needs debootstrap and the Debian mirror.
"""
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

MIRROR = "http://deb.debian.org/debian"
BASE_IMAGES = ("debian:12", "debian:12-slim")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def instructions(path):
    """(KEYWORD, arguments) with continuation lines joined and comments dropped."""
    result, current = [], ""
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, rest = current.strip().partition(" ")
        result.append((keyword.upper(), rest.strip()))
        current = ""
    return result


class Mounts:
    """/proc, /dev and /sys inside a root while its RUN steps execute."""

    def __init__(self, root):
        self.root = root
        self.mounted = []

    def __enter__(self):
        for kind, target in (("proc", "proc"), ("bind", "dev"), ("bind", "dev/pts"), ("sysfs", "sys")):
            path = os.path.join(self.root, target)
            os.makedirs(path, exist_ok=True)
            if kind == "bind":
                subprocess.run(["mount", "--bind", "/" + target, path], check=True)
            else:
                subprocess.run(["mount", "-t", kind, kind, path], check=True)
            self.mounted.append(path)
        shutil.copy("/etc/resolv.conf", os.path.join(self.root, "etc/resolv.conf"))
        return self

    def __exit__(self, *_):
        for path in reversed(self.mounted):
            subprocess.run(["umount", path], check=True)


def mounts_under(root):
    root = os.path.realpath(root) + "/"
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        return [line.split()[1] for line in mounts if line.split()[1].startswith(root)]


def remove_root(root):
    """Deletes a stage root, but never while anything (such as the host's /dev) is mounted in it."""
    if not os.path.exists(root):
        return
    mounted = mounts_under(root)
    if mounted:
        sys.exit(f"FAIL: refusing to delete {root}: still mounted: {mounted}")
    shutil.rmtree(root)


def minbase(workdir):
    root = os.path.join(workdir, "minbase")
    if not os.path.exists(os.path.join(root, ".complete")):
        remove_root(root)
        log("debootstrap --variant=minbase bookworm")
        subprocess.run(["debootstrap", "--variant=minbase", "bookworm", root, MIRROR], check=True,
                       stdout=subprocess.DEVNULL)
        open(os.path.join(root, ".complete"), "w").close()
    return root


def copy_into(source, root, workdir_in_root, destination):
    target = destination if destination.startswith("/") else os.path.join(workdir_in_root, destination)
    target_path = os.path.join(root, target.lstrip("/"))
    if os.path.isdir(source):
        shutil.copytree(source, target_path, dirs_exist_ok=True, symlinks=True)
    else:
        if destination.endswith("/") or os.path.isdir(target_path):
            os.makedirs(target_path, exist_ok=True)
            target_path = os.path.join(target_path, os.path.basename(source))
        os.makedirs(os.path.dirname(target_path), exist_ok=True)
        shutil.copy2(source, target_path)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(context, workdir):
    os.makedirs(workdir, exist_ok=True)
    base = minbase(workdir)
    stages, stage = {}, None
    timings = []
    for keyword, args in instructions(os.path.join(context, "packaging/docker/Dockerfile")):
        started = time.monotonic()
        if keyword == "FROM":
            image, _, name = args.partition(" AS ")
            assert image in BASE_IMAGES, f"unknown base image {image}"
            index = len(stages)
            stage = {"root": os.path.join(workdir, f"stage{index}"), "workdir": "/", "user": "root", "config": {}}
            remove_root(stage["root"])
            subprocess.run(["cp", "-a", base, stage["root"]], check=True)
            stages[name.strip() or str(index)] = stage
        elif keyword == "WORKDIR":
            stage["workdir"] = args
            os.makedirs(os.path.join(stage["root"], args.lstrip("/")), exist_ok=True)
        elif keyword == "COPY":
            words = shlex.split(args)
            source_root = context
            if words[0].startswith("--from="):
                source_root = stages[words.pop(0)[len("--from="):]]["root"]
            for source in words[:-1]:
                copy_into(os.path.join(source_root, source.lstrip("/")), stage["root"], stage["workdir"], words[-1])
        elif keyword == "RUN":
            log(f"RUN {args[:100]}")
            with Mounts(stage["root"]):
                subprocess.run(["chroot", stage["root"], "/bin/sh", "-c", f"cd {shlex.quote(stage['workdir'])} && {args}"],
                               check=True, stdin=subprocess.DEVNULL,
                               env={"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                    "HOME": "/root"})
        else:
            stage["config"][keyword] = args
            if keyword == "USER":
                stage["user"] = args
        timings.append((time.monotonic() - started, keyword, args[:60]))

    for seconds, keyword, args in timings:
        if seconds >= 1:
            log(f"{seconds:7.1f} s  {keyword} {args}")
    run_final_stage(stage)
    for each in stages.values():
        remove_root(each["root"])


def run_final_stage(stage):
    config = stage["config"]
    entrypoint = json.loads(config["ENTRYPOINT"])
    health = config["HEALTHCHECK"]
    health_command = json.loads(health[health.index(" CMD [") + 5:])
    stop_signal = getattr(signal, config.get("STOPSIGNAL", "SIGTERM"))
    port = free_port()
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PORT": str(port),
           "PRODUCTGRAPH_LISTEN_ADDRESS": "127.0.0.1"}
    user = stage["user"]
    chroot = ["chroot", f"--userspec={user}:{user}", stage["root"]]
    with Mounts(stage["root"]):
        log(f"starting {entrypoint} as {user} on port {port}")
        daemon = subprocess.Popen(chroot + entrypoint, env=env, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while subprocess.run(chroot + health_command, env=env).returncode != 0:
                if daemon.poll() is not None or time.monotonic() > deadline:
                    sys.exit("FAIL: the image's HEALTHCHECK never passed")
                time.sleep(0.5)
            log("HEALTHCHECK passed")
            daemon.send_signal(stop_signal)
            code = daemon.wait(timeout=30)
            if code != 0:
                sys.exit(f"FAIL: the daemon exited with {code} on {config.get('STOPSIGNAL')}")
            log(f"stopped with exit code 0 on {config.get('STOPSIGNAL', 'SIGTERM')}")
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
