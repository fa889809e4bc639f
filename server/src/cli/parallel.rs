//! Work spread over the machine's cores, with the results in the order of the inputs, so
//! that what `check` prints does not depend on which thread finished first.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::huge_pages::allocate_from_huge_pages;

/// Deeply nested YAML is analysed with iteration, not recursion, but a rule may still
/// recurse over a value tree: workers get the main thread's usual stack, not a spawned
/// thread's smaller default.
const WORKER_STACK: usize = 8 << 20;

/// `work` applied to every item, on as many threads as there are cores (at most one per
/// item), each taking the next item left when it is done with one.
pub fn map_in_order<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    spread(items, || {}, work)
}

/// [`map_in_order`] for the analyses of a batch (of its files, of their repositories), whose
/// workers allocate from huge pages. A single item is analysed on the calling thread, in the
/// usual pages.
pub fn analyse_in_order<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    spread(items, allocate_from_huge_pages, work)
}

/// `work` applied to every item on the machine's cores, each worker thread first running
/// `start`.
fn spread<T: Sync, R: Send>(items: &[T], start: fn(), work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, usize::from).min(items.len());
    if workers <= 1 {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let worker = || {
            start();
            let mut done = Vec::new();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else { break };
                done.push((index, work(item)));
            }
            done
        };
        let handles: Vec<_> = (0..workers)
            .map(|_| std::thread::Builder::new().stack_size(WORKER_STACK).spawn_scoped(scope, worker))
            .collect::<Result<_, _>>()
            .expect("the system can start a worker thread");
        for handle in handles {
            // Analyses contain their panics; a worker that still panicked is a bug to surface.
            for (index, result) in handle.join().expect("a worker thread does not panic") {
                results[index] = Some(result);
            }
        }
    });
    results.into_iter().map(|result| result.expect("every item was taken by a worker")).collect()
}

/// Drops `value` on a thread of its own, so that the caller need not wait: freeing a batch's
/// reports, texts and models takes 4–6 ms on one core, about 1% of `check`'s time on the
/// corpus, and the process mostly exits right after, which ends the thread. Run in-process
/// (`init --baseline`, tests), the thread frees it all the same.
pub fn release_in_background<T: Send + 'static>(value: T) {
    // A thread that cannot start hands the closure back to be dropped, value and all, here.
    let _ = std::thread::Builder::new().name("release".into()).spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::{map_in_order, release_in_background};

    #[test]
    fn results_keep_the_order_of_the_inputs() {
        let items: Vec<u64> = (0..1_000).collect();
        let squares = map_in_order(&items, |n| {
            // Uneven work, so that workers finish out of order.
            if n % 7 == 0 {
                std::thread::yield_now();
            }
            n * n
        });
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
    }

    #[test]
    fn a_released_value_is_dropped_on_another_thread() {
        struct Reports(std::sync::mpsc::Sender<std::thread::ThreadId>);
        impl Drop for Reports {
            fn drop(&mut self) {
                let _ = self.0.send(std::thread::current().id());
            }
        }
        let (dropped, on) = std::sync::mpsc::channel();
        release_in_background(Reports(dropped));
        let thread = on.recv_timeout(std::time::Duration::from_secs(10)).expect("the value is dropped");
        assert_ne!(thread, std::thread::current().id());
    }

    #[test]
    fn no_items_no_threads() {
        assert!(map_in_order(&[] as &[u8], |_| unreachable!()).is_empty());
    }
}
