import Foundation

/// A bounded first-in first-out hand-off between threads. `put` blocks while the queue is
/// full, which is what keeps the reader from running far ahead of the workers: memory stays
/// flat however large the input is.
///
/// Two condition variables on one mutex, each signalled once per change: with 32 or 64
/// workers waiting, a single broadcast condition would wake them all for every row and the
/// run would spend its time in the scheduler (measured: a fifth of all CPU time).
///
/// `put` and `take` signal after unlocking: a thread woken while the signaller still holds
/// the mutex wakes only to block on that mutex (glibc does no wait morphing), and with 32
/// workers that was most of the run's lock waits (perf: futex waits in `take`).
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let notEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let notFull = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var buffer: [Element?]
    private var head = 0
    private var count = 0
    private var closed = false

    init(capacity: Int) {
        precondition(capacity > 0)
        buffer = Array(repeating: nil, count: capacity)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(notEmpty, nil)
        pthread_cond_init(notFull, nil)
    }

    deinit {
        pthread_cond_destroy(notFull)
        pthread_cond_destroy(notEmpty)
        pthread_mutex_destroy(mutex)
        notFull.deallocate()
        notEmpty.deallocate()
        mutex.deallocate()
    }

    /// Waits for room; returns false (and drops the element) once the queue is closed.
    @discardableResult
    func put(_ element: Element) -> Bool {
        pthread_mutex_lock(mutex)
        while count == buffer.count && !closed { pthread_cond_wait(notFull, mutex) }
        guard !closed else {
            pthread_mutex_unlock(mutex)
            return false
        }
        buffer[(head + count) % buffer.count] = element
        count += 1
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(notEmpty)
        return true
    }

    /// Waits for an element; nil once the queue is closed and empty.
    func take() -> Element? {
        pthread_mutex_lock(mutex)
        while count == 0 && !closed { pthread_cond_wait(notEmpty, mutex) }
        guard count > 0 else {
            pthread_mutex_unlock(mutex)
            return nil
        }
        let element = removeFirst()
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(notFull)
        return element
    }

    /// Takes the oldest element out; called with the mutex held and `count > 0`.
    private func removeFirst() -> Element? {
        let element = buffer[head]
        buffer[head] = nil
        head = (head + 1) % buffer.count
        count -= 1
        return element
    }

    /// Elements waiting now.
    var waiting: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return count
    }

    /// No more puts: takers drain what is left, then get nil.
    func close() {
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(notEmpty)
        pthread_cond_broadcast(notFull)
        pthread_mutex_unlock(mutex)
    }

    /// Closes the queue and hands back what nobody took, so a stopping run can account for it.
    func closeAndDrain() -> [Element] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        closed = true
        var left: [Element] = []
        while count > 0 {
            if let element = removeFirst() { left.append(element) }
        }
        pthread_cond_broadcast(notEmpty)
        pthread_cond_broadcast(notFull)
        return left
    }
}
