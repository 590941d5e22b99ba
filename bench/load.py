"""Load the comparison endpoint and the compare page with wrk, against the framework's floor.

Usage (after bench.generate_org filled DATABASE_URL):
  DATABASE_URL=sqlite:////tmp/ascent-bench.db .venv/bin/python -m bench.load [seconds]

Serves the app with `gunicorn -w 2` on loopback and runs `wrk -t2 -c16` against /healthz
(a constant: the floor), the comparison API and the compare page: warm, right after a
response was submitted, and with the per-process parse cache switched off (cold).
Prints requests per second and the ratio to the floor, plus the SQL query counts.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import sqlalchemy as sa

from app import create_app
from app.api.auth import create_token
from app.extensions import db
from app.models import Team, TeamMember, User

HOST = "127.0.0.1"


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def serve(port: int, extra_env: dict[str, str]) -> subprocess.Popen:
    """Start gunicorn with two workers and wait until it answers."""
    env = {**os.environ, "ASCENT_SECRET_KEY": "bench-secret", **extra_env}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "--bind",
            f"{HOST}:{port}",
            "--no-control-socket",
            "--log-level",
            "warning",
            "app:create_app()",
        ],
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def wrk(url: str, seconds: int, headers: dict[str, str]) -> float:
    """Run wrk -t2 -c16 and return requests per second."""
    return wrk_figures(url, seconds, headers)[0]


def wrk_figures(url: str, seconds: int, headers: dict[str, str]) -> tuple[float, float, float]:
    """Run wrk -t2 -c16; return requests per second, p50 and p99 latency in ms."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} failed responses\n{output}")

    def percentile(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rps, percentile("50"), percentile("99")


def session_cookie(base: str, email: str, password: str) -> str:
    """Sign in through the login form and return the session cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "email": email, "password": password}
    ).encode()
    opener.open(f"{base}/login", data=data)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def submit(base: str, token: str, team_id: int, level: int) -> float:
    """Submit a response through the API; return how long the write took in ms."""
    body = json.dumps({"answers": {"data.contracts": {"level": level}}, "submit": True}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/orgs/bench/cycles/C8/teams/{team_id}/response",
        data=body,
        method="PUT",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    urllib.request.urlopen(request).read()
    return (time.perf_counter() - started) * 1000


def query_counts(app, exec_token: str, compare_path: str) -> dict[str, int]:
    """Count SQL statements of one comparison request and one compare page in-process."""
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/login", data={"email": "exec@bench.example", "password": "bench-password"})
    counts = {}
    with app.app_context():
        for name, path, headers in (
            (
                "comparison API",
                "/api/v1/orgs/bench/cycles/C8/comparison",
                {"Authorization": f"Bearer {exec_token}"},
            ),
            ("compare page", compare_path, {}),
        ):
            client.get(path, headers=headers)
            statements = []

            def count(*_args, statements=statements):
                statements.append(1)

            sa.event.listen(db.engine, "before_cursor_execute", count)
            client.get(path, headers=headers)
            sa.event.remove(db.engine, "before_cursor_execute", count)
            counts[name] = len(statements)
            db.engine.dispose()
    return counts


def main(seconds: int = 8) -> None:
    """Run the whole benchmark and print its figures."""
    os.environ.setdefault("ASCENT_SECRET_KEY", "bench-secret")  # a server database needs one
    app = create_app()
    with app.app_context():
        executive = db.session.scalar(sa.select(User).where(User.email == "exec@bench.example"))
        if executive is None:
            raise SystemExit("Run bench.generate_org first with the same DATABASE_URL.")
        _, exec_token = create_token(executive, "bench")
        member_id, team_id = db.session.execute(
            sa.select(TeamMember.user_id, TeamMember.team_id)
            .join(Team)
            .where(Team.name == "Team 007", TeamMember.role == "member")
            .limit(1)
        ).one()
        _, member_token = create_token(db.session.get(User, member_id), "bench member")
        picks = db.session.scalars(
            sa.select(Team.id).where(Team.name.in_(["Team 001", "Team 250", "Team 499"]))
        ).all()
        teams = db.session.scalar(sa.select(sa.func.count()).select_from(Team))
        db.session.commit()
        db.engine.dispose()
    compare_path = "/o/bench/compare?cycle=C8&" + "&".join(f"team={t}" for t in picks)
    print(f"{teams} teams; wrk -t2 -c16 -d{seconds}s against gunicorn -w 2 on loopback")
    results = {}
    for mode, env in (("warm", {}), ("cold", {"ASCENT_NO_READ_CACHE": "1"})):
        port = free_port()
        server = serve(port, env)
        base = f"http://{HOST}:{port}"
        try:
            cookie = session_cookie(base, "exec@bench.example", "bench-password")
            api_headers = {"Authorization": f"Bearer {exec_token}"}
            floor = wrk(f"{base}/healthz", seconds, {})
            results[(mode, "floor")] = floor
            if mode == "warm":
                wrk(f"{base}/api/v1/orgs/bench/cycles/C8/comparison", 2, api_headers)  # warm up
                wrk(base + compare_path, 2, {"Cookie": cookie})
                results[(mode, "api")] = wrk(
                    f"{base}/api/v1/orgs/bench/cycles/C8/comparison", seconds, api_headers
                )
                results[(mode, "page")] = wrk(base + compare_path, seconds, {"Cookie": cookie})
                write_ms = submit(base, member_token, team_id, 1)
                results[("after submit", "api")] = wrk(
                    f"{base}/api/v1/orgs/bench/cycles/C8/comparison", seconds, api_headers
                )
                write_ms2 = submit(base, member_token, team_id, 3)
                results[("after submit", "page")] = wrk(
                    base + compare_path, seconds, {"Cookie": cookie}
                )
                results[("after submit", "floor")] = floor
                print(
                    f"submitting a response (stores the team's scores, rebuilds the comparison): {write_ms:.0f} ms and {write_ms2:.0f} ms"
                )
            else:
                results[(mode, "api")] = wrk(
                    f"{base}/api/v1/orgs/bench/cycles/C8/comparison", seconds, api_headers
                )
                results[(mode, "page")] = wrk(base + compare_path, seconds, {"Cookie": cookie})
        finally:
            server.terminate()
            server.wait()
    for mode in ("warm", "after submit", "cold"):
        floor = results[(mode, "floor")]
        for key, label in (("api", "comparison API"), ("page", "compare page")):
            rps = results[(mode, key)]
            print(
                f"{mode:13} {label:15} {rps:8.0f} req/s   floor {floor:7.0f} req/s   1/{floor / rps:.1f} of the floor"
            )
    for name, count in query_counts(app, exec_token, compare_path).items():
        print(f"SQL statements per request, {name}: {count}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
