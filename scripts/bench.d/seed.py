#!/usr/bin/env python3
"""Seeds a freshly started router through its admin API, exactly as `demo` does for its demo
data: the caller "KY demo" (ky-demo.pem) in MONOPOLBRUD with an approved agreement for
Koebenhavn (CVR 64942212), and the jobcenter as the receiver of 101, 147 and 751.
Usage: seed.py ADMIN_URL TOKEN PKI_DIR JOBCENTER_URL; prints the caller's system id."""
import json
import sys
import urllib.request

admin, token, pki, jobcenter = sys.argv[1:5]


def call(method, path, body):
    request = urllib.request.Request(admin + "/admin/api/" + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return json.loads(text) if text.strip().startswith("{") else {}


def pem(name):
    with open(f"{pki}/{name}", encoding="ascii") as f:
        return f.read()


caller = call("POST", "systems", {"name": "KY demo", "certificatePem": pem("ky-demo.pem")})["id"]
call("POST", f"systems/{caller}/visibility-groups", {"group": "MONOPOLBRUD"})
agreement = call("POST", "agreements", {"systemId": caller, "service": "JC/Kontanthjaelp/2", "municipalityCvr": "64942212"})["id"]
call("POST", f"agreements/{agreement}/approve", {})
receiver = call("POST", "systems", {"name": "Demo jobcenter", "certificatePem": pem("jobcenter-server.pem")})["id"]
call("PUT", f"receivers/{receiver}", {"endpointUrl": jobcenter, "trustRootPem": pem("ca.pem"), "municipalityCodes": ["101", "147", "751"]})
print(caller)
