import Foundation

/// The 98 municipalities with their code and CVR, shipped as a resource of this module; the
/// CVR↔code rule (SP-2003) and agreement checks look them up here.
package struct MunicipalityDirectory: Sendable {
    package struct Municipality: Sendable, Hashable {
        package let code: Myndighedskode
        package let cvr: MunicipalityCVR
        package let name: String
    }

    private let byCode: [Myndighedskode: Municipality]
    private let byCVR: [MunicipalityCVR: Municipality]

    package var all: [Municipality] { byCode.values.sorted { $0.code < $1.code } }

    package init(_ municipalities: [Municipality]) {
        byCode = Dictionary(municipalities.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        byCVR = Dictionary(municipalities.map { ($0.cvr, $0) }, uniquingKeysWith: { a, _ in a })
    }

    package func municipality(code: Myndighedskode) -> Municipality? { byCode[code] }
    package func municipality(cvr: MunicipalityCVR) -> Municipality? { byCVR[cvr] }

    /// Why the shipped reference data could not be read (a packaging error).
    package struct LoadError: Error, CustomStringConvertible {
        package let description: String
    }

    /// The shipped list (`municipalities.csv`: kommunekode,cvr,navn).
    package static func shipped() throws -> MunicipalityDirectory {
        guard let url = Bundle.module.url(forResource: "municipalities", withExtension: "csv") else {
            throw LoadError(description: "municipalities.csv is missing from the bundle")
        }
        return try parse(csv: String(contentsOf: url, encoding: .utf8))
    }

    package static func parse(csv: String) throws -> MunicipalityDirectory {
        var result: [Municipality] = []
        for (index, line) in csv.split(whereSeparator: \.isNewline).enumerated() where index > 0 {
            let fields = line.split(separator: ",", maxSplits: 2).map(String.init)
            guard fields.count == 3, let code = Myndighedskode(fields[0]), let cvr = MunicipalityCVR(fields[1]) else {
                throw LoadError(description: "municipalities.csv line \(index + 1) is malformed")
            }
            result.append(Municipality(code: code, cvr: cvr, name: fields[2]))
        }
        return MunicipalityDirectory(result)
    }
}
