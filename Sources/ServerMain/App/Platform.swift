import Foundation
import GrantService
import Hummingbird
import Logging
import ServicePlatform

/// Builds the two listeners from settings and a receiver transport; composition only.
struct Platform: Sendable {
    let settings: PlatformSettings
    let pipeline: ServiceCallPipeline
    let contract: PublishedContract
    let municipalities: MunicipalityDirectory

    init(settings: PlatformSettings, receivers: [Receiver], transport: any ReceiverTransport, logger: Logger) throws {
        self.settings = settings
        municipalities = try MunicipalityDirectory.shipped()
        let schema = try KontanthjaelpSchema(wsdlDirectory: settings.wsdlDirectory)
        contract = try PublishedContract(directory: settings.wsdlDirectory)
        pipeline = ServiceCallPipeline(
            service: KontanthjaelpService(schema: schema),
            securityModel: AuthorityContextModel(directory: municipalities),
            municipalities: municipalities,
            receivers: StaticReceiverDirectory(receivers),
            transport: transport,
            logger: logger)
    }

    func serviceRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        ServiceRoutes<BasicRequestContext>(pipeline: pipeline, contract: contract, maxBodyBytes: settings.maxBodyBytes,
                                           scheme: "http", fallbackHost: "\(settings.bindAddress):\(settings.servicePort)")
            .add(to: router)
        return router
    }

    func adminRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        AdminRoutes<BasicRequestContext>().add(to: router)
        return router
    }
}

/// The exttest jobcenter living in this process until it runs as its own HTTPS server.
enum InProcessJobcenter {
    static let systemID = "demo-jobcenter"
    static let codes = ["101", "147", "751"]

    static func make(wsdlDirectory: String, book: any GrantBook = InMemoryGrantBook()) throws -> (Receiver, any ReceiverTransport) {
        let endpoint = JobcenterEndpoint(systemID: systemID, schema: try KontanthjaelpSchema(wsdlDirectory: wsdlDirectory), book: book)
        let receiver = Receiver(systemID: systemID, name: "Demo jobcenter", endpoint: "inprocess:demo-jobcenter",
                                municipalityCodes: Set(codes.compactMap(Myndighedskode.init)))
        return (receiver, InProcessReceiverTransport { envelope, _ in await endpoint.handle(envelope) })
    }
}
