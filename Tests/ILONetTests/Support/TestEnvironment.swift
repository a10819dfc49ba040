import Foundation
import Glibc
import ILONet

/// Paths the integration tests need: the repository, the built binaries, and a
/// fresh PKI made once per test run with certs-example/make-pki.sh.
enum TestEnvironment {
    static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("cannot find the repository root from \(#filePath)")
    }()

    /// The directory holding `ilod` and `ilo`: next to the test bundle, or ILONET_BIN_DIR.
    static let binaries: URL = {
        if let explicit = ProcessInfo.processInfo.environment["ILONET_BIN_DIR"] { return URL(fileURLWithPath: explicit) }
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var directory = exe.deletingLastPathComponent()
        // Inside Foo.xctest/ on some layouts.
        while directory.path != "/" {
            if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("ilod").path) { return directory }
            directory.deleteLastPathComponent()
        }
        fatalError("cannot find the ilod binary near \(exe.path); set ILONET_BIN_DIR")
    }()

    /// Everything this test process writes lives under one directory,
    /// `$TMPDIR/ilonet-tests-PID`. A run leaves its directory behind (a failed
    /// test's stores and logs stay there to be read); the next run removes those
    /// of processes that have ended, so repeated runs do not fill the disk
    /// (a run writes about 500 MB).
    static let runDirectory: String = {
        let temporary = NSTemporaryDirectory()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where entry.hasPrefix("ilonet-tests-") {
            guard let pid = pid_t(entry.dropFirst("ilonet-tests-".count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: temporary + entry) }
        }
        let directory = temporary + "ilonet-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }()

    static var ilod: String { binaries.appendingPathComponent("ilod").path }
    static var ilo: String { binaries.appendingPathComponent("ilo").path }

    /// `ilo` keeps state (its outbox, the reports it showed) in $XDG_STATE_HOME:
    /// every program a test runs without an XDG_STATE_HOME of its own keeps it
    /// under this run's temporary directory (`run` sets it), never in the home
    /// directory of whoever runs the tests.
    static let stateHome: String = {
        let directory = TestEnvironment.runDirectory + "/state"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// The network's PKI for this test run (made once).
    static let pki: TestPKI = TestPKI.make(name: "pki")
    /// A second, unrelated CA with the same identities: nothing from it may get in.
    static let otherPKI: TestPKI = TestPKI.make(name: "other-pki")
}

struct TestPKI: Sendable {
    let directory: String

    static func make(name: String) -> TestPKI {
        let directory = TestEnvironment.runDirectory + "/\(name)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = run(script, [directory, "example", "30"])
        precondition(result.status == 0, "make-pki.sh failed: \(result.output)")
        return TestPKI(directory: directory)
    }

    func path(_ file: String) -> String { "\(directory)/\(file)" }
    var ca: String { path("ca.crt") }

    func clientOptions(_ identity: String, port: UInt16, serverName: String? = nil, ca: String? = nil) -> ClientOptions {
        var options = ClientOptions(
            node: Endpoint(host: "127.0.0.1", port: port), certificatePath: path("\(identity).crt"),
            privateKeyPath: path("\(identity).key"), caPath: ca ?? self.ca, serverName: serverName)
        options.timeout = 10
        return options
    }

    /// Tests run in parallel and several issue from (or revoke in) the same PKI;
    /// `openssl ca` rewrites the CA's index and serial files and is not safe to
    /// run twice at once (CI once saw an issue fail that way). One at a time.
    private static let changes = NSLock()

    /// Issues one more certificate from this PKI's CA; with `notBefore` and
    /// `notAfter` (YYYYMMDDHHMMSSZ), exactly that validity.
    func issue(_ name: String, subject: String, extensions: String, notBefore: String? = nil, notAfter: String? = nil) {
        TestPKI.changes.lock()
        defer { TestPKI.changes.unlock() }
        var environment = ProcessInfo.processInfo.environment
        if let notBefore, let notAfter {
            environment["NOT_BEFORE"] = notBefore
            environment["NOT_AFTER"] = notAfter
        }
        let result = run(TestPKI.script, [directory, "issue", name, subject, extensions, "30"], environment: environment)
        precondition(result.status == 0, "issue failed: \(result.output)")
    }

    /// Revokes NAME.crt and rewrites ca.crl.
    func revoke(_ name: String) {
        TestPKI.changes.lock()
        defer { TestPKI.changes.unlock() }
        let result = run(TestPKI.script, [directory, "revoke", name])
        precondition(result.status == 0, "revoke failed: \(result.output)")
    }

    var crl: String { path("ca.crl") }

    static var script: String { TestEnvironment.repository.appendingPathComponent("certs-example/make-pki.sh").path }
}

/// Runs a program to completion; returns its exit status and combined output.
@discardableResult
func run(_ program: String, _ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil) -> (status: Int32, output: String, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    var environment = environment ?? ProcessInfo.processInfo.environment
    if environment["XDG_STATE_HOME"] == nil { environment["XDG_STATE_HOME"] = TestEnvironment.stateHome }
    process.environment = environment
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    do { try process.run() } catch { return (-1, "cannot run \(program): \(error)", "", "") }
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    // Read both pipes concurrently so neither fills up.
    let stderrData = LockedBox(Data())
    let reader = Thread { stderrData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    let o = String(decoding: stdoutData, as: UTF8.self), e = String(decoding: stderrData.get(), as: UTF8.self)
    return (process.terminationStatus, o + e, o, e)
}

final class LockedBox<T: Sendable>: @unchecked Sendable {  // guarded by `lock`
    private var value: T
    private let lock = NSLock()
    init(_ value: T) { self.value = value }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ new: T) { lock.lock(); value = new; lock.unlock() }
    func update(_ body: (inout T) -> Void) { lock.lock(); body(&value); lock.unlock() }
}
