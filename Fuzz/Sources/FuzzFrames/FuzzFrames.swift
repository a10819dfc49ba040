import FuzzDriver
import ILONet

/// The frame decoder and message parsing on arbitrary bytes, fed in two pieces
/// split where the first byte says (as TCP splits them): whatever arrives, the
/// decoder returns frames or a typed error, never traps, and a decoded frame's
/// payload is read as a message the way a node reads it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let first = bytes.first else { return 0 }
    let split = bytes.count > 1 ? 1 + Int(first) % (bytes.count - 1) : 1
    var decoder = FrameDecoder(maximumFrameSize: 64 * 1024)
    do throws(FrameError) {
        for piece in [bytes[1..<split], bytes[split...]] {
            for frame in try decoder.feed(piece) {
                if let message = try? Message(frame: frame) {
                    _ = message.body.encodedString()
                }
            }
        }
    } catch {
        _ = error.description
    }
    return 0
}

/// The entry point SwiftPM links for this target: libFuzzer's driver.
@_cdecl("FuzzFrames_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    ilonet_fuzz_main(argc, argv)
}
