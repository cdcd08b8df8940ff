#ifndef CXMLSECSHIMS_H
#define CXMLSECSHIMS_H
#include <stddef.h>
/* XML Signature through libxmlsec1, narrowed to what the platform allows. Pointers to libxml2
   and xmlsec objects cross as void * (see CXMLShims.h for why). */

/// Initialises xmlsec and its OpenSSL engine once; 0 on success. Must run before the
/// platform's own entity loader is installed (xmlsec installs one of its own).
int cxmlsec_init(void);

/// A public key from a DER certificate (xmlSecKeyPtr), NULL when unreadable.
void *cxmlsec_key_from_certificate_der(const unsigned char *der, size_t length);
/// A private key from PEM (PKCS#8 or traditional), NULL when unreadable.
void *cxmlsec_key_from_private_pem(const unsigned char *pem, size_t length);
/// A private key from a PKCS#12 bundle protected by `password`, NULL when unreadable.
void *cxmlsec_key_from_pkcs12(const unsigned char *data, size_t length, const char *password);
void cxmlsec_key_free(void *key);

enum {
    /// A SAML assertion's enveloped signature: enveloped-signature + exclusive c14n transforms.
    CXMLSEC_PROFILE_ENVELOPED = 1,
    /// A WS-Security message signature: exclusive c14n transforms only.
    CXMLSEC_PROFILE_DETACHED = 2
};

#define CXMLSEC_MAX_REFERENCES 16

typedef struct {
    /// 1 when the signature and every reference verified.
    int succeeded;
    int reference_count;
    /// Each reference's URI as written (e.g. "#id"), in SignedInfo order.
    char uris[CXMLSEC_MAX_REFERENCES][256];
    /// A fixed, input-free reason when it failed.
    char reason[128];
} cxmlsec_verification;

/// Verifies `signature` (a ds:Signature xmlNodePtr) with `key` only (KeyInfo is never read),
/// allowing only the profile's transforms, exclusive c14n, RSA-SHA256 / ECDSA-SHA256 and
/// SHA-256, and same-document references. Returns 0 when it ran; see `out->succeeded`.
int cxmlsec_verify(void *signature, void *key, int profile, cxmlsec_verification *out);

/// As `cxmlsec_verify`, and a reference with the STR-Transform may dereference to `assertion`
/// (an already verified saml:Assertion xmlNodePtr) and to nothing else.
int cxmlsec_verify_with_assertion(void *signature, void *key, int profile, void *assertion, cxmlsec_verification *out);

/// Signs a ds:Signature template (SignedInfo with References, empty DigestValue and
/// SignatureValue) in place with `key`. Returns 0 on success.
int cxmlsec_sign(void *signature, void *key);

/// As `cxmlsec_sign`, for a message signature whose STR-Transform reference dereferences to
/// `assertion` (the OIO IDWS client layout).
int cxmlsec_sign_with_assertion(void *signature, void *key, void *assertion);
/// A PKCS#12 bundle (PBES2: AES-256-CBC + PBKDF2, SHA-256 MAC) of a PEM certificate, its PEM
/// private key and optional PEM CA certificates, protected by `password`. On success (0) `*out`
/// is a malloc'd DER buffer the caller frees with free(). Errors: -1 certificate unreadable,
/// -2 key unreadable, -3 key does not match the certificate, -4 CA unreadable, -5 other.
int cxmlsec_pkcs12_create(const char *certPem, const char *keyPem, const char *caPem, const char *friendlyName,
                          const char *password, unsigned char **out, size_t *outLength);
#endif
