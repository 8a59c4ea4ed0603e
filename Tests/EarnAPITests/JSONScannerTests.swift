import Testing
@testable import EarnAPI

@Suite struct JSONScannerTests {
    /// Reads one flat object's members as strings (values' raw text for non-strings).
    private func members(_ text: String, _ invalidText: JSONScanner.InvalidText = .refuse) -> Result<[String: String], JSONScanner.Failure> {
        members(Array(text.utf8), invalidText)
    }

    private func members(_ bytes: [UInt8], _ invalidText: JSONScanner.InvalidText = .refuse) -> Result<[String: String], JSONScanner.Failure> {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer, invalidText: invalidText)
            var out: [String: String] = [:]
            do throws(JSONScanner.Failure) {
                if try scanner.openObject() {
                    repeat {
                        let key = scanner.string(try scanner.key())
                        switch try scanner.value() {
                        case .string(let text): out[key] = scanner.string(text)
                        case .number(let range), .nested(let range):
                            out[key] = String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
                        case .bool(let value): out[key] = "\(value)"
                        case .null: out[key] = "null"
                        }
                    } while try scanner.memberFollows()
                }
                return .success(out)
            } catch {
                return .failure(error)
            }
        }
    }

    @Test func readsScalarsEscapesAndNestedValues() throws {
        let read = try members(#"{ "a":"x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00", "n" : -0.5e+10,"t":true,"z":null,"o":{"p":[1,[2]]} }"#).get()
        #expect(read == ["a": "x\"y\\z/\u{8}\u{c}\n\r\té😀", "n": "-0.5e+10", "t": "true", "z": "null", "o": #"{"p":[1,[2]]}"#])
    }

    @Test func failuresSayWhyAndWhere() {
        let cases: [(String, String, Int)] = [
            (#"{"a":1 "b":2}"#, "expected ',' or '}'", 7),
            (#"{"a" 1}"#, "expected ':' after a key", 5),
            (#"{"a":1,}"#, "expected a key in double quotes", 7),
            (#"{"a":01}"#, "expected ',' or '}'", 6),
            (#"{"a":1.}"#, "invalid number", 5),
            (#"{"a":-}"#, "invalid value", 5),
            (#"{"a":tru}"#, "invalid literal", 5),
            (#"{"a":"\x"}"#, #"invalid escape \x"#, 6),
            (#"{"a":"\u12"}"#, #"invalid \u escape"#, 10),
            (#"{"a":"\ud83d"}"#, #"unpaired surrogate in \u escape"#, 12),
            ("{\"a\":\"tab\there\"}", "control character in a string", 9),
            (#"{"a":"open}"#, "unterminated string", 5),
        ]
        for (text, reason, offset) in cases {
            #expect(members(text) == .failure(JSONScanner.Failure(reason: reason, offset: offset)), "\(text)")
        }
    }

    @Test func invalidTextIsRefusedOrReplacedAsAsked() {
        let badByte = Array(#"{"a":""#.utf8) + [0xC3] + Array(#""}"#.utf8)
        #expect(members(badByte) == .failure(JSONScanner.Failure(reason: "invalid UTF-8 in a string", offset: 5)))
        #expect(members(badByte, .replace) == .success(["a": "\u{FFFD}"]))
        #expect(members(#"{"a":"\ud83dx\ude00\ud83d\ud83d\ude00"}"#, .replace) == .success(["a": "\u{FFFD}x\u{FFFD}\u{FFFD}😀"]))
        #expect(members(#"{"a":"\ud83d"}"#, .replace) == .success(["a": "\u{FFFD}"]))
    }

    @Test func nestingLimitsAreEachSidesOwn() {
        func skips(_ nested: String, maxDepth: Int, scalars: Bool) -> Bool {
            Array(nested.utf8).withUnsafeBufferPointer { buffer in
                var scanner = JSONScanner(buffer, maxDepth: maxDepth, scalarsCountTowardDepth: scalars)
                return (try? scanner.skipValue(depth: 0)) != nil
            }
        }
        let wrap = { (depth: Int, inner: String) in String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth) }
        // The importer: 256 levels below a member, scalars counted.
        #expect(skips(wrap(256, ""), maxDepth: 256, scalars: true))
        #expect(!skips(wrap(256, "1"), maxDepth: 256, scalars: true))
        #expect(!skips(wrap(257, ""), maxDepth: 256, scalars: true))
        // The mock: containers only.
        #expect(skips(wrap(63, "1"), maxDepth: 63, scalars: false))
        #expect(!skips(wrap(64, ""), maxDepth: 63, scalars: false))
        #expect(!skips(wrap(10_000, ""), maxDepth: 256, scalars: true))
    }

    @Test func mockBodyNestingBoundaryIsSixtyFourContainers() {
        func body(_ depth: Int) -> [UInt8] {
            Array((#"{"x":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}").utf8)
        }
        #expect(body(63).withUnsafeBytes { EarnRequestBody.decode($0) } != nil)
        #expect(body(64).withUnsafeBytes { EarnRequestBody.decode($0) } == nil)
    }
}
