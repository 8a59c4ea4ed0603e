extension RunOptionsResolver {
    /// The options kept with the run in the ledger and summary.json, and where each came from:
    /// what someone reading a report months later needs to know how it was run. Never a secret
    /// (`auth` gives only the kind, and the user name, which the API's logs show too).
    func recordedOptions(of options: RunOptions, mock: Bool) -> [String: String] {
        var recorded: [String: String] = [
            "auth": options.auth.kind.rawValue,
            "base_url": mock ? "embedded mock (\(options.baseURL))" : options.baseURL,
            "concurrency": String(options.concurrency),
            "ledger": options.ledgerPath,
            "rate": options.rate?.description ?? "unlimited",
            "report_dir": options.reportDir,
            "max_attempts": String(options.maxAttempts),
            "timeout": String(options.timeout),
            "duplicate_memory": String(options.duplicateMemory),
        ]
        if case .basic(let username, _) = options.auth { recorded["username"] = username }
        for (key, origin) in origins { recorded["source." + key] = origin }
        if let shard = options.shard { recorded["shard"] = shard.description }
        if options.skipRejected { recorded["skip_rejected"] = "true" }
        if options.reprocess { recorded["reprocess"] = "true" }
        if options.dryRun { recorded["dry_run"] = "true" }
        if !options.preflight { recorded["preflight"] = "false" }
        if options.bulk {
            recorded["bulk"] = "true"
            recorded["bulk_size"] = String(options.bulkSize)
        }
        if let archive = options.archiveDir { recorded["archive_dir"] = archive }
        if options.mapping.keyNamespace != RequestID.defaultNamespace {
            recorded["key_namespace"] = options.mapping.keyNamespace
        }
        return recorded
    }
}
