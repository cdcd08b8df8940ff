import Foundation
import Hummingbird
import ServicePlatform

/// The open part of the admin listener: `/status` (HTML), `/status.json`, `/metrics`
/// (Prometheus text) and the health checks. No token: they tell nothing personal, and the
/// listener is bound to 127.0.0.1 by default.
struct StatusRoutes: Sendable {
    let observability: PlatformObservability

    func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/health/live") { _, _ in "ok\n" }
        router.get("/health/ready") { _, _ -> Response in
            do {
                try await observability.store.ping()
                return Self.text(.ok, "ready\n")
            } catch {
                return Self.text(.serviceUnavailable, "not ready: the database does not answer\n")
            }
        }
        router.get("/status.json") { _, _ -> Response in
            let report = try await observability.status.report()
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(report))))
        }
        router.get("/status") { _, _ -> Response in
            let report = try await observability.status.report()
            return AdminPageResponse.html(StatusPage.render(report))
        }
        router.get("/metrics") { _, _ -> Response in
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: observability.metrics.render())))
        }
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Counts a listener's requests by HTTP status, and how many are under way.
struct ListenerMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: PlatformMetrics
    let listener: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        metrics.requestStarted(listener: listener)
        do {
            let response = try await next(request, context)
            metrics.requestFinished(listener: listener, status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            metrics.requestFinished(listener: listener, status: error.status.code)
            throw error
        } catch {
            metrics.requestFinished(listener: listener, status: 500)
            throw error
        }
    }
}
