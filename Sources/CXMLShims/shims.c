#include "CXMLShims.h"
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <string.h>

static char schema_dir[4096];
static xmlExternalEntityLoader default_loader = NULL;

static xmlParserInputPtr guarded_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt) {
    if (url == NULL || schema_dir[0] == 0 || default_loader == NULL) return NULL;
    const char *path = url;
    if (strncmp(path, "file://", 7) == 0) path += 7;
    size_t n = strlen(schema_dir);
    if (strncmp(path, schema_dir, n) != 0) return NULL;
    if (strstr(path, "..") != NULL) return NULL;
    return default_loader(path, id, ctxt);
}

void cxmlshims_install_guarded_loader(const char *schemaDir) {
    if (default_loader == NULL) default_loader = xmlGetExternalEntityLoader();
    schema_dir[0] = 0;
    if (schemaDir != NULL && strlen(schemaDir) < sizeof(schema_dir)) strcpy(schema_dir, schemaDir);
    xmlSetExternalEntityLoader(guarded_loader);
}

static void capture_structured(void *ctx, xmlErrorPtr err) {
    cxmlshims_first_error *first = (cxmlshims_first_error *)ctx;
    if (first == NULL || first->captured || err == NULL) return;
    first->captured = 1;
    xmlNodePtr node = (xmlNodePtr)err->node;
    if (node != NULL && node->type == XML_ELEMENT_NODE && node->name != NULL) {
        strncpy(first->element, (const char *)node->name, sizeof(first->element) - 1);
        first->element[sizeof(first->element) - 1] = 0;
    }
}

void cxmlshims_capture_schema_errors(void *ctxt, cxmlshims_first_error *first) {
    xmlSchemaSetValidStructuredErrors((xmlSchemaValidCtxtPtr)ctxt, capture_structured, first);
}
