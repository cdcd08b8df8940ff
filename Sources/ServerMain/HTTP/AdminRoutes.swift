import Hummingbird

/// The admin listener's routes. Health first; the admin API, pages, status and metrics join it.
struct AdminRoutes<Context: RequestContext>: Sendable {
    func add(to router: Router<Context>) {
        router.get("/health/live") { _, _ in "ok\n" }
        router.get("/health/ready") { _, _ in "ready\n" }
    }
}
