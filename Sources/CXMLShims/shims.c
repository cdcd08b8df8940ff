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

/* ---- one subtree written out on its own, some of its parts left out ---- */
typedef struct {
    unsigned char *data;
    size_t length, capacity;
    int failed;
} cxmlshims_buffer;

static void buffer_put(cxmlshims_buffer *b, const void *bytes, size_t count) {
    if (b->failed || count == 0) return;
    if (b->length + count > b->capacity) {
        size_t capacity = b->capacity > 0 ? b->capacity : 4096;
        while (capacity < b->length + count) capacity *= 2;
        unsigned char *grown = realloc(b->data, capacity);
        if (grown == NULL) { b->failed = 1; return; }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->length, bytes, count);
    b->length += count;
}

static void buffer_text(cxmlshims_buffer *b, const char *text) { buffer_put(b, text, strlen(text)); }

/* Character data escaped as canonical XML escapes it: text `& < > CR`; attribute values also
   `" TAB LF` (an attribute value's line breaks and tabs would be normalised away otherwise). */
static void buffer_escaped(cxmlshims_buffer *b, const xmlChar *text, int attribute) {
    if (text == NULL) return;
    const xmlChar *run = text, *at = text;
    for (; *at != 0; at++) {
        const char *entity = NULL;
        switch (*at) {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = attribute ? NULL : "&gt;"; break;
        case '"': entity = attribute ? "&quot;" : NULL; break;
        case '\r': entity = "&#xD;"; break;
        case '\n': entity = attribute ? "&#xA;" : NULL; break;
        case '\t': entity = attribute ? "&#x9;" : NULL; break;
        default: break;
        }
        if (entity != NULL) {
            buffer_put(b, run, (size_t)(at - run));
            buffer_text(b, entity);
            run = at + 1;
        }
    }
    buffer_put(b, run, (size_t)(at - run));
}

static void buffer_qname(cxmlshims_buffer *b, xmlNsPtr ns, const xmlChar *name) {
    if (ns != NULL && ns->prefix != NULL) {
        buffer_text(b, (const char *)ns->prefix);
        buffer_put(b, ":", 1);
    }
    buffer_text(b, (const char *)name);
}

static void buffer_declaration(cxmlshims_buffer *b, xmlNsPtr ns) {
    if (ns->prefix != NULL) {
        buffer_text(b, " xmlns:");
        buffer_text(b, (const char *)ns->prefix);
        buffer_put(b, "=\"", 2);
    } else {
        buffer_text(b, " xmlns=\"");
    }
    buffer_escaped(b, ns->href, 1);
    buffer_put(b, "\"", 1);
}

typedef struct {
    xmlNodePtr root;
    xmlNodePtr *excluded;
    int excludedCount;
    xmlNsPtr outside[32]; /* namespaces used in the subtree but declared above it */
    int outsideCount;
    xmlNsPtr used[64];    /* every namespace used in the subtree; past 64, all declarations are kept */
    int usedCount;
    int failed;
} cxmlshims_walk;

static int is_excluded(const cxmlshims_walk *w, xmlNodePtr node) {
    for (int i = 0; i < w->excludedCount; i++) if (w->excluded[i] == node) return 1;
    return 0;
}

/* Notes `ns` (used by `user`) when no element from `user` up to the root declares it. */
static void note_namespace(cxmlshims_walk *w, xmlNodePtr user, xmlNsPtr ns) {
    if (ns == NULL || (ns->prefix != NULL && strcmp((const char *)ns->prefix, "xml") == 0)) return;
    int known = w->usedCount > 64; /* past 64, nothing is looked up any more */
    for (int i = 0; i < w->usedCount && i < 64 && !known; i++) known = w->used[i] == ns;
    if (!known) {
        if (w->usedCount < 64) w->used[w->usedCount] = ns;
        w->usedCount++;
    }
    for (xmlNodePtr at = user; at != NULL; at = at->parent) {
        for (xmlNsPtr def = at->nsDef; def != NULL; def = def->next) if (def == ns) return;
        if (at == w->root) break;
    }
    for (int i = 0; i < w->outsideCount; i++) {
        if (w->outside[i] == ns) return;
        /* Two outer declarations of one prefix cannot both be in scope at the root. */
        if ((w->outside[i]->prefix == NULL) != (ns->prefix == NULL)
            || (ns->prefix != NULL && strcmp((const char *)w->outside[i]->prefix, (const char *)ns->prefix) != 0)) continue;
        w->failed = 1;
        return;
    }
    if (w->outsideCount == 32) { w->failed = 1; return; }
    w->outside[w->outsideCount++] = ns;
}

static void collect_outside(cxmlshims_walk *w, xmlNodePtr element) {
    note_namespace(w, element, element->ns);
    for (xmlAttrPtr attribute = element->properties; attribute != NULL; attribute = attribute->next) {
        note_namespace(w, element, attribute->ns);
    }
    for (xmlNodePtr child = element->children; child != NULL; child = child->next) {
        if (child->type == XML_ELEMENT_NODE && !is_excluded(w, child)) collect_outside(w, child);
    }
}

static void write_element(cxmlshims_walk *w, cxmlshims_buffer *b, xmlNodePtr element) {
    buffer_put(b, "<", 1);
    buffer_qname(b, element->ns, element->name);
    if (element == w->root) {
        for (int i = 0; i < w->outsideCount; i++) buffer_declaration(b, w->outside[i]);
    }
    /* Its own declarations that something written uses (those of left-out parts only go), and
       an undeclared default namespace (xmlns=""), which no node points to but which keeps
       unqualified elements out of a default namespace declared further up. */
    for (xmlNsPtr def = element->nsDef; def != NULL; def = def->next) {
        int used = w->usedCount > 64 || (def->prefix == NULL && (def->href == NULL || def->href[0] == 0));
        for (int i = 0; i < w->usedCount && i < 64 && !used; i++) used = w->used[i] == def;
        if (used) buffer_declaration(b, def);
    }
    for (xmlAttrPtr attribute = element->properties; attribute != NULL; attribute = attribute->next) {
        buffer_put(b, " ", 1);
        buffer_qname(b, attribute->ns, attribute->name);
        buffer_put(b, "=\"", 2);
        for (xmlNodePtr part = attribute->children; part != NULL; part = part->next) {
            if (part->type != XML_TEXT_NODE) { w->failed = 1; return; }
            buffer_escaped(b, part->content, 1);
        }
        buffer_put(b, "\"", 1);
    }
    buffer_put(b, ">", 1);
    for (xmlNodePtr child = element->children; child != NULL && !w->failed; child = child->next) {
        switch (child->type) {
        case XML_ELEMENT_NODE:
            if (!is_excluded(w, child)) write_element(w, b, child);
            break;
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
            buffer_escaped(b, child->content, 0);
            break;
        case XML_COMMENT_NODE:
        case XML_PI_NODE:
            break;
        default: /* entity references and the like: never parsed here, so never written */
            w->failed = 1;
            break;
        }
    }
    buffer_put(b, "</", 2);
    buffer_qname(b, element->ns, element->name);
    buffer_put(b, ">", 1);
}

int cxmlshims_serialize_except(void *node, void **excluded, int excludedCount, unsigned char **out) {
    *out = NULL;
    xmlNodePtr root = (xmlNodePtr)node;
    if (root == NULL || root->type != XML_ELEMENT_NODE || excludedCount < 0) return -1;
    cxmlshims_walk walk = { root, (xmlNodePtr *)excluded, excludedCount, {0}, 0, {0}, 0, 0 };
    collect_outside(&walk, root);
    if (walk.failed) return -1;
    cxmlshims_buffer buffer = { NULL, 0, 0, 0 };
    write_element(&walk, &buffer, root);
    if (walk.failed || buffer.failed || buffer.length > 0x7fffffff) { free(buffer.data); return -1; }
    *out = buffer.data;
    return (int)buffer.length;
}

void cxmlshims_free(void *pointer) { free(pointer); }
