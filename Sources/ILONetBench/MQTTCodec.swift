/// The few MQTT 3.1.1 packets the load generator needs to drive a broker with the
/// same workload as an ILONet node: CONNECT, PUBLISH (QoS 1), PUBACK, SUBSCRIBE,
/// PINGREQ, and the answers to them.
enum MQTTCodec {
    enum PacketType: UInt8 {
        case connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect
    }

    struct Packet {
        let type: PacketType
        let flags: UInt8
        let body: [UInt8]
    }

    static func string(_ s: String) -> [UInt8] {
        let bytes = Array(s.utf8)
        return [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    static func packet(_ type: PacketType, flags: UInt8 = 0, _ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [type.rawValue << 4 | flags]
        var length = body.count
        repeat {
            var byte = UInt8(length % 128)
            length /= 128
            if length > 0 { byte |= 0x80 }
            out.append(byte)
        } while length > 0
        return out + body
    }

    static func connect(clientID: String, cleanSession: Bool, keepAlive: UInt16 = 60) -> [UInt8] {
        packet(.connect, string("MQTT") + [4, cleanSession ? 0x02 : 0x00, UInt8(keepAlive >> 8), UInt8(keepAlive & 0xFF)] + string(clientID))
    }

    static func publish(topic: String, packetID: UInt16, payload: [UInt8]) -> [UInt8] {
        packet(.publish, flags: 0x02, string(topic) + [UInt8(packetID >> 8), UInt8(packetID & 0xFF)] + payload)  // QoS 1
    }

    static func puback(_ packetID: UInt16) -> [UInt8] { packet(.puback, [UInt8(packetID >> 8), UInt8(packetID & 0xFF)]) }

    static func subscribe(topic: String, packetID: UInt16) -> [UInt8] {
        packet(.subscribe, flags: 0x02, [UInt8(packetID >> 8), UInt8(packetID & 0xFF)] + string(topic) + [1])
    }

    static let pingreq: [UInt8] = packet(.pingreq, [])

    /// Cuts a byte stream into packets.
    struct Decoder {
        private var buffer: [UInt8] = []

        mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [Packet] {
            buffer.append(contentsOf: bytes)
            var packets: [Packet] = []
            var offset = 0
            while buffer.count - offset >= 2 {
                var length = 0, multiplier = 1, index = offset + 1
                var complete = false
                while index < buffer.count && index - offset <= 4 {
                    length += Int(buffer[index] & 0x7F) * multiplier
                    multiplier *= 128
                    index += 1
                    if buffer[index - 1] & 0x80 == 0 {
                        complete = true
                        break
                    }
                }
                guard complete, buffer.count - index >= length else { break }
                if let type = PacketType(rawValue: buffer[offset] >> 4) {
                    packets.append(Packet(type: type, flags: buffer[offset] & 0x0F, body: Array(buffer[index..<(index + length)])))
                }
                offset = index + length
            }
            buffer.removeFirst(offset)
            return packets
        }
    }
}
