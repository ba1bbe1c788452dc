//! The C allocator's settings for a process that loads models.
//!
//! whisper.cpp and ONNX Runtime allocate their weights and buffers with `malloc`. glibc serves
//! blocks under its mmap threshold from heaps it seldom gives back, and raises that threshold
//! (up to 32 MiB) every time a large mapped block is freed, so the transient buffers of
//! loading a model end up kept for good inside the heap. A fixed threshold maps each large
//! block on its own and returns it to the system when freed. Measured on the bridge with the
//! default models: 21 MiB less resident once started (256 -> 235 MiB, release build);
//! `malloc_trim` after loading gained nothing more.

/// Blocks from this size on get their own mapping: above audio chunks and small tensors,
/// below model buffers.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 64 * 1024;

/// Applies the settings; call first thing in `main`, before threads start. Returns whether
/// they were applied (false on a C library other than glibc).
pub fn tune() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: `mallopt` only changes allocator parameters; called before any other
        // thread exists, it races with no allocation.
        #[allow(unsafe_code)]
        let applied = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
        applied == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn glibc_takes_the_threshold() {
        assert!(super::tune());
    }
}
