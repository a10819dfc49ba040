import FuzzDriver
import FuzzSupport
import ILONet

/// The routing-table parser on arbitrary text; what parses is asked to route.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRoutes(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    fuzzConfigText(start, count, path: "/fuzz/node.routes") { text, path throws(ConfigErrors) in
        let table = try RoutingTable.parse(text, path: path)
        _ = table.decide(RoutingTable.Envelope(kind: "smuggling", country: "LY", authority: "DE-BPOL", state: "DE"))
    }
}

/// The entry point SwiftPM links for this target: libFuzzer's driver.
@_cdecl("FuzzRoutes_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    ilonet_fuzz_main(argc, argv)
}
