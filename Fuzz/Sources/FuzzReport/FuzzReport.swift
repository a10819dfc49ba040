import FuzzDriver
import ILONet

/// The report parser and validator on arbitrary text: JSON parsing, then the
/// envelope and body schemas, then the canonical encoding of whatever passed,
/// which must parse and validate again to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReport(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let document = try? JSONValue(parsing: bytes) else { return 0 }
    let sender = Origin(officer: "officer.de.fuzz", authority: "DE-BPOL", state: "DE")
    let report: Report
    do throws(ReportValidationError) {
        report = try Report.validate(document, sender: sender)
    } catch {
        _ = error.summary
        return 0
    }
    let encoded = report.document.encoded()
    guard let again = try? JSONValue(parsing: encoded), let revalidated = try? Report.validate(again, sender: sender) else {
        fatalError("a validated report's encoding does not validate again: \(String(decoding: encoded, as: UTF8.self))")
    }
    guard revalidated.document.encoded() == encoded else {
        fatalError("the canonical encoding is not stable: \(String(decoding: encoded, as: UTF8.self))")
    }
    return 0
}

/// The entry point SwiftPM links for this target: libFuzzer's driver.
@_cdecl("FuzzReport_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    ilonet_fuzz_main(argc, argv)
}
