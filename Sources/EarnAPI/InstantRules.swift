/// What an ISO 8601 instant may look like. One parser serves every place the project reads an
/// instant; where the importer and the mock accepted different spellings before they were
/// shared, each difference is a rule here, so neither side's behaviour moved.
public struct InstantRules: Sendable, Equatable {
    public enum Zone: Sendable, Equatable {
        /// `Z` only: the API's `earnEventDate`.
        case utcOnly
        /// `Z` or an offset: input files, the newer `earnEventDateISO`, the mock's catalog.
        case utcOrOffset
    }

    /// What a bare `YYYY-MM-DD` means, if it is allowed (a catalog's window ends).
    public enum BareDate: Sendable, Equatable {
        case refused
        case startOfDay
        case endOfDay
    }

    public var zone: Zone
    /// `+0530` as well as `+05:30` (the mock took both; input files only the latter).
    public var offsetWithoutColon: Bool
    /// `t` and `z` as well as `T` and `Z` (input files allow them; the mock does not).
    public var lowercaseDesignators: Bool
    public var bareDate: BareDate
    /// The year must be 0001-9999 as written and in UTC, so the normalised form the importer
    /// sends is always a four-digit year.
    public var fourDigitYearsOnly: Bool

    public init(zone: Zone, offsetWithoutColon: Bool, lowercaseDesignators: Bool, bareDate: BareDate,
                fourDigitYearsOnly: Bool) {
        self.zone = zone
        self.offsetWithoutColon = offsetWithoutColon
        self.lowercaseDesignators = lowercaseDesignators
        self.bareDate = bareDate
        self.fourDigitYearsOnly = fourDigitYearsOnly
    }

    /// A row's `earnEventDate` in an input file: `YYYY-MM-DDTHH:MM:SS[.f{1,9}]` then `Z` or `±hh:mm`.
    public static let inputFile = InstantRules(zone: .utcOrOffset, offsetWithoutColon: false,
                                               lowercaseDesignators: true, bareDate: .refused, fourDigitYearsOnly: true)
    /// The request's `earnEventDate` as the mock reads it: UTC only.
    public static let earnEventDate = InstantRules(zone: .utcOnly, offsetWithoutColon: true,
                                                   lowercaseDesignators: false, bareDate: .refused, fourDigitYearsOnly: false)
    /// The request's `earnEventDateISO` as the mock reads it: an offset allowed.
    public static let earnEventDateISO = InstantRules(zone: .utcOrOffset, offsetWithoutColon: true,
                                                      lowercaseDesignators: false, bareDate: .refused, fourDigitYearsOnly: false)

    /// A badge window's start or end in the mock's catalog: a bare date covers its whole day.
    public static func catalogWindow(bareDate: BareDate) -> InstantRules {
        InstantRules(zone: .utcOrOffset, offsetWithoutColon: true, lowercaseDesignators: false,
                     bareDate: bareDate, fourDigitYearsOnly: false)
    }
}
