import Foundation

/// A bounded first-in first-out hand-off between threads. `put` blocks while the queue is
/// full, which is what keeps the reader from running far ahead of the workers: memory stays
/// flat however large the input is.
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var buffer: [Element?]
    private var head = 0
    private var count = 0
    private var closed = false

    init(capacity: Int) {
        precondition(capacity > 0)
        buffer = Array(repeating: nil, count: capacity)
    }

    /// Waits for room; returns false (and drops the element) once the queue is closed.
    @discardableResult
    func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while count == buffer.count && !closed { condition.wait() }
        guard !closed else { return false }
        buffer[(head + count) % buffer.count] = element
        count += 1
        condition.broadcast()
        return true
    }

    /// Waits for an element; nil once the queue is closed and empty.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while count == 0 && !closed { condition.wait() }
        guard count > 0 else { return nil }
        let element = buffer[head]
        buffer[head] = nil
        head = (head + 1) % buffer.count
        count -= 1
        condition.broadcast()
        return element
    }

    /// Elements waiting now.
    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    /// No more puts: takers drain what is left, then get nil.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Closes the queue and hands back what nobody took, so a stopping run can account for it.
    func closeAndDrain() -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        var left: [Element] = []
        while count > 0 {
            if let element = buffer[head] { left.append(element) }
            buffer[head] = nil
            head = (head + 1) % buffer.count
            count -= 1
        }
        condition.broadcast()
        return left
    }
}
