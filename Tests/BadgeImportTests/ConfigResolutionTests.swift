import Foundation
import Testing
@testable import BadgeImport

@Suite("Config resolution: flags > environment > profile > defaults")
struct ConfigResolutionTests {
    struct NoSuchFile: Error {}

    /// Reads from a dictionary, so a test can prove which files were (not) read.
    final class FakeFiles: @unchecked Sendable {
        var files: [String: String]
        var reads: [String] = []
        init(_ files: [String: String] = [:]) { self.files = files }
        func read(_ path: String) throws -> String {
            reads.append(path)
            guard let text = files[path] else { throw NoSuchFile() }
            return text
        }
    }

    /// A run needs an API: where a test is about something else, the environment names one
    /// (the lowest layer that can, so it never hides what the test sets).
    func resolve(flags: RunOptionsLayer = RunOptionsLayer(), env: [String: String] = [:],
                 profile: RunOptionsLayer? = nil, files: FakeFiles = FakeFiles()) throws -> RunOptions {
        var env = env
        if flags.baseURL == nil, profile?.baseURL == nil, env["CAP_BASE_URL"] == nil { env["CAP_BASE_URL"] = "https://api.example" }
        var resolver = RunOptionsResolver(flags: flags, environment: env, profile: profile, readFile: files.read)
        return try resolver.resolve(inputs: [], mapping: MappingOptions(), startMock: { "http://127.0.0.1:1" })
    }

    static let profileOrigin = "profile 'p' (c.toml)"
    func profile(_ build: (inout RunOptionsLayer) -> Void) -> RunOptionsLayer {
        var p = RunOptionsLayer(origin: Self.profileOrigin)
        build(&p)
        return p
    }

    func flags(_ build: (inout RunOptionsLayer) -> Void) -> RunOptionsLayer {
        var f = RunOptionsLayer()
        build(&f)
        return f
    }

    // MARK: plain fields, each layer beating the next

    @Test func baseURL() throws {
        let prof = profile { $0.baseURL = "https://profile.example" }
        let env = ["CAP_BASE_URL": "https://env.example"]
        #expect(try resolve(flags: flags { $0.baseURL = "https://flag.example" }, env: env, profile: prof).baseURL == "https://flag.example")
        #expect(try resolve(env: env, profile: prof).baseURL == "https://env.example")
        #expect(try resolve(profile: prof).baseURL == "https://profile.example")
        #expect(throws: ConfigError.missingBaseURL) { try resolve(env: ["CAP_BASE_URL": ""]) }
        let fromEnv = try resolve(env: env, profile: prof)
        #expect(fromEnv.recordedOptions["source.base_url"] == "environment CAP_BASE_URL")
    }

    @Test func rate() throws {
        let prof = profile { $0.rate = "100/min" }
        let env = ["BADGE_IMPORT_RATE": "20/s"]
        #expect(try resolve(flags: flags { $0.rate = "36000/h" }, env: env, profile: prof).rate?.perSecond == 10)
        #expect(try resolve(env: env, profile: prof).rate?.perSecond == 20)
        let fromProfile = try resolve(profile: prof).rate
        #expect(fromProfile?.description == "100/min")
        #expect(abs((fromProfile?.perSecond ?? 0) - 100.0 / 60) < 1e-9)
        #expect(try resolve().rate == nil)
        #expect(try resolve(flags: flags { $0.rate = "unlimited" }, profile: prof).rate == nil)
    }

    @Test func concurrency() throws {
        let prof = profile { $0.concurrency = 4 }
        let env = ["BADGE_IMPORT_CONCURRENCY": "12"]
        #expect(try resolve(flags: flags { $0.concurrency = 32 }, env: env, profile: prof).concurrency == 32)
        #expect(try resolve(env: env, profile: prof).concurrency == 12)
        #expect(try resolve(profile: prof).concurrency == 4)
        let defaults = try resolve()
        #expect(defaults.concurrency == 8)
        #expect(defaults.recordedOptions["source.concurrency"] == "default")
    }

    @Test func ledger() throws {
        let prof = profile { $0.ledger = "/p.ledger" }
        let env = ["BADGE_IMPORT_LEDGER": "/e.ledger"]
        #expect(try resolve(flags: flags { $0.ledger = "/f.ledger" }, env: env, profile: prof).ledgerPath == "/f.ledger")
        #expect(try resolve(env: env, profile: prof).ledgerPath == "/e.ledger")
        #expect(try resolve(profile: prof).ledgerPath == "/p.ledger")
        #expect(try resolve().ledgerPath == "badge-import.ledger")
    }

    @Test func reportDirectory() throws {
        let prof = profile { $0.reportDir = "/data/reports" }
        let env = ["BADGE_IMPORT_REPORT_DIR": "/env/reports/"]
        // --report-dir names this run's directory, as the command always treated it; the
        // environment and profiles name the parent of every run's directory.
        #expect(try resolve(flags: flags { $0.reportDir = "out" }, env: env, profile: prof).reportDir == "out")
        #expect(try resolve(env: env, profile: prof).reportDir == "/env/reports/run-{id}")
        #expect(try resolve(profile: prof).reportDir == "/data/reports/run-{id}")
        #expect(try resolve().reportDir == "reports/run-{id}")
        #expect(RunOptions.reportDirectory(root: "/data/reports/", runId: 42) == "/data/reports/run-42")
    }

    @Test func usernameAndPassword() throws {
        let files = FakeFiles(["/flag-pw": "flagpw\n", "/env-pw": "envfilepw\r\n", "/prof-pw": "profpw"])
        let prof = profile { $0.username = "prof-user"; $0.passwordFile = "/prof-pw" }
        let env = ["CAP_USERNAME": "env-user", "CAP_PASSWORD": "envpw"]
        let flagLayer = flags { $0.username = "flag-user"; $0.passwordFile = "/flag-pw" }

        let flagFiles = FakeFiles(files.files)
        #expect(try resolve(flags: flagLayer, env: env, profile: prof, files: flagFiles).auth == .basic(username: "flag-user", password: Secret("flagpw")))
        #expect(flagFiles.reads == ["/flag-pw"])
        #expect(try resolve(env: env, profile: prof, files: files).auth == .basic(username: "env-user", password: Secret("envpw")))
        #expect(try resolve(env: ["CAP_PASSWORD_FILE": "/env-pw"], profile: prof, files: files).auth
                == .basic(username: "prof-user", password: Secret("envfilepw")))
        #expect(try resolve(profile: prof, files: files).auth == .basic(username: "prof-user", password: Secret("profpw")))
    }

    @Test func lowerLayerSecretSourcesAreNotRead() throws {
        let files = FakeFiles()   // the profile's file does not exist on this machine
        let prof = profile { $0.username = "u"; $0.passwordFile = "/run/secrets/missing" }
        let settings = try resolve(env: ["CAP_PASSWORD": "pw"], profile: prof, files: files)
        #expect(settings.auth == .basic(username: "u", password: Secret("pw")))
        #expect(files.reads.isEmpty)
        #expect(settings.recordedOptions["source.password"] == "environment CAP_PASSWORD")
    }

    @Test func passwordFromANamedVariable() throws {
        let prof = profile { $0.username = "u"; $0.passwordEnv = "EU_PW"; $0.lines["password_env"] = 5 }
        #expect(try resolve(env: ["EU_PW": "s3cret"], profile: prof).auth == .basic(username: "u", password: Secret("s3cret")))
        do {
            _ = try resolve(profile: prof)
            Issue.record("an unset variable must be an error")
        } catch {
            #expect("\(error)".contains("EU_PW"))
            #expect("\(error)".contains("c.toml:5"))
        }
        // Flags can name the variable too, and beat the profile.
        #expect(try resolve(flags: flags { $0.passwordEnv = "OTHER" }, env: ["OTHER": "o", "EU_PW": "e"], profile: prof).auth
                == .basic(username: "u", password: Secret("o")))
    }

    @Test func secretFileTrailingNewlineIsTrimmedButNothingElse() throws {
        let files = FakeFiles(["/pw": "  pass word \n\n"])
        let settings = try resolve(env: ["CAP_USERNAME": "u", "CAP_PASSWORD_FILE": "/pw"], files: files)
        #expect(settings.auth == .basic(username: "u", password: Secret("  pass word ")))
        #expect(files.reads == ["/pw"])
    }

    @Test func secretFileOnDiskIsReadForReal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("cap-password").path
        try "from-disk\n".write(toFile: path, atomically: true, encoding: .utf8)
        var resolver = RunOptionsResolver(
            flags: RunOptionsLayer(), environment: ["CAP_USERNAME": "u", "CAP_PASSWORD_FILE": path, "CAP_BASE_URL": "https://h.example"],
            profile: nil)
        let settings = try resolver.resolve(inputs: [], mapping: MappingOptions(), startMock: { "" })
        #expect(settings.auth == .basic(username: "u", password: Secret("from-disk")))
    }

    @Test func emptyOrUnreadableSecretFilesAreErrorsWithoutContent() throws {
        #expect(throws: ConfigError.self) {
            try resolve(env: ["CAP_USERNAME": "u", "CAP_PASSWORD_FILE": "/empty"], files: FakeFiles(["/empty": "\n"]))
        }
        do {
            _ = try resolve(env: ["CAP_USERNAME": "u", "CAP_PASSWORD_FILE": "/nope"])
            Issue.record("a missing file must be an error")
        } catch {
            #expect("\(error)".contains("CAP_PASSWORD_FILE"))
            #expect("\(error)".contains("/nope"))
        }
    }

    @Test func twoWaysInOneLayerConflict() {
        #expect(throws: ConfigError.self) {
            try resolve(env: ["CAP_USERNAME": "u", "CAP_PASSWORD": "a", "CAP_PASSWORD_FILE": "/pw"], files: FakeFiles(["/pw": "b"]))
        }
        let prof = profile { $0.username = "u"; $0.passwordEnv = "X"; $0.passwordFile = "/pw" }
        #expect(throws: ConfigError.self) { try resolve(env: ["X": "a"], profile: prof, files: FakeFiles(["/pw": "b"])) }
    }

    @Test func oauthKeyAndSecretEachLayer() throws {
        let files = FakeFiles(["/fk": "flag-key\n", "/fs": "flag-secret\n", "/ps": "prof-secret\n"])
        let prof = profile { $0.authKind = .oauth; $0.clientKey = "prof-key"; $0.clientSecretFile = "/ps" }
        let env = ["CAP_CLIENT_KEY": "env-key", "CAP_CLIENT_SECRET": "env-secret"]
        let flagLayer = flags { $0.clientKeyFile = "/fk"; $0.clientSecretFile = "/fs" }
        #expect(try resolve(flags: flagLayer, env: env, profile: prof, files: files).auth
                == .oauth(clientKey: "flag-key", clientSecret: Secret("flag-secret")))
        #expect(try resolve(env: env, profile: prof, files: files).auth
                == .oauth(clientKey: "env-key", clientSecret: Secret("env-secret")))
        #expect(try resolve(profile: prof, files: files).auth
                == .oauth(clientKey: "prof-key", clientSecret: Secret("prof-secret")))
        #expect(try resolve(env: ["CAP_CLIENT_SECRET_FILE": "/fs"], profile: prof, files: files).auth
                == .oauth(clientKey: "prof-key", clientSecret: Secret("flag-secret")))
    }

    // MARK: auth kind

    @Test func authKindFlagBeatsProfileAndIsInferredOtherwise() throws {
        let prof = profile { $0.authKind = .basic; $0.username = "u"; $0.passwordEnv = "PW" }
        #expect(try resolve(flags: flags { $0.authKind = AuthKind.none }, env: ["PW": "x"], profile: prof).auth == .none)
        #expect(try resolve(env: ["PW": "x"], profile: prof).auth.kind == .basic)
        #expect(try resolve(env: ["CAP_USERNAME": "u", "CAP_PASSWORD": "p"]).auth.kind == .basic)
        #expect(try resolve(env: ["CAP_CLIENT_KEY": "k", "CAP_CLIENT_SECRET": "s"]).auth.kind == .oauth)
        #expect(try resolve().auth == .none)
        // Both kinds of credentials and no auth setting: ask, don't guess.
        #expect(throws: ConfigError.self) {
            try resolve(env: ["CAP_USERNAME": "u", "CAP_PASSWORD": "p", "CAP_CLIENT_KEY": "k", "CAP_CLIENT_SECRET": "s"])
        }
    }

    @Test func missingCredentialsAreNamed() {
        do {
            _ = try resolve(env: ["CAP_USERNAME": "u"])
            Issue.record("expected missing password")
        } catch {
            #expect("\(error)".contains("password"))
            #expect("\(error)".contains("CAP_PASSWORD"))
        }
        #expect(throws: ConfigError.self) { try resolve(flags: flags { $0.authKind = .basic }, env: ["CAP_PASSWORD": "p"]) }
        #expect(throws: ConfigError.self) { try resolve(flags: flags { $0.authKind = .oauth }, env: ["CAP_CLIENT_KEY": "k"]) }
    }

    // MARK: validation and secrecy

    @Test func badEnvironmentValuesNameTheVariable() {
        for (name, value) in [("BADGE_IMPORT_CONCURRENCY", "lots"), ("BADGE_IMPORT_CONCURRENCY", "0"),
                              ("BADGE_IMPORT_RATE", "quick"), ("CAP_BASE_URL", "not a url")] {
            do {
                _ = try resolve(env: [name: value])
                Issue.record("\(name)=\(value) accepted")
            } catch {
                #expect("\(error)".contains(name), "\(error)")
            }
        }
        #expect(throws: ConfigError.self) { try resolve(flags: flags { $0.concurrency = 10_000 }) }
        #expect(throws: ConfigError.self) { try resolve(flags: flags { $0.baseURL = "https://user:pw@host.example" }) }
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let prof = profile { $0.ledger = "/p.ledger" }
        #expect(try resolve(env: ["BADGE_IMPORT_LEDGER": ""], profile: prof).ledgerPath == "/p.ledger")
    }

    @Test func secretsNeverShowInDescriptionsOrOptions() throws {
        let settings = try resolve(env: ["CAP_USERNAME": "u", "CAP_PASSWORD": "hunter2-secret"])
        #expect("\(settings)".contains("hunter2") == false)
        #expect(String(reflecting: settings).contains("hunter2") == false)
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(!settings.recordedOptions.values.joined().contains("hunter2"))
        #expect(settings.recordedOptions["username"] == "u")
        #expect(settings.recordedOptions["source.password"] == "environment CAP_PASSWORD")
        #expect("\(Secret("x"))" == "<redacted>")
        #expect(Secret("x").revealed == "x")
    }
}
