#!/usr/bin/env python3
"""`serviceplatform demo` from a clean data folder, as a tester meets it: runs the printed
`send` and `curl` commands exactly as printed, checks both receipts (and the PKCS#12 line),
checks /status.json after the calls, then shows that a restart keeps the data and that
`--reset` starts afresh."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

from demo_process import Demo

KH = "urn:serviceplatform:jc:kontanthjaelp:2"
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)


def run(command):
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def ca_fingerprint(data_dir):
    return subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", f"{data_dir}/pki/ca.pem"],
                          capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", default=None)
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="sp-demo-")
    data = os.path.join(work, "data")
    print(f"== demo quickstart in {work}")

    with Demo(args.binary, data, os.path.join(work, "run1")) as demo:
        check(os.path.exists(f"{data}/pki/ky-demo.pem") and os.path.exists(f"{data}/pki/ky-demo-key.pem"), "KY demo certificate and key as PEM")
        check(os.path.exists(f"{data}/pki/ky-demo.p12"), "KY demo as PKCS#12")
        passphrase = open(f"{data}/pki/ky-demo.p12.passphrase").read().strip()
        check(f"passphrase: {passphrase}" in "\n".join(demo.lines), "the PKCS#12 passphrase is printed")
        ready_at = next(i for i, l in enumerate(demo.lines) if l.startswith("ready "))
        send = demo.command("serviceplatform")
        curl = demo.command("curl")
        check(demo.lines.index("  " + send) > ready_at and demo.lines.index("  " + curl) > ready_at, "the commands come after the ready line")
        port = demo.service_url.rsplit(":", 1)[1]
        check(f":{port}/service/JC/Kontanthjaelp/2" in send and f":{port}/service/JC/Kontanthjaelp/2" in curl, "the commands name the real service port")

        status, output = run(send)
        print("   send: " + output.strip().replace("\n", "\n         "))
        check(status == 0 and output.startswith("Modtaget ") and "ModtagerSystem=demo-jobcenter" in output, "the printed send command gets a receipt (Modtaget)")

        example = open(f"{data}/example-ret-bevilling.xml").read()
        besked = re.search(r"<kh:BeskedID>([^<]+)</kh:BeskedID>", example).group(1)
        status, output = run(curl)
        print("   curl: " + output.strip()[:400])
        check(status == 0 and f"<kh:Status>Modtaget</kh:Status>" in output and f"<kh:BeskedID>{besked}</kh:BeskedID>" in output,
              "the printed curl command gets the receipt for the example message's BeskedID")

        pkcs12 = next(l.strip() for l in demo.lines if "--pkcs12" in l)
        status, output = run(pkcs12)
        check(status == 0 and "Modtaget " in output, "the printed PKCS#12 (SAML) command gets a receipt")

        report = get_json(demo.admin_url + "/status.json")
        for _ in range(50):   # demo probes once when ready, then every 30 s
            if report["receivers"] and report["receivers"][0]["state"] != "Ukendt":
                break
            time.sleep(0.2)
            report = get_json(demo.admin_url + "/status.json")
        print(f"   status.json: state={report['state']} calls={report['responseTimeLastHour']['calls']} "
              f"median={report['responseTimeLastHour']['medianMs']} ms receivers={[r['state'] for r in report['receivers']]}")
        check(report["state"] == "Fuldt tilgaengelig", "/status.json: Fuldt tilgaengelig after the calls")
        check([r["state"] for r in report["receivers"]] == ["Tilgaengelig"], "/status.json: the demo jobcenter is up (probed)")
        check(report["uptimeLast30Days"]["percent"] == 100, "/status.json: 100 % uptime so far")
        check(report["responseTimeLastHour"]["calls"] >= 3 and (report["responseTimeLastHour"]["medianMs"] or 0) > 0,
              "/status.json: the calls are counted and have a median response time")
        with urllib.request.urlopen(demo.admin_url + "/metrics", timeout=10) as response:
            metrics = response.read().decode()
        check('serviceplatform_calls_total{operation="RetBevilling",outcome="Modtaget"} 3' in metrics, "/metrics counts the three calls")
        first_ca = ca_fingerprint(data)

    with Demo(args.binary, data, os.path.join(work, "run2")) as demo:
        check(ca_fingerprint(data) == first_ca, "a restart keeps the data folder (same CA)")
        status, output = run(demo.command("serviceplatform"))
        check(status == 0 and output.startswith("Modtaget "), "after the restart the printed send command still works")
        audit = json.load(urllib.request.urlopen(urllib.request.Request(
            demo.admin_url + "/admin/api/audit?outcome=Modtaget", headers={"Authorization": f"Bearer {demo.admin_token}"}), timeout=10))
        check(len(audit["records"]) == 4, "the audit log kept the first run's calls")

    with Demo(args.binary, data, os.path.join(work, "run3"), extra=["--reset"]) as demo:
        check(any(l.startswith("reset: emptied") for l in demo.lines), "--reset says it emptied the folder")
        check(ca_fingerprint(data) != first_ca, "--reset makes a new CA")
        audit = json.load(urllib.request.urlopen(urllib.request.Request(
            demo.admin_url + "/admin/api/audit", headers={"Authorization": f"Bearer {demo.admin_token}"}), timeout=10))
        check(audit["records"] == [], "--reset starts with an empty audit log")
        status, output = run(demo.command("curl"))
        check(status == 0 and "<kh:Status>Modtaget</kh:Status>" in output, "after --reset the printed curl command works with the new certificates")

    print(f"{len(failures) == 0 and 'demo quickstart: all checks passed' or f'demo quickstart: {len(failures)} checks failed'}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
