"""The real ``python -m aom_emulator`` process: banner, port file, signals, persistence across
restarts and ``kill -9``, TLS, credentials files."""

import datetime
import ipaddress
import json
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from emulator_support import AK, PROJECT, REPO_ROOT, SIGNER, SK, alarm, subprocess_env

from aom_emulator.accounts import password_token_request


def get_token(url, **kwargs) -> str:
    response = requests.post(f"{url}/v3/auth/tokens?nocatalog=true", json=password_token_request(**kwargs), timeout=10)
    assert response.status_code == 201, response.text
    return response.headers["X-Subject-Token"]


def stored(url):
    return requests.get(f"{url}/_emulator/events", params={"project_id": PROJECT}, timeout=10).json()["events"]


def test_banner_port_file_and_clean_sigterm(tmp_path, start_emulator):
    port_file = tmp_path / "port"
    emulator = start_emulator(tmp_path / "aom.db", "--port-file", str(port_file))
    port = int(port_file.read_text())
    assert emulator.banner == f"aom-emulator listening on http://127.0.0.1:{port}"
    assert requests.get(f"{emulator.url}/_emulator/health", timeout=5).json() == {"status": "ok"}
    assert emulator.stop(signal.SIGTERM) == 0
    assert emulator.stderr_text() == ""  # no traceback, no warning


def test_sigint_exits_zero(tmp_path, start_emulator):
    emulator = start_emulator(tmp_path / "aom.db")
    assert emulator.stop(signal.SIGINT) == 0


def test_data_and_tokens_survive_a_restart(tmp_path, start_emulator):
    db = tmp_path / "aom.db"
    emulator = start_emulator(db)
    token = get_token(emulator.url)
    response = requests.put(f"{emulator.url}/v2/{PROJECT}/push/events", json={"events": [alarm()]},
                            headers={"X-Auth-Token": token}, timeout=10)
    assert response.status_code == 204
    assert emulator.stop() == 0

    emulator = start_emulator(db)
    [row] = stored(emulator.url)
    assert row["state"] == "active"
    listed = requests.post(f"{emulator.url}/v2/{PROJECT}/events", json={"time_range": "-1.-1.60"},
                           headers={"X-Auth-Token": token}, timeout=10)  # the token still works
    assert listed.status_code == 200 and listed.json()["events"][0]["id"] == row["id"]


def test_acknowledged_pushes_survive_kill_9(tmp_path, start_emulator):
    db = tmp_path / "aom.db"
    emulator = start_emulator(db)
    url = emulator.url
    acknowledged = 0
    with requests.Session() as session:
        session.headers["X-Auth-Token"] = get_token(url)
        for batch in range(20):
            events = [alarm(resource_id=f"vm-{batch}-{i}", event_type="event") for i in range(50)]
            response = session.put(f"{url}/v2/{PROJECT}/push/events", json={"events": events}, timeout=10)
            assert response.status_code == 204
            acknowledged += len(events)
    emulator.proc.kill()  # SIGKILL right after the last acknowledgement
    emulator.proc.wait(10)

    emulator = start_emulator(db)
    assert len(stored(emulator.url)) == acknowledged


def test_aksk_signed_push_against_the_process(tmp_path, start_emulator):
    emulator = start_emulator(tmp_path / "aom.db")
    url = f"{emulator.url}/v2/{PROJECT}/push/events?action=clear"
    body = json.dumps({"events": [alarm()]})
    headers = SIGNER.sign_request("PUT", url, {"Content-Type": "application/json"}, body, AK, SK, project_id=PROJECT)
    assert requests.put(url, data=body, headers=headers, timeout=10).status_code == 204
    headers = SIGNER.sign_request("PUT", url, {"Content-Type": "application/json"}, body, AK, "wrong",
                                  project_id=PROJECT)
    assert requests.put(url, data=body, headers=headers, timeout=10).status_code == 401


def test_runs_from_another_directory_with_pythonpath(tmp_path, start_emulator):
    emulator = start_emulator(tmp_path / "aom.db", cwd=tmp_path, env=subprocess_env(PYTHONPATH=str(REPO_ROOT)))
    assert requests.get(f"{emulator.url}/_emulator/health", timeout=5).status_code == 200


def test_credentials_file_replaces_the_demo_account(tmp_path, start_emulator):
    credentials = tmp_path / "credentials.json"
    credentials.write_text(json.dumps({"users": [{
        "domain": "acme", "name": "ops", "password": "s3cret", "projects": {"eu-west-101": "a" * 32},
        "access_keys": [{"ak": "ACMEAK", "sk": "ACMESK"}]}]}))
    emulator = start_emulator(tmp_path / "aom.db", "--credentials", str(credentials))
    get_token(emulator.url, project_name="eu-west-101", domain="acme", user="ops", password="s3cret")
    response = requests.post(f"{emulator.url}/v3/auth/tokens", json=password_token_request(), timeout=10)
    assert response.status_code == 401


def test_unusable_credentials_file_fails_fast(tmp_path):
    credentials = tmp_path / "credentials.json"
    credentials.write_text('{"users": [{"name": "x"}]}')
    result = subprocess.run([sys.executable, "-m", "aom_emulator", "--db", str(tmp_path / "aom.db"),
                             "--credentials", str(credentials)], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 2
    assert "users[0].domain" in result.stderr and result.stdout == ""


def _self_signed_certificate(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_tls(tmp_path, start_emulator):
    pytest.importorskip("cryptography")
    cert, key = _self_signed_certificate(tmp_path)
    emulator = start_emulator(tmp_path / "aom.db", "--tls-cert", str(cert), "--tls-key", str(key))
    assert emulator.url.startswith("https://127.0.0.1:")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{emulator.url}/_emulator/health", timeout=5)  # untrusted without the cert
    token = requests.post(f"{emulator.url}/v3/auth/tokens", json=password_token_request(), verify=str(cert), timeout=10)
    assert token.status_code == 201
    url = f"{emulator.url}/v2/{PROJECT}/push/events"
    body = json.dumps({"events": [alarm()]})
    headers = SIGNER.sign_request("PUT", url, {"Content-Type": "application/json"}, body, AK, SK, project_id=PROJECT)
    assert requests.put(url, data=body, headers=headers, verify=str(cert), timeout=10).status_code == 204
    assert emulator.stop() == 0


def test_stop_is_prompt_with_a_request_in_flight(tmp_path, start_emulator):
    emulator = start_emulator(tmp_path / "aom.db")
    requests.post(f"{emulator.url}/_emulator/faults", json={"delay": 30, "status": 503}, timeout=5)
    outcome = []

    def slow_call():
        try:
            outcome.append(requests.put(f"{emulator.url}/v2/{PROJECT}/push/events", data=b"{}", timeout=20))
        except requests.ConnectionError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=slow_call)
    caller.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert emulator.stop() == 0
    assert time.monotonic() - started < 10  # not the 60 s aiohttp would wait by default
    caller.join(20)
    assert isinstance(outcome[0], requests.ConnectionError)
