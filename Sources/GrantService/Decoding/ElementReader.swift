import SOAPCodec
import ServicePlatform

/// Reads the kh-namespace children of a schema-valid element. A missing required child can
/// only mean the schema and this code disagree, so it is reported as a schema violation naming it.
struct ElementReader {
    let element: XMLElement

    init(_ element: XMLElement) { self.element = element }

    func optionalChild(_ local: String) -> ElementReader? {
        element.child(named: Kontanthjaelp.name(local)).map(ElementReader.init)
    }

    func child(_ local: String) throws(PlatformFault) -> ElementReader {
        guard let found = optionalChild(local) else { throw PlatformFault(.schemaViolation, "\(local) is missing") }
        return found
    }

    func text(_ local: String) throws(PlatformFault) -> String {
        try child(local).element.text
    }

    func optionalText(_ local: String) -> String? { optionalChild(local)?.element.text }

    func date(_ local: String) throws(PlatformFault) -> CalendarDate {
        guard let date = CalendarDate(xsDate: try text(local)) else { throw PlatformFault(.schemaViolation, "\(local) is not a date") }
        return date
    }

    func optionalDate(_ local: String) throws(PlatformFault) -> CalendarDate? {
        guard optionalChild(local) != nil else { return nil }
        return try date(local)
    }

    func enumeration<E: RawRepresentable>(_ local: String, as _: E.Type) throws(PlatformFault) -> E where E.RawValue == String {
        guard let value = E(rawValue: try text(local)) else { throw PlatformFault(.schemaViolation, "\(local) has a value outside its enumeration") }
        return value
    }
}
