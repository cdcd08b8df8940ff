import CLibXML2
import CXMLSecShims
import CXMLShims

/// One-time libxml2 set-up: initialise the parser, silence its global error printing, and
/// install the guarded entity loader, so no document can make the process open a file or URL.
package enum LibXMLRuntime {
    /// Runs once per process (a global `let` is initialised lazily and exactly once).
    private static let initialised: Bool = {
        xmlInitParser()
        // xmlsec installs an entity loader of its own: initialise it first, then ours replaces it.
        xmlsecReady = cxmlsec_init() == 0
        clibxml2_silence_global_errors()
        cxmlshims_install_guarded_loader(nil)
        return true
    }()

    /// Whether libxmlsec1 initialised; signatures are refused when it did not.
    nonisolated(unsafe) private(set) static var xmlsecReady = false

    /// Call before any parse; cheap after the first time.
    package static func ensureInitialised() { _ = initialised }

    /// Lets libxml2 open files below `directory` (our own XSDs, for schema compilation) and
    /// nothing else. Called once at start-up with the `wsdl/` directory.
    package static func allowSchemaFiles(under directory: String) {
        ensureInitialised()
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        cxmlshims_install_guarded_loader(dir)
    }
}
