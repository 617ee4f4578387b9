//! Keep the auditor's resident memory flat on large fleets (glibc).
//!
//! Two glibc defaults make a long audit's memory grow with what it has
//! done rather than with what it is doing: the mmap threshold rises after
//! the first large block is freed, so later large blocks (yescrypt's 16 MiB
//! per verification, hosts' output buffers) are kept in the heap after use;
//! and every busy thread may get its own arena (up to 8 per core), each
//! keeping its freed memory. [`tune_allocator`] fixes the threshold at
//! 128 KiB, so large blocks go back to the system when freed, and caps the
//! arenas at 4: I/O threads allocate little, briefly.

/// Called once, before the audit starts its threads.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; it is called before
    // the audit's threads exist, and a refused setting leaves the default.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 4);
    }
}
