import ArgumentParser
import BadgeImport

/// Where the API is and who we are there: the same for `run` and `verify`, which read the same
/// profiles and credentials.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: "API base, e.g. https://eu.api.capillarytech.com (or CAP_BASE_URL).")
    var baseURL: String?

    @Option(name: .customLong("ca-file"), help: "CA bundle for a private CA (TLS is always verified).", completion: .file())
    var caFile: String?

    @Option(help: "Basic-auth username (or CAP_USERNAME); the password comes from CAP_PASSWORD or --password-file.")
    var username: String?

    @Option(name: .customLong("password-file"), help: "File holding the Basic-auth password.", completion: .file())
    var passwordFile: String?

    @Option(help: "Configuration file with named profiles (TOML).", completion: .file(extensions: ["toml"]))
    var config: String?

    @Option(help: "Profile of the configuration file to use (or BADGE_IMPORT_PROFILE).")
    var profile: String?

    /// Puts the flags that were given into the library's top layer (nil: not given).
    func apply(to flags: inout RunOptionsLayer) {
        flags.baseURL = baseURL
        flags.caFile = caFile
        flags.username = username
        flags.passwordFile = passwordFile
    }
}
