"""The CDS Hooks service under load: order-sign latency, throughput, saturation and overload.

Run: ``python benchmarks/bench_service.py`` (``--quick`` for a 10-second smoke run).
Needs the ``bench`` extra (the service).

It starts ``bisphos serve`` (uvicorn, one worker, access log off) on 127.0.0.1 and a free port,
with a key pair made for this run and a fresh SQLite file in a temporary folder, then drives it
with a bounded request loop (asyncio, a minimal HTTP/1.1 client) that stops by itself:

1. warm-up: 200 order-sign calls;
2. steady: order-sign at a fixed rate (default 200/s) for a fixed time (default 60 s), each call
   sent at its scheduled time whether or not earlier ones have returned (an open loop, so that a
   slow server cannot slow the load), latency measured from the scheduled time; p50, p99, p99.9,
   maximum, throughput and errors;
3. the reference: the discovery endpoint (token check, no plan) at the same rate for 10 s;
4. saturation: a closed loop of 16 concurrent callers for 10 s; the rate completed is the
   saturating rate;
5. overload: the open loop at twice the saturating rate for 20 s, with feedback posted for one
   card of every fifth call answered; then the server must still answer, and every feedback it
   acknowledged with 200 must be in the database (no feedback record lost), and every order-sign
   answered with 200, in every phase, must have its decision record stored (none lost); 503s are
   counted as the load shed they are.

Each phase also reports the server's CPU time per request it received (user plus system time of
the server process from ``/proc``, over the phase), a figure that other work on the machine
changes far less than latency. ``--server-cpu N --load-cpu M`` pin the server and the load loop to
CPUs of their own (Linux).

The prefetch is the bundled example patient's FHIR Bundle
(``examples/fhir/patients/oi-girl-20kg.bundle.json``) split by resource type, read by the FHIR
reader on every call, and the order her protocol dose (0.25 mg zoledronic acid). The
figures are of one run on the machine it runs on, printed with the number of CPUs and the load
average, since other work on the machine shares them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from bisphos.service import prefetch_of_bundle

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "fhir" / "patients" / "oi-girl-20kg.bundle.json"
SIGN = "/cds-services/bisphos-order-sign"
ISSUER = "https://ehr.bench.invalid"
KID = "bench-key"


# The service with the tests' stand-in order check (the ordered dose against the plan's first dose,
# one plan more), for an installation whose bisphos has no bisphos.check_order yet.
STAND_IN = """
import sys
sys.path.insert(0, {root!r})
from bisphos.service.config import load_config
from bisphos.service.server import serve
from tests.service._stubs import checker
serve(load_config({config!r}), checker=checker)
"""


#: Requests the load loop keeps outstanding at most; one more is not sent but counted (status 0),
#: so that a server slower than the offered rate cannot make the loop's own backlog unbounded.
MAX_OUTSTANDING = 128


#: Why the client got no answer, by exception type (reported with the results).
FAILURES: dict[str, int] = {}


class ClientError(Exception):
    """No answer: the connection failed or closed, or no answer within the client's timeout."""


class Reply:
    """An HTTP answer: status and body."""

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class Client:
    """A minimal HTTP/1.1 client on asyncio streams, keep-alive, at most ``connections`` at once.

    The load loop's own cost per request must stay far below the server's, on a machine whose
    cores are shared: a general client (httpx) costs the loop about as much CPU per request as
    the server spends, so the loop, not the server, would set the rate. This one writes each
    request in one piece and reads the status line, ``Content-Length`` and the body, nothing more
    (the service always sends a length).
    """

    def __init__(self, host: str, port: int, connections: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None]
        self._idle = asyncio.Queue()
        for _ in range(connections):
            self._idle.put_nowait(None)  # opened when first used

    async def get(self, path: str, headers: dict[str, str]) -> Reply:
        return await self.request("GET", path, headers, b"")

    async def post(
        self,
        path: str,
        headers: dict[str, str],
        content: bytes | None = None,
        json: Any = None,
    ) -> Reply:
        body = content if content is not None else _json_bytes(json)
        return await self.request(
            "POST", path, {"Content-Type": "application/json", **headers}, body
        )

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        connection = await self._idle.get()
        try:
            if connection is not None and connection[0].at_eof():
                connection[1].close()  # the server closed it while idle (its keep-alive limit)
                connection = None
            if connection is None:
                connection = await asyncio.open_connection(self.host, self.port)
            reply = await asyncio.wait_for(self._exchange(connection, message), self.timeout)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
            if connection is not None:
                connection[1].close()
            self._idle.put_nowait(None)
            FAILURES[type(error).__name__] = FAILURES.get(type(error).__name__, 0) + 1
            raise ClientError(type(error).__name__) from None
        self._idle.put_nowait(connection)
        return reply

    @staticmethod
    async def _exchange(
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], message: bytes
    ) -> Reply:
        reader, writer = connection
        writer.write(message)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        return Reply(int(status_line.split()[1]), await reader.readexactly(length))

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        while not self._idle.empty():
            connection = self._idle.get_nowait()
            if connection is not None:
                connection[1].close()


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prefetch_of(path: Path) -> tuple[str, dict[str, Any]]:
    """The example patient's FHIR Bundle as the prefetch an EHR sends."""
    bundle = json.loads(path.read_text(encoding="utf-8"))
    return prefetch_of_bundle(bundle, "https://ehr.bench.invalid/fhir")


def order(patient_id: str, dose_mg: float) -> dict[str, Any]:
    """The draft order: ``dose_mg`` of zoledronic acid in 50 mL over 1 h on 2026-11-23."""
    ucum = "http://unitsofmeasure.org"
    return {
        "resourceType": "MedicationRequest",
        "id": "bench-order",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id}"},
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.whocc.no/atc", "code": "M05BA08"}]
        },
        "dosageInstruction": [
            {
                "timing": {
                    "event": ["2026-11-23"],
                    "repeat": {"count": 1, "duration": 1, "durationUnit": "h"},
                },
                "doseAndRate": [
                    {"doseQuantity": {"value": dose_mg, "unit": "mg", "system": ucum, "code": "mg"}}
                ],
            }
        ],
        "dispenseRequest": {"quantity": {"value": 50, "unit": "mL", "system": ucum, "code": "mL"}},
    }


def sign_body() -> bytes:
    """The order-sign call: the example girl's prefetch and her protocol dose as the draft order."""
    patient_id, prefetch = prefetch_of(EXAMPLE)
    hook = {
        "hook": "order-sign",
        "hookInstance": str(uuid.uuid4()),
        "context": {
            "userId": "Practitioner/bench",
            "patientId": patient_id,
            "draftOrders": {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": order(patient_id, 0.25)}],
            },
        },
        "prefetch": prefetch,
    }
    return json.dumps(hook).encode()


class Tokens:
    """Tokens signed in advance (signing is the EHR's cost, not the service's)."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, audience: str) -> None:
        self.key = key
        self.audience = audience
        self._stock: list[str] = []

    def fill(self, count: int, path: str) -> None:
        now = int(time.time())
        self._stock = [
            jwt.encode(
                {
                    "iss": ISSUER,
                    "sub": "bench",
                    "aud": self.audience + path,
                    "iat": now,
                    "exp": now + 280,
                    "jti": str(uuid.uuid4()),
                },
                self.key,
                algorithm="ES384",
                headers={"kid": KID},
            )
            for _ in range(count)
        ]

    def take(self) -> str:
        return self._stock.pop()


def server_cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of process ``pid`` so far (Linux ``/proc``; else ``None``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """The server's CPU time over a phase, per request it received."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.began = server_cpu_seconds(pid)

    def per_request_ms(self, statuses: dict[int, int]) -> float | None:
        now = server_cpu_seconds(self.pid)
        received = sum(n for status, n in statuses.items() if status > 0)
        if now is None or self.began is None or not received:
            return None
        return round((now - self.began) * 1000 / received, 3)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)  # nearest rank: the smallest value with this fraction at or below it
    return ordered[min(len(ordered), max(1, math.ceil(fraction * len(ordered)))) - 1]


def report(
    name: str,
    latencies: list[float],
    statuses: dict[int, int],
    seconds: float,
    cpu: CpuMeter | None = None,
) -> dict[str, Any]:
    done = statuses.get(200, 0)
    row = {
        "phase": name,
        "sent": sum(statuses.values()),
        "ok": done,
        "statuses": dict(sorted(statuses.items())),
        "throughput_per_s": round(done / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "p999_ms": round(percentile(latencies, 0.999), 2),
        "max_ms": round(max(latencies), 2) if latencies else None,
        "server_cpu_ms_per_request": None if cpu is None else cpu.per_request_ms(statuses),
    }
    print(json.dumps(row))
    return row


async def open_loop(
    http: Client,
    tokens: Tokens,
    path: str,
    *,
    body: bytes | None,
    rate: float,
    seconds: float,
    on_ok: Callable[[Reply], Any] | None = None,
) -> tuple[list[float], dict[int, int], float]:
    """Send ``rate`` requests per second for ``seconds``, each at its scheduled time."""
    count = int(rate * seconds)
    tokens.fill(count, path)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    pending: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def one(scheduled: float, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        try:
            if body is None:
                response = await http.get(path, headers=headers)
            else:
                response = await http.post(path, content=body, headers=headers)
            status = response.status_code
        except ClientError:
            status = -1
            response = None
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            latencies.append((loop.time() - scheduled) * 1000)
            if on_ok is not None and response is not None:
                await on_ok(response)

    for index in range(count):
        scheduled = start + index / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(pending) >= MAX_OUTSTANDING:  # the client's own bound: counted, never queued
            statuses[0] = statuses.get(0, 0) + 1
            continue
        task = asyncio.create_task(one(scheduled, tokens.take()))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending, timeout=15)
    return latencies, statuses, max(seconds, loop.time() - start)


async def closed_loop(
    http: Client, tokens: Tokens, body: bytes, callers: int, seconds: float
) -> tuple[float, int]:
    """The rate ``callers`` concurrent callers complete, each sending as soon as answered."""
    tokens.fill(int(2000 * seconds), SIGN)
    done = 0
    stop = time.monotonic() + seconds

    async def caller() -> None:
        nonlocal done
        while time.monotonic() < stop:
            token = tokens.take()
            try:
                response = await http.post(
                    SIGN,
                    content=body,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                )
            except ClientError:
                continue
            if response.status_code == 200:
                done += 1

    began = time.monotonic()
    await asyncio.gather(*(caller() for _ in range(callers)))
    return done / (time.monotonic() - began), done


async def drive(  # noqa: PLR0915 - the phases in order, one after the other
    args: argparse.Namespace, url: str, key: ec.EllipticCurvePrivateKey, pid: int
) -> dict[str, Any]:
    body = sign_body()
    tokens = Tokens(key, url)
    # Status -1 in the tables: the client gave up (no answer within 10 s, or no free connection);
    # status 0: not sent, MAX_OUTSTANDING requests were already waiting.
    results: dict[str, Any] = {"request_bytes": len(body)}
    host, port = url.removeprefix("http://").split(":")
    async with Client(host, int(port), connections=64, timeout=10) as http:
        tokens.fill(200, SIGN)
        for _ in range(200):
            response = await http.post(
                SIGN,
                content=body,
                headers={
                    "Authorization": f"Bearer {tokens.take()}",
                    "Content-Type": "application/json",
                },
            )
            if response.status_code != 200:
                raise SystemExit(f"warm-up failed: {response.status_code} {response.text[:300]}")
        cards = response.json()["cards"]
        results["cards"] = [(c["indicator"], c["summary"]) for c in cards]

        cpu = CpuMeter(pid)
        steady = await open_loop(
            http, tokens, SIGN, body=body, rate=args.rate, seconds=args.seconds
        )
        results["steady"] = report(f"order-sign {args.rate}/s", *steady, cpu)
        results["load_average_after_steady"] = os.getloadavg()
        cpu = CpuMeter(pid)
        reference = await open_loop(
            http, tokens, "/cds-services", body=None, rate=args.rate, seconds=min(10, args.seconds)
        )
        results["reference"] = report(f"discovery {args.rate}/s (reference)", *reference, cpu)

        cpu = CpuMeter(pid)
        saturating, answered = await closed_loop(http, tokens, body, 16, args.saturation_seconds)
        results["saturating_rate_per_s"] = round(saturating, 1)
        saturation = {
            "phase": "saturation (16 callers)",
            "rate_per_s": round(saturating, 1),
            "server_cpu_ms_per_request": cpu.per_request_ms({200: answered}),
        }
        results["saturation"] = saturation
        print(json.dumps(saturation))

        acknowledged = 0
        refused = 0
        counter = 0
        feedback_tokens = Tokens(key, url)
        feedback_tokens.fill(
            int(2 * saturating * args.overload_seconds / 5) + 10, SIGN + "/feedback"
        )

        async def give_feedback(response: Reply) -> None:
            nonlocal acknowledged, refused, counter
            counter += 1
            if counter % 5:
                return
            card = response.json()["cards"][0]
            entry = {
                "card": card["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [],
                "outcomeTimestamp": "2026-11-23T10:00:00+00:00",
            }
            try:
                reply = await http.post(
                    SIGN + "/feedback",
                    json={"feedback": [entry]},
                    headers={"Authorization": f"Bearer {feedback_tokens.take()}"},
                )
            except ClientError:  # not acknowledged: the EHR would send it again
                refused += 1
                return
            if reply.status_code == 200:
                acknowledged += 1
            else:
                refused += 1

        cpu = CpuMeter(pid)
        overload = await open_loop(
            http,
            tokens,
            SIGN,
            body=body,
            rate=2 * saturating,
            seconds=args.overload_seconds,
            on_ok=give_feedback,
        )
        results["overload"] = report(
            f"order-sign {round(2 * saturating)}/s (2x saturating)", *overload, cpu
        )
        tokens.fill(1, "/cds-services")
        alive = await http.get(
            "/cds-services", headers={"Authorization": f"Bearer {tokens.take()}"}
        )
        results["alive_after_overload"] = alive.status_code == 200
        results["sign_answered"] = 200 + steady[1].get(200, 0) + answered + overload[1].get(200, 0)
        # A call the client gave up on (-1) may have been answered after all.
        results["sign_given_up"] = steady[1].get(-1, 0) + overload[1].get(-1, 0)
        results["client_failures"] = dict(FAILURES)
        results["feedback_acknowledged"] = acknowledged
        results["feedback_refused"] = refused
    return results


def run_server(
    args: argparse.Namespace, base: Path, url: str, port: int, key: ec.EllipticCurvePrivateKey
) -> dict[str, Any]:
    """Start ``bisphos serve`` in ``base``, drive it, stop it; the results of the run."""
    log = (base / "service.log").open("wb")  # a pipe nobody reads would block the server
    config = str(base / "service.toml")
    command = [sys.executable, "-m", "bisphos", "serve", "--config", config]
    if args.stand_in_order_check:
        command = [sys.executable, "-c", STAND_IN.format(root=str(ROOT), config=config)]
    pinned = args.server_cpu is not None and hasattr(os, "sched_setaffinity")
    if pinned:  # the server inherits this affinity; the load loop then moves to its own CPU
        os.sched_setaffinity(0, {args.server_cpu})
    server = subprocess.Popen(command, stdout=log, stderr=log)
    if pinned:
        others = set(range(os.cpu_count() or 1)) - {args.server_cpu}
        os.sched_setaffinity(0, {args.load_cpu} if args.load_cpu is not None else others or {0})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the service did not start") from None
                time.sleep(0.05)
        results = asyncio.run(drive(args, url, key, server.pid))
        results["server_running_after_overload"] = server.poll() is None
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--saturation-seconds", type=float, default=10.0)
    parser.add_argument("--overload-seconds", type=float, default=20.0)
    parser.add_argument(
        "--max-in-flight", type=int, default=16, help="the service's setting (its default: 16)"
    )
    parser.add_argument("--timeout", type=float, default=1.0, help="the service's time limit (s)")
    parser.add_argument(
        "--server-cpu", type=int, default=None, help="pin the server to this CPU (Linux)"
    )
    parser.add_argument(
        "--load-cpu", type=int, default=None, help="pin the load loop to this CPU (Linux)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="5 s steady, 3 s saturation, 5 s overload"
    )
    parser.add_argument(
        "--stand-in-order-check",
        action="store_true",
        help="serve with the tests' stand-in order check instead of bisphos.check_order",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.saturation_seconds, args.overload_seconds = 5.0, 3.0, 5.0
    print(
        json.dumps(
            {
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "python": sys.version.split()[0],
                "order_check": "stand-in" if args.stand_in_order_check else "bisphos.check_order",
                "max_in_flight": args.max_in_flight,
                "timeout_s": args.timeout,
                "server_cpu": args.server_cpu,
                "load_cpu": args.load_cpu,
            }
        )
    )
    key = ec.generate_private_key(ec.SECP384R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": KID, "alg": "ES384"})
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bisphos-bench-") as folder:
        base = Path(folder)
        (base / "jwks.json").write_text(json.dumps({"keys": [public]}), encoding="utf-8")
        (base / "service.toml").write_text(
            "[service]\n"
            f'base_url = "{url}"\nhost = "127.0.0.1"\nport = {port}\n'
            'database = "bench.sqlite3"\naccess_log = false\n'
            f"max_in_flight = {args.max_in_flight}\n"
            f"request_timeout_seconds = {args.timeout}\n"
            'assessment_date = "2026-11-23"\n'
            f'\n[[service.issuers]]\niss = "{ISSUER}"\njwks = "jwks.json"\n',
            encoding="utf-8",
        )
        results = run_server(args, base, url, port, key)
        lines = (base / "service.log").read_text(encoding="utf-8").splitlines()
        results["service_log_lines"] = len(lines)
        results["service_log_tracebacks"] = sum("Traceback" in line for line in lines)
        with sqlite3.connect(base / "bench.sqlite3") as db:
            stored = db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
            decisions = db.execute("SELECT COUNT(*) FROM decisions").fetchone()[0]
        results["feedback_stored"] = stored
        results["no_feedback_lost"] = stored == results["feedback_acknowledged"]
        # Every order-sign answered 200 has its decision record stored (the writer's queue is
        # flushed when the server stops).
        results["decisions_stored"] = decisions
        answered = results["sign_answered"]
        results["no_decision_lost"] = answered <= decisions <= answered + results["sign_given_up"]
    print(
        json.dumps(
            {k: v for k, v in results.items() if k not in ("steady", "overload", "reference")},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
