import Foundation
import Testing
@testable import BadgeImport

@Suite("Config file (TOML subset, profiles)")
struct ConfigFileTests {
    static let sample = """
    # badge-import configuration
    default_profile = "eu-prod"

    [profiles.eu-prod]
    base_url = "https://eu.api.capillarytech.com"   # the EU cluster
    auth = "basic"
    username = "store.server"
    password_env = "CAP_PASSWORD"
    rate = "1000/min"
    concurrency = 16
    ledger = "/data/eu-prod.ledger"
    report_dir = "/data/reports"

    [profiles."apac oauth"]
    auth = 'oauth'
    client_key_env = "KEY_VAR"
    client_secret_file = "/run/secrets/cap-client-secret"
    """

    /// A real file in a fresh temp dir.
    func write(_ text: String, name: String = "config.toml") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func loadError(_ text: String) throws -> (ConfigError, String) {
        let path = try write(text)
        do {
            _ = try ConfigFile.load(path: path)
        } catch {
            return (error, path)
        }
        Issue.record("expected a configuration error for:\n\(text)")
        return (.syntax(file: "", line: 0, message: ""), path)
    }

    @Test func loadsProfilesFromARealFile() throws {
        let path = try write(Self.sample)
        let config = try ConfigFile.load(path: path)
        #expect(config.path == path)
        #expect(config.defaultProfile == "eu-prod")
        #expect(config.profiles.keys.sorted() == ["apac oauth", "eu-prod"])
        let eu = try config.profile(named: "eu-prod")
        #expect(eu.baseURL == "https://eu.api.capillarytech.com")
        #expect(eu.authKind == .basic)
        #expect(eu.username == "store.server")
        #expect(eu.passwordEnv == "CAP_PASSWORD")
        #expect(eu.rate == "1000/min")
        #expect(eu.concurrency == 16)
        #expect(eu.ledger == "/data/eu-prod.ledger")
        #expect(eu.reportDir == "/data/reports")
        #expect(eu.lines["concurrency"] == 10)
        #expect(eu.origin(of: "rate") == "profile 'eu-prod' (\(path):9)")
        let apac = try config.profile(named: "apac oauth")
        #expect(apac.authKind == .oauth)
        #expect(apac.clientKeyEnv == "KEY_VAR")
        #expect(apac.clientSecretFile == "/run/secrets/cap-client-secret")
    }

    @Test func missingProfileNamesTheFileAndTheAvailableOnes() throws {
        let path = try write(Self.sample)
        let config = try ConfigFile.load(path: path)
        #expect(throws: ConfigError.profileNotFound(name: "us-prod", file: path, available: ["apac oauth", "eu-prod"])) {
            try config.profile(named: "us-prod")
        }
        let message = ConfigError.profileNotFound(name: "us-prod", file: path, available: ["apac oauth", "eu-prod"]).description
        #expect(message.contains("us-prod") && message.contains(path) && message.contains("eu-prod"))
    }

    @Test func unknownKeyIsAnErrorNamingFileAndLine() throws {
        let (error, path) = try loadError("""
        [profiles.x]
        rate = "10/s"
        concurency = 4
        """)
        #expect(error == .unknownKey(file: path, line: 3, key: "concurency"))
        #expect(error.description == "\(path):3: unknown key 'concurency'")
    }

    @Test func unknownTablesAndTopLevelKeysAreErrors() throws {
        var (error, path) = try loadError("[settings]\nrate = \"1/s\"\n")
        #expect(error == .unknownKey(file: path, line: 1, key: "[settings]"))
        (error, path) = try loadError("\nbase_url = \"https://x\"\n")
        #expect(error == .unknownKey(file: path, line: 2, key: "base_url"))
        (error, path) = try loadError("[profiles.a.b]\n")
        #expect(error == .unknownKey(file: path, line: 1, key: "[profiles.a.b]"))
    }

    @Test(arguments: ["password", "client_secret"])
    func inlineSecretIsRefusedNamingTheLine(key: String) throws {
        let (error, path) = try loadError("""
        [profiles.eu]
        username = "u"
        \(key) = "hunter2"
        """)
        #expect(error == .inlineSecret(file: path, line: 3, key: key))
        #expect(error.description.contains("\(path):3"))
        #expect(!error.description.contains("hunter2"))
    }

    @Test func inlineSecretAtTopLevelOrDottedIsRefusedToo() throws {
        var (error, path) = try loadError("password = \"x\"\n")
        #expect(error == .inlineSecret(file: path, line: 1, key: "password"))
        (error, path) = try loadError("[profiles]\neu.client_secret = \"x\"\n")
        #expect(error == .inlineSecret(file: path, line: 2, key: "client_secret"))
    }

    @Test func wrongTypesAndBadValuesNameTheLine() throws {
        var (error, path) = try loadError("[profiles.a]\nconcurrency = \"16\"\n")
        #expect(error == .invalidValue(file: path, line: 2, key: "concurrency", message: "must be an integer, not a string"))
        (error, path) = try loadError("[profiles.a]\nconcurrency = 0\n")
        guard case .invalidValue(_, 2, "concurrency", _) = error else { Issue.record("\(error)"); return }
        (error, path) = try loadError("[profiles.a]\nauth = \"kerberos\"\n")
        #expect(error == .invalidValue(file: path, line: 2, key: "auth", message: "must be one of basic, oauth, none"))
        (error, path) = try loadError("[profiles.a]\nrate = \"fast\"\n")
        guard case .invalidValue(_, 2, "rate", _) = error else { Issue.record("\(error)"); return }
        (error, path) = try loadError("[profiles.a]\nbase_url = \"ftp://x\"\n")
        guard case .invalidValue(_, 2, "base_url", _) = error else { Issue.record("\(error)"); return }
        (error, path) = try loadError("[profiles.a]\nledger = 3\n")
        #expect(error == .invalidValue(file: path, line: 2, key: "ledger", message: "must be a quoted string, not an integer"))
    }

    @Test func unreadableFileIsAnError() {
        let path = "/nonexistent-\(UUID().uuidString)/x.toml"
        #expect(throws: ConfigError.unreadableFile(path: path, reason: "no such file")) {
            try ConfigFile.load(path: path)
        }
    }

    // MARK: the TOML subset itself

    @Test func parsesTheSupportedSubset() throws {
        let doc = try TOMLSubset.parse("""
        \u{FEFF}# comment
        a = "tab\\tquote\\" back\\\\ \\u00e9\\U0001F600"
        b = 'C:\\raw\\path'
        c = -1_000
        d = 1.5e3
        e = true
        f = false   # trailing comment
        "quoted key".bare-key = 0
        [ x . "y.z" ]
        g = +7
        """, file: "t.toml")
        func value(_ path: [String]) -> TOMLSubset.Value? { doc.entries.first { $0.path == path }?.value }
        #expect(value(["a"]) == .string("tab\tquote\" back\\ é😀"))
        #expect(value(["b"]) == .string("C:\\raw\\path"))
        #expect(value(["c"]) == .integer(-1000))
        #expect(value(["d"]) == .float(1500))
        #expect(value(["e"]) == .bool(true))
        #expect(value(["f"]) == .bool(false))
        #expect(value(["quoted key", "bare-key"]) == .integer(0))
        #expect(value(["x", "y.z", "g"]) == .integer(7))
        #expect(doc.tables == [TOMLSubset.Table(path: ["x", "y.z"], line: 9)])
        #expect(doc.entries.first { $0.path == ["x", "y.z", "g"] }?.line == 10)
    }

    @Test func crlfFilesParse() throws {
        let doc = try TOMLSubset.parse("[profiles.a]\r\nrate = \"1/s\"\r\n", file: "t.toml")
        #expect(doc.entries == [TOMLSubset.Entry(path: ["profiles", "a", "rate"], value: .string("1/s"), line: 2)])
    }

    @Test(arguments: [
        ("a = [1, 2]", 1, "arrays"),
        ("a = { b = 1 }", 1, "inline tables"),
        ("\n\na = \"\"\"x\"\"\"", 3, "multi-line"),
        ("[[a]]", 1, "arrays of tables"),
        ("a = unquoted", 1, "strings must be quoted"),
        ("a = \"open", 1, "not closed"),
        ("a = \"bad \\q escape\"", 1, "unknown escape"),
        ("a = 1979-05-27", 1, "not a value"),
        ("a = 01", 1, "leading zeros"),
        ("a = 1__0", 1, "underscore"),
        ("a = 99999999999999999999", 1, "64-bit"),
        ("a = 1 2", 1, "after the value"),
        ("a", 1, "expected '='"),
        ("a =", 1, "expected a value"),
        ("[a", 1, "']'"),
        ("a = 1\na = 2", 2, "already defined at line 1"),
        ("[t]\n[t]", 2, "already defined at line 1"),
        ("= 1", 1, "cannot start a key"),
        ("a = \"\\u12\"", 1, "hex digits"),
    ])
    func rejectsWhatItDoesNotSupportWithFileAndLine(text: String, line: Int, fragment: String) {
        do {
            _ = try TOMLSubset.parse(text, file: "bad.toml")
            Issue.record("accepted: \(text)")
        } catch {
            guard case .syntax(let file, let errorLine, let message) = error else { Issue.record("\(error)"); return }
            #expect(file == "bad.toml")
            #expect(errorLine == line)
            #expect(message.contains(fragment), "\(message)")
            #expect(error.description.hasPrefix("bad.toml:\(line): "))
        }
    }

    // MARK: where the file is looked for

    @Test func locateFollowsTheDocumentedOrder() throws {
        let home = "/home/u"
        let userFile = "/home/u/.config/badge-import/config.toml"
        var existing: Set<String> = [userFile, "badge-import.toml", "/etc/explicit.toml", "/etc/env.toml"]
        let exists = { (p: String) in existing.contains(p) }
        #expect(try ConfigFile.locate(explicitPath: "/etc/explicit.toml", environment: ["BADGE_IMPORT_CONFIG": "/etc/env.toml", "HOME": home], fileExists: exists) == "/etc/explicit.toml")
        #expect(try ConfigFile.locate(explicitPath: nil, environment: ["BADGE_IMPORT_CONFIG": "/etc/env.toml", "HOME": home], fileExists: exists) == "/etc/env.toml")
        #expect(try ConfigFile.locate(explicitPath: nil, environment: ["HOME": home], fileExists: exists) == "badge-import.toml")
        existing.remove("badge-import.toml")
        #expect(try ConfigFile.locate(explicitPath: nil, environment: ["HOME": home], fileExists: { existing.contains($0) }) == userFile)
        existing.remove(userFile)
        #expect(try ConfigFile.locate(explicitPath: nil, environment: ["HOME": home], fileExists: { existing.contains($0) }) == nil)
        // Named explicitly but missing: an error, not a silent fallback.
        #expect(throws: ConfigError.self) {
            try ConfigFile.locate(explicitPath: "/missing.toml", environment: [:], fileExists: { _ in false })
        }
        #expect(throws: ConfigError.self) {
            try ConfigFile.locate(explicitPath: nil, environment: ["BADGE_IMPORT_CONFIG": "/missing.toml"], fileExists: { _ in false })
        }
    }

    @Test func profileSelectionFlagThenEnvironmentThenDefault() throws {
        let config = try ConfigFile.parse(Self.sample, path: "c.toml")
        #expect(config.selectedProfileName(flag: "apac oauth", environment: ["BADGE_IMPORT_PROFILE": "x"]) == "apac oauth")
        #expect(config.selectedProfileName(flag: nil, environment: ["BADGE_IMPORT_PROFILE": "x"]) == "x")
        #expect(config.selectedProfileName(flag: nil, environment: [:]) == "eu-prod")
        let bare = try ConfigFile.parse("[profiles.a]\n", path: "c.toml")
        #expect(bare.selectedProfileName(flag: nil, environment: [:]) == nil)
        #expect(bare.profiles["a"] != nil)
    }
}
