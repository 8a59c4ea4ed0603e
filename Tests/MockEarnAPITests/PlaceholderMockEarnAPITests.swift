import Testing

@Test func placeholderMockEarnAPITests() { #expect(1 + 1 == 2) }
