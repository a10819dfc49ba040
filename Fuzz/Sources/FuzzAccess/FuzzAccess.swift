import FuzzDriver
import FuzzSupport
import ILONet

/// The access-rules parser on arbitrary text; what parses is asked a question.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAccess(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    fuzzConfigText(start, count, path: "/fuzz/access.rules") { text, path throws(ConfigErrors) in
        let rules = try AccessRules.parse(text, path: path)
        let officer = PeerIdentity(id: "officer.de.fuzz", role: .officer, authority: "DE-BPOL", memberState: "DE", posts: ["LY"])
        _ = rules.decide(.publish(kind: "smuggling", country: "LY"), for: officer)
    }
}

/// The entry point SwiftPM links for this target: libFuzzer's driver.
@_cdecl("FuzzAccess_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    ilonet_fuzz_main(argc, argv)
}
