import Testing

@Test func placeholderBadgeImportTests() { #expect(1 + 1 == 2) }
