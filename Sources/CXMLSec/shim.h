#ifndef CXMLSEC_SHIM_H
#define CXMLSEC_SHIM_H
/* The xmlsec1 system library (OpenSSL engine). Swift calls it only through CXMLSecShims, whose
   header is free of xmlsec/libxml2 types; this module exists for the pkg-config flags
   (-DXMLSEC_NO_SIZE_T etc., which must match the library's struct layout) and the link. */
#endif
