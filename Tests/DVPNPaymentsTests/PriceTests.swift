import DVPNLedger
import DVPNPayments
import PropertyBased
import Testing

/// Pricing and metering: per GiB = 2^30 bytes, per hour, rounded up, overflow as an error.
@Suite struct PriceTests {
    @Test func costIsRoundedUpPerPart() throws {
        let price = Price(perGiB: .u(1_000_000), perHour: .u(3_600))
        #expect(try price.cost(bytes: 0, milliseconds: 0) == .zero)
        #expect(try price.cost(bytes: 1 << 30, milliseconds: 0) == .u(1_000_000))
        #expect(try price.cost(bytes: 1, milliseconds: 0) == .u(1))
        #expect(try price.cost(bytes: 1 << 20, milliseconds: 0) == .u(977))
        // 3 600 udvpn per hour is 1 per second; 1 ms already costs 1 (rounded up).
        #expect(try price.cost(bytes: 0, milliseconds: 1) == .u(1))
        #expect(try price.cost(bytes: 0, milliseconds: 60_000) == .u(60))
        #expect(try price.cost(bytes: 1 << 30, milliseconds: 3_600_000) == .u(1_003_600))
        #expect(try Price(perGiB: .zero).cost(bytes: .max, milliseconds: .max) == .zero)
    }

    @Test func overflowIsAnErrorNotATrap() {
        let price = Price(perGiB: .u(.max), perHour: .u(.max))
        #expect(throws: PaymentError.self) { try price.cost(bytes: 1 << 31, milliseconds: 0) }
        #expect(throws: PaymentError.self) { try price.cost(bytes: 0, milliseconds: 7_200_000) }
        // Each part fits, the sum does not.
        #expect(throws: PaymentError.self) { try price.cost(bytes: 1 << 30, milliseconds: 3_600_000) }
    }

    /// `bytes(affordableWith:)` is the exact inverse: the largest count whose cost fits the budget.
    @Test func affordableBytesInvertTheCost() async {
        let input = zip(Gen.uint64(in: 1...100_000_000_000), Gen.uint64(in: 0...10_000_000), Gen.uint64(in: 0...1_000_000_000_000), Gen.uint64(in: 0...86_400_000))
        await propertyCheck(count: 500, input: input) { perGiB, perHour, budget, milliseconds in
            let price = Price(perGiB: .u(perGiB), perHour: .u(perHour))
            let bytes = price.bytes(affordableWith: .u(budget), milliseconds: milliseconds)
            guard let time = try? price.cost(bytes: 0, milliseconds: milliseconds) else { return }
            if time.udvpn > budget {
                #expect(bytes == 0)
                return
            }
            #expect((try? price.cost(bytes: bytes, milliseconds: milliseconds)).map { $0.udvpn <= budget } == true)
            if bytes < .max {
                #expect((try? price.cost(bytes: bytes + 1, milliseconds: milliseconds)).map { $0.udvpn > budget } ?? true)
            }
        }
    }

    @Test func priceEncoding() throws {
        let price = Price(perGiB: .u(0x0102), perHour: .u(3))
        #expect(price.canonicalBytes == [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 3])
        #expect(try Price(canonicalBytes: price.canonicalBytes) == price)
        #expect(price.description == "0.000258 DVPN/GiB + 0.000003 DVPN/h")
    }

    @Test func byteMeterCountsBothDirectionsAndSaturates() {
        var meter = ByteMeter()
        meter.countUpstream(1_420)
        meter.countDownstream(60)
        meter.countDownstream(-5)
        #expect(meter.upstream == 1_420 && meter.downstream == 60 && meter.total == 1_480)
        var full = ByteMeter(upstream: .max - 1, downstream: .max)
        full.countUpstream(10)
        #expect(full.upstream == .max && full.total == .max)
    }

    @Test func stepScheduleStartsSmallAndGrowsToTheCap() throws {
        let schedule = StepSchedule.standard
        let perGiB = Price(perGiB: .u(1_000_000))
        #expect(try schedule.firstStep(at: perGiB) == .u(977))
        #expect(try schedule.capStep(at: perGiB) == .u(62_500))
        #expect(try schedule.step(after: .zero, at: perGiB) == .u(977))
        #expect(try schedule.step(after: .u(10_000), at: perGiB) == .u(5_000))
        #expect(try schedule.step(after: .u(1_000_000), at: perGiB) == .u(62_500))
        // With an hourly price the larger of 1 MiB and 5 s worth starts: 5 s at 3.6 DVPN/h = 5 000.
        let both = Price(perGiB: .u(1_000_000), perHour: .u(3_600_000))
        #expect(try schedule.firstStep(at: both) == .u(5_000))
        #expect(try schedule.capStep(at: both) == .u(62_500))
        // A price so low that a step would be free still asks 1 udvpn.
        #expect(try schedule.firstStep(at: Price(perGiB: .zero)) == .u(1))
        try schedule.validate()
        for bad in [
            StepSchedule(firstBytes: 0, firstMilliseconds: 0, capBytes: 1, capMilliseconds: 1, growthPercent: 150),
            StepSchedule(firstBytes: 2 << 20, firstMilliseconds: 5_000, capBytes: 1 << 20, capMilliseconds: 60_000, growthPercent: 150),
            StepSchedule(firstBytes: 1 << 20, firstMilliseconds: 5_000, capBytes: 2 << 30, capMilliseconds: 60_000, growthPercent: 150),
            StepSchedule(firstBytes: 1 << 20, firstMilliseconds: 5_000, capBytes: 64 << 20, capMilliseconds: 60_000, growthPercent: 100),
        ] {
            #expect(throws: PaymentError.self) { try bad.validate() }
        }
    }
}
