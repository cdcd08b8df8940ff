/* The WS-Security STR-Dereference transform (STR-Transform), which libxmlsec1 does not have.
 *
 * OIO IDWS clients sign the assertion through the SecurityTokenReference that names it: the
 * reference's URI selects the STR, this transform replaces it by the token it refers to, and
 * the digest is over that token's exclusive c14n. Deliberately narrow:
 *   - its parameters must be exactly TransformationParameters/CanonicalizationMethod with
 *     exclusive c14n (anything else fails the transform, and with it the signature);
 *   - it dereferences only a SAMLID KeyIdentifier, and only to the assertion the caller already
 *     verified on this thread (cxmlsec_str_set_assertion); any other target fails.
 * Its output is binary (the canonical bytes), like xmlsec's own c14n transforms. */
#include "str_transform.h"
#include <string.h>
#include <libxml/tree.h>
#include <libxml/c14n.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/transforms.h>
#include <xmlsec/buffer.h>
#include <xmlsec/nodeset.h>

#define WSSE_NS "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define DS_NS "http://www.w3.org/2000/09/xmldsig#"
#define EXC_C14N "http://www.w3.org/2001/10/xml-exc-c14n#"
#define SAMLID "http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLID"

/* The one assertion an STR may resolve to, per verifying thread. */
static __thread xmlNodePtr str_assertion = NULL;

void cxmlsec_str_set_assertion(void *assertion) { str_assertion = (xmlNodePtr)assertion; }

static int is_element(xmlNodePtr node, const char *name, const char *ns) {
    return node != NULL && node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, BAD_CAST name) &&
           node->ns != NULL && xmlStrEqual(node->ns->href, BAD_CAST ns);
}

static xmlNodePtr first_element(xmlNodePtr node) {
    while (node != NULL && node->type != XML_ELEMENT_NODE) node = node->next;
    return node;
}

/* <ds:Transform><wsse:TransformationParameters><ds:CanonicalizationMethod Algorithm=exc-c14n/>. */
static int str_read_node(xmlSecTransformPtr transform, xmlNodePtr node, xmlSecTransformCtxPtr ctx) {
    (void)transform; (void)ctx;
    xmlNodePtr parameters = first_element(node->children);
    if (!is_element(parameters, "TransformationParameters", WSSE_NS)) return -1;
    if (first_element(parameters->next) != NULL) return -1;
    xmlNodePtr method = first_element(parameters->children);
    if (!is_element(method, "CanonicalizationMethod", DS_NS)) return -1;
    if (first_element(method->next) != NULL || first_element(method->children) != NULL) return -1;
    xmlChar *algorithm = xmlGetProp(method, BAD_CAST "Algorithm");
    int ok = algorithm != NULL && xmlStrEqual(algorithm, BAD_CAST EXC_C14N);
    if (algorithm != NULL) xmlFree(algorithm);
    return ok ? 0 : -1;
}

/* The STR the reference selected must name the verified assertion by its SAMLID. */
/* Collects the SecurityTokenReference elements the reference's node set contains; xmlsec's
   node sets are lists of sets combined by intersection/union, so membership is asked of
   xmlSecNodeSetContains rather than read from the structure. */
static void find_selected(xmlNodePtr node, xmlSecNodeSetPtr nodes, xmlNodePtr *found, int *count) {
    for (xmlNodePtr cur = node; cur != NULL && *count < 2; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE) continue;
        if (is_element(cur, "SecurityTokenReference", WSSE_NS) && xmlSecNodeSetContains(nodes, cur, cur->parent) == 1) {
            *found = cur;
            (*count)++;
        }
        find_selected(cur->children, nodes, found, count);
    }
}

static xmlNodePtr dereference(xmlSecNodeSetPtr nodes) {
    if (nodes == NULL || str_assertion == NULL || str_assertion->doc == NULL) return NULL;
    xmlNodePtr str = NULL;
    int count = 0;
    find_selected(xmlDocGetRootElement(str_assertion->doc), nodes, &str, &count);
    if (count != 1) return NULL;
    xmlNodePtr identifier = first_element(str->children);
    if (!is_element(identifier, "KeyIdentifier", WSSE_NS) || first_element(identifier->next) != NULL) return NULL;
    xmlChar *type = xmlGetProp(identifier, BAD_CAST "ValueType");
    int samlid = type != NULL && xmlStrEqual(type, BAD_CAST SAMLID);
    if (type != NULL) xmlFree(type);
    if (!samlid) return NULL;
    xmlChar *wanted = xmlNodeGetContent(identifier);
    xmlChar *actual = xmlGetProp(str_assertion, BAD_CAST "ID");
    int same = wanted != NULL && actual != NULL && xmlStrEqual(wanted, actual);
    if (wanted != NULL) xmlFree(wanted);
    if (actual != NULL) xmlFree(actual);
    return same ? str_assertion : NULL;
}

/* Visible: the assertion and everything inside it (attributes and namespaces by their element). */
static int in_assertion(void *root, xmlNodePtr node, xmlNodePtr parent) {
    xmlNodePtr cur = (node != NULL && (node->type == XML_NAMESPACE_DECL || node->type == XML_ATTRIBUTE_NODE)) ? parent : node;
    if (node != NULL && node->type == XML_NAMESPACE_DECL) cur = parent;
    while (cur != NULL) {
        if (cur == (xmlNodePtr)root) return 1;
        cur = cur->parent;
    }
    return 0;
}

static int canonicalize_into(xmlSecTransformPtr transform, xmlSecNodeSetPtr nodes, xmlOutputBufferPtr buffer) {
    xmlNodePtr assertion = dereference(nodes);
    if (assertion == NULL) return -1;
    int ret = xmlC14NExecute(assertion->doc, (xmlC14NIsVisibleCallback)in_assertion, assertion,
                             XML_C14N_EXCLUSIVE_1_0, NULL, 0, buffer);
    (void)transform;
    return ret < 0 ? -1 : 0;
}

static int str_push_xml(xmlSecTransformPtr transform, xmlSecNodeSetPtr nodes, xmlSecTransformCtxPtr ctx) {
    if (transform->status == xmlSecTransformStatusWorking || transform->status == xmlSecTransformStatusFinished) return 0;
    if (transform->status != xmlSecTransformStatusNone) return -1;
    transform->status = xmlSecTransformStatusWorking;
    xmlOutputBufferPtr buffer = transform->next != NULL ? xmlSecTransformCreateOutputBuffer(transform->next, ctx)
                                                         : xmlSecBufferCreateOutputBuffer(&(transform->outBuf));
    if (buffer == NULL) return -1;
    if (canonicalize_into(transform, nodes, buffer) < 0) {
        (void)xmlOutputBufferClose(buffer);
        return -1;
    }
    if (xmlOutputBufferClose(buffer) < 0) return -1;
    transform->status = xmlSecTransformStatusFinished;
    return 0;
}

static int str_pop_bin(xmlSecTransformPtr transform, xmlSecByte *data, xmlSecSize maxSize, xmlSecSize *size, xmlSecTransformCtxPtr ctx) {
    xmlSecBufferPtr out = &(transform->outBuf);
    if (transform->status == xmlSecTransformStatusNone) {
        if (transform->prev == NULL) return -1;
        if (xmlSecTransformPopXml(transform->prev, &(transform->inNodes), ctx) < 0) return -1;
        xmlOutputBufferPtr buffer = xmlSecBufferCreateOutputBuffer(out);
        if (buffer == NULL) return -1;
        if (canonicalize_into(transform, transform->inNodes, buffer) < 0) {
            (void)xmlOutputBufferClose(buffer);
            return -1;
        }
        if (xmlOutputBufferClose(buffer) < 0) return -1;
        transform->status = xmlSecTransformStatusWorking;
    }
    if (transform->status == xmlSecTransformStatusWorking) {
        xmlSecSize chunk = xmlSecBufferGetSize(out);
        if (chunk > maxSize) chunk = maxSize;
        if (chunk > XMLSEC_TRANSFORM_BINARY_CHUNK) chunk = XMLSEC_TRANSFORM_BINARY_CHUNK;
        if (chunk > 0) {
            memcpy(data, xmlSecBufferGetData(out), chunk);
            if (xmlSecBufferRemoveHead(out, chunk) < 0) return -1;
        } else {
            transform->status = xmlSecTransformStatusFinished;
        }
        *size = chunk;
        return 0;
    }
    if (transform->status == xmlSecTransformStatusFinished) {
        *size = 0;
        return 0;
    }
    return -1;
}

static xmlSecTransformKlass str_transform_klass = {
    sizeof(xmlSecTransformKlass),
    sizeof(xmlSecTransform),
    BAD_CAST "STR-Transform",
    BAD_CAST "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#STR-Transform",
    xmlSecTransformUsageDSigTransform,
    NULL,                               /* initialize */
    NULL,                               /* finalize */
    str_read_node,
    NULL,                               /* writeNode */
    NULL,                               /* setKeyReq */
    NULL,                               /* setKey */
    NULL,                               /* validate */
    xmlSecTransformDefaultGetDataType,
    NULL,                               /* pushBin */
    str_pop_bin,
    str_push_xml,
    NULL,                               /* popXml */
    NULL,                               /* execute */
    NULL,
    NULL,
};

void *cxmlsec_str_transform_klass(void) { return (void *)&str_transform_klass; }

int cxmlsec_str_transform_register(void) {
    return xmlSecTransformIdsRegister(&str_transform_klass) < 0 ? -1 : 0;
}
