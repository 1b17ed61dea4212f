"""The Containerfile built and run with Debian's podman: the image starts, seeds its store on the volume, turns
healthy by its own HEALTHCHECK, serves the app as a non-root user, draws the briefing pack's charts with the Chromium
inside it, and turns unhealthy when its store is broken though Streamlit still answers. Run by .ci/run (`-m
container`), which installs podman, runc and debootstrap; it needs root.

This machine reaches Debian's mirror and PyPI but no container registry, so the base is Debian bookworm made by
debootstrap from the mirror (the Containerfile's BASE argument), not the python:3.11-slim image a council pulls."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS, drawn_ms, free_port
from tests.conftest import REPO_ROOT, SCREENSHOTS

BASE = "localhost/dashboard-base:bookworm"
# Podman's default limits for a container (a million open files) are above this machine's hard limits, which its
# sandbox will not let even root raise; so the run asks for what the machine allows. crun cannot set up this
# machine's mixed cgroup hierarchy; Debian's runc can.
ENGINE = ["--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096", "--network", "host"]
# The host's certificate bundle, for pip inside the build: this machine reaches PyPI through a proxy with its own
# certificate authority. Mounted for the build's steps only, so nothing of it is left in the image.
HOST_CERTIFICATES = Path("/etc/ssl/certs/ca-certificates.crt")

pytestmark = [
    pytest.mark.container,
    pytest.mark.skipif(
        not (shutil.which("podman") and shutil.which("debootstrap")),
        reason="needs Debian's podman, runc and debootstrap (.ci/run installs them)",
    ),
    pytest.mark.skipif(os.geteuid() != 0, reason="rootful podman and debootstrap need root"),
]


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def debian_base(folder: Path) -> str:
    """A minimal Debian bookworm image from the mirror, made once per machine."""
    if podman("image", "exists", BASE, check=False).returncode == 0:
        return BASE
    root = folder / "bookworm"
    subprocess.run(
        ["debootstrap", "--variant=minbase", "bookworm", str(root), "http://deb.debian.org/debian"],
        check=True,
        capture_output=True,
        timeout=900,
    )
    archive = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    subprocess.run(["podman", "import", "-", BASE], stdin=archive.stdout, check=True, capture_output=True, timeout=300)
    archive.wait(timeout=60)
    return BASE


def build_image(folder: Path) -> str:
    tag = f"localhost/residential-strategy-dashboard:test-{uuid.uuid4().hex[:8]}"
    pip_conf = folder / "pip.conf"
    pip_conf.write_text("[global]\ncert = /etc/ssl/host-certificates.crt\n")
    mounts = ["-v", f"{pip_conf}:/etc/pip.conf:ro"]
    if HOST_CERTIFICATES.exists():
        mounts += ["-v", f"{HOST_CERTIFICATES}:/etc/ssl/host-certificates.crt:ro"]
    podman(
        "build",
        *("--format", "docker"),  # OCI images carry no HEALTHCHECK; Docker's format does
        *("--isolation", "chroot"),
        *ENGINE[2:],
        *mounts,
        *("--build-arg", f"BASE={debian_base(folder)}"),
        *("-f", "Containerfile", "-t", tag, str(REPO_ROOT)),
        timeout=1800,
    )
    return tag


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The image built from this checkout, running on a volume of its own: (container, its URL)."""
    image = build_image(tmp_path)
    name, volume, port = f"dashboard-{uuid.uuid4().hex[:8]}", f"dashboard-data-{uuid.uuid4().hex[:8]}", free_port()
    podman("volume", "create", volume)
    try:
        podman(
            "run", "-d", "--name", name, *ENGINE, "-e", f"STREAMLIT_SERVER_PORT={port}", "-v", f"{volume}:/data", image
        )
        yield name, f"http://127.0.0.1:{port}"
    finally:
        podman("rm", "-f", name, check=False)
        podman("volume", "rm", "-f", volume, check=False)
        podman("rmi", "-f", image, check=False)


def health(name: str) -> subprocess.CompletedProcess[str]:
    """The image's own HEALTHCHECK, run now."""
    return podman("healthcheck", "run", name, check=False, timeout=60)


def wait_until_healthy(name: str) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if health(name).returncode == 0:
            return
        state = json.loads(podman("inspect", name).stdout)[0]["State"]
        if not state["Running"]:
            break
        time.sleep(2)
    raise AssertionError(f"{name} never turned healthy:\n{podman('logs', name, check=False).stderr[-3000:]}")


def test_the_image_runs_healthy_as_a_non_root_user_and_its_health_check_catches_a_broken_store(running):
    from playwright.sync_api import sync_playwright

    name, url = running
    wait_until_healthy(name)
    assert json.loads(podman("inspect", name).stdout)[0]["State"]["Health"]["Status"] == "healthy"
    assert podman("exec", name, "id", "-u").stdout.strip() == "10001"
    ready = podman("exec", name, "python", "-m", "dashboard", "check")
    assert ready.stdout.startswith("Ready"), ready.stdout

    # The app as a person sees it, served from the container (its store seeded on the volume at first start).
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(url)
            drawn_ms(page)
            assert "of 70 beds open" in page.inner_text("body")
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "container-overview.png"))
        finally:
            browser.close()

    # The briefing pack, its charts drawn by the Chromium inside the image.
    made = podman("exec", name, "python", "-m", "dashboard", "briefing", "--out", "/data/pack.pdf", timeout=300)
    assert "Wrote the briefing pack" in made.stdout
    head = podman("exec", name, "python", "-c", "print(open('/data/pack.pdf', 'rb').read(5))").stdout
    assert head.strip() == "b'%PDF-'"

    # A store missing a table: Streamlit still answers, and the health check says the container is not healthy.
    drop = "import sqlite3; c = sqlite3.connect('/data/dashboard.sqlite'); c.execute('DROP TABLE sign_in'); c.commit()"
    podman("exec", name, "python", "-c", drop)
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as answer:
        assert answer.status == 200
    failed = health(name)
    assert failed.returncode != 0
    not_ready = podman("exec", name, "python", "-m", "dashboard", "check", check=False)
    assert not_ready.returncode == 1 and "sign_in" in not_ready.stdout + not_ready.stderr
