#ifndef CXMLSEC_STR_TRANSFORM_H
#define CXMLSEC_STR_TRANSFORM_H
/* Internal to CXMLSecShims: the STR-Transform klass (see str_transform.c). */
void *cxmlsec_str_transform_klass(void);
int cxmlsec_str_transform_register(void);
void cxmlsec_str_set_assertion(void *assertion);
#endif
