#include "CXMLShims.h"
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdlib.h>
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
    const char *wanted = (schemaDir != NULL && strlen(schemaDir) < sizeof(schema_dir)) ? schemaDir : "";
    /* The same directory again (every platform in a process sets it): leave the text alone, so a
       loader running on another thread never sees it half written. */
    if (strcmp(schema_dir, wanted) != 0) {
        schema_dir[0] = 0;
        strcpy(schema_dir, wanted);
    }
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

/* ---- exclusive c14n of one subtree ---- */
#include <libxml/c14n.h>

static int cxmlshims_in_subtree(void *root, xmlNodePtr node, xmlNodePtr parent) {
    /* Namespace nodes arrive with their element as `parent`; others are walked up. */
    xmlNodePtr at = (node != NULL && node->type == XML_NAMESPACE_DECL) ? parent : node;
    for (; at != NULL; at = at->parent) {
        if (at == (xmlNodePtr)root) return 1;
    }
    return 0;
}

int cxmlshims_exclusive_c14n(void *doc, void *node, unsigned char **out) {
    *out = NULL;
    if (doc == NULL || node == NULL) return -1;
    xmlOutputBufferPtr buffer = xmlAllocOutputBuffer(NULL);
    if (buffer == NULL) return -1;
    int rc = xmlC14NExecute((xmlDocPtr)doc, cxmlshims_in_subtree, node, XML_C14N_EXCLUSIVE_1_0, NULL, 1, buffer);
    if (rc < 0) { xmlOutputBufferClose(buffer); return -1; }
    const xmlChar *content = xmlOutputBufferGetContent(buffer);
    size_t size = xmlOutputBufferGetSize(buffer);
    unsigned char *copy = malloc(size > 0 ? size : 1);
    if (copy == NULL) { xmlOutputBufferClose(buffer); return -1; }
    memcpy(copy, content, size);
    xmlOutputBufferClose(buffer);
    *out = copy;
    return (int)size;
}

void cxmlshims_free(void *pointer) { free(pointer); }
