import FuzzDriver
import ILONet

/// The attachment checks on arbitrary bytes: the bounded inflate (raw and
/// zlib), JPEG and PNG metadata stripping, PDF inspection. Each may refuse;
/// none may crash, loop, or inflate past its bound; a stripped image has no
/// metadata left, and stripping it again changes nothing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAttachments(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    if let out = try? Inflate.raw(bytes, limit: 1 << 16) { precondition(out.count <= 1 << 16) }
    if let out = try? Inflate.zlib(bytes, limit: 1 << 16) { precondition(out.count <= 1 << 16) }
    for prefix in [[0xFF, 0xD8, 0xFF] as [UInt8], [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]] {
        let image = prefix + bytes
        if let stripped = try? ImageMetadata.strip(image) {
            precondition((try? ImageMetadata.find(stripped)) == [], "metadata left after stripping")
            precondition((try? ImageMetadata.strip(stripped)) == stripped, "stripping twice changed the image")
        }
    }
    _ = try? PDFInspection.inspect(Array("%PDF-1.7\n".utf8) + bytes, inflateBound: 1 << 20)
    return 0
}

/// The entry point SwiftPM links for this target: libFuzzer's driver.
@_cdecl("FuzzAttachments_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    ilonet_fuzz_main(argc, argv)
}
