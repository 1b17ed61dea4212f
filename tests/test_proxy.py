"""The production layout without containers: PostgreSQL, two `streamlit run` servers and Debian's nginx on loopback,
nginx configured by deploy/nginx's own includes (sticky sessions, WebSocket upgrade, security headers, upload limit),
driven in Chromium. Pages load through the proxy without breaking its Content-Security-Policy; a change made through
one server is seen on the other; with one server stopped, new sessions go to the other. Run by .ci/run on its
PostgreSQL server (`-m proxy`); it needs Debian's nginx and chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.browser import CHROMIUM, CHROMIUM_ARGS, drawn_ms, free_port
from tests.conftest import SCREENSHOTS, on_postgres

REPO = Path(__file__).resolve().parents[1]
NGINX_DIR = REPO / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
GRANTED = "proxy.newcomer@herts.gov.uk"
PAGES = ("progress", "districts", "timeline", "properties", "decisions", "objectives", "forecast", "briefing")
PAGES += ("edit-property", "add-decision", "import", "export", "audit", "help")

pytestmark = [
    pytest.mark.proxy,
    pytest.mark.skipif(not on_postgres, reason="several servers share one store: PostgreSQL (.ci/run's second pass)"),
    pytest.mark.skipif(not Path(NGINX).exists(), reason="needs Debian's nginx (.ci/run installs it)"),
]


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not start:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def app_server(store_url: str, folder: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    log = folder / f"app-{port}.log"
    env = {**os.environ, "DATABASE_URL": store_url, "DASHBOARD_LOCAL_USER": "proxy.tester"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def nginx_in_front(app_urls: list[str], folder: Path) -> Iterator[str]:
    """Debian's nginx as its own master process (no root, files in `folder`), with deploy/nginx's includes and an
    upstream of the app servers, on a free loopback port."""
    port = free_port()
    servers = "\n".join(
        f"        server {url.removeprefix('http://')} max_fails=1 fail_timeout=10s;" for url in app_urls
    )
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {NGINX_DIR}/dashboard-http.conf;
    upstream dashboard {{
        hash $dashboard_sticky consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        include {NGINX_DIR}/dashboard-locations.conf;
    }}
}}
"""
    )
    checked = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "nginx did not start"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def keep(page, name: str) -> None:
    """A screenshot for people to look at: what the proxy served (tests/screenshots/proxy-*.png)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"proxy-{name}.png"))


def open_page(context, url: str, violations: list[str]):
    page = context.new_page()
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    response = page.goto(url)
    drawn_ms(page)
    return page, response


def test_two_servers_behind_nginx_on_postgresql(engine, store_url, tmp_path):
    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with (
        app_server(store_url, tmp_path) as (first_url, first),
        app_server(store_url, tmp_path) as (second_url, _second),
        nginx_in_front([first_url, second_url], tmp_path) as proxy,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            # Pages load through the proxy, with its headers, and the app breaks none of its policy.
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page, response = open_page(context, proxy, violations)
            headers = response.headers
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "same-origin"
            assert headers["strict-transport-security"].startswith("max-age=")
            assert "Overview" in page.inner_text("body")
            sticky = [cookie for cookie in context.cookies() if cookie["name"] == "dashboard_server"]
            assert len(sticky) == 1, context.cookies()
            keep(page, "overview")
            for path in PAGES:  # every page in the same session (one server), each within the policy
                page.close()
                page, response = open_page(context, f"{proxy}/{path}", violations)
                assert response.status == 200 and "Something went wrong" not in page.inner_text("body"), path
                keep(page, path)

            # A change made through the proxy (on whichever server this session is on) is seen on both servers.
            access, _ = open_page(context, f"{proxy}/access", violations)
            access.get_by_label("Account (e-mail address)").fill(GRANTED)
            access.get_by_role("button", name="Grant").click()
            access.get_by_text(f"{GRANTED} now has the viewer role.").wait_for(timeout=60_000)
            keep(access, "access-granted")
            for number, server_url in enumerate((first_url, second_url), start=1):
                direct = browser.new_context()
                seen, _ = open_page(direct, server_url, violations)
                assert "Data last updated" in seen.inner_text("body")
                revoke, _ = open_page(direct, f"{server_url}/access", violations)
                revoke.get_by_label("Grant", exact=True).click()  # the list of grants: account, or council and role
                revoke.keyboard.press("ArrowDown")
                revoke.get_by_role("option", name=GRANTED).wait_for(timeout=15_000)  # this server sees the grant
                keep(revoke, f"server-{number}-sees-the-grant")
                direct.close()

            # One server stopped: new sessions through the proxy go to the other.
            first.terminate()
            first.wait(timeout=20)
            for _ in range(3):
                fresh = browser.new_context()
                page, response = open_page(fresh, proxy, violations)
                assert response.status == 200 and "Overview" in page.inner_text("body")
                keep(page, "one-server-stopped")
                fresh.close()
        finally:
            browser.close()
    assert violations == [], sorted(set(violations))
