//! Test-only fault points, compiled into debug builds only: a worker panics on a job whose
//! text carries `[test-panic:<worker>]`, so that tests can show each worker surviving a panic
//! (after the input checks, no real input makes one panic). Release builds have none of this.

/// Panics when `text` carries the fault marker of `worker`.
pub fn panic_if_marked(worker: &str, text: &str) {
    if text.contains(&format!("[test-panic:{worker}]")) {
        panic!("test fault point of the {worker}");
    }
}
