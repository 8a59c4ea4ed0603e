public enum BadgeImportVersion {
    public static let current = "0.1.0"
}
