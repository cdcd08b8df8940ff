#!/usr/bin/env python3
"""Writes the benchmark's message templates: every BeskedID, BevillingID and TransaktionsID is
the placeholder {{uuid}}, which the generator replaces with a fresh UUID on every call (the
router replays its stored receipt for a repeated BeskedID, which would not measure forwarding).

For each size it writes two files (three for sizes without -hdr):
  caller-SIZE.xml     what a caller sends to the router (row c): SOAP 1.1 around the request
                      element with CallContext and AuthorityContext;
  saml-payload-SIZE.xml  the request element alone, without AuthorityContext (the token names
                      the municipality): `serviceplatform bench-presign` wraps it in the signed
                      OIO IDWS envelope for the SAML rows (d) and (e) and the hot-path benchmark;
  forwarded-SIZE.xml  what the router forwards to the jobcenter (rows a and b): SOAP 1.1 with
                      the sp:Routing header and the request element holding only kh:Header and
                      kh:Body.

Sizes: the message schema caps every free-text field (CallContext strings 255 characters,
AfsenderSystem 100, SagID and KontaktforloebID 64) and has no repeatable element in a request,
so a schema-valid RetBevilling cannot reach 10 KB or 100 KB:
Messages are indented two spaces a level, as the fixtures are.
  1k    the minimal valid message (no CallContext, no optional body elements);
  3k    the largest valid message in ASCII: every optional element present, every free-text
        field at its maximum length (the headline message);
  5k    the largest valid message in bytes: the same fields filled with 4-byte UTF-8
        characters (the limits count characters, not bytes);
  10k-hdr, 100k-hdr  the 3k message plus SOAP header blocks (no mustUnderstand) that a SOAP
        node ignores: valid SOAP, but the size is not message content; the router parses and
        drops them, so these rows show how its parsing scales, nothing more.
Each caller message's request element is checked against wsdl/Kontanthjaelp_2.xsd with
xmllint before it is used.
"""
import json
import os
import subprocess
import sys
import tempfile
import uuid
import xml.etree.ElementTree as ET

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
KH = "urn:serviceplatform:jc:kontanthjaelp:2"
AC = "http://serviceplatformen.dk/xml/schemas/AuthorityContext/1/"
CC = "http://serviceplatformen.dk/xml/schemas/CallContext/1/"
SP = "urn:serviceplatform:routing:1"
U = "{{uuid}}"
CVR = "64942212"   # Koebenhavns Kommune
CODE = "101"


def fill(prefix, length, char="x"):
    """A text of exactly `length` characters starting with `prefix`."""
    return (prefix + char * length)[:length] if len(char) == 1 else prefix + char * (length - len(prefix))


def header(afsender):
    return (f"<kh:Header><kh:BeskedID>{U}</kh:BeskedID><kh:BeskedTidspunkt>2026-11-28T10:00:00+01:00</kh:BeskedTidspunkt>"
            f"<kh:AfsenderSystem>{afsender}</kh:AfsenderSystem><kh:Myndighedskode>{CODE}</kh:Myndighedskode>"
            f"<kh:CPRNummer>0101901234</kh:CPRNummer></kh:Header>")


def body(full, sag="", kontakt=""):
    optional = ""
    if full:
        optional = (f"<kh:Jobcentersag><kh:SagID>{sag}</kh:SagID></kh:Jobcentersag>"
                    f"<kh:Kontaktforloeb><kh:KontaktforloebID>{kontakt}</kh:KontaktforloebID></kh:Kontaktforloeb>")
    return (f"<kh:Body><kh:Bevilling><kh:BevillingID>{U}</kh:BevillingID>"
            f"<kh:Ydelsestype>{'Selvforsoergelsesydelse' if full else 'Kontanthjaelp'}</kh:Ydelsestype>"
            f"<kh:Status>Afgjort</kh:Status><kh:AfgoerelsesDato>2026-11-27</kh:AfgoerelsesDato>"
            f"<kh:Virkning><kh:FraDato>2026-12-01</kh:FraDato>{'<kh:TilDato>2027-05-31</kh:TilDato>' if full else ''}</kh:Virkning>"
            f"{optional}</kh:Bevilling></kh:Body>")


def message(kind):
    """(context markup, header, body) for a size kind."""
    if kind == "1k":
        return "", header("KY"), body(False)
    char = "x" if kind == "3k" else "\U0001F600"   # 4-byte UTF-8 for the byte-maximal message
    def text(prefix, n):
        return prefix + char * (n - len(prefix))
    context = (f"<cc:CallContext><cc:OnBehalfOfUser>{text('KBH-SAGSBEH-4711-', 255)}</cc:OnBehalfOfUser>"
               f"<cc:CallersServiceCallIdentifier>{text('KY-2026-11-28-000123-', 255)}</cc:CallersServiceCallIdentifier>"
               f"<cc:AccountingInfo>{text('Koebenhavns Kommune, Beskaeftigelses- og Integrationsforvaltningen ', 255)}</cc:AccountingInfo>"
               f"</cc:CallContext>")
    return context, header(text("KY ", 100)), body(True, text("JC-KBH-2026-004512-", 64), text("KF-0101901234-0007-", 64))


def request_element(context, hdr, bdy, with_authority=True):
    authority = f"<ac:AuthorityContext><ac:MunicipalityCVR>{CVR}</ac:MunicipalityCVR></ac:AuthorityContext>" if with_authority else ""
    return (f'<kh:RetBevillingRequest xmlns:kh="{KH}" xmlns:ac="{AC}" xmlns:cc="{CC}">'
            f"{context}{authority}{hdr}{bdy}</kh:RetBevillingRequest>")


def padding(total_bytes):
    """SOAP header blocks without mustUnderstand, about `total_bytes` long."""
    block = '<x:Note xmlns:x="urn:bench:padding">' + "p" * 960 + "</x:Note>"
    return block * max(1, total_bytes // len(block))


def caller(kind):
    base = "3k" if kind.endswith("-hdr") else kind
    context, hdr, bdy = message(base)
    soap_header = ""
    if kind.endswith("-hdr"):
        target = {"10k-hdr": 10_000, "100k-hdr": 100_000}[kind]
        core = request_element(context, hdr, bdy)
        soap_header = f"<soap:Header>{padding(target - len(core.encode()) - 200)}</soap:Header>"
    return f'<soap:Envelope xmlns:soap="{SOAP}">{soap_header}<soap:Body>{request_element(context, hdr, bdy)}</soap:Body></soap:Envelope>'


def saml_payload(kind):
    context, hdr, bdy = message(kind)
    return request_element(context, hdr, bdy, with_authority=False)


def forwarded(kind):
    base = "3k" if kind.endswith("-hdr") else kind
    _, hdr, bdy = message(base)
    routing = (f'<sp:Routing xmlns:sp="{SP}"><sp:TransaktionsID>{U}</sp:TransaktionsID><sp:AnvenderSystem>ky-demo</sp:AnvenderSystem>'
               f"<sp:MunicipalityCVR>{CVR}</sp:MunicipalityCVR><sp:Sikkerhedsmodel>AuthorityContext</sp:Sikkerhedsmodel></sp:Routing>")
    return (f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Header>{routing}</soap:Header>'
            f'<soap:Body><kh:RetBevillingRequest xmlns:kh="{KH}">{hdr}{bdy}</kh:RetBevillingRequest></soap:Body></soap:Envelope>')


def indented(text):
    """The envelope indented two spaces a level, as the fixtures and most SOAP stacks write it."""
    for prefix, uri in (("soap", SOAP), ("kh", KH), ("ac", AC), ("cc", CC), ("sp", SP), ("x", "urn:bench:padding")):
        ET.register_namespace(prefix, uri)
    root = ET.fromstring(text)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="unicode")


def schema_check(xsd, kind):
    """xmllint the caller's request element (placeholders filled) against the message XSD."""
    context, hdr, bdy = message("3k" if kind.endswith("-hdr") else kind)
    element = request_element(context, hdr, bdy).replace(U, str(uuid.uuid4()))
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False, encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n' + element)
        path = f.name
    try:
        result = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", xsd, path], capture_output=True, text=True)
    except FileNotFoundError:
        return "xmllint missing: not checked"
    finally:
        os.unlink(path)
    if result.returncode != 0:
        sys.exit(f"message {kind} fails the schema: {result.stderr.strip()}")
    return "valid"


def main():
    out, xsd, kinds = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    sizes = {}
    for kind in kinds:
        files = [("caller", caller(kind)), ("forwarded", forwarded(kind))]
        if not kind.endswith("-hdr"):
            files.append(("saml-payload", saml_payload(kind)))
        for name, text in files:
            data = indented(text).encode("utf-8")
            with open(os.path.join(out, f"{name}-{kind}.xml"), "wb") as f:
                f.write(data)
            # A UUID is 36 bytes where the 8-byte placeholder stands.
            sizes[f"{name}-{kind}"] = len(data) + data.count(U.encode()) * (36 - len(U))
        sizes[f"schema-{kind}"] = schema_check(xsd, kind)
    json.dump(sizes, sys.stdout)


if __name__ == "__main__":
    main()
