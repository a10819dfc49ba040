import ILONet

/// One fuzz input as the text of a configuration-style file at `path`: `parse`
/// either succeeds or fails with problems that each name `path:line`. A problem
/// without its place is a finding (an operator could not find the mistake).
public func fuzzConfigText(
    _ start: UnsafeRawPointer, _ count: Int, path: String, _ parse: (_ text: String, _ path: String) throws(ConfigErrors) -> Void
) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    do throws(ConfigErrors) {
        try parse(text, path)
    } catch {
        guard error.errors.allSatisfy({ $0.description.hasPrefix(path + ":") }) else {
            fatalError("a problem without file:line: \(error.description)")
        }
    }
    return 0
}
