//! Giving freed memory back to the operating system.
//!
//! glibc's allocator keeps what a request freed in its arenas for later use, so one large
//! transient allocation (a report cache's first load of a million responses, an export) would
//! otherwise stay in the server's resident memory for good (BENCHMARKS.md measured 1.1–1.8 GB
//! left after exports). After such work, the caller asks for it back.

/// Returns the allocator's free memory to the operating system (glibc on Linux; elsewhere
/// nothing). Costs a walk of the heap, a few milliseconds: call it after large work only.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns unused pages of the allocator's own heap to the kernel; it
    // touches no memory in use and may be called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
