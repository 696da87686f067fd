import Foundation

/// Runs computations off the server's event loop, at most `limits.concurrentComputations` at a
/// time, each given `limits.wallSeconds`. A request that would wait behind more than
/// `limits.waitingComputations` others is refused at once (busy) instead of queueing without end.
///
/// A computation that runs out of time is answered with `.timedOut`, but it keeps its slot until
/// it really finishes (parsing cannot be interrupted; a layout in a drawing process is killed at
/// the same deadline), so slow inputs can never occupy more threads than the cap.
final class Workers: Sendable {
    enum Outcome<T: Sendable>: Sendable {
        case done(T)
        case busy
        case timedOut
    }

    private let slots: Slots
    private let seconds: Double

    init(limits: ServerLimits) {
        slots = Slots(running: limits.concurrentComputations, waiting: limits.waitingComputations)
        seconds = limits.wallSeconds
    }

    /// Each computation gets a thread of its own, not one of Dispatch's or Swift concurrency's
    /// shared threads: on 2 cores those are 2, and the server's tasks need them while Graphviz
    /// lays out a circuit. The time limit is kept by a second short-lived thread that waits on a
    /// condition, so it fires on time however busy the shared threads are.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> Outcome<T> {
        guard await slots.acquire() else { return .busy }
        let race = Race()
        let slots = self.slots
        let deadline = Date(timeIntervalSinceNow: seconds)
        return await withCheckedContinuation { (continuation: CheckedContinuation<Outcome<T>, Never>) in
            let worker = Thread {
                // A layout in a drawing process is cut off at the same moment (GraphvizProcesses).
                Thread.current.threadDictionary[GraphvizProcesses.deadlineKey] = deadline
                let result = work()
                race.finish()
                // The slot is free before the reply goes: a request that follows this one at
                // once finds it free.
                Task {
                    await slots.release()
                    if race.claim() { continuation.resume(returning: .done(result)) }
                }
            }
            worker.stackSize = 8 << 20  // Graphviz's layout recurses
            let timer = Thread {
                if !race.waitForFinish(until: deadline), race.claim() { continuation.resume(returning: .timedOut) }
            }
            timer.stackSize = 64 << 10
            worker.start()
            timer.start()
        }
    }

    /// How many computations are running now (for tests and the health endpoint).
    var running: Int { get async { await slots.running } }
}

/// A counting semaphore with a bounded queue.
private actor Slots {
    let capacity: Int
    let maxWaiting: Int
    private(set) var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(running: Int, waiting: Int) {
        capacity = max(1, running)
        maxWaiting = max(0, waiting)
    }

    func acquire() async -> Bool {
        if running < capacity {
            running += 1
            return true
        }
        guard waiters.count < maxWaiting else { return false }
        await withCheckedContinuation { waiters.append($0) }
        return true  // the slot was handed over by release()
    }

    func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// A computation against its deadline: `claim()` is true for the first caller only, and the
/// timer waits for `finish()` or the deadline, whichever comes first.
private final class Race: @unchecked Sendable {
    private let condition = NSCondition()
    private var claimed = false
    private var finished = false

    func claim() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }

    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// True when the work finished before `deadline`.
    func waitForFinish(until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !finished {
            if !condition.wait(until: deadline) { return finished }
        }
        return true
    }
}

/// The computations under way, by request key, and the requests waiting for each.
final class InFlight: @unchecked Sendable {
    private let lock = NSLock()
    private var waiting: [String: [CheckedContinuation<Reply?, Never>]] = [:]

    /// Nil when nothing for `key` is under way: the caller computes it and calls `finish`.
    /// Otherwise waits for that computation and returns its reply.
    func join(_ key: String) async -> Reply? {
        await withCheckedContinuation { continuation in
            lock.lock()
            if waiting[key] != nil {
                waiting[key]!.append(continuation)
                lock.unlock()
            } else {
                waiting[key] = []
                lock.unlock()
                continuation.resume(returning: nil)
            }
        }
    }

    func finish(_ key: String, _ reply: Reply) {
        lock.lock()
        let waiters = waiting.removeValue(forKey: key) ?? []
        lock.unlock()
        waiters.forEach { $0.resume(returning: reply) }
    }

    var count: Int { lock.withLock { waiting.count } }
}

/// Finished responses by request, least recently used out first, bounded in count and bytes.
/// Explanations are pure functions of the request, so a repeated request (a whole class on one
/// example, a permalink opened thirty times) is answered without recomputing.
final class ResponseCache: @unchecked Sendable {
    struct Entry {
        var response: Reply
        var lastUse: UInt64
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var clock: UInt64 = 0
    private var bytes = 0
    private let maxEntries: Int
    private let maxBytes: Int

    init(limits: ServerLimits) {
        maxEntries = limits.cachedResponses
        maxBytes = limits.cacheBytes
    }

    func get(_ key: String) -> Reply? {
        lock.lock()
        defer { lock.unlock() }
        guard var entry = entries[key] else { return nil }
        clock += 1
        entry.lastUse = clock
        entries[key] = entry
        return entry.response
    }

    func put(_ key: String, _ reply: Reply) {
        let size = reply.body.count + key.utf8.count
        guard maxEntries > 0, size <= maxBytes / 8 else { return }
        lock.lock()
        defer { lock.unlock() }
        clock += 1
        if let old = entries[key] { bytes -= old.response.body.count + key.utf8.count }
        entries[key] = Entry(response: reply, lastUse: clock)
        bytes += size
        while entries.count > maxEntries || bytes > maxBytes {
            guard let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) else { break }
            entries[oldest.key] = nil
            bytes -= oldest.value.response.body.count + oldest.key.utf8.count
        }
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }
}
