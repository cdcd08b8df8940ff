"""An independent OIO IDWS SAML token client, STS and verifier for tests (Python, lxml + cryptography).

Written from the contract (../../shared/contract.md, "Security models -> SAML token" and
"STS (exttest)") and from the specifications, not from the project's Swift code, so that
the two can be checked against each other.

  - keys: self-signed RSA-2048 certificates for a test STS, a holder-of-key caller, an attacker
  - issue_assertion(): a SAML 2.0 holder-of-key assertion signed the way the exttest STS signs
  - build_request() + default_refs() + sign_message(): a SOAP 1.1 request in the layout of real
    OIO IDWS token clients (WS-Addressing 1.0, Liberty sbf:Framework, WS-Security 1.1 header
    with Timestamp, Assertion, SecurityTokenReference and a signature that covers the
    assertion through the STR-Transform)
  - verify_request(): a strict verifier of such requests (a reference for what the router must
    accept and refuse), verify_response(): the verifier of the router's signed responses,
    lenient_verify(): a deliberately permissive verifier that shows an attack message is a
    real attack (its signatures check out for a naive implementation)

XML signature processing is done here, by hand: exclusive c14n by libxml2 through lxml
(etree.tostring(method="c14n", exclusive=True, with_comments=False), which renders the
namespaces an element visibly uses even when declared on an ancestor and honours an
InclusiveNamespaces PrefixList), SHA-256 and RSA PKCS#1 v1.5 by `cryptography`.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

from lxml import etree
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

NS_SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS_SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
NS_WSA = "http://www.w3.org/2005/08/addressing"
NS_SBF = "urn:liberty:sb:2006-08"
NS_SBFPROFILE = "urn:liberty:sb:profile"
NS_WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
NS_WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
NS_WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
NS_DS = "http://www.w3.org/2000/09/xmldsig#"
NS_EC = "http://www.w3.org/2001/10/xml-exc-c14n#"
NS_SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XSL = "http://www.w3.org/1999/XSL/Transform"
NS_BPP = "http://itst.dk/oiosaml/basic_privilege_profile"
NS_KH = "urn:serviceplatform:jc:kontanthjaelp:2"
NS_AC = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"
NS_CC = "http://serviceplatformen.dk/xml/schemas/CallContext/1/"
NS_IC = "http://serviceplatformen.dk/xml/schemas/InvocationContext/1/"

# The request envelope declares these once on soap:Envelope (exc-c14n makes placement irrelevant);
# ds is left to each ds:Signature so that the embedded assertion keeps its own declarations verbatim.
ENVELOPE_NSMAP = {
    "soap": NS_SOAP11,
    "wsa": NS_WSA,
    "wsse": NS_WSSE,
    "wsse11": NS_WSSE11,
    "wsu": NS_WSU,
}

# Algorithms
C14N_EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
C14N_EXC_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
C14N_INCL = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_INCL_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
C14N_11 = "http://www.w3.org/2006/12/xml-c14n11"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
STR_TRANSFORM = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform"
)
XSLT_TRANSFORM = "http://www.w3.org/TR/1999/REC-xslt-19991116"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_MD5 = "http://www.w3.org/2001/04/xmldsig-more#rsa-md5"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"

# SAML / WS-Security token profile values
SAMLV2_TOKEN_TYPE = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0"
SAMLID_VALUE_TYPE = "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID"
X509V3_VALUE_TYPE = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
)
BASE64_ENCODING = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
CM_HOLDER_OF_KEY = "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"
NAMEID_X509 = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"
AC_X509 = "urn:oasis:names:tc:SAML:2.0:ac:classes:X509"
ATTRNAME_BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
ATTR_CVR = "dk:gov:saml:attribute:CvrNumberIdentifier"
ATTR_ASSURANCE = "dk:gov:saml:attribute:AssuranceLevel"
ATTR_SPECVER = "dk:gov:saml:attribute:SpecVer"
ATTR_KOMBITSPECVER = "dk:gov:saml:attribute:KombitSpecVer"
ATTR_PRIVILEGES = "dk:gov:saml:attribute:Privileges_intermediate"
WSA_ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"
SBF_PROFILE_BASIC = "urn:liberty:sb:profile:basic"

DEFAULT_AUDIENCE = "urn:serviceplatform:service:JC:Kontanthjaelp:2"
DEFAULT_STS_ENTITY_ID = "urn:test:independent-sts"
DEFAULT_ENDPOINT = "https://127.0.0.1:8443/service/JC/Kontanthjaelp/2"
DEFAULT_CVR = "64942212"
DEFAULT_CODE = "101"
DEFAULT_PRIVILEGE = "urn:dk:serviceplatformen:privilege:JC:Kontanthjaelp:2"

ACTIONS = {
    "RetBevillingRequest": "urn:serviceplatform:jc:kontanthjaelp:2:RetBevilling",
    "SletBevillingRequest": "urn:serviceplatform:jc:kontanthjaelp:2:SletBevilling",
}
ACTION_RET = ACTIONS["RetBevillingRequest"]
ACTION_SLET = ACTIONS["SletBevillingRequest"]

# The fixture's ids that every generated message replaces with fresh ones.
FIXTURE_BESKED_ID = "8d0f6a52-1c3e-4b7a-a9d4-5e21f0c8b7a6"
FIXTURE_BEVILLING_ID = "3f2b8c1e-7a4d-4e0b-9c61-2d5a8e47b913"

WSU_ID = "{%s}Id" % NS_WSU
MAX_TIMESTAMP_LIFETIME = dt.timedelta(seconds=300)
DEFAULT_SKEW = dt.timedelta(seconds=300)

_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
_REF_URI_RE = re.compile(r"^#([A-Za-z_][A-Za-z0-9._-]*)$")


def qn(ns: str, local: str) -> str:
    return "{%s}%s" % (ns, local)


def new_id(prefix: str) -> str:
    """A fresh NCName id: `prefix-<uuid>` (wsu:Id) or `_<uuid>` (SAML ID) when prefix is "_"."""
    return ("_" if prefix == "_" else prefix + "-") + str(uuid.uuid4())


# --------------------------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------------------------


def utcnow() -> dt.datetime:
    now = dt.datetime.now(dt.timezone.utc)
    return now.replace(microsecond=(now.microsecond // 1000) * 1000)


def xs_datetime(t: dt.datetime, millis: bool = False) -> str:
    t = t.astimezone(dt.timezone.utc)
    s = t.strftime("%Y-%m-%dT%H:%M:%S")
    if millis:
        s += ".%03d" % (t.microsecond // 1000)
    return s + "Z"


def parse_xs_datetime(text: Optional[str]) -> dt.datetime:
    if text is None:
        raise ValueError("missing dateTime")
    s = text.strip()
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", s):
        raise ValueError("not an xs:dateTime with zone: %r" % s)
    # fromisoformat in 3.11 takes 'Z' and any number of fraction digits
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


# --------------------------------------------------------------------------------------------
# Keys and certificates
# --------------------------------------------------------------------------------------------


@dataclass
class KeyPair:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def cert_der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def cert_b64(self) -> str:
        return base64.b64encode(self.cert_der).decode("ascii")

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def make_self_signed(common_name: str, organization: str = "Independent test", *,
                     client_auth: bool = False, days: int = 3650) -> KeyPair:
    """An RSA-2048 key and a self-signed end-entity certificate for it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # X.509 order (most general first), so the RFC 4514 string reads "CN=...,O=...,C=DK"
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "DK"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    now = dt.datetime.now(dt.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=client_auth,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if client_auth:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    cert = builder.sign(key, hashes.SHA256())
    return KeyPair(key, cert)


def load_cert(pem_or_der: bytes | str | x509.Certificate) -> x509.Certificate:
    if isinstance(pem_or_der, x509.Certificate):
        return pem_or_der
    if isinstance(pem_or_der, str):
        pem_or_der = pem_or_der.encode("ascii")
    if b"-----BEGIN" in pem_or_der:
        return x509.load_pem_x509_certificate(pem_or_der)
    return x509.load_der_x509_certificate(pem_or_der)


def load_keypair(cert_pem: bytes, key_pem: bytes) -> KeyPair:
    key = serialization.load_pem_private_key(key_pem, password=None)
    cert = load_cert(cert_pem)
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        raise ValueError("certificate and key do not belong together")
    return KeyPair(key, cert)


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


# --------------------------------------------------------------------------------------------
# Canonicalization, digests, signatures
# --------------------------------------------------------------------------------------------


def c14n(node, algorithm: str = C14N_EXC, inclusive_prefixes: Optional[Sequence[str]] = None) -> bytes:
    """Canonical form of an element subtree (or of a whole document for an ElementTree).

    lxml serializes a non-root element as a document subset: the element and its descendants,
    no tail; for exclusive c14n it renders the visibly utilized namespaces even when they are
    declared on ancestors, for inclusive c14n all in-scope ones.
    """
    if algorithm in (C14N_EXC, C14N_EXC_COMMENTS):
        if inclusive_prefixes and "#default" in inclusive_prefixes:
            # lxml passes only prefixes found in the document's dictionary to libxml2, so "#default"
            # is silently dropped: fine when no default namespace is in scope, refused otherwise
            root = node.getroot() if isinstance(node, etree._ElementTree) else node
            if any(None in el.nsmap for el in root.iter() if isinstance(el.tag, str)):
                raise ValueError("InclusiveNamespaces '#default' with a default namespace in scope is not supported")
            inclusive_prefixes = [p for p in inclusive_prefixes if p != "#default"]
        return etree.tostring(node, method="c14n", exclusive=True,
                              with_comments=algorithm == C14N_EXC_COMMENTS,
                              inclusive_ns_prefixes=list(inclusive_prefixes) if inclusive_prefixes else None)
    if algorithm in (C14N_INCL, C14N_INCL_COMMENTS):
        return etree.tostring(node, method="c14n", exclusive=False,
                              with_comments=algorithm == C14N_INCL_COMMENTS)
    raise ValueError("unsupported canonicalization %s" % algorithm)


_DIGESTS = {SHA256: hashlib.sha256, SHA1: hashlib.sha1, SHA512: hashlib.sha512}
_SIG_HASHES = {RSA_SHA256: hashes.SHA256, RSA_SHA1: hashes.SHA1, RSA_MD5: hashes.MD5,
               ECDSA_SHA256: hashes.SHA256}


def digest(data: bytes, algorithm: str = SHA256) -> bytes:
    try:
        return _DIGESTS[algorithm](data).digest()
    except KeyError:
        raise ValueError("unsupported digest %s" % algorithm) from None


def raw_sign(key, data: bytes, algorithm: str = RSA_SHA256) -> bytes:
    h = _SIG_HASHES[algorithm]()
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), h)
    raise ValueError("only RSA signing keys are supported")


def raw_verify(public_key, signature: bytes, data: bytes, algorithm: str) -> bool:
    try:
        h = _SIG_HASHES[algorithm]()
    except KeyError:
        return False
    try:
        if isinstance(public_key, rsa.RSAPublicKey) and algorithm != ECDSA_SHA256:
            public_key.verify(signature, data, padding.PKCS1v15(), h)
            return True
        if isinstance(public_key, ec.EllipticCurvePublicKey) and algorithm == ECDSA_SHA256:
            # XML DSig carries r||s, cryptography wants DER
            n = len(signature) // 2
            der = encode_dss_signature(int.from_bytes(signature[:n], "big"),
                                       int.from_bytes(signature[n:], "big"))
            public_key.verify(der, data, ec.ECDSA(h))
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: Optional[str]) -> bytes:
    s = re.sub(r"\s+", "", text or "")
    return base64.b64decode(s, validate=True)


# --------------------------------------------------------------------------------------------
# Transform chains (shared by the signer and both verifiers)
# --------------------------------------------------------------------------------------------


@dataclass
class Transform:
    algorithm: str
    # exc-c14n: InclusiveNamespaces prefixes; STR-Transform: the c14n algorithm of its
    # TransformationParameters; XSLT: the xsl:stylesheet element
    param: object = None


@dataclass
class RefSpec:
    """What the signer puts into one ds:Reference."""
    uri: str
    target: object  # the element the URI designates, or an ElementTree for URI=""
    transforms: list
    digest_alg: str = SHA256
    str_token: object = None  # for STR-Transform: the token element the STR dereferences to


def _remove_in_place(el):
    """Detach el keeping its tail text in the tree; returns a function that puts it back."""
    parent = el.getparent()
    idx = parent.index(el)
    tail = el.tail
    prev = el.getprevious()
    saved_prev_tail = prev.tail if prev is not None else None
    saved_parent_text = parent.text
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    el.tail = None
    parent.remove(el)

    def restore():
        if prev is not None:
            prev.tail = saved_prev_tail
        parent.text = saved_parent_text
        parent.insert(idx, el)
        el.tail = tail
    return restore


def _is_ancestor_or_self(anc, el) -> bool:
    while el is not None:
        if el is anc:
            return True
        el = el.getparent()
    return False


def run_transforms(target, transforms: Sequence[Transform], *, signature_el=None,
                   str_deref: Optional[Callable] = None) -> bytes:
    """Octets to digest for a Reference: target (element, or ElementTree for URI="")
    through the transform chain; a node-set left at the end gets inclusive c14n (XMLDSig 4.3.3.2)."""
    node = target
    data: Optional[bytes] = None
    restore = None
    try:
        for t in transforms:
            if t.algorithm == ENVELOPED:
                if data is not None:
                    raise ValueError("enveloped-signature after an octet stream")
                root = node.getroot() if isinstance(node, etree._ElementTree) else node
                if signature_el is not None and restore is None and _is_ancestor_or_self(root, signature_el) \
                        and signature_el is not root:
                    restore = _remove_in_place(signature_el)
            elif t.algorithm in (C14N_EXC, C14N_EXC_COMMENTS, C14N_INCL, C14N_INCL_COMMENTS):
                if data is not None:
                    node = etree.fromstring(data, _secure_parser()).getroottree()
                    data = None
                data = c14n(node, t.algorithm, t.param if t.algorithm in (C14N_EXC, C14N_EXC_COMMENTS) else None)
                node = None
            elif t.algorithm == STR_TRANSFORM:
                if str_deref is None:
                    raise ValueError("STR-Transform without a dereferencer")
                token = str_deref(node)
                data = c14n(token, t.param or C14N_EXC)
                node = None
            elif t.algorithm == XSLT_TRANSFORM:
                src = node if data is None else etree.fromstring(data, _secure_parser())
                xslt = etree.XSLT(copy.deepcopy(t.param), access_control=etree.XSLTAccessControl.DENY_ALL)
                doc = etree.ElementTree(copy.deepcopy(src.getroot() if isinstance(src, etree._ElementTree) else src))
                data = bytes(xslt(doc))
                node = None
            else:
                raise ValueError("unsupported transform %s" % t.algorithm)
        if data is None:
            data = c14n(node, C14N_INCL)
        return data
    finally:
        if restore is not None:
            restore()


def _secure_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_blank_text=False, remove_comments=False)


# --------------------------------------------------------------------------------------------
# Building ds:Signature
# --------------------------------------------------------------------------------------------


def _ds(parent, local, attrib=None, text=None):
    el = etree.SubElement(parent, qn(NS_DS, local), attrib or {})
    if text is not None:
        el.text = text
    return el


def _reference_element(parent, spec: RefSpec, digest_value: bytes):
    ref = _ds(parent, "Reference", {"URI": spec.uri})
    if spec.transforms:
        ts = _ds(ref, "Transforms")
        for t in spec.transforms:
            tr = _ds(ts, "Transform", {"Algorithm": t.algorithm})
            if t.algorithm == STR_TRANSFORM:
                tp = etree.SubElement(tr, qn(NS_WSSE, "TransformationParameters"))
                _ds(tp, "CanonicalizationMethod", {"Algorithm": t.param or C14N_EXC})
            elif t.algorithm == XSLT_TRANSFORM:
                tr.append(copy.deepcopy(t.param))
            elif t.algorithm == C14N_EXC and t.param:
                etree.SubElement(tr, qn(NS_EC, "InclusiveNamespaces"),
                                 {"PrefixList": " ".join(t.param)}, nsmap={"ec": NS_EC})
    _ds(ref, "DigestMethod", {"Algorithm": spec.digest_alg})
    _ds(ref, "DigestValue", text=b64(digest_value))
    return ref


def compute_ref_digest(spec: RefSpec) -> bytes:
    data = run_transforms(spec.target, spec.transforms,
                          str_deref=(lambda _node: spec.str_token) if spec.str_token is not None else None)
    return digest(data, spec.digest_alg)


def build_signature(parent, refs: Sequence[RefSpec], key, *, keyinfo: Optional[Callable] = None,
                    index: Optional[int] = None, sig_alg: str = RSA_SHA256,
                    c14n_alg: str = C14N_EXC, signature_value: Optional[bytes] = None,
                    digests: Optional[Sequence[bytes]] = None):
    """Digest the references (before the Signature is in the tree, which is what the
    enveloped-signature transform yields for a compact document), insert a ds:Signature into
    parent at index (default: last), canonicalize its SignedInfo in place and sign it.

    keyinfo(ki_element) fills ds:KeyInfo; signature_value overrides the computed value."""
    digests = list(digests) if digests is not None else [compute_ref_digest(s) for s in refs]
    sig = etree.Element(qn(NS_DS, "Signature"), nsmap={"ds": NS_DS})
    si = _ds(sig, "SignedInfo")
    _ds(si, "CanonicalizationMethod", {"Algorithm": c14n_alg})
    _ds(si, "SignatureMethod", {"Algorithm": sig_alg})
    for spec, d in zip(refs, digests):
        _reference_element(si, spec, d)
    sv = _ds(sig, "SignatureValue")
    if keyinfo is not None:
        keyinfo(_ds(sig, "KeyInfo"))
    if index is None:
        parent.append(sig)
    else:
        parent.insert(index, sig)
    if signature_value is None:
        signature_value = raw_sign(key, c14n(si, c14n_alg), sig_alg)
    sv.text = b64(signature_value)
    return sig


def keyinfo_x509(cert: x509.Certificate) -> Callable:
    def fill(ki):
        xd = _ds(ki, "X509Data")
        _ds(xd, "X509Certificate", text=b64(cert_der(cert)))
    return fill


def keyinfo_samlid(assertion_id: str) -> Callable:
    def fill(ki):
        s = etree.SubElement(ki, qn(NS_WSSE, "SecurityTokenReference"),
                             {qn(NS_WSSE11, "TokenType"): SAMLV2_TOKEN_TYPE},
                             nsmap={"wsse": NS_WSSE, "wsse11": NS_WSSE11})
        k = etree.SubElement(s, qn(NS_WSSE, "KeyIdentifier"), {"ValueType": SAMLID_VALUE_TYPE})
        k.text = assertion_id
    return fill


# --------------------------------------------------------------------------------------------
# The STS side: issuing a holder-of-key assertion
# --------------------------------------------------------------------------------------------


def privilege_list_xml(cvr: str, privilege: str = DEFAULT_PRIVILEGE) -> bytes:
    root = etree.Element(qn(NS_BPP, "PrivilegeList"), nsmap={"bpp": NS_BPP})
    group = etree.SubElement(root, "PrivilegeGroup", {"Scope": "urn:dk:gov:saml:cvrNumberIdentifier:%s" % cvr})
    etree.SubElement(group, "Privilege").text = privilege
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _saml(parent, local, attrib=None, text=None):
    el = etree.SubElement(parent, qn(NS_SAML, local), attrib or {})
    if text is not None:
        el.text = text
    return el


def sign_assertion(assertion, signer: KeyPair, *, sig_alg: str = RSA_SHA256,
                   digest_alg: str = SHA256, keyinfo_cert: Optional[x509.Certificate] = None) -> None:
    """(Re-)sign an assertion the SAML way: enveloped ds:Signature right after saml:Issuer,
    one Reference "#ID", transforms enveloped-signature + exc-c14n."""
    for old in assertion.findall(qn(NS_DS, "Signature")):
        _remove_in_place(old)
    spec = RefSpec("#" + assertion.get("ID"), assertion,
                   [Transform(ENVELOPED), Transform(C14N_EXC)], digest_alg)
    issuer = assertion.find(qn(NS_SAML, "Issuer"))
    index = assertion.index(issuer) + 1 if issuer is not None else 0
    build_signature(assertion, [spec], signer.key, index=index, sig_alg=sig_alg,
                    keyinfo=keyinfo_x509(keyinfo_cert or signer.cert))


def issue_assertion(sts: KeyPair, hok_cert: x509.Certificate, *, entity_id: str = DEFAULT_STS_ENTITY_ID,
                    audience: str = DEFAULT_AUDIENCE, cvr: str = DEFAULT_CVR,
                    now: Optional[dt.datetime] = None, lifetime: dt.timedelta = dt.timedelta(hours=8),
                    not_before: Optional[dt.datetime] = None, not_on_or_after: Optional[dt.datetime] = None,
                    recipient: Optional[str] = None, assertion_id: Optional[str] = None,
                    sign: bool = True) -> bytes:
    """The assertion the exttest STS issues (contract, "STS (exttest)"), as a standalone document."""
    now = now or utcnow()
    nb = not_before or now
    noa = not_on_or_after or (nb + lifetime)
    aid = assertion_id or new_id("_")
    a = etree.Element(qn(NS_SAML, "Assertion"),
                      {"ID": aid, "IssueInstant": xs_datetime(nb), "Version": "2.0"},
                      nsmap={"saml": NS_SAML})
    _saml(a, "Issuer", text=entity_id)
    subject = _saml(a, "Subject")
    _saml(subject, "NameID", {"Format": NAMEID_X509}, text=hok_cert.subject.rfc4514_string())
    sc = _saml(subject, "SubjectConfirmation", {"Method": CM_HOLDER_OF_KEY})
    scd = etree.SubElement(
        sc, qn(NS_SAML, "SubjectConfirmationData"),
        {qn(NS_XSI, "type"): "saml:KeyInfoConfirmationDataType",
         "NotOnOrAfter": xs_datetime(noa), "Recipient": recipient or audience},
        nsmap={"xsi": NS_XSI})
    ki = etree.SubElement(scd, qn(NS_DS, "KeyInfo"), nsmap={"ds": NS_DS})
    keyinfo_x509(hok_cert)(ki)
    cond = _saml(a, "Conditions", {"NotBefore": xs_datetime(nb), "NotOnOrAfter": xs_datetime(noa)})
    ar = _saml(cond, "AudienceRestriction")
    _saml(ar, "Audience", text=audience)
    authn = _saml(a, "AuthnStatement", {"AuthnInstant": xs_datetime(nb), "SessionIndex": new_id("_")})
    actx = _saml(authn, "AuthnContext")
    _saml(actx, "AuthnContextClassRef", text=AC_X509)
    stmt = _saml(a, "AttributeStatement")
    for name, value in (
        (ATTR_CVR, cvr),
        (ATTR_ASSURANCE, "3"),
        (ATTR_SPECVER, "DK-SAML-2.0"),
        (ATTR_KOMBITSPECVER, "1.0"),
        (ATTR_PRIVILEGES, b64(privilege_list_xml(cvr))),
    ):
        attr = _saml(stmt, "Attribute", {"Name": name, "NameFormat": ATTRNAME_BASIC})
        _saml(attr, "AttributeValue", text=value)
    if sign:
        sign_assertion(a, sts)
    return etree.tostring(a)


def _own_attributes(assertion):
    """The assertion's own saml:Attribute elements (AttributeStatement children; never those of an
    assertion nested somewhere inside it)."""
    return assertion.findall("%s/%s" % (qn(NS_SAML, "AttributeStatement"), qn(NS_SAML, "Attribute")))


def set_assertion_cvr(assertion, cvr: str) -> None:
    """Change the CVR claim and the privilege scope of an (embedded) assertion, as an attacker would."""
    for attr in _own_attributes(assertion):
        if attr.get("Name") == ATTR_CVR:
            attr.find(qn(NS_SAML, "AttributeValue")).text = cvr
        elif attr.get("Name") == ATTR_PRIVILEGES:
            attr.find(qn(NS_SAML, "AttributeValue")).text = b64(privilege_list_xml(cvr))


def assertion_attribute_value(assertion, name: str):
    for attr in _own_attributes(assertion):
        if attr.get("Name") == name:
            return attr.find(qn(NS_SAML, "AttributeValue"))
    return None


# --------------------------------------------------------------------------------------------
# The client side: the request message
# --------------------------------------------------------------------------------------------


def load_request_element(fixture: bytes, *, cvr: Optional[str] = DEFAULT_CVR, code: str = DEFAULT_CODE,
                         besked_id: Optional[str] = None, bevilling_id: Optional[str] = None,
                         swap_context: bool = False):
    """kh:RetBevillingRequest from the fixture (declaration dropped), with fresh BeskedID and
    BevillingID, the given CVR in ac:AuthorityContext (None: leave the element out) and the
    given Myndighedskode."""
    text = fixture.decode("utf-8")
    text = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", text)
    text = text.replace(FIXTURE_BESKED_ID, besked_id or str(uuid.uuid4()))
    text = text.replace(FIXTURE_BEVILLING_ID, bevilling_id or str(uuid.uuid4()))
    req = etree.fromstring(text.encode("utf-8"), _secure_parser())
    ac = req.find(qn(NS_AC, "AuthorityContext"))
    if ac is not None:
        if cvr is None:
            _remove_in_place(ac)
        else:
            ac.find(qn(NS_AC, "MunicipalityCVR")).text = cvr
    req.find("%s/%s" % (qn(NS_KH, "Header"), qn(NS_KH, "Myndighedskode"))).text = code
    if swap_context:
        ac = req.find(qn(NS_AC, "AuthorityContext"))
        cc = req.find(qn(NS_CC, "CallContext"))
        if ac is not None and cc is not None and req.index(cc) < req.index(ac):
            cc.addprevious(ac)  # lxml moves the element with its tail (whitespace)
    return req


def besked_id_of(request_el) -> str:
    el = request_el.find("%s/%s" % (qn(NS_KH, "Header"), qn(NS_KH, "BeskedID")))
    return el.text if el is not None else ""


@dataclass
class Message:
    """A request envelope under construction; elements are kept by role so cases can rearrange them."""
    root: object
    header: object
    security: object
    timestamp: object
    assertion: object
    str_el: object
    body: object
    request: object
    wsa: dict  # local name -> element (Action, MessageID, To, ReplyTo)
    framework: object
    signature: object = None
    layout: str = "real"  # which default_refs() layout the message is meant for

    @property
    def assertion_id(self) -> str:
        return self.assertion.get("ID")

    @property
    def besked_id(self) -> str:
        return besked_id_of(self.request)

    def tobytes(self) -> bytes:
        return etree.tostring(self.root)


def build_request(assertion_xml: bytes, request_el, *, endpoint: str = DEFAULT_ENDPOINT,
                  action: str = ACTION_RET, now: Optional[dt.datetime] = None,
                  created: Optional[dt.datetime] = None, expires: Optional[dt.datetime] = None,
                  framework: bool = True, header_str: bool = True) -> Message:
    """The unsigned envelope: soap:Header (wsa:Action, wsa:MessageID, wsa:To, wsa:ReplyTo,
    sbf:Framework, each with wsu:Id and soap:mustUnderstand="1"; wsse:Security with
    wsu:Timestamp, the assertion and an STR to it) and soap:Body wsu:Id holding request_el."""
    now = now or utcnow()
    created = created or now
    expires = expires or (created + MAX_TIMESTAMP_LIFETIME)
    mu = {qn(NS_SOAP11, "mustUnderstand"): "1"}
    env = etree.Element(qn(NS_SOAP11, "Envelope"), nsmap=ENVELOPE_NSMAP)
    header = etree.SubElement(env, qn(NS_SOAP11, "Header"))
    wsa = {}
    for local, text, prefix in (("Action", action, "action"), ("MessageID", "urn:uuid:%s" % uuid.uuid4(), "msgid"),
                                ("To", endpoint, "to"), ("ReplyTo", None, "replyto")):
        el = etree.SubElement(header, qn(NS_WSA, local), {WSU_ID: new_id(prefix), **mu})
        if local == "ReplyTo":
            etree.SubElement(el, qn(NS_WSA, "Address")).text = WSA_ANONYMOUS
        else:
            el.text = text
        wsa[local] = el
    fw = None
    if framework:
        fw = etree.SubElement(header, qn(NS_SBF, "Framework"),
                              {"version": "2.0", qn(NS_SBFPROFILE, "profile"): SBF_PROFILE_BASIC,
                               WSU_ID: new_id("sbf"), **mu},
                              nsmap={"sbf": NS_SBF, "sbfprofile": NS_SBFPROFILE})
    sec = etree.SubElement(header, qn(NS_WSSE, "Security"), mu)
    ts = etree.SubElement(sec, qn(NS_WSU, "Timestamp"), {WSU_ID: new_id("ts")})
    etree.SubElement(ts, qn(NS_WSU, "Created")).text = xs_datetime(created, millis=True)
    etree.SubElement(ts, qn(NS_WSU, "Expires")).text = xs_datetime(expires, millis=True)
    assertion = etree.fromstring(assertion_xml, _secure_parser())
    sec.append(assertion)
    str_el = None
    if header_str:
        str_el = make_str(assertion.get("ID"))
        sec.append(str_el)
    body = etree.SubElement(env, qn(NS_SOAP11, "Body"), {WSU_ID: new_id("body")})
    body.append(request_el)
    return Message(env, header, sec, ts, assertion, str_el, body, request_el, wsa, fw,
                   layout="real" if header_str else "simple")


def make_str(assertion_id: str, str_id: Optional[str] = None):
    s = etree.Element(qn(NS_WSSE, "SecurityTokenReference"),
                      {WSU_ID: str_id or new_id("str"), qn(NS_WSSE11, "TokenType"): SAMLV2_TOKEN_TYPE})
    k = etree.SubElement(s, qn(NS_WSSE, "KeyIdentifier"), {"ValueType": SAMLID_VALUE_TYPE})
    k.text = assertion_id
    return s


def default_refs(msg: Message, layout: str = "real", digest_alg: str = SHA256,
                 str_token=None, str_c14n: str = C14N_EXC) -> list:
    """References of the message signature.

    real:   the WS-Addressing headers, sbf:Framework, Timestamp, the STR (STR-Transform: its
            digest is that of the dereferenced assertion, exc-c14n) and Body, as OIO IDWS clients sign.
    simple: Body and Timestamp only."""
    exc = [Transform(C14N_EXC)]

    def ref(el):
        return RefSpec("#" + el.get(WSU_ID), el, exc, digest_alg)

    if layout == "simple":
        return [ref(msg.body), ref(msg.timestamp)]
    if layout != "real":
        raise ValueError("layout is 'real' or 'simple'")
    refs = [ref(msg.wsa[k]) for k in ("Action", "MessageID", "To", "ReplyTo") if k in msg.wsa]
    if msg.framework is not None:
        refs.append(ref(msg.framework))
    refs.append(ref(msg.timestamp))
    if msg.str_el is not None:
        refs.append(RefSpec("#" + msg.str_el.get(WSU_ID), msg.str_el,
                            [Transform(STR_TRANSFORM, str_c14n)], digest_alg,
                            str_token=str_token if str_token is not None else msg.assertion))
    refs.append(ref(msg.body))
    return refs


def sign_message(msg: Message, key, refs: Sequence[RefSpec], *, keyinfo: Optional[Callable] = None,
                 sig_alg: str = RSA_SHA256, **kw):
    """The message ds:Signature, last child of wsse:Security; KeyInfo defaults to the
    OIO IDWS STR with the SAMLID key identifier of the assertion."""
    msg.signature = build_signature(msg.security, refs, key,
                                    keyinfo=keyinfo or keyinfo_samlid(msg.assertion_id),
                                    sig_alg=sig_alg, **kw)
    return msg.signature


def make_valid_request(sts: KeyPair, hok: KeyPair, fixture: bytes, *, layout: str = "real",
                       endpoint: str = DEFAULT_ENDPOINT, audience: str = DEFAULT_AUDIENCE,
                       entity_id: str = DEFAULT_STS_ENTITY_ID, cvr: str = DEFAULT_CVR,
                       code: str = DEFAULT_CODE) -> bytes:
    """One complete, fresh, signed request (convenience for callers and tests)."""
    a = issue_assertion(sts, hok.cert, entity_id=entity_id, audience=audience, cvr=cvr)
    msg = build_request(a, load_request_element(fixture, cvr=cvr, code=code), endpoint=endpoint,
                        header_str=layout == "real")
    sign_message(msg, hok.key, default_refs(msg, layout))
    return msg.tobytes()


# --------------------------------------------------------------------------------------------
# Verification helpers
# --------------------------------------------------------------------------------------------


class VerificationError(Exception):
    """A refused message; code is the platform fault code a correct router answers with."""

    def __init__(self, code: str, reason: str):
        super().__init__("%s: %s" % (code, reason))
        self.code = code
        self.reason = reason


def _fail(reason: str, code: str = "SP-2001"):
    raise VerificationError(code, reason)


_DOCTYPE_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_secure(xml: bytes):
    """Refuse any DTD before parsing (SP-1001), then parse without entities or network."""
    if _DOCTYPE_RE.search(xml):
        _fail("DTD or entity declaration", "SP-1001")
    try:
        root = etree.fromstring(xml, _secure_parser())
    except etree.XMLSyntaxError as e:
        _fail("not well-formed: %s" % e, "SP-1001")
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        _fail("DTD present", "SP-1001")
    return root


def _children(el, tag=None):
    return [c for c in el if isinstance(c.tag, str) and (tag is None or c.tag == tag)]


def _text(el) -> str:
    """The whole text of an element (XPath string value: every text node, comments left out)."""
    return el.xpath("string()")


def _elements_with_id_like_attributes(root):
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local in ("Id", "ID", "id"):
                yield el, name, value


def _parse_signed_info(sig):
    """Structure of a ds:Signature: (SignedInfo, c14n alg, inclusive prefixes, sig alg, refs, value).
    refs: list of (Reference, uri, [Transform], digest alg, digest value)."""
    kids = _children(sig)
    if not kids or kids[0].tag != qn(NS_DS, "SignedInfo"):
        _fail("Signature without SignedInfo first")
    si = kids[0]
    if len(kids) < 2 or kids[1].tag != qn(NS_DS, "SignatureValue"):
        _fail("Signature without SignatureValue")
    si_kids = _children(si)
    if len(si_kids) < 3 or si_kids[0].tag != qn(NS_DS, "CanonicalizationMethod") \
            or si_kids[1].tag != qn(NS_DS, "SignatureMethod"):
        _fail("malformed SignedInfo")
    cm = si_kids[0]
    c14n_alg = cm.get("Algorithm")
    incl = None
    inc_el = cm.find(qn(NS_EC, "InclusiveNamespaces"))
    if inc_el is not None:
        incl = (inc_el.get("PrefixList") or "").split()
    sm = si_kids[1]
    if _children(sm):  # e.g. HMACOutputLength
        _fail("SignatureMethod with parameters")
    refs = []
    for ref in si_kids[2:]:
        if ref.tag != qn(NS_DS, "Reference"):
            _fail("unexpected element in SignedInfo")
        uri = ref.get("URI")
        transforms = []
        rk = _children(ref)
        i = 0
        if i < len(rk) and rk[i].tag == qn(NS_DS, "Transforms"):
            for t in _children(rk[i]):
                if t.tag != qn(NS_DS, "Transform"):
                    _fail("unexpected element in Transforms")
                transforms.append(_parse_transform(t))
            i += 1
        if len(rk) != i + 2:
            _fail("malformed Reference")
        if rk[i].tag != qn(NS_DS, "DigestMethod") or rk[i + 1].tag != qn(NS_DS, "DigestValue"):
            _fail("malformed Reference")
        try:
            dv = b64decode_strict(rk[i + 1].text)
        except ValueError:
            _fail("DigestValue not base64")
        refs.append((ref, uri, transforms, rk[i].get("Algorithm"), dv))
    try:
        value = b64decode_strict(kids[1].text)
    except ValueError:
        _fail("SignatureValue not base64")
    return si, c14n_alg, incl, sm.get("Algorithm"), refs, value


def _parse_transform(t) -> Transform:
    alg = t.get("Algorithm")
    if alg == STR_TRANSFORM:
        tp = t.find(qn(NS_WSSE, "TransformationParameters"))
        cm = tp.find(qn(NS_DS, "CanonicalizationMethod")) if tp is not None else None
        return Transform(alg, cm.get("Algorithm") if cm is not None else None)
    if alg == XSLT_TRANSFORM:
        return Transform(alg, t.find(qn(NS_XSL, "stylesheet")))
    if alg in (C14N_EXC, C14N_EXC_COMMENTS):
        inc = t.find(qn(NS_EC, "InclusiveNamespaces"))
        return Transform(alg, (inc.get("PrefixList") or "").split() if inc is not None else None)
    return Transform(alg, _children(t) or None)


def _keyinfo_certs(sig) -> list:
    out = []
    for c in sig.iterfind("%s/%s/%s" % (qn(NS_DS, "KeyInfo"), qn(NS_DS, "X509Data"), qn(NS_DS, "X509Certificate"))):
        try:
            out.append(b64decode_strict(c.text))
        except ValueError:
            pass
    return out


def _check_signature_value(si, c14n_alg, incl, sig_alg, value, public_key):
    try:
        data = c14n(si, c14n_alg, incl)
    except ValueError as e:
        _fail("SignedInfo: %s" % e)
    if not raw_verify(public_key, value, data, sig_alg):
        _fail("SignatureValue does not verify")


# --------------------------------------------------------------------------------------------
# Strict verification of a request (what a correct router does)
# --------------------------------------------------------------------------------------------


@dataclass
class AssertionInfo:
    id: str
    issuer: str
    cvr: str
    name_id: str
    hok_cert_der: bytes
    attributes: dict


@dataclass
class RequestInfo:
    operation: str
    besked_id: str
    myndighedskode: str
    authority_cvr: Optional[str]
    assertion: AssertionInfo
    signed_ids: list
    signature_value: bytes
    expires: dt.datetime


def verify_assertion(assertion, sts_certs: Sequence[x509.Certificate], *, entity_ids: Iterable[str],
                     audiences: Iterable[str], now: dt.datetime, skew: dt.timedelta = DEFAULT_SKEW) -> AssertionInfo:
    """SAML signature profile + holder-of-key claims, as the contract states them."""
    aid = assertion.get("ID")
    if not aid or not _ID_RE.match(aid):
        _fail("assertion without a valid ID")
    kids = _children(assertion)
    if not kids or kids[0].tag != qn(NS_SAML, "Issuer"):
        _fail("assertion does not start with Issuer")
    sigs = list(assertion.iter(qn(NS_DS, "Signature")))
    if len(sigs) != 1:
        _fail("assertion must hold exactly one ds:Signature (found %d)" % len(sigs))
    sig = sigs[0]
    if len(kids) < 2 or kids[1] is not sig:
        _fail("assertion ds:Signature is not the child right after Issuer")
    if sig.find(qn(NS_DS, "Object")) is not None:
        _fail("ds:Object in the assertion signature")
    si, c14n_alg, incl, sig_alg, refs, value = _parse_signed_info(sig)
    if c14n_alg != C14N_EXC:
        _fail("assertion SignedInfo not exclusive c14n")
    if sig_alg not in (RSA_SHA256, ECDSA_SHA256):
        _fail("assertion SignatureMethod %s not allowed" % sig_alg)
    if len(refs) != 1:
        _fail("assertion signature must have one Reference")
    _, uri, transforms, dalg, dv = refs[0]
    if uri != "#" + aid:
        _fail("assertion Reference does not point at the assertion")
    algs = [t.algorithm for t in transforms]
    if algs not in ([ENVELOPED, C14N_EXC], [ENVELOPED]):
        _fail("assertion transforms %s not allowed" % algs)
    if dalg != SHA256:
        _fail("assertion DigestMethod %s not allowed" % dalg)
    try:
        data = run_transforms(assertion, transforms, signature_el=sig)
        si_data = c14n(si, c14n_alg, incl)
    except ValueError as e:
        _fail("assertion signature: %s" % e)
    if digest(data, dalg) != dv:
        _fail("assertion digest mismatch")
    # trust: only the configured STS certificates, never the KeyInfo
    kinfo = _keyinfo_certs(sig)
    ordered = sorted(sts_certs, key=lambda c: cert_der(c) not in kinfo)
    if not any(raw_verify(c.public_key(), value, si_data, sig_alg) for c in ordered):
        _fail("assertion not signed by a trusted STS")
    # claims
    issuer = _text(kids[0]).strip()
    if issuer not in set(entity_ids):
        _fail("assertion Issuer %r not trusted" % issuer)
    audiences = set(audiences)
    cond = assertion.find(qn(NS_SAML, "Conditions"))
    if cond is None:
        _fail("assertion without Conditions")
    try:
        if cond.get("NotBefore") and parse_xs_datetime(cond.get("NotBefore")) > now + skew:
            _fail("assertion not yet valid")
        if cond.get("NotOnOrAfter") is None or parse_xs_datetime(cond.get("NotOnOrAfter")) <= now - skew:
            _fail("assertion expired")
    except ValueError as e:
        _fail("assertion Conditions: %s" % e)
    ars = cond.findall(qn(NS_SAML, "AudienceRestriction"))
    if not ars:
        _fail("assertion without AudienceRestriction")
    for ar in ars:
        if not any(_text(a).strip() in audiences for a in ar.findall(qn(NS_SAML, "Audience"))):
            _fail("assertion audience not accepted")
    subject = assertion.find(qn(NS_SAML, "Subject"))
    if subject is None:
        _fail("assertion without Subject")
    scs = subject.findall(qn(NS_SAML, "SubjectConfirmation"))
    if len(scs) != 1 or scs[0].get("Method") != CM_HOLDER_OF_KEY:
        _fail("assertion needs exactly one holder-of-key SubjectConfirmation")
    scds = scs[0].findall(qn(NS_SAML, "SubjectConfirmationData"))
    if len(scds) != 1:
        _fail("holder-of-key without SubjectConfirmationData")
    scd = scds[0]
    if scd.get("Recipient") is not None and scd.get("Recipient") not in audiences:
        _fail("SubjectConfirmationData Recipient not accepted")
    if scd.get("NotOnOrAfter") is not None:
        try:
            if parse_xs_datetime(scd.get("NotOnOrAfter")) <= now - skew:
                _fail("SubjectConfirmationData expired")
        except ValueError as e:
            _fail("SubjectConfirmationData: %s" % e)
    certs = scd.findall("%s/%s/%s" % (qn(NS_DS, "KeyInfo"), qn(NS_DS, "X509Data"), qn(NS_DS, "X509Certificate")))
    if len(certs) != 1:
        _fail("holder-of-key needs exactly one certificate")
    try:
        hok_der = b64decode_strict(certs[0].text)
        load_cert(hok_der)
    except ValueError:
        _fail("holder-of-key certificate unreadable")
    attributes = {}
    for attr in _own_attributes(assertion):
        values = attr.findall(qn(NS_SAML, "AttributeValue"))
        attributes.setdefault(attr.get("Name"), []).extend(values)
    cvr_values = attributes.get(ATTR_CVR, [])
    if len(cvr_values) != 1:
        _fail("exactly one CvrNumberIdentifier value required")
    if _children(cvr_values[0]):
        _fail("CvrNumberIdentifier has element content")
    cvr = _text(cvr_values[0]).strip()
    if not re.fullmatch(r"[0-9]{8}", cvr):
        _fail("CvrNumberIdentifier is not 8 digits")
    name_id_el = subject.find(qn(NS_SAML, "NameID"))
    return AssertionInfo(aid, issuer, cvr, _text(name_id_el) if name_id_el is not None else "",
                         hok_der, {k: [_text(v) for v in vs] for k, vs in attributes.items()})


def verify_request(xml: bytes, sts_certs: Sequence, *, entity_ids: Iterable[str] = (DEFAULT_STS_ENTITY_ID,),
                   audiences: Iterable[str] = (DEFAULT_AUDIENCE,), now: Optional[dt.datetime] = None,
                   skew: dt.timedelta = DEFAULT_SKEW, soap_action: Optional[str] = None,
                   replay_cache: Optional[dict] = None) -> RequestInfo:
    """Strict verification of an OIO IDWS request, in the order of ../../shared/xml-security.md's
    pipeline; raises VerificationError with the fault code a correct router answers."""
    now = now or dt.datetime.now(dt.timezone.utc)
    sts_certs = [load_cert(c) for c in sts_certs]
    root = parse_secure(xml)
    # -- envelope shape, by namespace
    if root.tag not in (qn(NS_SOAP11, "Envelope"), qn(NS_SOAP12, "Envelope")):
        _fail("not a SOAP envelope", "SP-1001")
    soap = root.tag[1:].split("}")[0]
    kids = _children(root)
    headers = [k for k in kids if k.tag == qn(soap, "Header")]
    bodies = [k for k in kids if k.tag == qn(soap, "Body")]
    if len(kids) != len(headers) + len(bodies) or len(headers) > 1 or (headers and kids[0] is not headers[0]):
        _fail("unexpected children of soap:Envelope", "SP-1001")
    if not bodies:
        _fail("no soap:Body", "SP-1001")
    if len(bodies) > 1:
        # two Bodies: the signed one and the processed one can differ (wrapping)
        _fail("more than one soap:Body")
    body = bodies[0]
    req = _children(body)
    if len(req) != 1:
        _fail("soap:Body must hold one request element", "SP-1001")
    req = req[0]
    op = req.tag.split("}")[-1] if req.tag.startswith("{%s}" % NS_KH) else None
    if op not in ACTIONS:
        _fail("unknown operation", "SP-1001")
    if soap_action is not None and soap_action.strip('"') != ACTIONS[op]:
        _fail("SOAPAction names another operation", "SP-1001")
    header = headers[0] if headers else None
    wsa_action = header.find(qn(NS_WSA, "Action")) if header is not None else None
    if wsa_action is not None and _text(wsa_action).strip() != ACTIONS[op]:
        _fail("wsa:Action names another operation", "SP-1001")
    if req.find(qn(NS_IC, "InvocationContext")) is not None or any(
            e.tag == qn(NS_IC, "InvocationContext") for e in req.iter()):
        _fail("InvocationContext security model is not offered (AuthorityContext or SAML token)")
    # -- SAML model structure
    secs = header.findall(qn(NS_WSSE, "Security")) if header is not None else []
    if len(secs) != 1:
        _fail("exactly one wsse:Security required")
    sec = secs[0]
    if sec.get(qn(soap, "actor")) is not None or sec.get(qn(soap, "role")) is not None:
        _fail("wsse:Security for another actor")
    allowed = {qn(NS_WSU, "Timestamp"), qn(NS_SAML, "Assertion"), qn(NS_WSSE, "SecurityTokenReference"),
               qn(NS_DS, "Signature"), qn(NS_WSSE, "BinarySecurityToken")}
    sec_kids = _children(sec)
    for k in sec_kids:
        if k.tag not in allowed:
            _fail("unexpected element %s in wsse:Security" % k.tag)

    def count(tag):
        return sum(1 for k in sec_kids if k.tag == tag)
    if count(qn(NS_WSU, "Timestamp")) != 1 or count(qn(NS_SAML, "Assertion")) != 1 \
            or count(qn(NS_DS, "Signature")) != 1 or count(qn(NS_WSSE, "SecurityTokenReference")) > 1 \
            or count(qn(NS_WSSE, "BinarySecurityToken")) > 1:
        _fail("wsse:Security must hold one Timestamp, one Assertion, one Signature, at most one STR")
    # document-wide: one of each, so nothing signed can hide elsewhere
    for tag, what in ((qn(soap, "Body"), "soap:Body"), (qn(NS_WSU, "Timestamp"), "wsu:Timestamp"),
                      (qn(NS_SAML, "Assertion"), "saml:Assertion"), (qn(NS_WSSE, "Security"), "wsse:Security")):
        if sum(1 for _ in root.iter(tag)) != 1:
            _fail("more than one %s in the document" % what)
    if any(name == "{http://www.w3.org/XML/1998/namespace}id" for _, name, _ in _elements_with_id_like_attributes(root)):
        _fail("xml:id not allowed")
    seen = set()
    for _, _, value in _elements_with_id_like_attributes(root):
        if value in seen:
            _fail("duplicate Id %r" % value)
        seen.add(value)
    timestamp = sec.find(qn(NS_WSU, "Timestamp"))
    assertion = sec.find(qn(NS_SAML, "Assertion"))
    str_el = sec.find(qn(NS_WSSE, "SecurityTokenReference"))
    signature = sec.find(qn(NS_DS, "Signature"))
    # -- the id registry: only wsu:Id of the elements the platform knows, by exact name
    registry = {}
    for el in [body, timestamp] + ([str_el] if str_el is not None else []) + [
            h for h in _children(header) if h.tag.startswith("{%s}" % NS_WSA) or h.tag == qn(NS_SBF, "Framework")]:
        v = el.get(WSU_ID)
        if v:
            registry[v] = el
    # -- assertion
    ainfo = verify_assertion(assertion, sts_certs, entity_ids=entity_ids, audiences=audiences, now=now, skew=skew)
    hok = load_cert(ainfo.hok_cert_der)
    # -- message signature
    if signature.find(qn(NS_DS, "Object")) is not None or signature.find(qn(NS_DS, "Manifest")) is not None:
        _fail("ds:Object/Manifest in the message signature")
    si, c14n_alg, incl, sig_alg, refs, value = _parse_signed_info(signature)
    if c14n_alg != C14N_EXC:
        _fail("message SignedInfo not exclusive c14n")
    if sig_alg not in (RSA_SHA256, ECDSA_SHA256):
        _fail("message SignatureMethod %s not allowed" % sig_alg)
    if not 2 <= len(refs) <= 8:
        _fail("message signature must have 2..8 References")

    def str_target(str_node):
        kis = str_node.findall(qn(NS_WSSE, "KeyIdentifier"))
        if len(kis) != 1 or kis[0].get("ValueType") != SAMLID_VALUE_TYPE or _text(kis[0]).strip() != ainfo.id:
            _fail("STR does not name the verified assertion")
        return assertion

    covered = []
    for _, uri, transforms, dalg, dv in refs:
        m = _REF_URI_RE.match(uri or "")
        if not m:
            _fail("Reference URI %r is not a same-document #id" % uri)
        target = registry.get(m.group(1))
        if target is None:
            _fail("Reference to unknown or unsignable id %r" % m.group(1))
        if m.group(1) in covered:
            _fail("two References to one id")
        if dalg != SHA256:
            _fail("DigestMethod %s not allowed" % dalg)
        algs = [t.algorithm for t in transforms]
        if target is str_el and algs == [STR_TRANSFORM]:
            if transforms[0].param != C14N_EXC:
                _fail("STR-Transform must use exclusive c14n")
        elif algs != [C14N_EXC]:
            _fail("transforms %s not allowed" % algs)
        try:
            data = run_transforms(target, transforms, str_deref=str_target)
        except ValueError as e:
            _fail("Reference #%s: %s" % (m.group(1), e))
        if digest(data, dalg) != dv:
            _fail("digest mismatch for #%s" % m.group(1))
        covered.append(m.group(1))
    if body.get(WSU_ID) not in covered or timestamp.get(WSU_ID) not in covered:
        _fail("signature does not cover soap:Body and wsu:Timestamp")
    # KeyInfo names the key, but the key is always the holder-of-key certificate
    ki = signature.find(qn(NS_DS, "KeyInfo"))
    ki_kids = _children(ki) if ki is not None else []
    if len(ki_kids) != 1:
        _fail("message KeyInfo must hold one key reference")
    k = ki_kids[0]
    if k.tag == qn(NS_WSSE, "SecurityTokenReference"):
        ref_el = k.find(qn(NS_WSSE, "Reference"))
        if ref_el is not None:
            bst = sec.find(qn(NS_WSSE, "BinarySecurityToken"))
            if bst is None or ref_el.get("URI") != "#" + (bst.get(WSU_ID) or "") \
                    or b64decode_strict(bst.text) != ainfo.hok_cert_der:
                _fail("KeyInfo certificate is not the holder-of-key certificate")
        else:
            str_target(k)
    elif k.tag == qn(NS_DS, "X509Data"):
        if _keyinfo_certs(signature) != [ainfo.hok_cert_der]:
            _fail("KeyInfo certificate is not the holder-of-key certificate")
    else:
        _fail("KeyInfo kind not accepted")
    _check_signature_value(si, c14n_alg, incl, sig_alg, value, hok.public_key())
    # -- freshness
    try:
        created = parse_xs_datetime(timestamp.findtext(qn(NS_WSU, "Created")))
        expires = parse_xs_datetime(timestamp.findtext(qn(NS_WSU, "Expires")))
    except ValueError as e:
        _fail("Timestamp: %s" % e)
    if created > now + skew:
        _fail("Timestamp Created in the future")
    if expires <= now:
        _fail("Timestamp expired")
    if expires - created > MAX_TIMESTAMP_LIFETIME or expires < created:
        _fail("Timestamp lifetime over 300 s")
    # -- replay: SHA-256 of the SignatureValue
    if replay_cache is not None:
        key = hashlib.sha256(value).hexdigest()
        for k_, exp in list(replay_cache.items()):
            if exp < now - skew:
                del replay_cache[k_]
        if key in replay_cache:
            _fail("replayed signature")
        replay_cache[key] = expires + skew
    # -- context
    hdr = req.find(qn(NS_KH, "Header"))
    code = hdr.findtext(qn(NS_KH, "Myndighedskode")) if hdr is not None else None
    ac = req.find(qn(NS_AC, "AuthorityContext"))
    ac_cvr = _text(ac.find(qn(NS_AC, "MunicipalityCVR"))).strip() if ac is not None and \
        ac.find(qn(NS_AC, "MunicipalityCVR")) is not None else None
    return RequestInfo(op, besked_id_of(req), code or "", ac_cvr, ainfo, covered, value, expires)


# --------------------------------------------------------------------------------------------
# The router's signed response
# --------------------------------------------------------------------------------------------


def verify_response(xml_bytes: bytes, signing_cert_pem, *, now: Optional[dt.datetime] = None,
                    skew: dt.timedelta = DEFAULT_SKEW, check_timestamp: bool = True,
                    require_signed_headers: bool = False) -> dict:
    """Check the ds:Signature of a response under the SAML model and raise VerificationError if
    anything is off: exclusive c14n SignedInfo, RSA-SHA256 (or ECDSA-SHA256) by the given
    certificate (a certificate in the message is only compared, never trusted), SHA-256
    digests of same-document #wsu:Id references with exc-c14n, unique ids, and the one
    soap:Body and the one wsu:Timestamp covered. With require_signed_headers, wsa:Action,
    wsa:MessageID, wsa:RelatesTo and sbf:Framework must be covered where present.
    Returns {"action", "messageId", "relatesTo", "signedIds", "signedElements", "created", "expires"}."""
    now = now or dt.datetime.now(dt.timezone.utc)
    cert = load_cert(signing_cert_pem)
    root = parse_secure(xml_bytes)
    if root.tag not in (qn(NS_SOAP11, "Envelope"), qn(NS_SOAP12, "Envelope")):
        _fail("not a SOAP envelope")
    soap = root.tag[1:].split("}")[0]
    kids = _children(root)
    headers = [k for k in kids if k.tag == qn(soap, "Header")]
    bodies = [k for k in kids if k.tag == qn(soap, "Body")]
    if len(headers) != 1 or len(bodies) != 1 or len(kids) != 2 or kids[0] is not headers[0]:
        _fail("envelope must be one soap:Header and one soap:Body")
    header, body = headers[0], bodies[0]
    if sum(1 for _ in root.iter(qn(soap, "Body"))) != 1:
        _fail("more than one soap:Body in the document")
    secs = header.findall(qn(NS_WSSE, "Security"))
    if len(secs) != 1 or sum(1 for _ in root.iter(qn(NS_WSSE, "Security"))) != 1:
        _fail("exactly one wsse:Security required")
    sec = secs[0]
    tss = sec.findall(qn(NS_WSU, "Timestamp"))
    if len(tss) != 1 or sum(1 for _ in root.iter(qn(NS_WSU, "Timestamp"))) != 1:
        _fail("exactly one wsu:Timestamp required")
    timestamp = tss[0]
    sigs = sec.findall(qn(NS_DS, "Signature"))
    if len(sigs) != 1 or sum(1 for _ in root.iter(qn(NS_DS, "Signature"))) != 1:
        _fail("exactly one ds:Signature required")
    signature = sigs[0]
    if signature.find(qn(NS_DS, "Object")) is not None:
        _fail("ds:Object in the signature")
    seen = {}
    for el, name, value in _elements_with_id_like_attributes(root):
        if value in seen:
            _fail("duplicate Id %r" % value)
        seen[value] = (el, name)
    registry = {}
    for el in [body, timestamp] + [h for h in _children(header) if h is not sec]:
        if el.get(WSU_ID):
            registry[el.get(WSU_ID)] = el
    si, c14n_alg, incl, sig_alg, refs, value = _parse_signed_info(signature)
    if c14n_alg != C14N_EXC:
        _fail("SignedInfo not exclusive c14n")
    if sig_alg not in (RSA_SHA256, ECDSA_SHA256):
        _fail("SignatureMethod %s not allowed" % sig_alg)
    covered = []
    for _, uri, transforms, dalg, dv in refs:
        m = _REF_URI_RE.match(uri or "")
        if not m:
            _fail("Reference URI %r is not a same-document #id" % uri)
        target = registry.get(m.group(1))
        if target is None:
            _fail("Reference to unknown id %r" % m.group(1))
        if m.group(1) in covered:
            _fail("two References to one id")
        if [t.algorithm for t in transforms] != [C14N_EXC]:
            _fail("transforms %s not allowed" % [t.algorithm for t in transforms])
        if dalg != SHA256:
            _fail("DigestMethod %s not allowed" % dalg)
        try:
            data = run_transforms(target, transforms)
        except ValueError as e:
            _fail("Reference #%s: %s" % (m.group(1), e))
        if digest(data, dalg) != dv:
            _fail("digest mismatch for #%s" % m.group(1))
        covered.append(m.group(1))
    if body.get(WSU_ID) not in covered:
        _fail("soap:Body not signed")
    if timestamp.get(WSU_ID) not in covered:
        _fail("wsu:Timestamp not signed")
    signed_elements = [registry[i].tag for i in covered]
    if require_signed_headers:
        for tag in (qn(NS_WSA, "Action"), qn(NS_WSA, "MessageID"), qn(NS_WSA, "RelatesTo"), qn(NS_SBF, "Framework")):
            el = header.find(tag)
            if el is not None and el.get(WSU_ID) not in covered:
                _fail("%s not signed" % tag)
    # a certificate carried in the message must be the expected one; the key is the given one
    der = cert_der(cert)
    for bst in sec.findall(qn(NS_WSSE, "BinarySecurityToken")):
        try:
            if b64decode_strict(bst.text) != der:
                _fail("BinarySecurityToken is not the expected signing certificate")
        except ValueError:
            _fail("BinarySecurityToken unreadable")
    for c in _keyinfo_certs(signature):
        if c != der:
            _fail("KeyInfo certificate is not the expected signing certificate")
    _check_signature_value(si, c14n_alg, incl, sig_alg, value, cert.public_key())
    try:
        created = parse_xs_datetime(timestamp.findtext(qn(NS_WSU, "Created")))
        expires_text = timestamp.findtext(qn(NS_WSU, "Expires"))
        expires = parse_xs_datetime(expires_text) if expires_text is not None else None
    except ValueError as e:
        _fail("Timestamp: %s" % e)
    if check_timestamp:
        if created > now + skew:
            _fail("Timestamp Created in the future")
        if expires is not None and expires <= now - skew:
            _fail("Timestamp expired")

    def hv(tag):
        el = header.find(tag)
        return _text(el).strip() if el is not None else None
    return {"action": hv(qn(NS_WSA, "Action")), "messageId": hv(qn(NS_WSA, "MessageID")),
            "relatesTo": hv(qn(NS_WSA, "RelatesTo")), "signedIds": covered,
            "signedElements": signed_elements, "created": created, "expires": expires}


def build_signed_response(signer: KeyPair, response_el, *, relates_to: Optional[str],
                          action: str = ACTION_RET + "Response", now: Optional[dt.datetime] = None) -> Message:
    """A response in the contract's shape (for testing verify_response): wsa:Action,
    wsa:MessageID, wsa:RelatesTo, sbf:Framework, wsse:Security with Timestamp,
    BinarySecurityToken and a Signature over Body, Timestamp and those headers."""
    now = now or utcnow()
    env = etree.Element(qn(NS_SOAP11, "Envelope"), nsmap=ENVELOPE_NSMAP)
    header = etree.SubElement(env, qn(NS_SOAP11, "Header"))
    wsa = {}
    for local, text in (("Action", action), ("MessageID", "urn:uuid:%s" % uuid.uuid4()), ("RelatesTo", relates_to)):
        if text is None:
            continue
        el = etree.SubElement(header, qn(NS_WSA, local), {WSU_ID: new_id(local.lower())})
        el.text = text
        wsa[local] = el
    fw = etree.SubElement(header, qn(NS_SBF, "Framework"),
                          {"version": "2.0", qn(NS_SBFPROFILE, "profile"): SBF_PROFILE_BASIC, WSU_ID: new_id("sbf")},
                          nsmap={"sbf": NS_SBF, "sbfprofile": NS_SBFPROFILE})
    sec = etree.SubElement(header, qn(NS_WSSE, "Security"), {qn(NS_SOAP11, "mustUnderstand"): "1"})
    ts = etree.SubElement(sec, qn(NS_WSU, "Timestamp"), {WSU_ID: new_id("ts")})
    etree.SubElement(ts, qn(NS_WSU, "Created")).text = xs_datetime(now, millis=True)
    etree.SubElement(ts, qn(NS_WSU, "Expires")).text = xs_datetime(now + MAX_TIMESTAMP_LIFETIME, millis=True)
    bst = etree.SubElement(sec, qn(NS_WSSE, "BinarySecurityToken"),
                           {WSU_ID: new_id("x509"), "ValueType": X509V3_VALUE_TYPE, "EncodingType": BASE64_ENCODING})
    bst.text = signer.cert_b64
    body = etree.SubElement(env, qn(NS_SOAP11, "Body"), {WSU_ID: new_id("body")})
    body.append(response_el)
    exc = [Transform(C14N_EXC)]
    refs = [RefSpec("#" + el.get(WSU_ID), el, exc) for el in list(wsa.values()) + [fw, ts, body]]

    def ki(k):
        s = etree.SubElement(k, qn(NS_WSSE, "SecurityTokenReference"))
        etree.SubElement(s, qn(NS_WSSE, "Reference"), {"URI": "#" + bst.get(WSU_ID), "ValueType": X509V3_VALUE_TYPE})
    msg = Message(env, header, sec, ts, None, None, body, response_el, wsa, fw)
    msg.signature = build_signature(sec, refs, signer.key, keyinfo=ki)
    return msg


# --------------------------------------------------------------------------------------------
# A permissive verifier: shows that an attack message really is the attack it claims to be
# --------------------------------------------------------------------------------------------


def _lenient_candidates(root, uri: str):
    """What a naive implementation may dereference for a URI: every element carrying an
    attribute named Id/ID/id in any namespace with that value (first, last, or any: a naive
    resolver picks one of them), the whole document for "", the id of an xpointer(id())."""
    if uri == "":
        return [root.getroottree()]
    m = re.match(r"^#xpointer\(id\('([^']*)'\)\)$", uri or "")
    frag = m.group(1) if m else (uri[1:] if uri and uri.startswith("#") else None)
    if frag is None:
        return []
    return [el for el, _, v in _elements_with_id_like_attributes(root) if v == frag]


def lenient_verify(signature, public_keys: Sequence, *, use_keyinfo: bool = True) -> bool:
    """True when the signature checks out for SOME resolution of each reference and SOME key
    among public_keys (plus, with use_keyinfo, any certificate in its KeyInfo): the view of a
    vulnerable verifier. Accepts any algorithm this module knows (sha1, rsa-md5, xslt, ...)."""
    root = signature.getroottree().getroot()
    try:
        si, c14n_alg, incl, sig_alg, refs, value = _parse_signed_info(signature)
    except VerificationError:
        return False
    keys = list(public_keys)
    if use_keyinfo:
        keys += [load_cert(d).public_key() for d in _keyinfo_certs(signature)]
    try:
        data = c14n(si, c14n_alg, incl)
    except ValueError:
        return False
    if not any(raw_verify(k, value, data, sig_alg) for k in keys):
        return False

    def str_deref(str_node):
        ki = str_node.find(qn(NS_WSSE, "KeyIdentifier"))
        target_id = _text(ki).strip() if ki is not None else None
        cands = [el for el, _, v in _elements_with_id_like_attributes(root)
                 if v == target_id and el.tag == qn(NS_SAML, "Assertion")]
        if not cands:
            raise ValueError("STR target not found")
        return cands[0]

    for _, uri, transforms, dalg, dv in refs:
        ok = False
        for cand in _lenient_candidates(root, uri):
            try:
                if any(t.algorithm == STR_TRANSFORM for t in transforms):
                    # try every assertion the STR could name, not only the first
                    ki = cand.find(qn(NS_WSSE, "KeyIdentifier"))
                    tid = _text(ki).strip() if ki is not None else None
                    tokens = [el for el, _, v in _elements_with_id_like_attributes(root)
                              if v == tid and el.tag == qn(NS_SAML, "Assertion")]
                    ok = any(digest(run_transforms(cand, transforms, str_deref=lambda _n, t=t: t), dalg) == dv
                             for t in tokens)
                else:
                    ok = digest(run_transforms(cand, transforms, signature_el=signature,
                                               str_deref=str_deref), dalg) == dv
            except (ValueError, etree.LxmlError, KeyError):
                ok = False
            if ok:
                break
        if not ok:
            return False
    return True


def naive_first_text(el) -> str:
    """What a naive reader takes as an element's value: its first text node only."""
    return (el.text or "").strip()
