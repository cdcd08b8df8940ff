#include "CXMLSecShims.h"
#include "str_transform.h"
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
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
    (void)file; (void)line; (void)errorObject; (void)errorSubject; (void)reason;
    /* For developers only: CXMLSEC_DEBUG=1 prints xmlsec's reasons (never on in production). */
    if (getenv("CXMLSEC_DEBUG") != NULL) fprintf(stderr, "xmlsec: %s: %s\n", func ? func : "", msg ? msg : "");
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
    if (cxmlsec_str_transform_register() < 0) return -5;
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
    if (profile == CXMLSEC_PROFILE_DETACHED &&
        xmlSecDSigCtxEnableReferenceTransform(ctx, (xmlSecTransformId)cxmlsec_str_transform_klass()) < 0) return -1;
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
    cxmlsec_str_set_assertion(NULL);
    ctx->signKey = NULL;
    xmlSecDSigCtxDestroy(ctx);
}

int cxmlsec_verify(void *signature, void *key, int profile, cxmlsec_verification *out) {
    return cxmlsec_verify_with_assertion(signature, key, profile, NULL, out);
}

int cxmlsec_verify_with_assertion(void *signature, void *key, int profile, void *assertion, cxmlsec_verification *out) {
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
    /* Only now: release_context clears it on every path from here. */
    cxmlsec_str_set_assertion(assertion);
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
    return cxmlsec_sign_with_assertion(signature, key, NULL);
}

int cxmlsec_sign_with_assertion(void *signature, void *key, void *assertion) {
    if (!initialised || signature == NULL || key == NULL) return -1;
    xmlSecDSigCtxPtr ctx = new_context((xmlSecKeyPtr)key, assertion != NULL ? CXMLSEC_PROFILE_DETACHED : CXMLSEC_PROFILE_ENVELOPED);
    if (ctx == NULL) return -1;
    cxmlsec_str_set_assertion(assertion);
    int rc = xmlSecDSigCtxSign(ctx, (xmlNodePtr)signature);
    release_context(ctx);
    return rc < 0 ? -1 : 0;
}

/* ---- PKCS#12 (self-service test certificates) ------------------------------------------- */
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/evp.h>
#include <openssl/err.h>

int cxmlsec_pkcs12_create(const char *certPem, const char *keyPem, const char *caPem, const char *friendlyName,
                          const char *password, unsigned char **out, size_t *outLength) {
    if (certPem == NULL || keyPem == NULL || password == NULL || out == NULL || outLength == NULL) return -5;
    *out = NULL;
    *outLength = 0;
    int rc = -5;
    X509 *cert = NULL;
    EVP_PKEY *key = NULL;
    STACK_OF(X509) *chain = NULL;
    PKCS12 *p12 = NULL;
    unsigned char *der = NULL;
    BIO *bio = BIO_new_mem_buf(certPem, -1);
    if (bio == NULL) goto done;
    cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (cert == NULL) { rc = -1; goto done; }
    bio = BIO_new_mem_buf(keyPem, -1);
    if (bio == NULL) goto done;
    /* A NULL password callback with an empty passphrase: an encrypted key is unreadable here. */
    key = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
    BIO_free(bio);
    if (key == NULL) { rc = -2; goto done; }
    if (X509_check_private_key(cert, key) != 1) { rc = -3; goto done; }
    if (caPem != NULL && caPem[0] != '\0') {
        chain = sk_X509_new_null();
        if (chain == NULL) goto done;
        bio = BIO_new_mem_buf(caPem, -1);
        if (bio == NULL) goto done;
        X509 *ca;
        while ((ca = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
            if (!sk_X509_push(chain, ca)) { X509_free(ca); BIO_free(bio); goto done; }
        }
        BIO_free(bio);
        if (sk_X509_num(chain) == 0) { rc = -4; goto done; }
    }
    ERR_clear_error();
    /* PBES2: AES-256-CBC with PBKDF2 (HMAC-SHA256) for key and certificates; SHA-256 MAC. */
    p12 = PKCS12_create(password, friendlyName, key, cert, chain, NID_aes_256_cbc, NID_aes_256_cbc,
                        PKCS12_DEFAULT_ITER, PKCS12_DEFAULT_ITER, 0);
    if (p12 == NULL) goto done;
    int length = i2d_PKCS12(p12, &der);
    if (length <= 0 || der == NULL) goto done;
    *out = malloc((size_t)length);
    if (*out == NULL) goto done;
    memcpy(*out, der, (size_t)length);
    *outLength = (size_t)length;
    rc = 0;
done:
    ERR_clear_error();
    if (der != NULL) OPENSSL_free(der);
    if (p12 != NULL) PKCS12_free(p12);
    if (chain != NULL) sk_X509_pop_free(chain, X509_free);
    if (key != NULL) EVP_PKEY_free(key);
    if (cert != NULL) X509_free(cert);
    return rc;
}
