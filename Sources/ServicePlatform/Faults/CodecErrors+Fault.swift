import SOAPCodec

extension XMLParseError: FaultConvertible {
    package var fault: PlatformFault { PlatformFault(.malformedRequest, text) }
}

extension SOAPEnvelopeError: FaultConvertible {
    package var fault: PlatformFault { PlatformFault(.malformedRequest, text) }
}
