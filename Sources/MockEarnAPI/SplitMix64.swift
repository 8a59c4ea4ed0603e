/// The mock's only source of randomness: SplitMix64 (Steele, Lea, Flood 2014), seeded from
/// `MockConfiguration.seed`. Every fault decision comes from one instance, drawn under the server's
/// lock in the order requests take it, so a fixed seed and a sequential client give the same
/// faults on the same requests every run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
