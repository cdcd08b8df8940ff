#!/usr/bin/env python3
"""Self-test of oioidws.py and make_corpus.py (no router needed).

  python3 scripts/saml/selftest.py

Generates a corpus into a temporary directory and checks, per case:
  - a strict reference verifier (oioidws.verify_request, plus agreement and kommunekode checks and a
    replay cache) reaches the manifest's verdict ("ok" or the fault code), refusing for the reason the
    case is about;
  - ok cases: message signature by the HoK certificate, assertion signature by the STS certificate,
    and the STR-Transform digest (SHA-256 of the exc-c14n of the assertion) each verify;
  - the attack is real: what a permissive verifier or a naive reader would see (checks built with
    the case in make_corpus.py);
then the c14n primitives, verify_response against responses signed here, and the CLI.
The last line is "N passed, M failed"; exit status 1 when anything failed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import traceback
import uuid

from lxml import etree

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oioidws as o  # noqa: E402
import make_corpus as mc  # noqa: E402
from oioidws import NS_DS, NS_SAML, NS_SOAP11, NS_WSSE, NS_WSU, WSU_ID, qn  # noqa: E402

MUNICIPALITIES = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "reference", "municipalities.csv"))

passed = 0
failed = 0


def check(label, fn):
    global passed, failed
    try:
        result = fn()
        if result is True or result is None:
            passed += 1
            print("ok   %s" % label)
        else:
            failed += 1
            print("FAIL %s: %s" % (label, result))
    except Exception as e:  # noqa: BLE001 - a failing check, whatever raised
        failed += 1
        print("FAIL %s: %s: %s" % (label, type(e).__name__, e))
        if os.environ.get("SELFTEST_TRACE"):
            traceback.print_exc()


def load_municipalities():
    try:
        with open(MUNICIPALITIES, newline="", encoding="utf-8") as f:
            return {row["kommunekode"]: row["cvr"] for row in csv.DictReader(f)}
    except OSError:
        return {"101": "64942212", "151": "58271713"}


class ReferencePlatform:
    """verify_request + what the router does next: agreement (system by HoK fingerprint, CVR),
    AuthorityContext CVR = token CVR, Myndighedskode <-> CVR."""

    def __init__(self, ctx: mc.Ctx):
        self.ctx = ctx
        self.replay = {}
        self.codes = load_municipalities()
        self.agreements = {(hashlib.sha256(ctx.hok.cert_der).hexdigest(), ctx.cvr)}

    def handle(self, xml: bytes):
        try:
            info = o.verify_request(xml, [self.ctx.sts.cert], entity_ids=[self.ctx.entity_id],
                                    audiences=[self.ctx.audience], soap_action=o.ACTION_RET,
                                    replay_cache=self.replay)
        except o.VerificationError as e:
            return e.code, e.reason
        cvr = info.assertion.cvr
        if (hashlib.sha256(info.assertion.hok_cert_der).hexdigest(), cvr) not in self.agreements:
            return "SP-2002", "no agreement for %s" % cvr
        if info.authority_cvr is not None and info.authority_cvr != cvr:
            return "SP-2001", "AuthorityContext CVR differs from the token's"
        if self.codes.get(info.myndighedskode) != cvr:
            return "SP-2003", "Myndighedskode %s is not CVR %s's" % (info.myndighedskode, cvr)
        return "ok", ""


def explicit_ok_checks(ctx: mc.Ctx, xml: bytes):
    """Independently of verify_request: the three signatures of an accepted message."""
    root = etree.fromstring(xml)
    sec = root.find("%s/%s" % (qn(NS_SOAP11, "Header"), qn(NS_WSSE, "Security")))
    assertion = sec.find(qn(NS_SAML, "Assertion"))
    msg_sig = sec.find(qn(NS_DS, "Signature"))
    # assertion signature with the STS certificate
    a_sig = assertion.find(qn(NS_DS, "Signature"))
    si = a_sig.find(qn(NS_DS, "SignedInfo"))
    ref = si.find(qn(NS_DS, "Reference"))
    if ref.get("URI") != "#" + assertion.get("ID"):
        return "assertion Reference URI"
    data = o.run_transforms(assertion, [o.Transform(o.ENVELOPED), o.Transform(o.C14N_EXC)], signature_el=a_sig)
    if o.b64(hashlib.sha256(data).digest()) != ref.findtext(qn(NS_DS, "DigestValue")):
        return "assertion digest"
    if not o.raw_verify(ctx.sts.cert.public_key(), o.b64decode_strict(a_sig.findtext(qn(NS_DS, "SignatureValue"))),
                        o.c14n(si), o.RSA_SHA256):
        return "assertion SignatureValue with the STS certificate"
    # message signature with the HoK certificate
    msi = msg_sig.find(qn(NS_DS, "SignedInfo"))
    if not o.raw_verify(ctx.hok.cert.public_key(), o.b64decode_strict(msg_sig.findtext(qn(NS_DS, "SignatureValue"))),
                        o.c14n(msi), o.RSA_SHA256):
        return "message SignatureValue with the HoK certificate"
    # STR-Transform digest = SHA-256(exc-c14n(assertion)), where the layout has the STR reference
    for r in msi.findall(qn(NS_DS, "Reference")):
        t = r.find("%s/%s" % (qn(NS_DS, "Transforms"), qn(NS_DS, "Transform")))
        if t is not None and t.get("Algorithm") == o.STR_TRANSFORM:
            want = o.b64(hashlib.sha256(o.c14n(assertion, o.C14N_EXC)).digest())
            if r.findtext(qn(NS_DS, "DigestValue")) != want:
                return "STR-Transform digest"
    return True


def test_corpus(ctx: mc.Ctx, out_dir: str):
    cases = mc.generate_cases(ctx)
    manifest = mc.write_corpus(out_dir, ctx, cases)
    by_name = {c.name: c for c in cases}
    platform = ReferencePlatform(ctx)
    names = [m["name"] for m in manifest]
    check("manifest lists every case once", lambda: len(names) == len(set(names)) or "duplicate names")
    required = ["valid-real-layout", "valid-simple-layout", "valid-no-framework", "valid-context-swapped",
                "valid-timestamp-300s"] + ["xsw%d" % i for i in range(1, 9)] + [
        "xsw-evil-body-beside-signed", "xsw-signed-body-in-header", "xsw-signed-body-in-wrapper", "duplicate-wsu-id",
        "id-in-other-namespace", "untrusted-sts", "key-only-in-keyinfo", "stripped-assertion-signature",
        "stripped-message-signature", "empty-reference", "comment-in-nameid", "comment-in-cvr", "expired-assertion",
        "not-yet-valid-assertion", "wrong-audience", "wrong-issuer", "hok-cert-did-not-sign", "timestamp-expired",
        "timestamp-in-future", "timestamp-lifetime-301s", "replay-first", "replay-second", "cvr-without-agreement",
        "sha1-digest", "rsa-md5-signature", "xslt-transform", "dtd-in-assertion", "second-assertion",
        "xpointer-reference", "str-to-second-assertion", "str-transform-inclusive-c14n", "tampered-body",
        "tampered-timestamp", "tampered-wsa-action", "tampered-framework", "wsa-action-other-operation",
        "invocation-context"]
    check("manifest has every required case", lambda: not [n for n in required if n not in names]
          or "missing %s" % [n for n in required if n not in names])
    check("manifest entries have name, file, expect, beskedId, description",
          lambda: all(set(m) >= {"name", "file", "expect", "beskedId", "description"}
                      and os.path.exists(os.path.join(out_dir, m["file"]))
                      and re.fullmatch(r"ok|SP-\d{4}", m["expect"]) for m in manifest))
    check("replay-first and replay-second share one file",
          lambda: [m["file"] for m in manifest if m["name"].startswith("replay-")] == ["cases/replayed-message.xml"] * 2)
    for m in manifest:
        case = by_name[m["name"]]
        with open(os.path.join(out_dir, m["file"]), "rb") as f:
            xml = f.read()

        def verdict(xml=xml, m=m, case=case):
            got, reason = platform.handle(xml)
            if got != m["expect"]:
                return "expected %s, reference platform says %s (%s)" % (m["expect"], got, reason)
            if got != "ok" and case.reason and not re.search(case.reason, reason):
                return "refused for another reason: %r (wanted /%s/)" % (reason, case.reason)
            return True
        check("%-36s -> %s" % (m["name"], m["expect"]), verdict)
        if m["expect"] == "ok":
            check("%-36s    signatures (HoK, STS, STR-Transform)" % m["name"],
                  lambda xml=xml: explicit_ok_checks(ctx, xml))
        if m["name"] == "replay-second":
            continue
        for label, fn in case.checks:
            check("%-36s    %s" % (m["name"], label), lambda fn=fn, xml=xml: fn(xml) or "not so")
        if m["beskedId"] and m["name"] not in ("dtd-in-assertion",):
            check("%-36s    beskedId is the processed request's" % m["name"],
                  lambda xml=xml, m=m: mc.chk_processed_besked(m["beskedId"])(xml) or "not so")
    # tampered and wrapped messages must not pass the strict verifier even with replay/authz aside
    for name in ("tampered-body", "tampered-timestamp", "tampered-wsa-action", "tampered-framework",
                 "hok-cert-did-not-sign", "key-only-in-keyinfo", "untrusted-sts", "xsw1", "xsw8", "duplicate-wsu-id"):
        def refused(name=name):
            try:
                o.verify_request(by_name[name].xml, [ctx.sts.cert], entity_ids=[ctx.entity_id], audiences=[ctx.audience])
            except o.VerificationError:
                return True
            return "verified"
        check("strict verifier refuses %s" % name, refused)
    return manifest


def test_c14n():
    x = (b'<a:r xmlns:a="urn:a" xmlns:b="urn:b" xmlns:c="urn:c"><b:e c:at="1" z="2" a="1">t<!--x-->u'
         b'<b:f/></b:e>tail</a:r>')
    e = etree.fromstring(x)[0]
    check("exc-c14n renders ancestor-declared prefixes it uses, drops comments and tail, sorts attributes",
          lambda: o.c14n(e) == b'<b:e xmlns:b="urn:b" xmlns:c="urn:c" a="1" z="2" c:at="1">tu<b:f></b:f></b:e>'
          or o.c14n(e))
    check("exc-c14n with InclusiveNamespaces PrefixList 'a' renders the unused a",
          lambda: o.c14n(e, o.C14N_EXC, ["a"]).startswith(b'<b:e xmlns:a="urn:a" xmlns:b="urn:b"') or o.c14n(e, o.C14N_EXC, ["a"]))
    check("exc-c14n PrefixList '#default' is a no-op without a default namespace",
          lambda: o.c14n(e, o.C14N_EXC, ["#default"]) == o.c14n(e))
    d = etree.fromstring(b'<r xmlns="urn:d" xmlns:a="urn:a"><a:e/></r>')[0]
    check("exc-c14n PrefixList '#default' with a default namespace in scope is refused (lxml cannot do it)",
          lambda: _raises(ValueError, lambda: o.c14n(d, o.C14N_EXC, ["#default"])))
    check("inclusive c14n renders every in-scope namespace",
          lambda: o.c14n(e, o.C14N_INCL).startswith(b'<b:e xmlns:a="urn:a" xmlns:b="urn:b" xmlns:c="urn:c"'))


def test_assertion_standalone(ctx: mc.Ctx):
    a = ctx.assertion()
    root = etree.fromstring(a)
    now = dt.datetime.now(dt.timezone.utc)
    check("standalone assertion (as the STS returns it) verifies",
          lambda: o.verify_assertion(root, [ctx.sts.cert], entity_ids=[ctx.entity_id], audiences=[ctx.audience],
                                     now=now).cvr == ctx.cvr)
    msg = ctx.message(assertion=a)
    check("assertion c14n is the same standalone and embedded in the envelope",
          lambda: o.c14n(root) == o.c14n(msg.assertion))
    check("assertion carries the contract's attributes and NameFormat basic", lambda: all(
        any(at.get("Name") == n and at.get("NameFormat") == o.ATTRNAME_BASIC for at in root.iter(qn(NS_SAML, "Attribute")))
        for n in (o.ATTR_CVR, o.ATTR_ASSURANCE, o.ATTR_SPECVER, o.ATTR_KOMBITSPECVER, o.ATTR_PRIVILEGES)))

    def privileges():
        v = o.assertion_attribute_value(root, o.ATTR_PRIVILEGES)
        pl = etree.fromstring(o.b64decode_strict(v.text))
        g = pl.find("PrivilegeGroup")
        return pl.tag == qn(o.NS_BPP, "PrivilegeList") and \
            g.get("Scope") == "urn:dk:gov:saml:cvrNumberIdentifier:%s" % ctx.cvr
    check("Privileges_intermediate is a bpp:PrivilegeList scoped to the CVR", privileges)
    check("Signature is the child right after Issuer",
          lambda: [c.tag for c in root][:2] == [qn(NS_SAML, "Issuer"), qn(NS_DS, "Signature")])
    check("NameID is the HoK certificate subject",
          lambda: root.findtext(".//%s" % qn(NS_SAML, "NameID")) == ctx.hok.subject)
    check("8 hour validity", lambda: o.parse_xs_datetime(root.find(qn(NS_SAML, "Conditions")).get("NotOnOrAfter"))
          - o.parse_xs_datetime(root.find(qn(NS_SAML, "Conditions")).get("NotBefore")) == dt.timedelta(hours=8))


def _raises(exc, fn):
    try:
        fn()
    except exc:
        return True
    return "did not raise"


def _refused(fn):
    try:
        fn()
    except o.VerificationError:
        return True
    return "accepted"


def test_verify_response(ctx: mc.Ctx):
    platform = o.make_self_signed("Independent test platform signer")
    with open(os.path.join(os.path.dirname(mc.DEFAULT_FIXTURE), "kvittering-modtaget.xml"), "rb") as f:
        resp_xml = re.sub(rb"^\s*<\?xml[^>]*\?>\s*", b"", f.read())
    pem = platform.cert_pem()

    def fresh(**kw):
        return o.build_signed_response(platform, etree.fromstring(resp_xml), relates_to="urn:uuid:%s" % uuid.uuid4(),
                                       **kw)
    good = fresh().tobytes()
    check("verify_response accepts a response signed here",
          lambda: o.verify_response(good, pem, require_signed_headers=True)["action"] == o.ACTION_RET + "Response")
    check("verify_response reports Body and Timestamp signed", lambda: {
        qn(NS_SOAP11, "Body"), qn(NS_WSU, "Timestamp")} <= set(o.verify_response(good, pem)["signedElements"]))
    check("verify_response refuses another certificate",
          lambda: _refused(lambda: o.verify_response(good, ctx.evil.cert_pem())))
    check("verify_response refuses a tampered Body",
          lambda: _refused(lambda: o.verify_response(good.replace(b"Modtaget", b"Afvist"), pem)))
    msg = fresh()
    exp = msg.timestamp.find(qn(NS_WSU, "Expires"))
    exp.text = o.xs_datetime(o.parse_xs_datetime(exp.text) - dt.timedelta(seconds=1), millis=True)
    check("verify_response refuses a tampered Timestamp", lambda: _refused(lambda: o.verify_response(msg.tobytes(), pem)))
    msg = fresh()
    msg.wsa["RelatesTo"].text = "urn:uuid:other"
    check("verify_response refuses a tampered wsa:RelatesTo",
          lambda: _refused(lambda: o.verify_response(msg.tobytes(), pem)))
    # Timestamp not covered: re-sign over the Body only
    msg = fresh()
    o._remove_in_place(msg.signature)
    o.build_signature(msg.security, [o.RefSpec("#" + msg.body.get(WSU_ID), msg.body, [o.Transform(o.C14N_EXC)])],
                      platform.key)
    check("verify_response refuses a signature not covering the Timestamp",
          lambda: _refused(lambda: o.verify_response(msg.tobytes(), pem)))
    # wrapping: signed Body moved into the header, another Body in place
    msg = fresh()
    wrap = etree.SubElement(msg.header, "{urn:test:wrapper}Wrapper")
    evil = mc._soap_body(etree.fromstring(resp_xml.replace(b"Modtaget", b"Afvist")))
    msg.body.addnext(evil)
    wrap.append(msg.body)
    check("verify_response refuses a wrapped Body", lambda: _refused(lambda: o.verify_response(msg.tobytes(), pem)))
    # a BinarySecurityToken with another certificate
    msg = fresh()
    msg.security.find(qn(NS_WSSE, "BinarySecurityToken")).text = ctx.evil.cert_b64
    check("verify_response refuses a foreign certificate in the message",
          lambda: _refused(lambda: o.verify_response(msg.tobytes(), pem)))
    old = fresh(now=o.utcnow() - dt.timedelta(hours=1)).tobytes()
    check("verify_response refuses an expired Timestamp", lambda: _refused(lambda: o.verify_response(old, pem)))
    check("verify_response with check_timestamp=False accepts it",
          lambda: bool(o.verify_response(old, pem, check_timestamp=False)))
    check("verify_response refuses a DOCTYPE",
          lambda: _refused(lambda: o.verify_response(b"<!DOCTYPE x []>" + good, pem)))
    msg = o.build_signed_response(platform, etree.fromstring(resp_xml), relates_to=None)
    o._remove_in_place(msg.signature)
    o.build_signature(msg.security, [o.RefSpec("#" + e.get(WSU_ID), e, [o.Transform(o.C14N_EXC, ["soap", "wsu"])])
                                     for e in (msg.body, msg.timestamp)], platform.key)
    check("verify_response accepts references with an InclusiveNamespaces PrefixList",
          lambda: bool(o.verify_response(msg.tobytes(), pem)))
    msg = o.build_signed_response(platform, etree.fromstring(resp_xml), relates_to=None)
    o._remove_in_place(msg.signature)
    o.build_signature(msg.security, [o.RefSpec("#" + e.get(WSU_ID), e, [o.Transform(o.C14N_EXC)], o.SHA1)
                                     for e in (msg.body, msg.timestamp)], platform.key)
    check("verify_response refuses SHA-1 digests", lambda: _refused(lambda: o.verify_response(msg.tobytes(), pem)))


def test_cli(first_dir: str):
    with tempfile.TemporaryDirectory() as d:
        cmd = [sys.executable, os.path.join(HERE, "make_corpus.py"), "--out", d, "--simple",
               "--sts-cert", os.path.join(first_dir, "sts.pem"), "--sts-key", os.path.join(first_dir, "sts-key.pem"),
               "--hok-cert", os.path.join(first_dir, "hok.pem"), "--hok-key", os.path.join(first_dir, "hok-key.pem"),
               "--endpoint", "https://localhost:9443/service/JC/Kontanthjaelp/2"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        check("CLI --simple with given keys runs", lambda: r.returncode == 0 or r.stderr[-500:])
        if r.returncode != 0:
            return
        with open(os.path.join(d, "manifest.json")) as f:
            manifest = json.load(f)
        check("CLI did not write sts/hok keys when given", lambda: not os.path.exists(os.path.join(d, "sts.pem"))
              and not os.path.exists(os.path.join(d, "hok.pem")) and os.path.exists(os.path.join(d, "evil.pem")))
        with open(os.path.join(first_dir, "sts.pem"), "rb") as f1, open(os.path.join(first_dir, "sts-key.pem"), "rb") as f2:
            sts = o.load_keypair(f1.read(), f2.read())
        with open(os.path.join(first_dir, "hok.pem"), "rb") as f1, open(os.path.join(first_dir, "hok-key.pem"), "rb") as f2:
            hok = o.load_keypair(f1.read(), f2.read())
        with open(os.path.join(d, "evil.pem"), "rb") as f1, open(os.path.join(d, "evil-key.pem"), "rb") as f2:
            evil = o.load_keypair(f1.read(), f2.read())
        with open(mc.DEFAULT_FIXTURE, "rb") as f:
            ctx = mc.Ctx(sts, hok, evil, f.read(), endpoint="https://localhost:9443/service/JC/Kontanthjaelp/2",
                         layout="simple")
        platform = ReferencePlatform(ctx)
        for m in manifest:
            with open(os.path.join(d, m["file"]), "rb") as f:
                xml = f.read()
            check("CLI --simple %-30s -> %s" % (m["name"], m["expect"]),
                  lambda xml=xml, m=m: platform.handle(xml)[0] == m["expect"] or platform.handle(xml))
        check("CLI --simple: valid-real-layout keeps the STR-Transform reference",
              lambda: o.STR_TRANSFORM.encode() in open(os.path.join(d, "cases", "valid-real-layout.xml"), "rb").read())
        check("CLI --simple: xsw1 has no STR-Transform reference",
              lambda: o.STR_TRANSFORM.encode() not in open(os.path.join(d, "cases", "xsw1.xml"), "rb").read())
        check("CLI: wsa:To is the --endpoint",
              lambda: b">https://localhost:9443/service/JC/Kontanthjaelp/2</wsa:To>"
              in open(os.path.join(d, "cases", "valid-simple-layout.xml"), "rb").read())


def main() -> int:
    test_c14n()
    with tempfile.TemporaryDirectory() as d:
        ctx = mc.load_ctx(d)
        check("keys written: sts, hok, evil (cert + key)", lambda: all(
            os.path.exists(os.path.join(d, n)) for n in
            ("sts.pem", "sts-key.pem", "hok.pem", "hok-key.pem", "evil.pem", "evil-key.pem")))
        check("hok certificate CN is 'Independent test caller'",
              lambda: ctx.hok.subject.startswith("CN=Independent test caller,"))
        check("keys are RSA-2048", lambda: all(k.key.key_size == 2048 for k in (ctx.sts, ctx.hok, ctx.evil)))
        test_assertion_standalone(ctx)
        test_corpus(ctx, d)
        test_verify_response(ctx)
        test_cli(d)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
