//! Handing memory the satellite no longer uses back to the system.
//!
//! Loading whisper makes thousands of small allocations (its vocabulary, tensor metadata)
//! that glibc serves from a heap it does not shrink when they are freed: letting go of the
//! model left 8 MB resident in that heap, measured with the release build (24 MB resident
//! instead of 15 MB for a satellite that never loaded it).

/// Returns the free pages of every malloc heap to the system; a few hundred microseconds
/// for the satellite's heaps. Returns whether any memory was released (false on a C
/// library other than glibc).
pub(crate) fn release_free_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `malloc_trim` takes the allocator's own locks; it only returns free
        // pages and never moves or frees a live allocation.
        #[allow(unsafe_code)]
        let released = unsafe { libc::malloc_trim(0) };
        released == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}
