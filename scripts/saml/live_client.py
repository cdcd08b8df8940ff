#!/usr/bin/env python3
"""An independent OIO IDWS token client run against a RUNNING platform (`serviceplatform demo`).

  python3 scripts/saml/live_client.py --service https://127.0.0.1:PORT --data-dir DIR

DIR is the demo's data folder; it uses
  DIR/pki/ca.pem                         trust root for the platform's server certificate
  DIR/pki/ky-demo.pem, ky-demo-key.pem   the caller: TLS client certificate for the STS and the
                                         holder-of-key key that signs the messages
  DIR/pki/sts.pem                        the STS certificate (checks the issued assertion)
  DIR/pki/response-signing.pem           the platform's response-signing certificate

What it does (contract: "SAML token", "STS (exttest)", "Fault codes"), with oioidws.py only
(lxml + cryptography; nothing of the project's Swift code):
  1. gets a holder-of-key assertion from the REST STS shape (POST
     /runtime/api/rest/wstrust/v1/issue over mutual TLS) and verifies it (signature by sts.pem,
     issuer, audience, holder-of-key = ky-demo.pem, CVR);
  2. sends real-layout OIO IDWS messages WITHOUT a client certificate: (a) RetBevilling,
     (b) without sbf:Framework, (c) AuthorityContext before CallContext, (d) without
     AuthorityContext, (e) SletBevilling of (a)'s BevillingID; each answer must be HTTP 200,
     kh:Status Modtaget, a response signed by response-signing.pem over Body, Timestamp and
     the WS-Addressing/Framework headers, wsa:RelatesTo = the request's wsa:MessageID, and
     sbf:Framework present;
  3. negative checks: (f) (a) again byte for byte -> SP-2001 (replay), (g) Body changed after
     signing -> SP-2001, (h) verifying a response with the wrong certificate fails.
Prints `ok  ...` / `FAIL ...: reason` per check, then `N passed, M failed`; exit status 1 on
any failure. Every HTTP call has a 15 s timeout.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import sys
import traceback
import uuid

import requests
from lxml import etree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oioidws as o  # noqa: E402
from oioidws import NS_AC, NS_CC, NS_KH, NS_SBF, NS_SOAP11, NS_WSA, qn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.normpath(os.path.join(HERE, "..", "..", "Tests", "Fixtures", "messages", "ret-bevilling.xml"))
TIMEOUT = 15
SERVICE_PATH = "/service/JC/Kontanthjaelp/2"
STS_PATH = "/runtime/api/rest/wstrust/v1/issue"
STS_ENTITY_ID = "urn:serviceplatform:exttest:sts"
NS_SPF = "http://serviceplatformen.dk/xml/schemas/ServiceplatformFault/1/"
NS_SPFEJL = "urn:serviceplatform:fault:1"  # sp:Fejl (wsdl/sp/Fejl_1.xsd)


class PinnedSession(requests.Session):
    """A requests.Session whose own `verify` wins over REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE
    (psf/requests#3829: the environment otherwise replaces a session-level verify)."""

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if verify is None and self.verify is not True:
            settings["verify"] = self.verify
        return settings


class CheckFailed(Exception):
    pass


def expect(cond, reason):
    if not cond:
        raise CheckFailed(reason)


def short(data: bytes, n: int = 600) -> str:
    s = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    return s if len(s) <= n else s[:n] + "...[%d bytes]" % len(s)


class Runner:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, label, fn):
        try:
            detail = fn()
        except CheckFailed as e:
            self.failed += 1
            print("FAIL %s: %s" % (label, e), flush=True)
            return None
        except Exception as e:  # noqa: BLE001 - an unexpected error is a failed check, not a crash
            self.failed += 1
            print("FAIL %s: %s: %s" % (label, type(e).__name__, e), flush=True)
            if os.environ.get("LIVE_CLIENT_DEBUG"):
                traceback.print_exc()
            return None
        self.passed += 1
        print("ok   %s%s" % (label, (" (%s)" % detail) if isinstance(detail, str) and detail else ""), flush=True)
        return detail if detail is not None else True


# ---------------------------------------------------------------------------------------------


def request_element_ret(*, cvr, code, swap=False):
    with open(FIXTURE, "rb") as f:
        fixture = f.read()
    # fresh BeskedID and BevillingID; cvr None leaves ac:AuthorityContext out
    return o.load_request_element(fixture, cvr=cvr, code=code, swap_context=swap)


def request_element_slet(*, bevilling_id, cvr, code):
    """kh:SletBevillingRequest per the contract: CallContext, AuthorityContext, kh:Header, kh:Body/kh:BevillingID."""
    req = etree.Element(qn(NS_KH, "SletBevillingRequest"), nsmap={"kh": NS_KH, "ac": NS_AC, "cc": NS_CC})
    cc = etree.SubElement(req, qn(NS_CC, "CallContext"))
    etree.SubElement(cc, qn(NS_CC, "OnBehalfOfUser")).text = "KBH-SAGSBEH-4711"
    etree.SubElement(cc, qn(NS_CC, "CallersServiceCallIdentifier")).text = "live-client-%s" % uuid.uuid4().hex[:12]
    ac = etree.SubElement(req, qn(NS_AC, "AuthorityContext"))
    etree.SubElement(ac, qn(NS_AC, "MunicipalityCVR")).text = cvr
    hdr = etree.SubElement(req, qn(NS_KH, "Header"))
    now = dt.datetime.now(dt.timezone.utc).astimezone()
    for local, text in (("BeskedID", str(uuid.uuid4())),
                        ("BeskedTidspunkt", now.replace(microsecond=0).isoformat()),
                        ("AfsenderSystem", "KY"),
                        ("Myndighedskode", code),
                        ("CPRNummer", "0101901234")):
        etree.SubElement(hdr, qn(NS_KH, local)).text = text
    body = etree.SubElement(req, qn(NS_KH, "Body"))
    etree.SubElement(body, qn(NS_KH, "BevillingID")).text = bevilling_id
    return req


def bevilling_id_of(req) -> str:
    return req.findtext("%s/%s/%s" % (qn(NS_KH, "Body"), qn(NS_KH, "Bevilling"), qn(NS_KH, "BevillingID")))


class Client:
    def __init__(self, args):
        self.args = args
        self.base = args.service.rstrip("/")
        self.endpoint = self.base + SERVICE_PATH
        pki = os.path.join(args.data_dir, "pki")
        self.ca = os.path.join(pki, "ca.pem")
        self.cert_file = os.path.join(pki, "ky-demo.pem")
        self.key_file = os.path.join(pki, "ky-demo-key.pem")
        with open(self.cert_file, "rb") as f:
            cert_pem = f.read()
        with open(self.key_file, "rb") as f:
            key_pem = f.read()
        self.hok = o.load_keypair(cert_pem, key_pem)
        with open(os.path.join(pki, "sts.pem"), "rb") as f:
            self.sts_pem = f.read()
        with open(os.path.join(pki, "response-signing.pem"), "rb") as f:
            self.signing_pem = f.read()
        # mutual TLS for the STS only; the service calls carry no client certificate
        self.sts_session = PinnedSession()
        self.sts_session.verify = self.ca
        self.sts_session.cert = (self.cert_file, self.key_file)
        self.session = PinnedSession()
        self.session.verify = self.ca
        self.assertion_xml = None

    # -- STS ------------------------------------------------------------------------------
    def issue(self) -> str:
        a = self.args
        payload = {
            "TokenType": o.SAMLV2_TOKEN_TYPE,
            "RequestType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
            "KeyType": "http://docs.oasis-open.org/ws-sx/ws-trust/200512/PublicKey",
            "AnvenderKontekst": {"Cvr": a.cvr},
            "UseKey": self.hok.cert_b64,
            "AppliesTo": {"EndpointReference": {"Address": a.audience}},
        }
        r = self.sts_session.post(self.base + STS_PATH, json=payload, timeout=TIMEOUT)
        expect(r.status_code == 200, "STS HTTP %d: %s" % (r.status_code, short(r.content)))
        try:
            doc = r.json()
            b64 = doc["RequestedSecurityToken"]["Assertion"]
        except (ValueError, KeyError, TypeError) as e:
            raise CheckFailed("STS answer is not JSON with RequestedSecurityToken.Assertion (%s): %s"
                              % (e, short(r.content)))
        try:
            xml = o.b64decode_strict(b64)
        except ValueError:
            raise CheckFailed("RequestedSecurityToken.Assertion is not base64")
        assertion = o.parse_secure(xml)
        expect(assertion.tag == qn(o.NS_SAML, "Assertion"), "not a saml:Assertion: %s" % assertion.tag)
        try:
            info = o.verify_assertion(assertion, [o.load_cert(self.sts_pem)], entity_ids=[a.sts_entity_id],
                                      audiences=[a.audience], now=dt.datetime.now(dt.timezone.utc))
        except o.VerificationError as e:
            raise CheckFailed("assertion does not verify: %s" % e.reason)
        expect(info.hok_cert_der == self.hok.cert_der, "holder-of-key certificate is not ky-demo.pem")
        expect(info.cvr == a.cvr, "CvrNumberIdentifier %s, expected %s" % (info.cvr, a.cvr))
        # the assertion must NOT verify against another certificate (the verifier really checks)
        try:
            o.verify_assertion(assertion, [o.load_cert(self.signing_pem)], entity_ids=[a.sts_entity_id],
                               audiences=[a.audience], now=dt.datetime.now(dt.timezone.utc))
            raise CheckFailed("assertion also verified against response-signing.pem")
        except o.VerificationError:
            pass
        self.assertion_xml = etree.tostring(assertion)
        return "assertion %s, issuer %s, CVR %s" % (info.id, info.issuer, info.cvr)

    # -- messages -------------------------------------------------------------------------
    def signed(self, req, action, *, framework=True) -> o.Message:
        expect(self.assertion_xml is not None, "no assertion from the STS")
        msg = o.build_request(self.assertion_xml, req, endpoint=self.endpoint, action=action,
                              framework=framework, header_str=True)
        o.sign_message(msg, self.hok.key, o.default_refs(msg, "real"))
        return msg

    def post(self, xml: bytes, action: str) -> requests.Response:
        return self.session.post(self.endpoint, data=xml, timeout=TIMEOUT, headers={
            "Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"%s"' % action})

    def expect_receipt(self, msg: o.Message, action: str, xml: bytes, r: requests.Response) -> str:
        what = "request wsa:MessageID %s BeskedID %s" % (msg.wsa["MessageID"].text, msg.besked_id)
        expect(r.status_code == 200, "HTTP %d (%s): %s" % (r.status_code, what, short(r.content)))
        try:
            info = o.verify_response(r.content, self.signing_pem, require_signed_headers=True)
        except o.VerificationError as e:
            raise CheckFailed("response signature: %s (%s): %s" % (e.reason, what, short(r.content)))
        root = o.parse_secure(r.content)
        expect(root.tag == qn(NS_SOAP11, "Envelope"), "response is not a SOAP 1.1 envelope")
        header = root.find(qn(NS_SOAP11, "Header"))
        body = root.find(qn(NS_SOAP11, "Body"))
        resp_tag = qn(NS_KH, action.rsplit(":", 1)[-1] + "Response")
        resp = body.find(resp_tag)
        expect(resp is not None, "no %s in the Body: %s" % (resp_tag, short(r.content)))
        kv = resp.find(qn(NS_KH, "Kvittering"))
        expect(kv is not None, "no kh:Kvittering")
        status = kv.findtext(qn(NS_KH, "Status"))
        expect(status == "Modtaget", "kh:Status %r, expected Modtaget: %s" % (status, short(r.content)))
        expect(kv.findtext(qn(NS_KH, "BeskedID")) == msg.besked_id,
               "kh:BeskedID %r, expected %s" % (kv.findtext(qn(NS_KH, "BeskedID")), msg.besked_id))
        expect(info["relatesTo"] == msg.wsa["MessageID"].text,
               "wsa:RelatesTo %r, expected %s" % (info["relatesTo"], msg.wsa["MessageID"].text))
        expect(info["action"] == action + "Response",
               "wsa:Action %r, expected %sResponse" % (info["action"], action))
        fw = header.find(qn(NS_SBF, "Framework"))
        expect(fw is not None, "no sbf:Framework in the response")
        expect(fw.get("version") == "2.0" and fw.get(qn(o.NS_SBFPROFILE, "profile")) == o.SBF_PROFILE_BASIC,
               "sbf:Framework not version 2.0 / profile basic")
        names = sorted(t.split("}")[-1] for t in info["signedElements"])
        for need in ("Body", "Timestamp", "Action", "MessageID", "RelatesTo", "Framework"):
            expect(need in names, "response signature does not cover %s (covers %s)" % (need, names))
        return "TransaktionsID %s" % kv.findtext(qn(NS_KH, "TransaktionsID"))

    def expect_fault(self, r: requests.Response, code: str, what: str) -> str:
        expect(r.status_code == 500, "HTTP %d, expected 500 fault %s (%s): %s"
               % (r.status_code, code, what, short(r.content)))
        root = o.parse_secure(r.content)
        fault = root.find("%s/%s" % (qn(NS_SOAP11, "Body"), qn(NS_SOAP11, "Fault")))
        expect(fault is not None, "no soap:Fault: %s" % short(r.content))
        detail = fault.find("detail")
        expect(detail is not None, "soap:Fault without detail: %s" % short(r.content))
        kids = [k for k in detail if isinstance(k.tag, str)]
        expect(kids and kids[0].tag == qn(NS_SPF, "ServiceplatformFault"),
               "detail's first child is %s, expected spf:ServiceplatformFault" % (kids[0].tag if kids else None))
        spf_code = kids[0].findtext("%s/%s/%s" % (qn(NS_SPF, "ErrorList"), qn(NS_SPF, "Error"), qn(NS_SPF, "ErrorCode")))
        fejl = detail.find(qn(NS_SPFEJL, "Fejl"))
        expect(fejl is not None, "no sp:Fejl in the detail")
        kode = fejl.findtext(qn(NS_SPFEJL, "Kode"))
        expect(kode == code, "sp:Kode %r, expected %s: %s" % (kode, code, short(r.content)))
        expect(spf_code == code, "spf:ErrorCode %r, expected %s" % (spf_code, code))
        return "%s: %s" % (kode, (fejl.findtext(qn(NS_SPFEJL, "Tekst")) or "").strip()[:100])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--service", required=True, help="https://127.0.0.1:PORT (the service listener)")
    p.add_argument("--data-dir", required=True, help="the demo's data folder (with pki/)")
    p.add_argument("--cvr", default=o.DEFAULT_CVR)
    p.add_argument("--code", default=o.DEFAULT_CODE)
    p.add_argument("--audience", default=o.DEFAULT_AUDIENCE)
    p.add_argument("--sts-entity-id", default=STS_ENTITY_ID)
    args = p.parse_args(argv)

    run = Runner()
    try:
        c = Client(args)
    except (OSError, ValueError) as e:
        print("FAIL reading the caller's keys and certificates under %s/pki: %s" % (args.data_dir, e))
        print("0 passed, 1 failed")
        return 1
    run.check("STS: REST wstrust issue over mutual TLS, assertion verified against sts.pem", c.issue)

    results = {}

    def ok_case(label, key, req, action, **kw):
        def fn():
            msg = c.signed(req(), action, **kw)
            xml = msg.tobytes()
            r = c.post(xml, action)
            results[key] = (msg, xml, r)
            return c.expect_receipt(msg, action, xml, r)
        return run.check(label, fn)

    ok_case("(a) RetBevilling, real layout with sbf:Framework, CallContext then AuthorityContext", "a",
            lambda: request_element_ret(cvr=args.cvr, code=args.code), o.ACTION_RET)
    ok_case("(b) RetBevilling without sbf:Framework", "b",
            lambda: request_element_ret(cvr=args.cvr, code=args.code), o.ACTION_RET, framework=False)
    ok_case("(c) RetBevilling with AuthorityContext before CallContext", "c",
            lambda: request_element_ret(cvr=args.cvr, code=args.code, swap=True), o.ACTION_RET)
    ok_case("(d) RetBevilling without AuthorityContext (SAML model)", "d",
            lambda: request_element_ret(cvr=None, code=args.code), o.ACTION_RET)

    def slet_req():
        expect("a" in results, "no (a) request to delete")
        return request_element_slet(bevilling_id=bevilling_id_of(results["a"][0].request), cvr=args.cvr, code=args.code)
    ok_case("(e) SletBevilling of (a)'s BevillingID", "e", slet_req, o.ACTION_SLET)

    def replay():
        expect("a" in results, "no (a) message to replay")
        msg, xml, _ = results["a"]
        r = c.post(xml, o.ACTION_RET)
        return c.expect_fault(r, "SP-2001", "replay of (a), BeskedID %s" % msg.besked_id)
    run.check("(f) (a) sent again byte-identically -> SP-2001 (replay)", replay)

    def tampered():
        req = request_element_ret(cvr=args.cvr, code=args.code)
        msg = c.signed(req, o.ACTION_RET)
        sag = msg.request.find("%s/%s/%s/%s" % (qn(NS_KH, "Body"), qn(NS_KH, "Bevilling"),
                                                qn(NS_KH, "Jobcentersag"), qn(NS_KH, "SagID")))
        sag.text = "JC-KBH-2026-999999"  # after signing
        r = c.post(msg.tobytes(), o.ACTION_RET)
        return c.expect_fault(r, "SP-2001", "Body changed after signing, BeskedID %s" % msg.besked_id)
    run.check("(g) Body changed after signing -> SP-2001", tampered)

    def wrong_cert():
        expect("a" in results and results["a"][2].status_code == 200, "no signed (a) response to check")
        content = results["a"][2].content
        try:
            o.verify_response(content, c.sts_pem, require_signed_headers=True)
            raise CheckFailed("the response verified against sts.pem")
        except o.VerificationError as e:
            first = e.reason
        # without the carried certificate (which the verifier only compares) the refusal must
        # come from the signature value itself
        root = o.parse_secure(content)
        for bst in root.iter(qn(o.NS_WSSE, "BinarySecurityToken")):
            bst.getparent().remove(bst)
        stripped = etree.tostring(root)
        o.verify_response(stripped, c.signing_pem, require_signed_headers=True)  # still fine with the right one
        try:
            o.verify_response(stripped, c.sts_pem, require_signed_headers=True)
            raise CheckFailed("the response (certificate removed) verified against sts.pem")
        except o.VerificationError as e:
            return "refused: %s; without the BinarySecurityToken: %s" % (first, e.reason)
    run.check("(h) response verification with the wrong certificate (sts.pem) fails", wrong_cert)

    print("%d passed, %d failed" % (run.passed, run.failed))
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
