/// The few parts of the NATS client protocol the load generator needs to drive
/// NATS JetStream with the same workload as an ILONet node
/// (docs.nats.io, "Client Protocol" and "JetStream wire API"): CONNECT, PING and
/// PONG, SUB, PUB with a reply subject (a JetStream publish, answered by a
/// publish acknowledgement on that subject), the JSON requests that create a
/// stream and a durable push consumer, and the MSG and HMSG the server sends.
enum NATSCodec {
    /// The stream the load publishes into, its subjects, and the durable consumer
    /// the subscriber reads through.
    static let stream = "ILONET_BENCH"
    static let subject = "smuggling.LY.land"

    /// What the server sent.
    enum Operation {
        /// A message on `subject`, with the subject to answer on (`reply`).
        case message(subject: String, reply: String?, payload: [UInt8])
        case ping, pong, ok, info
        case error(String)
    }

    static func connect(name: String) -> [UInt8] {
        let options = #"{"verbose":false,"pedantic":false,"tls_required":true,"name":""# + name
            + #"","lang":"swift","version":"1","protocol":1,"headers":true,"no_responders":true}"#
        return Array("CONNECT \(options)\r\nPING\r\n".utf8)
    }

    static func subscribe(_ subject: String, sid: Int) -> [UInt8] { Array("SUB \(subject) \(sid)\r\n".utf8) }

    static func publish(_ subject: String, reply: String?, payload: [UInt8]) -> [UInt8] {
        var out = Array("PUB \(subject) \(reply.map { $0 + " " } ?? "")\(payload.count)\r\n".utf8)
        out += payload
        out += [13, 10]
        return out
    }

    static let pong = Array("PONG\r\n".utf8)

    /// Creates the stream on file storage, one replica, keeping everything
    /// (`$JS.API.STREAM.CREATE`); creating it again with the same configuration succeeds.
    static func createStream(reply: String) -> [UInt8] {
        let request = #"{"name":""# + stream + #"","subjects":["smuggling.>"],"retention":"limits","storage":"file","#
            + #""num_replicas":1,"discard":"old","max_msgs":-1,"max_bytes":-1,"max_age":0,"duplicate_window":0}"#
        return publish("$JS.API.STREAM.CREATE.\(stream)", reply: reply, payload: Array(request.utf8))
    }

    /// A durable push consumer delivering every new message to `deliver`, each to
    /// be acknowledged by the subscriber (`ack_policy explicit`), as an MQTT QoS 1
    /// subscriber and an ILONet reader confirm theirs.
    static func createConsumer(durable: String, deliver: String, reply: String) -> [UInt8] {
        let request = #"{"stream_name":""# + stream + #"","config":{"durable_name":""# + durable + #"","deliver_subject":""# + deliver
            + #"","deliver_policy":"new","ack_policy":"explicit","ack_wait":30000000000,"max_ack_pending":65536,"replay_policy":"instant"}}"#
        return publish("$JS.API.CONSUMER.DURABLE.CREATE.\(stream).\(durable)", reply: reply, payload: Array(request.utf8))
    }

    /// Cuts the byte stream into operations.
    struct Decoder {
        private var buffer: [UInt8] = []

        mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [Operation] {
            buffer.append(contentsOf: bytes)
            var operations: [Operation] = []
            var offset = 0
            while let lineEnd = buffer[offset...].firstRange(of: [13, 10])?.lowerBound {
                let line = String(decoding: buffer[offset..<lineEnd], as: UTF8.self)
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard let verb = fields.first?.uppercased() else {
                    offset = lineEnd + 2
                    continue
                }
                if verb == "MSG" || verb == "HMSG" {
                    // MSG <subject> <sid> [reply] <#bytes>; HMSG <subject> <sid> [reply] <#header bytes> <#total bytes>
                    let counted = verb == "MSG" ? 1 : 2
                    guard fields.count >= 3 + counted, let total = Int(fields[fields.count - 1]) else {
                        operations.append(.error("malformed \(verb): \(line)"))
                        offset = lineEnd + 2
                        continue
                    }
                    let headerBytes = verb == "HMSG" ? Int(fields[fields.count - 2]) ?? 0 : 0
                    let start = lineEnd + 2
                    guard buffer.count >= start + total + 2 else { break }  // the rest has not arrived
                    let reply = fields.count == 4 + counted ? String(fields[3]) : nil
                    operations.append(.message(subject: String(fields[1]), reply: reply, payload: Array(buffer[(start + headerBytes)..<(start + total)])))
                    offset = start + total + 2
                    continue
                }
                switch verb {
                case "PING": operations.append(.ping)
                case "PONG": operations.append(.pong)
                case "+OK": operations.append(.ok)
                case "INFO": operations.append(.info)
                case "-ERR": operations.append(.error(String(line.dropFirst(5))))
                default: operations.append(.error("unknown operation: \(line.prefix(60))"))
                }
                offset = lineEnd + 2
            }
            buffer.removeFirst(offset)
            return operations
        }
    }
}
