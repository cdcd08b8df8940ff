#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H
/* Debian builds libxml2 with ICU, and libxml/encoding.h then includes the system's ICU
   headers, whose UErrorCode clashes with the copy inside Foundation (_FoundationICU) whenever
   both reach one Swift module. Nothing here uses libxml2's ICU fields (they only change the
   layout of xmlCharEncodingHandler, which Swift never touches), so they are left out. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlsave.h>
#include <libxml/c14n.h>
#include <libxml/xpath.h>
#include <libxml/valid.h>


/// libxml2 reports through a variadic callback Swift cannot implement; this one discards.
static void clibxml2_silent_error(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
static void clibxml2_silent_structured(void *ctx, xmlErrorPtr err) { (void)ctx; (void)err; }

static inline void clibxml2_silence_global_errors(void) {
    xmlSetGenericErrorFunc(NULL, clibxml2_silent_error);
    xmlSetStructuredErrorFunc(NULL, clibxml2_silent_structured);
}

static inline void clibxml2_silence_schema_parser(xmlSchemaParserCtxtPtr ctxt) {
    xmlSchemaSetParserStructuredErrors(ctxt, clibxml2_silent_structured, NULL);
}
/// xmlFree is a global function pointer, which Swift 6 treats as shared mutable state.
static inline void clibxml2_free(void *pointer) { xmlFree(pointer); }
#endif
