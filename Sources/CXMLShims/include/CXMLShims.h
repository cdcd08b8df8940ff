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
void cxmlshims_free(void *pointer);
#endif
