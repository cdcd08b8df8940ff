#!/usr/bin/env python3
"""Generate a fresh corpus of OIO IDWS SAML-token requests (valid ones and attacks) to POST.

  python3 scripts/saml/make_corpus.py --out DIR [--endpoint URL] [--cvr 64942212 --code 101]
      [--audience URI] [--sts-entity-id ID] [--evil-cvr 58271713 --evil-code 151]
      [--sts-cert PEM --sts-key PEM] [--hok-cert PEM --hok-key PEM] [--simple] [--only NAME,...]

DIR gets (keys only when absent, or taken from the --*-cert/--*-key files):
  sts.pem sts-key.pem     the STS (configure the router with --trusted-sts sts.pem --sts-entity-id ID)
  hok.pem hok-key.pem     the holder-of-key caller (register it as a system with an agreement for --cvr)
  evil.pem evil-key.pem   the attacker's own key
  cases/NAME.xml          one SOAP 1.1 envelope per case, the exact bytes to POST
                          (Content-Type text/xml; charset=utf-8, SOAPAction from the manifest)
  manifest.json           [{"name", "file" (relative to DIR), "expect" ("ok" or a fault code),
                            "beskedId", "description", "soapAction"}, ...] in sending order
  corpus-info.json        the settings used (entity id, audience, endpoint, CVRs, codes, subjects)

Every message is built at run time (timestamps now, fresh ids): run it right before sending.
--simple builds the derived cases on the simple layout (Body + Timestamp signed) instead of the
real OIO IDWS layout, except where a case needs the real one.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import sys
import uuid
from dataclasses import dataclass, field
from typing import Optional

from lxml import etree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oioidws as o  # noqa: E402
from oioidws import NS_DS, NS_KH, NS_SAML, NS_SOAP11, NS_WSSE, NS_WSU, WSU_ID, qn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIXTURE = os.path.normpath(os.path.join(HERE, "..", "..", "Tests", "Fixtures", "messages", "ret-bevilling.xml"))
EVIL_CVR = "58271713"   # Ballerup Kommune
EVIL_CODE = "151"
NS_WRAP = "urn:test:wrapper"
NS_FOREIGN_ID = "urn:test:foreign-id"


@dataclass
class Case:
    name: str
    xml: bytes
    expect: str
    besked_id: str
    description: str
    # (label, check(bytes) -> bool): what makes this attack the attack its name says; run by selftest.py
    checks: list = field(default_factory=list)
    # regex the strict reference verifier's refusal reason must match (selftest.py)
    reason: Optional[str] = None
    file: Optional[str] = None  # default cases/NAME.xml


@dataclass
class Ctx:
    sts: o.KeyPair
    hok: o.KeyPair
    evil: o.KeyPair
    fixture: bytes
    endpoint: str = o.DEFAULT_ENDPOINT
    audience: str = o.DEFAULT_AUDIENCE
    entity_id: str = o.DEFAULT_STS_ENTITY_ID
    cvr: str = o.DEFAULT_CVR
    code: str = o.DEFAULT_CODE
    evil_cvr: str = EVIL_CVR
    evil_code: str = EVIL_CODE
    layout: str = "real"

    # -- building blocks -------------------------------------------------------------------
    def assertion(self, *, signer: Optional[o.KeyPair] = None, **kw) -> bytes:
        kw.setdefault("entity_id", self.entity_id)
        kw.setdefault("audience", self.audience)
        kw.setdefault("cvr", self.cvr)
        return o.issue_assertion(signer or self.sts, self.hok.cert, **kw)

    def request(self, *, cvr: Optional[str] = None, code: Optional[str] = None, **kw):
        return o.load_request_element(self.fixture, cvr=cvr or self.cvr, code=code or self.code, **kw)

    def message(self, *, assertion: Optional[bytes] = None, request=None, layout: Optional[str] = None,
                **kw) -> o.Message:
        layout = layout or self.layout
        kw.setdefault("header_str", layout == "real")  # the simple layout has no header STR
        msg = o.build_request(assertion or self.assertion(), request if request is not None else self.request(),
                              endpoint=self.endpoint, **kw)
        msg.layout = layout
        return msg

    def refs(self, msg: o.Message, **kw) -> list:
        return o.default_refs(msg, msg.layout, **kw)

    def sign(self, msg: o.Message, *, key=None, refs=None, **kw):
        return o.sign_message(msg, key or self.hok.key, refs if refs is not None else self.refs(msg), **kw)

    def signed(self, *, layout: Optional[str] = None, **kw) -> o.Message:
        msg = self.message(layout=layout, **kw)
        self.sign(msg)
        return msg


# -- checks used by selftest.py to show each attack is real --------------------------------------

def _parse_any(xml: bytes):
    # internal entities expanded (only the dtd case has any); never the network
    return etree.fromstring(xml, etree.XMLParser(resolve_entities=True, no_network=True, load_dtd=False))


def _message_signature(root):
    sec = root.find("%s/%s" % (qn(NS_SOAP11, "Header"), qn(NS_WSSE, "Security")))
    sigs = [c for c in sec if c.tag == qn(NS_DS, "Signature")] if sec is not None else []
    return sigs[-1] if sigs else None


def chk_message_sig(public_key, use_keyinfo=False):
    """The message signature verifies for a permissive verifier with this key."""
    def check(xml):
        sig = _message_signature(_parse_any(xml))
        keys = [public_key] if public_key is not None else []
        return sig is not None and o.lenient_verify(sig, keys, use_keyinfo=use_keyinfo)
    return check


def chk_not_message_sig(public_key):
    def check(xml):
        return not chk_message_sig(public_key)(xml)
    return check


def chk_assertion_sig(public_key, use_keyinfo=False, every=False):
    """A (or every) ds:Signature inside a saml:Assertion verifies for a permissive verifier."""
    def check(xml):
        root = _parse_any(xml)
        sigs = [s for s in root.iter(qn(NS_DS, "Signature")) if s.getparent().tag == qn(NS_SAML, "Assertion")]
        keys = [public_key] if public_key is not None else []
        results = [o.lenient_verify(s, keys, use_keyinfo=use_keyinfo) for s in sigs]
        return bool(results) and (all(results) if every else any(results))
    return check


def chk_naive_cvr(expected):
    """The first saml:Assertion in document order, read naively (first text node), says expected."""
    def check(xml):
        root = _parse_any(xml)
        first = next(root.iter(qn(NS_SAML, "Assertion")))
        return o.naive_first_text(o.assertion_attribute_value(first, o.ATTR_CVR)) == expected
    return check


def chk_processed_besked(expected):
    """The request a naive router processes (/Envelope/Body, the first one) has this BeskedID."""
    def check(xml):
        root = _parse_any(xml)
        body = root.find(qn(NS_SOAP11, "Body"))
        return o.besked_id_of(body[0]) == expected
    return check


# -- helpers for the attacks ----------------------------------------------------------------------

def _drop_signature(assertion):
    sig = assertion.find(qn(NS_DS, "Signature"))
    if sig is not None:
        o._remove_in_place(sig)
    return assertion


def _point_str(msg: o.Message, target_id: str):
    """Make the header STR name target_id (the assertion the attacker wants processed)."""
    if msg.str_el is not None:
        msg.str_el.find(qn(NS_WSSE, "KeyIdentifier")).text = target_id


def _evil_request_element(request_el):
    """The attacker's version of a signed request: new BeskedID, and the benefit stopped."""
    evil = copy.deepcopy(request_el)
    evil.tail = None
    evil.find("%s/%s" % (qn(NS_KH, "Header"), qn(NS_KH, "BeskedID"))).text = str(uuid.uuid4())
    evil.find(".//%s" % qn(NS_KH, "Status")).text = "Stoppet"
    return evil


def _soap_body(child, with_id: Optional[str] = None):
    b = etree.Element(qn(NS_SOAP11, "Body"), {WSU_ID: with_id} if with_id else {})
    b.append(child)
    return b


def _wrapper(header_child: bool):
    attrs = {qn(NS_SOAP11, "mustUnderstand"): "0"} if header_child else {}
    return etree.Element(qn(NS_WRAP, "Wrapper"), attrs, nsmap={"wrap": NS_WRAP})


IDENTITY_XSLT = (
    b'<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="1.0">'
    b'<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>'
    b'</xsl:template></xsl:stylesheet>'
)


# -- the cases ------------------------------------------------------------------------------------

def generate_cases(ctx: Ctx, only: Optional[set] = None) -> list:
    cases = []
    sts_pk, hok_pk, evil_pk = ctx.sts.cert.public_key(), ctx.hok.cert.public_key(), ctx.evil.cert.public_key()
    now = o.utcnow

    def add(name, msg_or_xml, expect, description, *, checks=(), reason=None, besked_id=None, file=None):
        if only and name not in only and not (name.startswith("replay-") and "replayed-message" in only):
            return
        xml = msg_or_xml.tobytes() if isinstance(msg_or_xml, o.Message) else msg_or_xml
        bid = besked_id or (msg_or_xml.besked_id if isinstance(msg_or_xml, o.Message) else "")
        cases.append(Case(name, xml, expect, bid, description, list(checks), reason, file))

    def wanted(*names):
        return not only or any(n in only for n in names)

    # ---------------------------------------------------------------- valid messages
    if wanted("valid-real-layout"):
        add("valid-real-layout", ctx.signed(layout="real"), "ok",
            "The layout of real OIO IDWS clients: wsa headers + sbf:Framework (mustUnderstand=1), "
            "Timestamp, Assertion, STR, Signature over the wsa headers, Framework, Timestamp, the STR "
            "(STR-Transform -> the assertion, exc-c14n) and Body; KeyInfo = STR with SAMLID. Must be accepted.",
            checks=[("message signature verifies with the HoK key", chk_message_sig(hok_pk))])
    if wanted("valid-simple-layout"):
        add("valid-simple-layout", ctx.signed(layout="simple"), "ok",
            "Simpler layout: no header STR, the signature covers only Body and Timestamp, KeyInfo = STR "
            "(SAMLID). Meets the security rules; the contract allows accepting it.",
            checks=[("message signature verifies with the HoK key", chk_message_sig(hok_pk))])
    if wanted("valid-no-framework"):
        add("valid-no-framework", ctx.signed(layout="real", framework=False), "ok",
            "Real layout without the optional sbf:Framework header. Must be accepted.")
    if wanted("valid-context-swapped"):
        add("valid-context-swapped", ctx.signed(request=ctx.request(swap_context=True)), "ok",
            "ac:AuthorityContext before cc:CallContext inside the request element (either order is valid). "
            "Must be accepted.")
    if wanted("valid-no-authority-context"):
        add("valid-no-authority-context",
            ctx.signed(request=o.load_request_element(ctx.fixture, cvr=None, code=ctx.code)), "ok",
            "No ac:AuthorityContext in the request element: under the SAML model it may be left out, the CVR is the "
            "token's. Must be accepted (extra case, not in the brief's list).")
    if wanted("valid-timestamp-300s"):
        t = now()
        add("valid-timestamp-300s", ctx.signed(created=t, expires=t + dt.timedelta(seconds=300)), "ok",
            "Timestamp lifetime exactly 300 s (Expires - Created = 300 s): the allowed maximum. Must be accepted.")

    # ---------------------------------------------------------------- XSW1-XSW8 on the assertion
    # SAML Raider's eight wrappings (CompassSecurity/SAMLRaider XSWHelpers), applied to the STS
    # signature of the assertion inside wsse:Security (the "document element" of SAML Raider is
    # wsse:Security here; XSW1/XSW2, defined on a signed Response, are applied to the assertion,
    # which is the signed root element of the token). The evil assertion says CVR --evil-cvr and
    # the body asks for --evil-code; the attacker holds the HoK key (not the STS key) and so
    # re-signs the message after wrapping, with the STR/KeyInfo naming the assertion he wants read.
    xsw_desc = {
        1: "XSW1: evil assertion (new ID, evil CVR) in place keeps the STS ds:Signature; the untouched original, "
           "its Signature removed, is appended inside that ds:Signature. The Reference '#origID' finds the hidden copy. "
           "STR/KeyInfo name the original ID (the hidden copy); a router reading the first assertion in wsse:Security sees the evil CVR.",
        2: "XSW2: as XSW1, but the unsigned original copy is inserted inside the evil assertion as the sibling right "
           "before ds:Signature (detached signature). STR/KeyInfo name the original ID.",
        3: "XSW3: an evil unsigned copy (new ID, evil CVR) inserted in wsse:Security before the signed original. "
           "STR/KeyInfo name the evil copy.",
        4: "XSW4: an evil unsigned copy (new ID, evil CVR) appended to wsse:Security with the signed original moved "
           "inside it as its last child. STR/KeyInfo name the evil wrapper.",
        5: "XSW5: the assertion in place is altered (new ID, evil CVR) but keeps its ds:Signature; an unsigned copy "
           "of the original is appended at the end of wsse:Security. STR/KeyInfo name the evil one.",
        6: "XSW6: the assertion in place is altered (new ID, evil CVR); an unsigned copy of the original is put inside "
           "its ds:Signature. STR/KeyInfo name the evil one.",
        7: "XSW7: an unqualified <Extensions> element before the signed assertion holds an evil unsigned copy with the "
           "SAME ID (evil CVR): first in document order. STR/KeyInfo name that ID.",
        8: "XSW8: the assertion in place is altered (evil CVR, SAME ID) and keeps its ds:Signature, which gets an "
           "unqualified <Object> holding the unsigned original. Two elements carry the ID.",
    }
    for n in range(1, 9):
        name = "xsw%d" % n
        if not wanted(name):
            continue
        msg = ctx.message(request=ctx.request(cvr=ctx.evil_cvr, code=ctx.evil_code))
        sec, orig = msg.security, msg.assertion
        evil_id = "_evil_assertion_" + uuid.uuid4().hex
        clone = _drop_signature(copy.deepcopy(orig))   # the pristine signed content, signature removed
        append_after_signing = None
        if n in (1, 2):
            evil = orig
            o.set_assertion_cvr(evil, ctx.evil_cvr)
            sig = evil.find(qn(NS_DS, "Signature"))
            if n == 1:
                sig.append(clone)
            else:
                sig.addprevious(clone)
            evil.set("ID", evil_id)
            target = clone
        elif n == 3:
            evil = _drop_signature(copy.deepcopy(orig))
            o.set_assertion_cvr(evil, ctx.evil_cvr)
            evil.set("ID", evil_id)
            orig.addprevious(evil)
            target = evil
        elif n == 4:
            evil = _drop_signature(copy.deepcopy(orig))
            o.set_assertion_cvr(evil, ctx.evil_cvr)
            evil.set("ID", evil_id)
            sec.append(evil)
            evil.append(orig)
            target = evil
        elif n == 5:
            evil = orig
            o.set_assertion_cvr(evil, ctx.evil_cvr)
            evil.set("ID", evil_id)
            append_after_signing = clone   # "at the end of the message": after the message signature
            target = evil
        elif n == 6:
            evil = orig
            o.set_assertion_cvr(evil, ctx.evil_cvr)
            evil.find(qn(NS_DS, "Signature")).append(clone)
            evil.set("ID", evil_id)
            target = evil
        elif n == 7:
            ext = etree.Element("Extensions")
            orig.addprevious(ext)
            evil = clone
            o.set_assertion_cvr(evil, ctx.evil_cvr)
            ext.append(evil)
            target = evil
        else:
            evil = orig
            o.set_assertion_cvr(evil, ctx.evil_cvr)
            obj = etree.Element("Object")
            evil.find(qn(NS_DS, "Signature")).append(obj)
            obj.append(clone)
            target = evil
        target_id = target.get("ID")
        _point_str(msg, target_id)
        refs = ctx.refs(msg, str_token=target)
        ctx.sign(msg, refs=refs, keyinfo=o.keyinfo_samlid(target_id))
        if append_after_signing is not None:
            sec.append(append_after_signing)
        add(name, msg, "SP-2001",
            xsw_desc[n] + " The STS signature still verifies over the original content and the message signature is "
            "valid (HoK key); a correct router processes only the one assertion it verified (one saml:Assertion, "
            "a direct child of wsse:Security, Signature its child after Issuer, Reference = '#'+its ID) and refuses.",
            checks=[("STS signature verifies for a naive ID resolver", chk_assertion_sig(sts_pk)),
                    ("message signature verifies with the HoK key", chk_message_sig(hok_pk)),
                    ("first assertion in document order claims the evil CVR", chk_naive_cvr(ctx.evil_cvr))],
            reason=r"Assertion|Extensions|wsse:Security must hold")

    # ---------------------------------------------------------------- message signature wrapping
    # The attacker intercepts a validly signed message (he does not hold the HoK key) and moves things.
    if wanted("xsw-evil-body-beside-signed"):
        msg = ctx.signed()
        evil = _evil_request_element(msg.request)
        msg.body.addprevious(_soap_body(evil))  # Envelope: Header, evil Body, signed Body
        add("xsw-evil-body-beside-signed", msg, "SP-2001",
            "A second soap:Body without wsu:Id holding an evil request (Status Stoppet, other BeskedID) before the "
            "signed soap:Body. The signature is intact; a router taking the first Body processes the unsigned one. "
            "Must refuse (one Body, and it must be the signed one). beskedId is the evil request's.",
            besked_id=o.besked_id_of(evil),
            checks=[("message signature still verifies", chk_message_sig(hok_pk)),
                    ("the first soap:Body is the evil one", chk_processed_besked(o.besked_id_of(evil)))],
            reason=r"soap:Body")
    if wanted("xsw-signed-body-in-header"):
        msg = ctx.signed()
        evil = _evil_request_element(msg.request)
        wrap = _wrapper(header_child=True)
        msg.header.insert(0, wrap)
        msg.body.addnext(_soap_body(evil))
        wrap.append(msg.body)  # the signed Body (with its wsu:Id) now sits in soap:Header/wrap:Wrapper
        add("xsw-signed-body-in-header", msg, "SP-2001",
            "The signed soap:Body (with its wsu:Id) moved into soap:Header/wrap:Wrapper (mustUnderstand=0); an evil "
            "soap:Body without wsu:Id in its place. The Body reference still resolves to the signed copy. Must refuse: "
            "the signed Body must be /Envelope/Body. beskedId is the evil request's.",
            besked_id=o.besked_id_of(evil),
            checks=[("message signature still verifies", chk_message_sig(hok_pk)),
                    ("/Envelope/Body is the evil one", chk_processed_besked(o.besked_id_of(evil)))],
            reason=r"soap:Body")
    if wanted("xsw-signed-body-in-wrapper"):
        msg = ctx.signed()
        evil = _evil_request_element(msg.request)
        wrap = _wrapper(header_child=False)
        msg.security.append(wrap)
        msg.body.addnext(_soap_body(evil))
        wrap.append(msg.body)
        add("xsw-signed-body-in-wrapper", msg, "SP-2001",
            "The signed soap:Body moved into a wrap:Wrapper element inside wsse:Security (after the signature); an "
            "evil soap:Body without wsu:Id in its place. Must refuse. beskedId is the evil request's.",
            besked_id=o.besked_id_of(evil),
            checks=[("message signature still verifies", chk_message_sig(hok_pk)),
                    ("/Envelope/Body is the evil one", chk_processed_besked(o.besked_id_of(evil)))],
            reason=r"soap:Body|Wrapper")
    if wanted("xsw-signed-body-in-signature-object"):
        msg = ctx.signed()
        evil = _evil_request_element(msg.request)
        obj = etree.SubElement(msg.signature, qn(NS_DS, "Object"))
        msg.body.addnext(_soap_body(evil))
        obj.append(msg.body)
        add("xsw-signed-body-in-signature-object", msg, "SP-2001",
            "The signed soap:Body moved into a ds:Object of the message ds:Signature (not covered by SignedInfo); an "
            "evil soap:Body without wsu:Id in its place. Must refuse. beskedId is the evil request's.",
            besked_id=o.besked_id_of(evil),
            checks=[("message signature still verifies", chk_message_sig(hok_pk)),
                    ("/Envelope/Body is the evil one", chk_processed_besked(o.besked_id_of(evil)))],
            reason=r"soap:Body|Object")
    if wanted("duplicate-wsu-id"):
        msg = ctx.signed()
        evil = _evil_request_element(msg.request)
        body_id = msg.body.get(WSU_ID)
        wrap = _wrapper(header_child=True)
        msg.header.insert(0, wrap)
        msg.body.addnext(_soap_body(evil, with_id=body_id))
        wrap.append(msg.body)
        add("duplicate-wsu-id", msg, "SP-2001",
            "Two elements carry the Body's wsu:Id: the signed soap:Body, moved first in document order into "
            "soap:Header/wrap:Wrapper, and the evil soap:Body in place. A first-match ID lookup verifies the signed "
            "copy while the router processes the evil one, which even 'has' a signed Id. Must refuse (duplicate ids). "
            "beskedId is the evil request's.",
            besked_id=o.besked_id_of(evil),
            checks=[("message signature verifies for a naive (first-match) ID resolver", chk_message_sig(hok_pk)),
                    ("/Envelope/Body is the evil one", chk_processed_besked(o.besked_id_of(evil)))],
            reason=r"duplicate|soap:Body")
    if wanted("id-in-other-namespace"):
        msg = ctx.message()
        body_id = msg.body.get(WSU_ID)
        # a new soap:Body declaring xmlns:foo and carrying foo:Id, the request moved into it
        foo_body = etree.Element(qn(NS_SOAP11, "Body"), {qn(NS_FOREIGN_ID, "Id"): body_id},
                                 nsmap={"foo": NS_FOREIGN_ID})
        foo_body.append(msg.request)
        msg.body.getparent().replace(msg.body, foo_body)
        refs = ctx.refs(msg)
        for r in refs:
            if r.target is msg.body:
                r.target = foo_body
        msg.body = foo_body
        ctx.sign(msg, refs=refs)
        add("id-in-other-namespace", msg, "SP-2001",
            "soap:Body carries foo:Id (xmlns:foo=\"urn:test:foreign-id\") instead of wsu:Id and the Reference points to "
            "it; correctly signed with the HoK key. Only wsu:Id (and the assertion's ID) are ids: a router matching "
            "any attribute named Id (xmlSecAddIDs-style) would accept. Must refuse: the Body is not covered.",
            checks=[("signature verifies for an any-namespace Id resolver", chk_message_sig(hok_pk))],
            reason=r"unknown or unsignable id|cover")

    # ---------------------------------------------------------------- keys and trust
    if wanted("untrusted-sts"):
        msg = ctx.signed(assertion=ctx.assertion(signer=ctx.evil))
        add("untrusted-sts", msg, "SP-2001",
            "The assertion is signed by the attacker's key with his certificate in its KeyInfo (Issuer still the "
            "trusted entity id); message signed by the HoK key. No key is trusted for sitting in KeyInfo: must refuse.",
            checks=[("assertion verifies with its own KeyInfo certificate", chk_assertion_sig(None, use_keyinfo=True)),
                    ("assertion does not verify with the STS key", lambda x: not chk_assertion_sig(sts_pk)(x))],
            reason=r"trusted STS")
    if wanted("key-only-in-keyinfo"):
        msg = ctx.message()
        ctx.sign(msg, key=ctx.evil.key, keyinfo=o.keyinfo_x509(ctx.evil.cert))
        add("key-only-in-keyinfo", msg, "SP-2001",
            "Assertion unchanged (HoK = the registered caller), but the message is signed by the attacker's key "
            "and his certificate is put in the message signature's KeyInfo as X509Data. The verifying key must be "
            "the assertion's HoK certificate; a different certificate is SP-2001.",
            checks=[("message verifies with the KeyInfo certificate", chk_message_sig(None, use_keyinfo=True)),
                    ("message does not verify with the HoK key", chk_not_message_sig(hok_pk))],
            reason=r"holder-of-key certificate")
    if wanted("hok-cert-did-not-sign"):
        msg = ctx.message()
        ctx.sign(msg, key=ctx.evil.key)
        add("hok-cert-did-not-sign", msg, "SP-2001",
            "Message signed by the attacker's key while KeyInfo is still the STR (SAMLID) to the valid assertion. "
            "The holder-of-key proof fails: must refuse.",
            checks=[("message verifies with the attacker's key", chk_message_sig(evil_pk)),
                    ("message does not verify with the HoK key", chk_not_message_sig(hok_pk))],
            reason=r"SignatureValue does not verify")
    if wanted("stripped-assertion-signature"):
        msg = ctx.message()
        _drop_signature(msg.assertion)
        ctx.sign(msg)
        add("stripped-assertion-signature", msg, "SP-2001",
            "The assertion's ds:Signature removed (the message is re-signed by the HoK key, STR-Transform digest "
            "over the stripped assertion). An unsigned assertion must be refused.",
            checks=[("message signature verifies with the HoK key", chk_message_sig(hok_pk))],
            reason=r"exactly one ds:Signature")
    if wanted("stripped-message-signature"):
        msg = ctx.signed()
        o._remove_in_place(msg.signature)
        add("stripped-message-signature", msg, "SP-2001",
            "The message ds:Signature removed from wsse:Security (valid assertion, Timestamp and STR remain): no "
            "proof of possession of the HoK key. Must refuse.",
            reason=r"one Signature")
    if wanted("empty-reference"):
        msg = ctx.message()
        refs = ctx.refs(msg)
        refs = [r for r in refs if r.target is not msg.body]
        # URI="" is the whole document; enveloped-signature leaves the Signature out; digest is correct
        refs.append(o.RefSpec("", msg.root.getroottree(), [o.Transform(o.ENVELOPED), o.Transform(o.C14N_EXC)]))
        ctx.sign(msg, refs=refs)
        add("empty-reference", msg, "SP-2001",
            "The Body reference replaced by a Reference URI=\"\" (whole document, enveloped-signature + exc-c14n, "
            "correct digest). Only same-document '#id' references are allowed and the Body must be referenced by its "
            "wsu:Id; must refuse.",
            checks=[("signature verifies for a verifier that accepts URI=\"\"", chk_message_sig(hok_pk))],
            reason=r"same-document #id")

    # ---------------------------------------------------------------- comments (CVE-2017-11427 family)
    if wanted("comment-in-cvr"):
        msg = ctx.signed()
        v = o.assertion_attribute_value(msg.assertion, o.ATTR_CVR)
        head, tail = ctx.cvr[:4], ctx.cvr[4:]
        v.text = head
        c = etree.Comment("")
        v.append(c)
        c.tail = tail
        # exc-c14n without comments drops the comment: the STS signature and the STR-Transform digest are
        # unchanged, so a man in the middle can insert it after signing, as here.
        add("comment-in-cvr", msg, "ok",
            "After both signatures an empty XML comment is inserted in the CVR AttributeValue: '%s<!---->%s'. "
            "Signatures stay valid (c14n drops comments). A correct router reads the whole text (XPath string value / "
            "xmlNodeGetContent) = %s = the agreement's CVR and accepts; a naive first-text-node reader sees '%s' "
            "(not a CVR) and would refuse or, worse, use it." % (head, tail, ctx.cvr, head),
            checks=[("both signatures still verify", chk_message_sig(hok_pk)),
                    ("STS signature still verifies", chk_assertion_sig(sts_pk)),
                    ("a naive reader sees '%s'" % head, chk_naive_cvr(head))])
    if wanted("comment-in-nameid"):
        msg = ctx.signed()
        nid = msg.assertion.find("%s/%s" % (qn(NS_SAML, "Subject"), qn(NS_SAML, "NameID")))
        full = nid.text
        cut = full.index("caller") if "caller" in full else len(full) // 2
        nid.text = full[:cut]
        c = etree.Comment("")
        nid.append(c)
        c.tail = full[cut:]
        add("comment-in-nameid", msg, "ok",
            "After signing, an empty comment splits the NameID: '%s<!---->%s'. Signatures stay valid. A correct router "
            "identifies the caller by the holder-of-key certificate (never by NameID) and, where it records NameID, "
            "reads the whole text '%s'. Must be accepted; a naive reader would see '%s'."
            % (full[:cut], full[cut:], full, full[:cut]),
            checks=[("message signature still verifies", chk_message_sig(hok_pk)),
                    ("STS signature still verifies", chk_assertion_sig(sts_pk))])

    # ---------------------------------------------------------------- assertion claims
    if wanted("expired-assertion"):
        t = now()
        msg = ctx.signed(assertion=ctx.assertion(now=t, not_before=t - dt.timedelta(hours=9)))
        add("expired-assertion", msg, "SP-2001",
            "Validly signed assertion whose Conditions NotOnOrAfter (and SubjectConfirmationData NotOnOrAfter) is "
            "1 h ago (issued 9 h ago, 8 h lifetime): beyond the 5 min skew. Must refuse.",
            checks=[("STS signature verifies", chk_assertion_sig(sts_pk))], reason=r"expired")
    if wanted("not-yet-valid-assertion"):
        t = now()
        msg = ctx.signed(assertion=ctx.assertion(now=t, not_before=t + dt.timedelta(hours=1)))
        add("not-yet-valid-assertion", msg, "SP-2001",
            "Validly signed assertion with NotBefore = now + 1 h (beyond the 5 min skew). Must refuse.",
            checks=[("STS signature verifies", chk_assertion_sig(sts_pk))], reason=r"not yet valid")
    if wanted("wrong-audience"):
        msg = ctx.signed(assertion=ctx.assertion(audience="urn:test:some-other-service"))
        add("wrong-audience", msg, "SP-2001",
            "Validly signed assertion for the audience (and Recipient) urn:test:some-other-service. Must refuse.",
            checks=[("STS signature verifies", chk_assertion_sig(sts_pk))], reason=r"audience|Recipient")
    if wanted("wrong-issuer"):
        msg = ctx.signed(assertion=ctx.assertion(entity_id="urn:test:wrong-issuer"))
        add("wrong-issuer", msg, "SP-2001",
            "Assertion signed by the trusted STS key but with Issuer urn:test:wrong-issuer (not the configured "
            "entity id). Must refuse.",
            checks=[("STS signature verifies", chk_assertion_sig(sts_pk))], reason=r"Issuer")

    # ---------------------------------------------------------------- timestamp
    if wanted("timestamp-expired"):
        t = now()
        msg = ctx.signed(created=t - dt.timedelta(minutes=15), expires=t - dt.timedelta(minutes=10))
        add("timestamp-expired", msg, "SP-2001",
            "wsu:Timestamp Created now-15 min, Expires now-10 min (signed). Stale: must refuse.",
            checks=[("message signature verifies", chk_message_sig(hok_pk))], reason=r"Timestamp expired")
    if wanted("timestamp-in-future"):
        t = now() + dt.timedelta(hours=1)
        msg = ctx.signed(created=t, expires=t + dt.timedelta(seconds=300))
        add("timestamp-in-future", msg, "SP-2001",
            "wsu:Timestamp Created now+1 h (Expires +300 s): in the future beyond skew. Must refuse.",
            checks=[("message signature verifies", chk_message_sig(hok_pk))], reason=r"future")
    if wanted("timestamp-lifetime-301s"):
        t = now()
        msg = ctx.signed(created=t, expires=t + dt.timedelta(seconds=301))
        add("timestamp-lifetime-301s", msg, "SP-2001",
            "wsu:Timestamp lifetime 301 s (Expires - Created), one second over the 5 minute maximum. Must refuse.",
            checks=[("message signature verifies", chk_message_sig(hok_pk))], reason=r"lifetime")

    # ---------------------------------------------------------------- replay
    if wanted("replayed-message", "replay-first", "replay-second"):
        msg = ctx.signed()
        xml = msg.tobytes()
        add("replay-first", xml, "ok",
            "A valid message; replay-second sends the very same bytes again. First send: accepted.",
            besked_id=msg.besked_id, file="cases/replayed-message.xml")
        add("replay-second", xml, "SP-2001",
            "Byte-identical copy of replay-first (same SignatureValue, Timestamp still fresh): a replay. Must refuse "
            "with SP-2001 (the replay check comes before the idempotency lookup, so not the stored receipt).",
            besked_id=msg.besked_id, file="cases/replayed-message.xml", reason=r"replay")

    # ---------------------------------------------------------------- authorization
    if wanted("cvr-without-agreement"):
        msg = ctx.signed(assertion=ctx.assertion(cvr=ctx.evil_cvr),
                         request=ctx.request(cvr=ctx.evil_cvr, code=ctx.evil_code))
        add("cvr-without-agreement", msg, "SP-2002",
            "A fully valid token for CVR %s (the caller's system has no agreement for it), AuthorityContext %s and "
            "Myndighedskode %s in the body (consistent). Authenticated but not authorized: SP-2002."
            % (ctx.evil_cvr, ctx.evil_cvr, ctx.evil_code))

    # ---------------------------------------------------------------- algorithms and transforms
    if wanted("sha1-digest"):
        msg = ctx.message()
        refs = ctx.refs(msg, digest_alg=o.SHA1)
        ctx.sign(msg, refs=refs)
        add("sha1-digest", msg, "SP-2001",
            "Every Reference uses DigestMethod SHA-1 (correct SHA-1 digests; SignatureMethod rsa-sha256). Only "
            "SHA-256 digests are allowed: must refuse.",
            checks=[("signature verifies for a verifier allowing SHA-1", chk_message_sig(hok_pk))], reason=r"DigestMethod")
    if wanted("rsa-md5-signature"):
        msg = ctx.message()
        try:
            ctx.sign(msg, sig_alg=o.RSA_MD5)
            how = "a genuine RSA-MD5 SignatureValue"
            checks = [("signature verifies for a verifier allowing MD5", chk_message_sig(hok_pk))]
        except Exception:  # an OpenSSL without MD5 signatures: declare it only
            if msg.signature is not None:
                o._remove_in_place(msg.signature)
            ctx.sign(msg, sig_alg=o.RSA_MD5, signature_value=b"\0" * 256)
            how = "a declared-only SignatureValue"
            checks = []
        add("rsa-md5-signature", msg, "SP-2001",
            "SignatureMethod http://www.w3.org/2001/04/xmldsig-more#rsa-md5 with %s. MD5 is never allowed: "
            "must refuse." % how, checks=checks, reason=r"SignatureMethod")
    if wanted("xslt-transform"):
        msg = ctx.message()
        refs = ctx.refs(msg)
        for r in refs:
            if r.target is msg.body:
                r.transforms = [o.Transform(o.XSLT_TRANSFORM, etree.fromstring(IDENTITY_XSLT)),
                                o.Transform(o.C14N_EXC)]
        ctx.sign(msg, refs=refs)
        add("xslt-transform", msg, "SP-2001",
            "The Body reference has an XSLT transform (an identity stylesheet; digest correct) before exc-c14n. "
            "XSLT runs attacker code inside the verifier: never allowed, must refuse before running it.",
            checks=[("signature verifies for a verifier running XSLT", chk_message_sig(hok_pk))],
            reason=r"transforms")
    if wanted("dtd-in-assertion"):
        msg = ctx.signed()
        xml = msg.tobytes()
        plain = b"<saml:AttributeValue>%s</saml:AttributeValue>" % ctx.cvr.encode()
        assert xml.count(plain) == 1
        xml = xml.replace(plain, b"<saml:AttributeValue>&cvr;</saml:AttributeValue>")
        xml = b'<!DOCTYPE soap:Envelope [<!ENTITY cvr "%s">]>\n' % ctx.cvr.encode() + xml
        add("dtd-in-assertion", xml, "SP-1001",
            "A DOCTYPE with an internal entity (<!ENTITY cvr \"%s\">) and the assertion's CVR written as &cvr;. With "
            "the entity expanded both signatures verify. The router refuses any DTD before parsing: SP-1001." % ctx.cvr,
            besked_id=msg.besked_id,
            checks=[("STS signature verifies with the entity expanded", chk_assertion_sig(sts_pk)),
                    ("message signature verifies with the entity expanded", chk_message_sig(hok_pk))],
            reason=r"DTD")
    if wanted("second-assertion"):
        msg = ctx.message()
        second = etree.fromstring(ctx.assertion(cvr=ctx.evil_cvr))
        msg.assertion.addnext(second)
        ctx.sign(msg)
        add("second-assertion", msg, "SP-2001",
            "Two assertions in wsse:Security, both validly signed by the STS (the second for CVR %s); the STR and "
            "KeyInfo name the first. One assertion only: must refuse." % ctx.evil_cvr,
            checks=[("every assertion signature verifies", chk_assertion_sig(sts_pk, every=True))],
            reason=r"one Assertion")
    if wanted("xpointer-reference"):
        msg = ctx.message()
        refs = ctx.refs(msg)
        for r in refs:
            if r.target is msg.body:
                r.uri = "#xpointer(id('%s'))" % msg.body.get(WSU_ID)
        ctx.sign(msg, refs=refs)
        add("xpointer-reference", msg, "SP-2001",
            "The Body reference is URI=\"#xpointer(id('<body id>'))\" (correct digest). xmlsec counts xpointer as "
            "same-document; the router must accept only '#id' and refuse.",
            checks=[("signature verifies for a verifier resolving xpointer(id())", chk_message_sig(hok_pk))],
            reason=r"same-document #id")
    if wanted("str-to-second-assertion"):
        msg = ctx.message(request=ctx.request(cvr=ctx.evil_cvr, code=ctx.evil_code), layout="real")
        unsigned = etree.fromstring(ctx.assertion(cvr=ctx.evil_cvr, sign=False))
        msg.assertion.addnext(unsigned)
        _point_str(msg, unsigned.get("ID"))
        ctx.sign(msg, refs=ctx.refs(msg, str_token=unsigned), keyinfo=o.keyinfo_samlid(msg.assertion_id))
        add("str-to-second-assertion", msg, "SP-2001",
            "wsse:Security holds the signed assertion and a second, UNSIGNED one for CVR %s (same HoK cert); KeyInfo "
            "names the signed one, but the header STR (signed through the STR-Transform) names the unsigned one, "
            "and the body asks for Myndighedskode %s. The STR must resolve only to the verified assertion: refuse."
            % (ctx.evil_cvr, ctx.evil_code),
            checks=[("message signature verifies with the HoK key", chk_message_sig(hok_pk)),
                    ("the signed assertion verifies", chk_assertion_sig(sts_pk))],
            reason=r"one Assertion|STR")
    if wanted("str-transform-inclusive-c14n"):
        msg = ctx.message(layout="real")
        ctx.sign(msg, refs=ctx.refs(msg, str_c14n=o.C14N_INCL))
        add("str-transform-inclusive-c14n", msg, "SP-2001",
            "The STR-Transform's TransformationParameters name inclusive c14n (REC-xml-c14n-20010315); the digest is "
            "the correct inclusive c14n of the assertion in context. Only exclusive c14n is allowed: must refuse.",
            checks=[("signature verifies for a verifier honouring the parameter", chk_message_sig(hok_pk))],
            reason=r"exclusive c14n")

    # ---------------------------------------------------------------- tampering after signing
    if wanted("tampered-body"):
        msg = ctx.signed()
        cpr = msg.request.find("%s/%s" % (qn(NS_KH, "Header"), qn(NS_KH, "CPRNummer")))
        cpr.text = "0202902345"
        add("tampered-body", msg, "SP-2001",
            "After signing, the CPRNummer in the Body changed (0101901234 -> 0202902345). Body digest mismatch: refuse.",
            checks=[("signature no longer verifies", chk_not_message_sig(hok_pk))], reason=r"digest mismatch for #body")
    if wanted("tampered-timestamp"):
        msg = ctx.signed()
        exp = msg.timestamp.find(qn(NS_WSU, "Expires"))
        exp.text = o.xs_datetime(o.parse_xs_datetime(exp.text) - dt.timedelta(seconds=1), millis=True)
        add("tampered-timestamp", msg, "SP-2001",
            "After signing, wsu:Expires moved 1 s earlier (still fresh, lifetime 299 s): only the Timestamp digest "
            "breaks. Must refuse.",
            checks=[("signature no longer verifies", chk_not_message_sig(hok_pk))], reason=r"digest mismatch for #ts")
    if wanted("tampered-wsa-action"):
        msg = ctx.signed(layout="real")
        msg.wsa["Action"].set(qn(NS_SOAP11, "mustUnderstand"), "0")
        add("tampered-wsa-action", msg, "SP-2001",
            "After signing, the signed wsa:Action element is altered (soap:mustUnderstand 1 -> 0; its value still names "
            "RetBevilling so the operation check passes). The covered header's digest breaks: refuse with SP-2001.",
            checks=[("signature no longer verifies", chk_not_message_sig(hok_pk))], reason=r"digest mismatch for #action")
    if wanted("tampered-framework"):
        msg = ctx.signed(layout="real")
        msg.framework.set(qn(NS_SOAP11, "mustUnderstand"), "0")
        add("tampered-framework", msg, "SP-2001",
            "After signing, the signed sbf:Framework header is altered (soap:mustUnderstand 1 -> 0; version and "
            "profile unchanged). Its digest breaks: refuse.",
            checks=[("signature no longer verifies", chk_not_message_sig(hok_pk))], reason=r"digest mismatch for #sbf")

    # ---------------------------------------------------------------- operation and security model
    if wanted("wsa-action-other-operation"):
        msg = ctx.signed(action=o.ACTION_SLET)
        add("wsa-action-other-operation", msg, "SP-1001",
            "wsa:Action = urn:serviceplatform:jc:kontanthjaelp:2:SletBevilling (correctly signed) on a "
            "RetBevillingRequest body (SOAPAction RetBevilling). A wsa:Action naming another operation: SP-1001.",
            checks=[("message signature verifies", chk_message_sig(hok_pk))], reason=r"wsa:Action")
    if wanted("invocation-context"):
        req = ctx.request()
        ic = etree.Element(qn(o.NS_IC, "InvocationContext"), nsmap={"ic": o.NS_IC})
        for local, value in (("ServiceAgreementUUID", str(uuid.uuid4())), ("UserSystemUUID", str(uuid.uuid4())),
                             ("UserUUID", str(uuid.uuid4())), ("OnBehalfOfUser", "KBH-SAGSBEH-4711"),
                             ("ServiceUUID", "54b957dc-b2f7-41b1-9e2d-709ad9458a04"),
                             ("AccountingInfo", "Koebenhavns Kommune")):
            etree.SubElement(ic, qn(o.NS_IC, local)).text = value
        req.find(qn(NS_KH, "Header")).addprevious(ic)
        msg = ctx.signed(request=req)
        add("invocation-context", msg, "SP-2001",
            "A valid token and signature, plus an ic:InvocationContext (namespace "
            "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/) in the request element before kh:Header. "
            "It names a security model this service does not offer: SP-2001 (text naming AuthorityContext and SAML).",
            checks=[("message signature verifies", chk_message_sig(hok_pk))], reason=r"InvocationContext")
    return cases


# -- keys, files, CLI -----------------------------------------------------------------------------

def _keypair(out_dir, stem, cn, cert_path=None, key_path=None, client_auth=False) -> o.KeyPair:
    if cert_path or key_path:
        if not (cert_path and key_path):
            raise SystemExit("--%s-cert and --%s-key go together" % (stem, stem))
        with open(cert_path, "rb") as c, open(key_path, "rb") as k:
            return o.load_keypair(c.read(), k.read())
    cpath, kpath = os.path.join(out_dir, stem + ".pem"), os.path.join(out_dir, stem + "-key.pem")
    if os.path.exists(cpath) and os.path.exists(kpath):
        with open(cpath, "rb") as c, open(kpath, "rb") as k:
            return o.load_keypair(c.read(), k.read())
    kp = o.make_self_signed(cn, client_auth=client_auth)
    with open(cpath, "wb") as f:
        f.write(kp.cert_pem())
    fd = os.open(kpath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(kp.key_pem())
    return kp


def load_ctx(out_dir, *, sts_cert=None, sts_key=None, hok_cert=None, hok_key=None, fixture=DEFAULT_FIXTURE,
             **settings) -> Ctx:
    os.makedirs(out_dir, exist_ok=True)
    sts = _keypair(out_dir, "sts", "Independent test STS", sts_cert, sts_key)
    hok = _keypair(out_dir, "hok", "Independent test caller", hok_cert, hok_key, client_auth=True)
    evil = _keypair(out_dir, "evil", "Evil test caller", client_auth=True)
    with open(fixture, "rb") as f:
        fx = f.read()
    return Ctx(sts, hok, evil, fx, **{k: v for k, v in settings.items() if v is not None})


def write_corpus(out_dir, ctx: Ctx, cases) -> list:
    cdir = os.path.join(out_dir, "cases")
    os.makedirs(cdir, exist_ok=True)
    for old in os.listdir(cdir):
        if old.endswith(".xml"):
            os.remove(os.path.join(cdir, old))
    manifest = []
    for c in cases:
        rel = c.file or "cases/%s.xml" % c.name
        with open(os.path.join(out_dir, rel), "wb") as f:
            f.write(c.xml)
        manifest.append({"name": c.name, "file": rel, "expect": c.expect, "beskedId": c.besked_id,
                         "description": c.description, "soapAction": o.ACTION_RET})
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    info = {
        "generatedAt": o.xs_datetime(o.utcnow(), millis=True), "endpoint": ctx.endpoint, "audience": ctx.audience,
        "stsEntityId": ctx.entity_id, "cvr": ctx.cvr, "code": ctx.code, "evilCvr": ctx.evil_cvr,
        "evilCode": ctx.evil_code, "layout": ctx.layout, "hokSubject": ctx.hok.subject,
        "stsSubject": ctx.sts.subject, "evilSubject": ctx.evil.subject,
        "contentType": "text/xml; charset=utf-8",
    }
    with open(os.path.join(out_dir, "corpus-info.json"), "w") as f:
        json.dump(info, f, indent=2)
        f.write("\n")
    return manifest


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--endpoint", default=o.DEFAULT_ENDPOINT, help="wsa:To (default %(default)s)")
    p.add_argument("--cvr", default=o.DEFAULT_CVR, help="the caller's municipality CVR (default %(default)s)")
    p.add_argument("--code", default=o.DEFAULT_CODE, help="its Myndighedskode (default %(default)s)")
    p.add_argument("--evil-cvr", default=EVIL_CVR, help="CVR without agreement (default %(default)s)")
    p.add_argument("--evil-code", default=EVIL_CODE, help="its Myndighedskode (default %(default)s)")
    p.add_argument("--audience", default=o.DEFAULT_AUDIENCE, help="default %(default)s")
    p.add_argument("--sts-entity-id", default=o.DEFAULT_STS_ENTITY_ID, help="default %(default)s")
    p.add_argument("--sts-cert"), p.add_argument("--sts-key")
    p.add_argument("--hok-cert"), p.add_argument("--hok-key")
    p.add_argument("--fixture", default=DEFAULT_FIXTURE, help="the RetBevillingRequest to wrap")
    p.add_argument("--simple", action="store_true", help="build derived cases on the simple layout")
    p.add_argument("--only", help="comma-separated case names")
    return p.parse_args(argv)


def main(argv=None) -> int:
    a = parse_args(argv)
    ctx = load_ctx(a.out, sts_cert=a.sts_cert, sts_key=a.sts_key, hok_cert=a.hok_cert, hok_key=a.hok_key,
                   fixture=a.fixture, endpoint=a.endpoint, audience=a.audience, entity_id=a.sts_entity_id,
                   cvr=a.cvr, code=a.code, evil_cvr=a.evil_cvr, evil_code=a.evil_code,
                   layout="simple" if a.simple else "real")
    only = set(a.only.split(",")) if a.only else None
    cases = generate_cases(ctx, only)
    manifest = write_corpus(a.out, ctx, cases)
    print("%d cases written to %s" % (len(manifest), os.path.join(a.out, "manifest.json")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
