import Foundation
import PlatformTestSupport
import Testing
@testable import ServerMain

/// The service listener's connection handling (`ServiceCallHandler` in Hummingbird's pipeline),
/// byte by byte over one TLS connection.
@Suite("The service listener on one connection")
struct ServiceListenerTests {
    static let soapHeaders = ["Content-Type: text/xml; charset=utf-8", "SOAPAction: \"\(SampleMessages.retAction)\""]

    static func call(_ payload: String = SampleMessages.retBevilling(), target: String = SOAPHeaders.path, headers: [String] = []) -> [UInt8] {
        RawServiceConnection.request("POST", target, body: Array(SampleMessages.envelope(payload).utf8), headers: soapHeaders + headers)
    }

    @Test("attack: pipelined requests answered out of order. A call, a GET for the WSDL and a refused call in one write come back in request order")
    func pipelinedInOrder() async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            let refused = SampleMessages.retBevilling { $0.replacingOccurrences(of: "<kh:Myndighedskode>101<", with: "<kh:Myndighedskode>147<") }
            try await connection.send(Self.call() + RawServiceConnection.request("GET", SOAPHeaders.path + "?wsdl") + Self.call(refused))
            let answers = try await connection.answers(3)
            try #require(answers.count == 3)
            #expect(answers[0].status == 200)
            #expect(answers[0].reply.receiptStatus == "Modtaget")
            #expect(answers[1].status == 200)
            #expect(answers[1].body.contains("definitions"))
            #expect(answers[2].status == 500)
            #expect(answers[2].reply.faultCode == "SP-2003")
            #expect(answers[0].headers["server"] == "serviceplatform")
            #expect(answers[0].headers["date"]?.hasSuffix(" GMT") == true)
            await connection.close()
        }
    }

    @Test("a chunked body, a query string and a trailing slash still reach the service")
    func chunkedAndQuery() async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            let body = Array(SampleMessages.envelope(SampleMessages.retBevilling()).utf8)
            let half = body.count / 2
            var chunked: [UInt8] = []
            for part in [body[..<half], body[half...]] {
                chunked += Array(String(part.count, radix: 16).utf8) + [13, 10] + part + [13, 10]
            }
            chunked += Array("0\r\n\r\n".utf8)
            try await connection.send(RawServiceConnection.request("POST", SOAPHeaders.path + "/?x=1", body: chunked,
                                                                   headers: Self.soapHeaders + ["Transfer-Encoding: chunked"]))
            let answers = try await connection.answers(1)
            try #require(answers.count == 1)
            #expect(answers[0].status == 200)
            #expect(answers[0].reply.receiptStatus == "Modtaget")
            await connection.close()
        }
    }

    @Test("Connection: close gets the whole answer, then the connection ends")
    func connectionClose() async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            try await connection.send(Self.call(headers: ["Connection: close"]))
            let answers = try await connection.answers(1)
            try #require(answers.count == 1)
            #expect(answers[0].reply.receiptStatus == "Modtaget")
            #expect(await connection.closedByServer())
        }
    }

    @Test("an HTTP/1.0 call is answered in HTTP/1.0, then the connection ends")
    func http10() async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            try await connection.send(RawServiceConnection.request("POST", SOAPHeaders.path, body: Array(SampleMessages.envelope(SampleMessages.retBevilling()).utf8),
                                                                   headers: Self.soapHeaders, version: "HTTP/1.0"))
            let answers = try await connection.answers(1)
            try #require(answers.count == 1)
            #expect(answers[0].version == "HTTP/1.0")
            #expect(answers[0].reply.receiptStatus == "Modtaget")
            #expect(await connection.closedByServer())
        }
    }

    @Test("attack: an oversized body. 413 before it is parsed; the rest is dropped and the connection serves the next call")
    func oversizedThenNext() async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            let oversized = RawServiceConnection.request("POST", SOAPHeaders.path, body: [UInt8](repeating: 0x20, count: (1 << 20) + 1),
                                                         headers: Self.soapHeaders)
            try await connection.send(oversized + Self.call())
            let answers = try await connection.answers(2)
            try #require(answers.count == 2)
            #expect(answers[0].status == 413)
            try await Self.expectAuditedFault(answers[0], soap12: false, running)
            #expect(answers[1].status == 200)
            #expect(answers[1].reply.receiptStatus == "Modtaget")
            await connection.close()
        }
    }

    @Test("attack: an oversized SOAP 1.2 body. 413 with an SP-1001 fault in a SOAP 1.2 envelope, audited")
    func oversizedSOAP12() async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            try await connection.send(RawServiceConnection.request("POST", SOAPHeaders.path, body: [UInt8](repeating: 0x20, count: 3 << 20),
                                                                   headers: ["Content-Type: application/soap+xml; charset=utf-8; action=\"\(SampleMessages.retAction)\""]))
            let answers = try await connection.answers(1)
            try #require(answers.count == 1)
            #expect(answers[0].status == 413)
            try await Self.expectAuditedFault(answers[0], soap12: true, running)
            await connection.close()
        }
    }

    /// An SP-1001 fault as the pipeline writes it (ServiceplatformFault first, sp:Fejl second, the
    /// TransaktionsID ending the reason), in the request's SOAP version, and its audit record.
    static func expectAuditedFault(_ answer: RawServiceConnection.Answer, soap12: Bool, _ running: RunningPlatform,
                                   sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reply = answer.reply
        #expect(answer.headers["content-type"] == (soap12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8"),
                sourceLocation: sourceLocation)
        #expect(reply.faultCode == "SP-1001", "\(answer.body.prefix(300))", sourceLocation: sourceLocation)
        #expect(reply.serviceplatformFaultCode == "SP-1001", sourceLocation: sourceLocation)
        let envelope = soap12 ? "http://www.w3.org/2003/05/soap-envelope" : "http://schemas.xmlsoap.org/soap/envelope/"
        #expect(answer.body.contains("<soap:Envelope xmlns:soap=\"\(envelope)\""), sourceLocation: sourceLocation)
        let transaction = try #require(reply.element("urn:serviceplatform:fault:1", "TransaktionsID"), sourceLocation: sourceLocation)
        let reason = soap12 ? reply.element("http://www.w3.org/2003/05/soap-envelope", "Text") : reply.element("", "faultstring")
        #expect(reason?.hasSuffix("TransaktionsID: \(transaction)") == true, sourceLocation: sourceLocation)
        let record = try #require(try await running.audit(transactionID: transaction), sourceLocation: sourceLocation)
        #expect(record.outcome == "SP-1001", sourceLocation: sourceLocation)
        #expect(record.faultCode == "SP-1001", sourceLocation: sourceLocation)
        #expect(record.certificateFingerprint != nil, "the client certificate is known before the body", sourceLocation: sourceLocation)
    }

    @Test("an oversized body sent with Connection: close gets 413, then the connection ends once the body is in")
    func oversizedWithClose() async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            try await connection.send(RawServiceConnection.request("POST", SOAPHeaders.path, body: [UInt8](repeating: 0x20, count: (1 << 20) + 1),
                                                                   headers: Self.soapHeaders + ["Connection: close"]))
            let answers = try await connection.answers(1)
            try #require(answers.count == 1)
            #expect(answers[0].status == 413)
            #expect(answers[0].headers["connection"] == "close")
            #expect(await connection.closedByServer())
        }
    }

    @Test("attack: slow or abandoned uploads. A client that leaves mid-body leaves no call in flight in the metrics")
    func abandonedUpload() async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            let call = Self.call()
            try await connection.send(Array(call[..<(call.count / 2)]))
            // Until the server has read the head (a fixed 200 ms was too short on a loaded machine).
            var during = ""
            for _ in 0..<100 {
                during = try await running.admin(.get, "/metrics", token: nil).1
                if during.contains("serviceplatform_http_requests_in_flight{listener=\"service\"} 1") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(during.contains("serviceplatform_http_requests_in_flight{listener=\"service\"} 1"))
            await connection.close()
            var after = ""
            for _ in 0..<100 {
                after = try await running.admin(.get, "/metrics", token: nil).1
                if after.contains("serviceplatform_http_requests_in_flight{listener=\"service\"} 0") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(after.contains("serviceplatform_http_requests_in_flight{listener=\"service\"} 0"))
            #expect(after.contains("serviceplatform_http_requests_total{listener=\"service\",status=\"400\"} 1"))
            #expect(try await running.platform.store.auditCount() == 0)
        }
    }

    @Test("a compressed body is refused with 415 unread, as an audited SP-1001 fault")
    func compressed() async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            try await connection.send(Self.call(headers: ["Content-Encoding: gzip"]) + Self.call())
            let answers = try await connection.answers(2)
            try #require(answers.count == 2)
            #expect(answers[0].status == 415)
            try await Self.expectAuditedFault(answers[0], soap12: false, running)
            #expect(answers[1].status == 200)
            // The refusal and the call: one record each.
            #expect(try await running.platform.store.auditCount() == 2)
            await connection.close()
        }
    }

    /// Methods NIO's parser reads but no route of the router lists: before, everything but
    /// PUT, DELETE, PATCH, HEAD and OPTIONS fell through to the router's 404. SOURCE reaches the
    /// handler as `HTTPMethod.RAW`.
    static let otherMethods = ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "MKCOL", "SOURCE"]

    @Test("attack: method confusion (TRACE, WebDAV, RAW methods) on the service path. 405 with Allow: GET, POST, with or without the trailing slash, and the connection serves the next call",
          arguments: otherMethods)
    func otherMethodIs405(_ method: String) async throws {
        try await withRunningPlatform { running async throws in
            let connection = try await RawServiceConnection.open(running)
            try await connection.send(RawServiceConnection.request(method, SOAPHeaders.path)
                                      + RawServiceConnection.request(method, SOAPHeaders.path + "/?wsdl", body: Array("ignored".utf8))
                                      + Self.call())
            let answers = try await connection.answers(3)
            try #require(answers.count == 3, "\(method)")
            for answer in answers.prefix(2) {
                #expect(answer.status == 405, "\(method)")
                #expect(answer.headers["allow"] == "GET, POST", "\(method)")
            }
            #expect(answers[2].status == 200)
            #expect(answers[2].reply.receiptStatus == "Modtaget")
            await connection.close()
        }
    }

    @Test("a call in flight when the platform shuts down still gets a whole answer before the connection closes")
    func answerAtShutdown() async throws {
        let running = try await RunningPlatform.start()
        let connection = try await RawServiceConnection.open(running)
        let call = Self.call()
        // The head and half the body first, so the call is in flight when the shutdown starts.
        try await connection.send(Array(call[..<(call.count / 2)]))
        try await Task.sleep(for: .milliseconds(300))
        let stopping = Task { await running.stop() }
        try await Task.sleep(for: .milliseconds(200))
        try await connection.send(Array(call[(call.count / 2)...]))
        let answers = try await connection.answers(1)
        let closed = await connection.closedByServer()
        await connection.close()
        let ended = await stopping.value
        try #require(answers.count == 1)
        // Services stop in reverse order: the jobcenter and the forwarding pool outlive the listener.
        #expect(answers[0].status == 200)
        #expect(answers[0].reply.receiptStatus == "Modtaget")
        #expect(closed)
        // No service ended by cancellation (the prober once did, and cut every call in flight).
        #expect(ended == nil, "\(String(describing: ended))")
    }
}
