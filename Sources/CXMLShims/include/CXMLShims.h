#ifndef CXMLSHIMS_H
#define CXMLSHIMS_H
/* Deliberately free of libxml2 includes: libxml2's headers pull in the system ICU, which
   clashes with Foundation's copy inside a Clang module. Pointers cross as void *. */

/// Installs an external entity loader that opens only files below `schemaDir` (absolute,
/// ending in '/'); NULL refuses everything. Called at start-up, before any request.
void cxmlshims_install_guarded_loader(const char *schemaDir);

/* The first schema error's element, captured without the message text (which can quote
   values, and a value can be a CPR number). */
typedef struct {
    int captured;
    char element[128];
} cxmlshims_first_error;

/// `schemaValidCtxt` is an xmlSchemaValidCtxtPtr.
void cxmlshims_capture_schema_errors(void *schemaValidCtxt, cxmlshims_first_error *first);

/// The exclusive canonical form (comments kept) of `node` (an xmlNodePtr in `doc`, an
/// xmlDocPtr) and its subtree, in `*out` (free with `cxmlshims_free`). Returns its length, or
/// -1. Identical output means identical signed content, whatever the node's surroundings.
int cxmlshims_exclusive_c14n(void *doc, void *node, unsigned char **out);
/// `node` (an element) and its subtree as standalone XML, without the subtrees of the
/// `excludedCount` nodes in `excluded` and without comments and processing instructions; the
/// namespaces it uses that are declared above it are declared on it, and declarations nothing
/// written uses are dropped. Text and attribute values
/// are escaped as canonical XML escapes them. `*out` as above (free with `cxmlshims_free`);
/// returns its length, or -1 (entity references, a prefix bound twice above the node).
int cxmlshims_serialize_except(void *node, void **excluded, int excludedCount, unsigned char **out);
void cxmlshims_free(void *pointer);
#endif
