import FuzzDriver
import FuzzSupport
import ILONet

/// The node configuration reader on arbitrary text: a configuration or a list
/// of problems, each naming file and line; never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    fuzzConfigText(start, count, path: "/fuzz/node.conf") { text, path throws(ConfigErrors) in
        _ = try NodeConfiguration.parse(text, path: path)
    }
}

/// The entry point SwiftPM links for this target: libFuzzer's driver.
@_cdecl("FuzzConfig_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    ilonet_fuzz_main(argc, argv)
}
