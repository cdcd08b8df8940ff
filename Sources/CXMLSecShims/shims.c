#include "CXMLSecShims.h"
#include <string.h>
#include <libxml/tree.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/transforms.h>
#include <xmlsec/keys.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>

static int initialised = 0;

/* xmlsec prints every failure; for untrusted input that is noise (and could echo input). */
static void silent_errors(const char *file, int line, const char *func, const char *errorObject,
                          const char *errorSubject, int reason, const char *msg) {
    (void)file; (void)line; (void)func; (void)errorObject; (void)errorSubject; (void)reason; (void)msg;
}

int cxmlsec_init(void) {
    if (initialised) return 0;
    if (xmlSecInit() < 0) return -1;
    if (xmlSecCheckVersion() != 1) return -2;
    if (xmlSecOpenSSLAppInit(NULL) < 0) return -3;
    if (xmlSecOpenSSLInit() < 0) return -4;
    /* No reference may open a file or URL: drop every I/O callback. */
    xmlSecIOCleanupCallbacks();
    xmlSecErrorsSetCallback(silent_errors);
    initialised = 1;
    return 0;
}

void *cxmlsec_key_from_certificate_der(const unsigned char *der, size_t length) {
    return xmlSecOpenSSLAppKeyLoadMemory(der, (xmlSecSize)length, xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
}

void *cxmlsec_key_from_private_pem(const unsigned char *pem, size_t length) {
    return xmlSecOpenSSLAppKeyLoadMemory(pem, (xmlSecSize)length, xmlSecKeyDataFormatPem, NULL, NULL, NULL);
}

void *cxmlsec_key_from_pkcs12(const unsigned char *data, size_t length, const char *password) {
    return xmlSecOpenSSLAppKeyLoadMemory(data, (xmlSecSize)length, xmlSecKeyDataFormatPkcs12, password, NULL, NULL);
}

void cxmlsec_key_free(void *key) {
    if (key != NULL) xmlSecKeyDestroy((xmlSecKeyPtr)key);
}

static int allow_transforms(xmlSecDSigCtxPtr ctx, int profile) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformExclC14NId) < 0) return -1;
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformRsaSha256Id) < 0) return -1;
    if (xmlSecDSigCtxEnableSignatureTransform(ctx, xmlSecTransformEcdsaSha256Id) < 0) return -1;
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformExclC14NId) < 0) return -1;
    if (xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformSha256Id) < 0) return -1;
    if (profile == CXMLSEC_PROFILE_ENVELOPED &&
        xmlSecDSigCtxEnableReferenceTransform(ctx, xmlSecTransformEnvelopedId) < 0) return -1;
    return 0;
}

static xmlSecDSigCtxPtr new_context(xmlSecKeyPtr key, int profile) {
    xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) return NULL;
    ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
    ctx->flags = XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
    /* The key is lent, not duplicated (duplicating costs ~0.3 ms); taken back before destroy.
       With signKey set, xmlsec does not read KeyInfo at all. */
    ctx->signKey = key;
    /* No key data may come from the document. */
    ctx->keyInfoReadCtx.flags = 0;
    if (allow_transforms(ctx, profile) < 0) {
        ctx->signKey = NULL;
        xmlSecDSigCtxDestroy(ctx);
        return NULL;
    }
    return ctx;
}

static void release_context(xmlSecDSigCtxPtr ctx) {
    ctx->signKey = NULL;
    xmlSecDSigCtxDestroy(ctx);
}

int cxmlsec_verify(void *signature, void *key, int profile, cxmlsec_verification *out) {
    memset(out, 0, sizeof(*out));
    if (!initialised || signature == NULL || key == NULL) {
        strcpy(out->reason, "not initialised or no key");
        return -1;
    }
    xmlSecDSigCtxPtr ctx = new_context((xmlSecKeyPtr)key, profile);
    if (ctx == NULL) {
        strcpy(out->reason, "context");
        return -1;
    }
    int rc = xmlSecDSigCtxVerify(ctx, (xmlNodePtr)signature);
    if (rc < 0) {
        strcpy(out->reason, "the signature could not be processed");
        release_context(ctx);
        return 0;
    }
    /* xmlSecDSigCtxVerify returns 0 for a bad signature too: the status decides. */
    if (ctx->status != xmlSecDSigStatusSucceeded) {
        strcpy(out->reason, "the signature value does not verify");
        release_context(ctx);
        return 0;
    }
    xmlSecSize count = xmlSecPtrListGetSize(&(ctx->signedInfoReferences));
    if (count == 0 || count > CXMLSEC_MAX_REFERENCES) {
        strcpy(out->reason, "wrong number of references");
        release_context(ctx);
        return 0;
    }
    for (xmlSecSize i = 0; i < count; i++) {
        xmlSecDSigReferenceCtxPtr ref = (xmlSecDSigReferenceCtxPtr)xmlSecPtrListGetItem(&(ctx->signedInfoReferences), i);
        if (ref == NULL || ref->status != xmlSecDSigStatusSucceeded || ref->uri == NULL) {
            strcpy(out->reason, "a reference does not verify");
            release_context(ctx);
            return 0;
        }
        strncpy(out->uris[i], (const char *)ref->uri, sizeof(out->uris[i]) - 1);
    }
    out->reference_count = (int)count;
    out->succeeded = 1;
    release_context(ctx);
    return 0;
}

int cxmlsec_sign(void *signature, void *key) {
    if (!initialised || signature == NULL || key == NULL) return -1;
    xmlSecDSigCtxPtr ctx = new_context((xmlSecKeyPtr)key, CXMLSEC_PROFILE_ENVELOPED);
    if (ctx == NULL) return -1;
    int rc = xmlSecDSigCtxSign(ctx, (xmlNodePtr)signature);
    release_context(ctx);
    return rc < 0 ? -1 : 0;
}
