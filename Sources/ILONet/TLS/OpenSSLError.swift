internal import COpenSSL

/// A failed OpenSSL call: what we were doing and OpenSSL's drained error queue.
public struct OpenSSLError: Error, CustomStringConvertible, Equatable {
    public let context: String
    public let stack: [String]

    public init(_ context: String, stack: [String]) {
        self.context = context
        self.stack = stack
    }

    /// Builds an error from (and empties) this thread's OpenSSL error queue.
    static func drain(_ context: String) -> OpenSSLError {
        var stack: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            stack.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return OpenSSLError(context, stack: stack)
    }

    public var description: String {
        stack.isEmpty ? context : "\(context): \(stack.joined(separator: "; "))"
    }

    /// The most specific reason in the stack, e.g. `certificate verify failed`.
    public var reason: String {
        guard let last = stack.last else { return context }
        // OpenSSL's form is error:0A000086:SSL routines::certificate verify failed;
        // entries ILONet adds ("peer certificate: …") are already readable.
        guard last.hasPrefix("error:") else { return last }
        return last.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? last
    }
}
